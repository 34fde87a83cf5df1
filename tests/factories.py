"""factory_boy factories: tests build rows through these, never by hand."""

from datetime import UTC, datetime, timedelta

import factory

from articles.ingest import store_items
from articles.items import Item, ItemKind, VendorStatus
from articles.items import StatusUpdate as ItemUpdate
from articles.models import Article, FetchAttempt, Source
from incidents.models import Incident, Membership, Service, Summary, Vendor, Watch
from incidents.pipeline import index_regions


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = "feed"
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/feed-{n}.xml")
    allow_private_addresses = True  # the tests' HTTP server is on 127.0.0.1
    poll_interval = 300

    class Params:
        # What stretches a narrow screen: a long name, an address and an error with no space to wrap at.
        unwieldy = factory.Trait(
            name=factory.Sequence(lambda n: f"Microsoft 365 Service Health and Message Center Status Feed {n}"),
            url=factory.Sequence(lambda n: f"https://status.cloud-provider.example/api/v2/{'x' * 90}-{n}.atom"),
            health="failing", consecutive_failures=4,
            last_error=f"HTTPSConnectionPool(host='status.cloud-provider.example'): Max retries exceeded with url: "
                       f"/api/v2/{'very-long-path-segment-' * 6}incidents.json (SSLError: CERTIFICATE_VERIFY_FAILED)",
            last_error_at=factory.LazyFunction(lambda: datetime(2025, 11, 18, 12, 0, tzinfo=UTC)),
        )


class FetchAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FetchAttempt

    source = factory.SubFactory(SourceFactory)
    outcome = FetchAttempt.Outcome.CHANGED


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    source = factory.SubFactory(SourceFactory)
    kind = Article.Kind.NEWS
    external_id = factory.Sequence(lambda n: f"guid-{n}")
    url = factory.Sequence(lambda n: f"https://news.example/story-{n}")
    canonical_url = factory.SelfAttribute("url")
    dedupe_url = factory.SelfAttribute("url")
    title = factory.Sequence(lambda n: f"Story {n}")
    published_at = factory.LazyFunction(lambda: datetime(2025, 11, 18, 12, 0, tzinfo=UTC))
    content_hash = factory.Sequence(lambda n: f"{n:064x}")

    class Params:
        unwieldy = factory.Trait(
            source=factory.SubFactory(SourceFactory, unwieldy=True),
            url=factory.Sequence(lambda n: f"https://news.example/2025/11/18/{'cloudflare-outage-explained-' * 5}{n}"),
            title=factory.Sequence(lambda n: f"Outage {n}: https://status.cloud.google.com/incidents/"
                                             f"fc7GCA6kAgnBihezUAkx{'Q' * 40} is still not resolved"),
        )


class ItemFactory(factory.Factory):
    """A normalised adapter item, as any adapter returns it."""

    class Meta:
        model = Item

    kind = ItemKind.NEWS
    external_id = factory.Sequence(lambda n: f"item-{n}")
    title = factory.Sequence(lambda n: f"Outage report {n}")
    url = factory.Sequence(lambda n: f"https://news.example/outage-{n}")
    published_at = factory.LazyFunction(lambda: datetime(2025, 11, 18, 12, 0, tzinfo=UTC))
    summary_html = "<p>Short teaser.</p>"
    content_html = "<p>" + "Full article text. " * 40 + "</p>"


class ItemUpdateFactory(factory.Factory):
    class Meta:
        model = ItemUpdate

    posted_at = factory.LazyFunction(lambda: datetime(2025, 11, 18, 11, 48, tzinfo=UTC))
    status = VendorStatus.INVESTIGATING
    text = "We are investigating elevated error rates."


class StatusItemFactory(ItemFactory):
    kind = ItemKind.STATUS
    vendor_incident_id = factory.Sequence(lambda n: f"inc{n}")
    status = VendorStatus.INVESTIGATING
    impact = "major"
    updates = factory.LazyFunction(lambda: (ItemUpdateFactory(),))


