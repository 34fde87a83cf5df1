"""Send one delivery, or a watch's digest, and record what happened (Django).

A delivery is claimed with a conditional UPDATE (pending → sending) before anything is sent, so a task
redelivered by the broker, or run twice, finds it taken and sends nothing: at most once. What a send
does to the watch: success clears its run of failures; a final failure adds one, and after
OUTAGEHUB_ALERT_PAUSE_AFTER in a row the watch is paused with the reason and its owner told.
"""

import json
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from articles.http import client, netguard
from articles.http.errors import FetchError
from articles.redaction import redact_url
from incidents.alerts import messages, retries, signing
from incidents.alerts.models import AlertEvent, Delivery, Watch
from incidents.alerts.service import site_url


@dataclass(frozen=True)
class SendResult:
    ok: bool
    duration_ms: int
    response_code: int | None = None
    error: str = ""
    retry: bool = False


def unsubscribe_url(watch: Watch) -> str:
    return site_url(reverse("alerts-unsubscribe", args=[watch.token]))


def confirm_url(watch: Watch) -> str:
    return site_url(reverse("alerts-confirm", args=[watch.token]))


def alert_of(event: AlertEvent) -> messages.Alert:
    return messages.Alert(event_id=event.pk, kind=event.kind, facts=messages.AlertFacts.from_dict(event.facts),
                          occurred_at=event.created_at.isoformat())


def deliver(delivery_id: int) -> str:
    """1. claim  2. skip if the watch is not active  3. hold for a digest past the rate limit  4. send and
    record. Returns what happened: sent, held, retry, failed, skipped, or taken (claimed elsewhere)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "taken"
    delivery = Delivery.objects.select_related("watch", "event").get(pk=delivery_id)
    watch = delivery.watch
    if watch.state != Watch.State.ACTIVE:
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.SKIPPED,
                                                       error=f"the watch is {watch.get_state_display()}")
        return "skipped"
    free_at = _rate_limited_until(watch, now)
    if free_at is not None:
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.HELD, next_attempt_at=free_at)
        _schedule_digest(watch.pk, free_at)
        return "held"
    result = send(watch, [alert_of(delivery.event)])
    return _record([delivery], watch, result, retry_status=Delivery.Status.PENDING)


def deliver_digest(watch_id: int) -> str:
    """Every event held for this watch whose window has ended, in one message."""
    now = timezone.now()
    claim = Delivery.objects.filter(watch_id=watch_id, status=Delivery.Status.HELD, next_attempt_at__lte=now)
    if not claim.update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1):
        return "taken"
    held = list(Delivery.objects.select_related("watch", "event").order_by("event__created_at")
                .filter(watch_id=watch_id, status=Delivery.Status.SENDING, claimed_at=now))
    watch = held[0].watch
    if watch.state != Watch.State.ACTIVE:
        Delivery.objects.filter(pk__in=[d.pk for d in held]).update(status=Delivery.Status.SKIPPED)
        return "skipped"
    result = send(watch, [alert_of(d.event) for d in held])
    return _record(held, watch, result, retry_status=Delivery.Status.HELD, digest=len(held) > 1)


def _rate_limited_until(watch: Watch, now) -> object:
    """None if the watch may be sent a message now; else when its window frees a place."""
    window = timedelta(seconds=settings.OUTAGEHUB_ALERT_RATE_WINDOW)
    sent = list(Delivery.objects.filter(watch=watch, sent_at__gt=now - window, in_digest=False)
                .order_by("sent_at").values_list("sent_at", flat=True)[:settings.OUTAGEHUB_ALERT_RATE_LIMIT])
    if len(sent) < settings.OUTAGEHUB_ALERT_RATE_LIMIT:
        return None
    return sent[0] + window


def _schedule_digest(watch_id: int, at) -> None:
    from incidents.tasks import deliver_alert_digest  # tasks import this module

    countdown = max((at - timezone.now()).total_seconds(), 0) + 1
    transaction.on_commit(lambda: deliver_alert_digest.apply_async([watch_id], countdown=countdown))


def send(watch: Watch, alerts: list[messages.Alert]) -> SendResult:
    """One message to the watch's destination; never raises for what the destination does."""
    envelope = messages.render(watch.destination, alerts, unsubscribe_url(watch))
    if watch.destination == Watch.Destination.EMAIL:
        return _send_email(watch.email, envelope, unsubscribe_url(watch))
    body = envelope.body_bytes()
    headers = {"Content-Type": "application/json"}
    if watch.destination == Watch.Destination.WEBHOOK:
        headers[signing.SIGNATURE_HEADER] = signing.signature(watch.secret, int(time.time()), body)
        headers["X-OutageHub-Event"] = alerts[0].kind if len(alerts) == 1 else "digest"
    return post(watch.url, body, headers)


