"""Alerts go out through a real worker on their own queue: announced, fanned out and sent, and a
receiver that fails first gets the message once, after the worker's own retry."""

import pytest

from incidents import tasks as incident_tasks
from incidents.alerts.models import Delivery
from tests.factories import IncidentFactory, MembershipFactory, WatchFactory
from tests.resilience.services import wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.integration]


def test_a_worker_on_the_alerts_queue_sends_once_through_a_receiver_that_fails_first(cluster, http_server):
    http_server.serve_sequence("/hook", [{"body": "down", "status": 500}, {"body": "ok"}])
    WatchFactory(url=http_server.url("/hook"), everything=True)
    incident = IncidentFactory()
    MembershipFactory(incident=incident)
    worker = cluster.worker("alerts", queues="alerts")
    incident_tasks.announce_incident.delay(incident.pk)
    wait_for(lambda: Delivery.objects.filter(status=Delivery.Status.SENT).exists(),
             "the alert to be sent after the receiver's 500", processes=(worker,))
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.response_code) == (2, 200)
    bodies = [body for _, body in http_server.posts("/hook")]
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the same message: one failed try, one delivery
