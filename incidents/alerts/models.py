"""Watches, the events announced, the ledger that keeps each announced once, and deliveries.

Part of the incidents app (incidents/models.py imports these, so Django finds them there); kept in
their own module so incidents/models.py stays readable."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from incidents.alerts import events, messages


def new_secret() -> str:
    return secrets.token_hex(32)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Watch(models.Model):
    """Who is told of what, and where: vendors and/or services (or everything at a severity or worse),
    the events wanted, and one destination."""

    class Destination(models.TextChoices):
        WEBHOOK = messages.WEBHOOK, "webhook (JSON, signed)"
        SLACK = messages.SLACK, "Slack incoming webhook"
        TEAMS = messages.TEAMS, "Microsoft Teams incoming webhook"
        DISCORD = messages.DISCORD, "Discord webhook"
        EMAIL = messages.EMAIL, "email"

    class State(models.TextChoices):
        PENDING = "pending", "waiting for confirmation"
        ACTIVE = "active", "active"
        PAUSED = "paused", "paused"
        UNSUBSCRIBED = "unsubscribed", "unsubscribed"

    name = models.CharField(max_length=120, blank=True)
    destination = models.CharField(max_length=16, choices=Destination.choices)
    url = models.URLField(max_length=500, blank=True, help_text="The webhook's address (not for email).")
    email = models.EmailField(blank=True, help_text="Where email alerts go.")
    owner_email = models.EmailField(blank=True, help_text="Told when the watch is paused after repeated failures.")
    # Filled in by save() (a callable default would make the migration import this module).
    secret = models.CharField(max_length=64, blank=True, help_text="Signs a generic webhook's messages.")
    token = models.CharField(max_length=64, unique=True, blank=True,
                             help_text="In the confirmation and unsubscribe links.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE, db_index=True)
    everything = models.BooleanField(default=False, help_text="Every incident at the minimum severity or worse.")
    vendors = models.ManyToManyField("incidents.Vendor", blank=True, related_name="watches")
    services = models.ManyToManyField("incidents.Service", blank=True, related_name="watches")
    min_severity = models.PositiveSmallIntegerField(default=0, help_text="0: any, 2 minor, 3 major, 4 critical.")
    on_opened = models.BooleanField(default=True)
    on_acknowledged = models.BooleanField(default=True)
    on_severity_raised = models.BooleanField(default=True)
    on_resolved = models.BooleanField(default=True)
    on_report_published = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_reason = models.CharField(max_length=300, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or f"{self.get_destination_display()} → {self.address}"

    def save(self, *args, **kwargs) -> None:
        self.secret = self.secret or new_secret()
        self.token = self.token or new_token()
        super().save(*args, **kwargs)

    @property
    def address(self) -> str:
        return self.email if self.destination == self.Destination.EMAIL else self.url

    def wants(self, kind: str) -> bool:
        return getattr(self, f"on_{kind}")


def watches_for(kinds: tuple[str, ...], severity: int, vendor_id: int | None, service_ids: list[int]):
    """Active watches an event of these kinds at this severity concerns: one query, ids only."""
    wanted = Q()
    for kind in kinds:
        wanted |= Q(**{f"on_{kind}": True})
    scope = Q(everything=True)
    if vendor_id is not None:
        scope |= Q(vendors=vendor_id)
    if service_ids:
        scope |= Q(services__in=service_ids)
    return (Watch.objects.filter(wanted, scope, state=Watch.State.ACTIVE, min_severity__lte=severity)
            .order_by().values_list("id", flat=True).distinct())


class AnnouncedEvent(models.Model):
    """The ledger: this article's incident had this event announced (events.py's keys). Kept by article,
    not by incident, because articles outlive incidents: a recluster deletes incidents and builds new
    ones from the same articles, a merge puts both ledgers' articles under the survivor, and a split
    clears the moved articles' rows so the new incident is new."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "key"], name="incidents_announcedevent_unique")]

    def __str__(self) -> str:
        return f"{self.key} (article {self.article_id})"


class AlertEvent(models.Model):
    """One event of one incident, announced once, with the message's facts as they were then."""

    incident = models.ForeignKey("incidents.Incident", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=24, choices=[(k, events.LABELS[k]) for k in events.KINDS])
    covers = models.JSONField(default=list)
    severity = models.PositiveSmallIntegerField(default=0)
    facts = models.JSONField(help_text="messages.AlertFacts as a dict.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.facts.get('title', '')}"


class Delivery(models.Model):
    """One event to one watch: claimed before it is sent, so a redelivered task never sends it twice;
    its last attempt's outcome is the watch's delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        HELD = "held", "held for a digest (rate limit)"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "skipped (watch not active)"

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    in_digest = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["watch", "event"], name="incidents_delivery_unique")]
        indexes = [
            models.Index(fields=["watch", "sent_at"], name="incidents_delivery_rate"),
            models.Index(fields=["status", "next_attempt_at"], name="incidents_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.watch}"
