"""The public side of watches: create one for a vendor or a service, confirm it, unsubscribe (thin).

Confirm and unsubscribe links answer a GET with a page and act on its POST: mail scanners open links."""

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from incidents.alerts.delivery import describe
from incidents.alerts.forms import WatchForm
from incidents.alerts.models import Watch
from incidents.api import ratelimit
from incidents.models import Service, Vendor
from outagehub import throttle


@require_http_methods(["GET", "POST"])
def new_watch(request, scope: str, slug: str):
    if scope == "vendor":
        subject = get_object_or_404(Vendor, slug=slug)
    elif scope == "service":
        subject = get_object_or_404(Service.objects.select_related("vendor"), slug=slug)
    else:
        raise Http404
    if request.method == "POST":
        form = WatchForm(request.POST)
    else:  # from the small form on the vendor's or service's page
        form = WatchForm(initial={name: request.GET[name] for name in ("destination", "address")
                                  if name in request.GET})
    if request.method == "POST" and form.is_valid():
        refused = _signup_refused(request, form.cleaned_data["address"])
        if refused:
            form.add_error(None, refused)
            return render(request, "alerts/new_watch.html", {"form": form, "subject": subject, "scope": scope},
                          status=429)
        from incidents.tasks import confirm_watch

        with transaction.atomic():
            watch = form.watch()
            getattr(watch, f"{scope}s").add(subject)
            transaction.on_commit(lambda: confirm_watch.delay(watch.pk))
        return render(request, "alerts/check_destination.html", {"watch": watch, "subject": subject})
    return render(request, "alerts/new_watch.html", {"form": form, "subject": subject, "scope": scope},
                  status=400 if request.method == "POST" else 200)


def _signup_refused(request, address: str) -> str:
    """Why this sign-up is refused, or "": each makes the server send a confirmation to `address`, so
    sign-ups are limited per client and confirmations per destination."""
    for scope, who, setting in (("watch-signup", throttle.client_of(request), "OUTAGEHUB_WATCH_SIGNUP_RATE"),
                                ("watch-confirmation", address.lower(), "OUTAGEHUB_WATCH_CONFIRMATION_RATE")):
        rate = ratelimit.parse_rate(getattr(settings, setting))
        allowance = throttle.spend(scope, who, rate)
        if allowance.exceeded(rate):
            what = "sign-ups from your address" if scope == "watch-signup" else "confirmations sent to this address"
            return (f"Too many {what} for now (at most {rate.requests} in {rate.seconds} s); "
                    f"try again in {allowance.reset} s.")
    return ""


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    watch = get_object_or_404(Watch, token=token)
    done = False
    if request.method == "POST" and watch.state in (Watch.State.PENDING, Watch.State.UNSUBSCRIBED):
        Watch.objects.filter(pk=watch.pk).update(state=Watch.State.ACTIVE, confirmed_at=timezone.now())
        watch.state, done = Watch.State.ACTIVE, True
    return render(request, "alerts/confirm.html", {"watch": watch, "done": done, "what": describe(watch)})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    watch = get_object_or_404(Watch, token=token)
    done = False
    if request.method == "POST" and watch.state != Watch.State.UNSUBSCRIBED:
        Watch.objects.filter(pk=watch.pk).update(state=Watch.State.UNSUBSCRIBED)
        watch.state, done = Watch.State.UNSUBSCRIBED, True
    return render(request, "alerts/unsubscribe.html", {"watch": watch, "done": done, "what": describe(watch)})
