from datetime import UTC, datetime, timedelta

import pytest

from articles.items import VendorStatus
from incidents.models import Incident
from tests.factories import (
    ArticleFactory,
    IncidentFactory,
    ItemUpdateFactory,
    MembershipFactory,
    ServiceFactory,
    SourceFactory,
    StatusItemFactory,
    SummaryFactory,
    VendorFactory,
    stored,
)

START = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.fixture
def full_incident():
    """A resolved incident with a vendor post (two updates), two news reports (one with a link that is
    not a web link), a summary citing them and an earlier incident's report, a post-incident report,
    and the incident that caused it."""
    vendor = VendorFactory(name="Microsoft", slug="microsoft-test", status_page_url="https://status.example/")
    exchange = ServiceFactory(vendor=vendor, name="Exchange Online", slug="exchange-test")
    cause = IncidentFactory(title="Azure Front Door outage", slug="2026-11-18-afd", started_at=START)
    incident = IncidentFactory(
        title="Exchange Online users cannot send mail", slug="2026-11-18-exo-mail", vendor=vendor, services=[exchange],
        status=Incident.Status.RESOLVED, severity=3, vendor_severity="Advisory", started_at=START,
        first_reported_at=START, vendor_acknowledged_at=START + timedelta(minutes=50),
        resolved_at=START + timedelta(hours=3), regions=["Europe"], vendor_incident_ids=["EX1189"],
        error_messages=["550 5.7.708 Service unavailable. Access denied"], also_affected=["Outlook.com"],
        news_count=2, status_count=1, caused_by=cause,
    )
    press = SourceFactory(name="The Register")
    first_news = ArticleFactory(source=press, title="Outlook down for thousands", url="https://theregister.example/exo",
                                published_at=START + timedelta(minutes=5))
    second_news = ArticleFactory(source=SourceFactory(name="BleepingComputer"), title="Exchange outage spreads",
                                 published_at=START + timedelta(minutes=70), url="javascript:alert(1)")
    post = stored(SourceFactory(name="Microsoft 365 status", kind="statuspage", vendor_name="Microsoft"),
                  StatusItemFactory(title="EX1189: users can't send mail", url="https://status.example/EX1189",
                                    published_at=START + timedelta(minutes=55), updates=(
                                        ItemUpdateFactory(posted_at=START + timedelta(minutes=55),
                                                          status=VendorStatus.INVESTIGATING,
                                                          text="We're investigating."),
                                        ItemUpdateFactory(posted_at=START + timedelta(hours=3),
                                                          status=VendorStatus.RESOLVED, text="Fixed."))))
    report = ArticleFactory(source=press, title="What broke Exchange", url="https://status.example/pir",
                            published_at=START + timedelta(days=2))
    for article in (first_news, second_news, post, report):
        MembershipFactory(article=article, incident=incident)
    first_update, last_update = post.updates.order_by("posted_at")
    older = IncidentFactory(title="Earlier Exchange outage", slug="2026-10-01-exo-earlier", vendor=vendor,
                            services=[exchange], started_at=START - timedelta(days=40), status=Incident.Status.RESOLVED)
    older_source = ArticleFactory(source=press, title="Last month's Exchange outage", url="https://theregister.example/old")
    MembershipFactory(article=older_source, incident=older)
    Incident.objects.filter(pk=incident.pk).update(acknowledged_in=post, post_incident_report=report)
    SummaryFactory(incident=incident, current=True, why_this_matters=[
        {"text": "Mail for many organisations stopped.", "citations": [f"article:{first_news.pk}"]},
        {"text": "Microsoft confirmed it.", "citations": [f"update:{first_update.pk}"]},
    ], takeaways=[
        {"text": "It was fixed.", "citations": [f"update:{last_update.pk}"], "kind": "resolution"},
        {"text": "It happened last month too.", "citations": [f"article:{older_source.pk}"], "kind": "history",
         "links": [{"title": "Earlier Exchange outage", "incident": older.slug}]},
    ])
    incident.refresh_from_db()
    return {"incident": incident, "vendor": vendor, "service": exchange, "cause": cause, "first_news": first_news,
            "second_news": second_news, "post": post, "report": report, "first_update": first_update,
            "last_update": last_update, "older": older, "older_source": older_source}