def post(url: str, body: bytes, headers: dict[str, str]) -> SendResult:
    started = time.monotonic()
    try:
        answer = client.post(url, body, headers)
    except FetchError as exc:
        return SendResult(False, _ms(started), exc.http_status, exc.message[:500],
                          retry=retries.worth_retrying(exc.http_status, exc.transient))
    return SendResult(True, int(answer.duration_ms), answer.status)


def _send_email(to: str, envelope: messages.Envelope, unsubscribe: str) -> SendResult:
    started = time.monotonic()
    message = EmailMultiAlternatives(envelope.subject, envelope.text, to=[to],
                                     headers={"List-Unsubscribe": f"<{unsubscribe}>"})
    message.attach_alternative(envelope.html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return SendResult(False, _ms(started), error=f"the mail server refused the address: {exc}"[:500])
    except (smtplib.SMTPException, OSError) as exc:
        return SendResult(False, _ms(started), error=f"could not send the email: {exc}"[:500], retry=True)
    return SendResult(True, _ms(started))


def _record(deliveries: list[Delivery], watch: Watch, result: SendResult, *, retry_status: str,
            digest: bool = False) -> str:
    now = timezone.now()
    ids = [d.pk for d in deliveries]
    rows = Delivery.objects.filter(pk__in=ids)
    outcome = {"duration_ms": result.duration_ms, "response_code": result.response_code, "error": result.error}
    if result.ok:
        rows.update(status=Delivery.Status.SENT, sent_at=now, in_digest=digest, **outcome)
        if watch.consecutive_failures:
            Watch.objects.filter(pk=watch.pk).update(consecutive_failures=0)
        return "sent"
    attempts = max(d.attempts for d in deliveries)  # read after the claim counted this one
    if result.retry and attempts < settings.OUTAGEHUB_ALERT_MAX_ATTEMPTS:
        delay = retries.retry_delay(attempts)
        rows.update(status=retry_status, next_attempt_at=now + timedelta(seconds=delay), **outcome)
        _schedule_retry(ids, watch.pk, delay, digest=retry_status == Delivery.Status.HELD)
        return "retry"
    rows.update(status=Delivery.Status.FAILED, **outcome)
    _count_failure(watch, result.error)
    return "failed"


def _schedule_retry(ids: list[int], watch_id: int, delay: int, digest: bool) -> None:
    from incidents.tasks import deliver_alert_digest, deliver_alerts

    if digest:
        transaction.on_commit(lambda: deliver_alert_digest.apply_async([watch_id], countdown=delay))
    else:
        transaction.on_commit(lambda: deliver_alerts.apply_async([ids], countdown=delay))


def _count_failure(watch: Watch, error: str) -> None:
    Watch.objects.filter(pk=watch.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = Watch.objects.filter(pk=watch.pk).values_list("consecutive_failures", flat=True).first() or 0
    if failures < settings.OUTAGEHUB_ALERT_PAUSE_AFTER:
        return
    reason = f"Paused after {failures} failed deliveries in a row; the last: {error}"[:300]
    paused = Watch.objects.filter(pk=watch.pk, state=Watch.State.ACTIVE).update(state=Watch.State.PAUSED,
                                                                                 paused_reason=reason)
    if paused and watch.owner_email:
        send_mail(f"OutageHub paused your alerts to {redact_url(watch.address) if watch.url else watch.address}",
                  f"{reason}\n\nFix the destination, then ask an editor to resume the watch, or create it again.\n",
                  None, [watch.owner_email], fail_silently=True)


def send_confirmation(watch: Watch) -> SendResult:
    """Double opt-in: the link that activates the watch, sent to its destination."""
    what = describe(watch)
    link = confirm_url(watch)
    if watch.destination == Watch.Destination.EMAIL:
        started = time.monotonic()
        try:
            send_mail("Confirm your OutageHub alerts",
                      f"Someone asked OutageHub to email alerts about {what} to this address.\n\n"
                      f"To start them, open:\n{link}\n\nIf it was not you, ignore this message: nothing is sent "
                      f"until the link is opened.\n", None, [watch.email])
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(False, _ms(started), error=f"could not send the email: {exc}"[:500])
        return SendResult(True, _ms(started))
    body = json.dumps(messages.confirmation_body(watch.destination, link, what)).encode()
    return post(watch.url, body, {"Content-Type": "application/json"})


def describe(watch: Watch) -> str:
    if watch.everything:
        return "every incident"
    names = [v.name for v in watch.vendors.all()] + [str(s) for s in watch.services.all()]
    return ", ".join(names) or "nothing yet"


def check_destination(url: str) -> str:
    """'' if alerts may be sent to this URL, else why not (for forms and admin)."""
    try:
        client.refuse_forbidden_destination(url)
    except netguard.UnsafeURLError as exc:
        return exc.message
    return ""


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
