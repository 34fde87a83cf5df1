"""The Cloudflare outage of 18 November 2025 as test items: a press report and the vendor's status post,
built with the factories and stored through the real ingest path. Shared by the pipeline, summary and
curation tests (their fixtures `press` and `cloudflare_status` are in tests/incidents/conftest.py)."""

from datetime import UTC, datetime

from articles.items import VendorStatus
from tests.factories import ItemFactory, ItemUpdateFactory, StatusItemFactory

T0 = datetime(2025, 11, 18, 11, 48, tzinfo=UTC)
BODY = (
    "<p>Cloudflare said a configuration file that doubled in size crashed the software that routes traffic "
    "across its network. Websites behind Cloudflare showed \"500 Internal Server Error\" pages to visitors "
    "in Europe for about three hours, and the company said it was investigating elevated error rates.</p>"
)
FIRST_UPDATE = "We are investigating elevated error rates on the Cloudflare network; users see 500 errors."


def news(title, body=BODY, at=T0, **fields):
    return ItemFactory(title=title, content_html=body, summary_html="", published_at=at, **fields)


def cloudflare_post(at=T0, status=VendorStatus.INVESTIGATING, updates=None, text=FIRST_UPDATE):
    return StatusItemFactory(
        external_id="cf-1", vendor_incident_id="cf-1", title="Cloudflare Global Network experiencing issues",
        url="https://www.cloudflarestatus.com/incidents/cf1", published_at=at, status=status,
        summary_html="", content_html="", updates=updates or (ItemUpdateFactory(posted_at=at, text=text),),
    )