def stored(source: Source, item: Item, at: datetime | None = None) -> Article:
    """The item stored as a poll a minute after its publication would store it (the real ingest path)."""
    at = at or (item.published_at or datetime(2025, 11, 18, 12, 0, tzinfo=UTC)) + timedelta(minutes=1)
    result = store_items(source, [item], fetched_at=at, scrape_teasers=False)
    return Article.objects.get(pk=(result.new_ids + result.updated_ids)[0])


# --- incidents -------------------------------------------------------------------------------------


class VendorFactory(factory.django.DjangoModelFactory):
    """A vendor outside the shipped catalogue (which migrations load), so slugs never collide."""

    class Meta:
        model = Vendor
        django_get_or_create = ("slug",)  # a test that names a slug twice means one vendor

    slug = factory.Sequence(lambda n: f"vendor-{n}")
    name = factory.Sequence(lambda n: f"Vendor {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)

    vendor = factory.SubFactory(VendorFactory)
    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident as the pipeline leaves it, region index included. `services=[...]` sets its services."""

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"incident-{n}")
    title = factory.Sequence(lambda n: f"Incident {n}: elevated errors")
    vendor = factory.SubFactory(VendorFactory)
    status = Incident.Status.INVESTIGATING
    severity = 3
    started_at = factory.LazyFunction(lambda: datetime(2025, 11, 18, 11, 48, tzinfo=UTC))
    first_reported_at = factory.SelfAttribute("started_at")
    last_activity_at = factory.SelfAttribute("started_at")

    class Params:
        # Titles, ids and error messages as sources write them: URLs, tokens and stack traces with no space.
        unwieldy = factory.Trait(
            title=factory.Sequence(lambda n: f"Sign-in fails with AADSTS50058 at https://login.microsoftonline.com/"
                                             f"common/oauth2/v2.0/authorize?client_id={'9' * 36}&n={n}"),
            vendor_severity="Degradation for a subset of tenants",  # 40 characters at most
            vendor_incident_ids=["MO502273", f"EX{'1' * 60}", "fc7GCA6kAgnBihezUAkxQwErTyUiOpAsDfGhJkLzXcVbNm"],
            error_messages=[
                "AADSTS50058: A silent sign-in request was sent but no user is signed in. Trace ID: "
                "0a1b2c3d-4e5f-6789-abcd-ef0123456789 Correlation ID: 9f8e7d6c-5b4a-3210-fedc-ba9876543210",
                "javax.net.ssl.SSLHandshakeException:sun.security.validator.ValidatorException:PKIXPathBuilding"
                "Failed:sun.security.provider.certpath.SunCertPathBuilderException:unable_to_find_valid_path",
            ],
            regions=["Europe", "aws:eu-central-1", "aws:us-east-1", "Frankfurt", "aws:ap-southeast-1"],
        )

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)

    @factory.post_generation
    def index_regions(self, create, extracted, **kwargs):
        if create:
            index_regions(self)


class SummaryFactory(factory.django.DjangoModelFactory):
    """A summary version; pass `current=True` to make it the incident's current one."""

    class Meta:
        model = Summary
        skip_postgeneration_save = True

    incident = factory.SubFactory(IncidentFactory)
    version = factory.Sequence(lambda n: n + 1)
    backend = "offline"

    @factory.post_generation
    def current(self, create, extracted, **kwargs):
        if create and extracted:  # saved on the incident as the summary writer saves it
            self.incident.summary = self
            self.incident.save(update_fields=["summary", "updated_at"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    article = factory.SubFactory(ArticleFactory)
    incident = factory.SubFactory(IncidentFactory)


class WatchFactory(factory.django.DjangoModelFactory):
    """An active watch (confirmed). Pass `vendors=[...]` / `services=[...]`, or everything=True."""

    class Meta:
        model = Watch
        skip_postgeneration_save = True

    destination = Watch.Destination.WEBHOOK
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/hook-{n}")
    state = Watch.State.ACTIVE

    @factory.post_generation
    def vendors(self, create, extracted, **kwargs):
        if create and extracted:
            self.vendors.set(extracted)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)
