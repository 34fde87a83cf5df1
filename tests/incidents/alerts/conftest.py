import pytest
from django.utils import timezone

from incidents.alerts import delivery, service
from incidents.alerts.models import Delivery
from incidents.models import Vendor


def run_alerts() -> dict[str, int]:
    """What beat and the alerts workers do, in this process: every incident whose alerts are due is
    announced, and every delivery due now is sent (a retry's wait moved to now, as the sweep would find it)."""
    outcomes: dict[str, int] = {}
    for incident_id in service.lease_due():
        service.announce(incident_id)
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("pk")
    while due := list(pending.values_list("pk", flat=True)):
        Delivery.objects.filter(pk__in=due).update(next_attempt_at=timezone.now())
        for delivery_id in due:
            outcome = delivery.deliver(delivery_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@pytest.fixture
def cloudflare():
    return Vendor.objects.get(slug="cloudflare")
