"""Announce an incident's due events once each and fan them out to the watches they concern (Django).

1. under the pipeline's assignment lock (no article moves meanwhile), read the incident, its members'
   ledger (AnnouncedEvent) and its state;
2. events.due_events decides what is new; the ledger is written for every member (so any of them
   carries it into whatever incident a recluster or a split makes of them);
3. one AlertEvent per event, and a Delivery per matching watch, created in bulk (one query to find the
   watches, one insert): the cost per event does not grow with a query per watch;
4. after commit, the deliveries are handed to the alerts queue in chunks (incidents/tasks.py).

Hidden and merged incidents announce nothing; an incident without sources has nothing to anchor a
ledger to and waits until it has one.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from incidents import pipeline
from incidents.alerts import events
from incidents.alerts.messages import AlertFacts
from incidents.alerts.models import AlertEvent, AnnouncedEvent, Delivery, Watch, watches_for
from incidents.alerts.state import state_of
from incidents.models import Incident, Membership, Severity

# Deliveries per task message (a task hands on what it has no time left for: tasks.deliver_alerts).
CHUNK = 200


def site_url(path: str) -> str:
    return f"{settings.OUTAGEHUB_SITE_URL}{path}"


def mark_due(incident_ids: list[int]) -> None:
    """Have these incidents' alerts worked out again (curation calls it after moving sources)."""
    Incident.objects.filter(pk__in=incident_ids).update(alerts_due_at=timezone.now())


def lease_due(now: datetime | None = None) -> list[int]:
    """Incidents whose alerts are due, leased (their mark moved past the redelivery bound) so the next
    tick does not take them again while a worker works on them; a lost message is taken after the lease."""
    now = now or timezone.now()
    due = list(Incident.objects.filter(alerts_due_at__lte=now).order_by("alerts_due_at")
               .values_list("pk", flat=True)[:500])
    if due:
        Incident.objects.filter(pk__in=due, alerts_due_at__lte=now).update(
            alerts_due_at=now + timedelta(seconds=settings.OUTAGEHUB_REDELIVER_AFTER))
    return due


def announce(incident_id: int) -> list[int]:
    """The incident's new events announced and fanned out; returns the deliveries created."""
    with pipeline.assignment_lock():
        started = timezone.now()
        incident = (Incident.objects.select_related("vendor", "summary").filter(pk=incident_id).first())
        if incident is None:
            return []
        Incident.objects.filter(pk=incident_id, alerts_due_at__isnull=False).update(alerts_due_at=None)
        if incident.hidden or incident.merged_into_id:
            return []
        members = list(Membership.objects.filter(incident=incident).values_list("article_id", flat=True))
        if not members:
            return []
        recorded = set(AnnouncedEvent.objects.filter(article_id__in=members).values_list("article_id", "key"))
        ledger = frozenset(key for _, key in recorded)
        due, after = events.due_events(ledger, state_of(incident))
        AnnouncedEvent.objects.bulk_create(
            [AnnouncedEvent(article_id=article, key=key) for article in members for key in sorted(after)
             if (article, key) not in recorded], ignore_conflicts=True, batch_size=1000)
        if not due:
            return []
        service_ids = list(incident.services.values_list("pk", flat=True))
        facts = facts_of(incident, [name for _, name in sorted(
            incident.services.values_list("pk", "name"))]).__dict__
        created = AlertEvent.objects.bulk_create([
            AlertEvent(incident=incident, kind=e.kind, covers=list(e.covers), severity=e.severity, facts=facts,
                       created_at=started) for e in due])
        deliveries = fan_out(created, incident.vendor_id, service_ids)
    if deliveries:
        transaction.on_commit(lambda: enqueue(deliveries))
    return deliveries


def fan_out(alert_events: list[AlertEvent], vendor_id: int | None, service_ids: list[int]) -> list[int]:
    """A Delivery for every watch each event concerns, in one INSERT … SELECT per event: the database
    matches the watches and writes the rows, and no row passes through Python (10,000 watches cost what
    one does, but for the rows). Unique per (watch, event), so it never makes a second delivery."""
    table = Delivery._meta.db_table
    created: list[int] = []
    with connection.cursor() as cursor:
        for event in alert_events:
            watches, params = watches_for(tuple(event.covers), event.severity, vendor_id,
                                          service_ids).query.sql_with_params()
            at = connection.ops.adapt_datetimefield_value(event.created_at)
            cursor.execute(
                f"INSERT INTO {table} (watch_id, event_id, status, attempts, next_attempt_at, in_digest, error, "  # noqa: S608 - the ORM's own SQL, values as parameters
                f"created_at) SELECT matched.id, %s, %s, 0, %s, %s, '', %s FROM ({watches}) matched RETURNING id",
                [event.pk, Delivery.Status.PENDING, at, False, at, *params])
            created += sorted(row[0] for row in cursor.fetchall())
    return created


def enqueue(delivery_ids: list[int]) -> None:
    from incidents.tasks import deliver_alerts  # tasks import this module

    for start in range(0, len(delivery_ids), CHUNK):
        deliver_alerts.delay(delivery_ids[start:start + CHUNK])


def facts_of(incident: Incident, services: list[str]) -> AlertFacts:
    takeaways = incident.summary.takeaways if incident.summary_id else []
    return AlertFacts(
        incident_id=incident.pk,
        title=incident.title,
        vendor=incident.vendor.name if incident.vendor_id else incident.subject,
        services=services,
        status=incident.get_status_display(),
        severity=Severity(incident.severity).label if incident.severity else "",
        regions=list(incident.regions),
        started_at=incident.started_at.astimezone(UTC).isoformat(),
        takeaway=(takeaways[0].get("text", "") if takeaways else ""),
        link=site_url(reverse("incident", args=[incident.slug])),
        ended_at=incident.resolved_at.astimezone(UTC).isoformat() if incident.resolved_at else "",
    )


def forget_announced(article_ids: set[int]) -> None:
    """A split: the moved articles start a ledger afresh in the incident they went to (its own members
    give it theirs when it is next worked out)."""
    AnnouncedEvent.objects.filter(article_id__in=article_ids).delete()


def overdue_deliveries(now: datetime) -> list[int]:
    """Deliveries whose message was lost: pending past their time by the redelivery bound."""
    late = now - timedelta(seconds=settings.OUTAGEHUB_REDELIVER_AFTER)
    return list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=late)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:5000])


def give_up_lost_sends(now: datetime) -> int:
    """Deliveries a worker claimed and never finished (killed while sending): marked failed, not sent
    again, since the receiver may have had it (at most once). Returns how many."""
    lost = now - timedelta(seconds=settings.OUTAGEHUB_REDELIVER_AFTER)
    return Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=lost).update(
        status=Delivery.Status.FAILED, error="the worker stopped while sending it; not sent again, as the "
                                              "destination may have had it already")


def watches_with_due_digests(now: datetime) -> list[int]:
    """Watches holding events whose rate window has ended (a held delivery waits until then): a digest is due."""
    return list(Delivery.objects.filter(status=Delivery.Status.HELD, next_attempt_at__lte=now)
                .values_list("watch_id", flat=True).distinct())


def expire_unconfirmed(now: datetime) -> int:
    """Remove the watches nobody confirmed within OUTAGEHUB_WATCH_CONFIRM_HOURS: a sign-up for an address
    that is not the signer's own leaves nothing behind. Returns how many went."""
    cutoff = now - timedelta(hours=settings.OUTAGEHUB_WATCH_CONFIRM_HOURS)
    removed, _ = Watch.objects.filter(state=Watch.State.PENDING, created_at__lt=cutoff).delete()
    return removed
