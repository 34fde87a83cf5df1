"""Sources we poll, what each poll did, and the articles and status posts they yielded."""

from urllib.parse import urlsplit

from django.db import models
from django.utils import timezone

from .adapters import KIND_CHOICES
from .items import ComponentState, ItemKind, VendorStatus

COMPONENT_STATE_CHOICES = [(state.value, state.value.replace("_", " ")) for state in ComponentState]

MIN_POLL_SECONDS = 30
MAX_POLL_SECONDS = 24 * 3600


def clamp_poll_interval(seconds: int) -> int:
    return max(MIN_POLL_SECONDS, min(MAX_POLL_SECONDS, int(seconds)))


class Source(models.Model):
    """A feed or status page that we poll, with its fetch state and health."""

    class Health(models.TextChoices):
        NEW = "new", "not fetched yet"
        OK = "ok", "healthy"
        FAILING = "failing", "failing"
        # The fetch never finished N times (worker killed or timed out): stop until an editor resets it.
        GAVE_UP = "gave_up", "stopped after repeated crashes"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    url = models.URLField(max_length=2000)
    vendor_name = models.CharField(
        max_length=120, blank=True, help_text="Set for a vendor's own status page; empty for news feeds."
    )
    enabled = models.BooleanField(default=True)
    allow_private_addresses = models.BooleanField(
        default=False,
        help_text="Fetch this source's own URL even when it resolves to a private address (an internal status "
        "page). Takes effect only when OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1; never applies to links inside its items.",
    )
    poll_interval = models.PositiveIntegerField(
        default=300, help_text=f"Seconds between polls, clamped to {MIN_POLL_SECONDS}..{MAX_POLL_SECONDS}."
    )
    host = models.CharField(max_length=255, editable=False, db_index=True)

    # Conditional GET and change detection.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)

    # Scheduling and claiming: see articles/scheduling.py.
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=36, blank=True)
    pending_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Fetches started but never finished; at the limit the source gives up."
    )

    # Health.
    health = models.CharField(max_length=16, choices=Health.choices, default=Health.NEW)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # The vendor's page as a whole, for kinds that publish component states (empty otherwise): its own
    # indicator, else its worst component (articles/component_changes.py).
    page_state = models.CharField(max_length=16, choices=COMPONENT_STATE_CHOICES, blank=True)
    page_state_label = models.CharField(max_length=200, blank=True, help_text="The vendor's own words for it.")
    page_state_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["url"], name="articles_source_unique_url"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.poll_interval = clamp_poll_interval(self.poll_interval)
        self.host = self.host_of(self.url)
        if kwargs.get("update_fields") is not None and "url" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "host"}
        super().save(*args, **kwargs)

    @staticmethod
    def host_of(url: str) -> str:
        """The ``host`` of a source with this URL: the key of the per-host budget (dispatch.py)."""
        return (urlsplit(url).hostname or "").lower()


class FetchAttempt(models.Model):
    """One poll of a source: what came back and what it changed. Source health is built from these."""

    class Outcome(models.TextChoices):
        CHANGED = "changed", "new or updated items"
        NO_CHANGE = "no_change", "parsed, nothing new"
        NOT_MODIFIED = "not_modified", "304 not modified"
        UNCHANGED_BODY = "unchanged_body", "same body as last time"
        DEFERRED = "deferred", "deferred (host budget or Retry-After)"
        ERROR = "error", "error"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    bytes_received = models.PositiveIntegerField(default=0)
    items_seen = models.PositiveIntegerField(default=0)
    items_new = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)
    items_duplicate = models.PositiveIntegerField(
        default=0, help_text="News items another source's article already tells (same link): recorded, not stored."
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error = models.TextField(blank=True)
    permanent_redirect_to = models.URLField(
        max_length=2000, blank=True, help_text="Where a permanent redirect (301 or 308 on every hop) led this poll. "
        "The same address on 3 successful polls in a row becomes the source's URL.",
    )
    moved_from = models.URLField(
        max_length=2000, blank=True,
        help_text="Set on the poll that made its permanent redirect the source's URL: the URL the source had before.",
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="articles_attempt_source_time")]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.get_outcome_display()}"


class Article(models.Model):
    """A news article or a vendor status post, stored once however many times it is polled."""

    class Kind(models.TextChoices):
        NEWS = ItemKind.NEWS.value, "news article"
        STATUS = ItemKind.STATUS.value, "status post"

    class ScrapeState(models.TextChoices):
        NOT_NEEDED = "not_needed", "feed gave the full text"
        PENDING = "pending", "teaser only, page not fetched yet"
        DONE = "done", "page fetched"
        FAILED = "failed", "page fetch failed"

    # No index of its own: the unique (source, external_id) constraint's index serves lookups by source,
    # and every index costs each insert (measured on PostgreSQL ingest).
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles", db_index=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    external_id = models.CharField(max_length=500)
    url = models.URLField(max_length=2000, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    # News only: the canonical URL when it identifies the story, so the unique constraint below keeps one
    # article per story across feeds. NULL for status posts (a vendor's own post never loses to a feed
    # that links to it: they dedupe by source and id only) and for links that name no story (a dashboard).
    dedupe_url = models.CharField(max_length=2000, null=True, blank=True)  # noqa: DJ001 - NULLs are distinct

    title = models.CharField(max_length=1000)
    author = models.CharField(max_length=300, blank=True)
    categories = models.JSONField(default=list, blank=True)
    summary_html = models.TextField(blank=True, help_text="Sanitised.")
    summary_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised: the feed's full content or the scraped page.")
    body_text = models.TextField(blank=True)

    published_at = models.DateTimeField(db_index=True)
    published_is_fetch_time = models.BooleanField(
        default=False, help_text="The source gave no date; published_at is when we first saw it."
    )
    source_updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_changed_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64)

    # Set when the article is stored or changes, cleared when the incident pipeline has handled it as it
    # now is: the database, not a queued message, says what is still to do (articles/pending.py sweeps it).
    pending_since = models.DateTimeField(
        null=True, blank=True, default=timezone.now,
        help_text="Stored or changed and not yet processed by the incident pipeline: when it was last handed "
                  "on. Empty once processed.",
    )

    scrape_state = models.CharField(max_length=12, choices=ScrapeState.choices, default=ScrapeState.NOT_NEEDED)
    scrape_error = models.TextField(blank=True)

    # Status posts only.
    vendor_name = models.CharField(max_length=120, blank=True)
    vendor_incident_id = models.CharField(max_length=200, blank=True, db_index=True)
    vendor_status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in VendorStatus], blank=True)
    impact = models.CharField(max_length=40, blank=True)
    components = models.JSONField(default=list, blank=True)
    locations = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="articles_article_unique_source_external_id"
            ),
            models.UniqueConstraint(fields=["dedupe_url"], name="articles_article_unique_dedupe_url"),
        ]
        # Partial: only the few articles still pending are in it, so it costs processed rows nothing.
        indexes = [models.Index(fields=["pending_since"], name="articles_article_pending",
                                condition=models.Q(pending_since__isnull=False))]

    def __str__(self) -> str:
        return self.title


class DuplicateItem(models.Model):
    """A news item not stored because an article of another feed (or an earlier item of the same feed)
    has its canonical link: kept so editors see who else carried the story and why a poll stored nothing."""

    # Indexed by the unique (source, external_id) constraint.
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="duplicate_items", db_index=False)
    external_id = models.CharField(max_length=500)
    url = models.URLField(max_length=2000)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="duplicates",
                                help_text="The stored article that tells the same story.")
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_seen_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"],
                                    name="articles_duplicateitem_unique_source_external_id"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.url}"


class StatusUpdate(models.Model):
    """One update of a vendor status post (time, lifecycle word, text), kept so the incident
    lifecycle can be rebuilt and each update cited."""

    # Indexed by the unique (article, key) constraint.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="updates", db_index=False)
    key = models.CharField(max_length=120, help_text="The vendor's update id, or a hash of time and status.")
    posted_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in VendorStatus])
    vendor_status = models.CharField(max_length=80, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised.")

    class Meta:
        ordering = ["posted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="articles_statusupdate_unique_article_key"),
        ]

    def __str__(self) -> str:
        return f"{self.posted_at:%Y-%m-%d %H:%M} {self.status}"


class Heartbeat(models.Model):
    """When a periodic task last ran. The dispatch task stamps "dispatch" on every beat tick, so its age
    tells /healthz whether beat (and a worker to run what it sends) is alive."""

    DISPATCH = "dispatch"

    name = models.CharField(max_length=64, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def stamp(cls, name: str, at) -> None:
        # One UPDATE on every tick but the first.
        if not cls.objects.filter(name=name).update(at=at):
            cls.objects.update_or_create(name=name, defaults={"at": at})


class SourceComponent(models.Model):
    """A component of a vendor's status page (GitHub Actions, Docker Hub Registry) and its state now,
    as the source's latest poll read it; its past states are its StateChange rows."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="components", db_index=False)
    key = models.CharField(max_length=200, help_text="The vendor's id for it, else its name.")
    name = models.CharField(max_length=300)
    group = models.CharField(max_length=300, blank=True, help_text="The group it is shown under on the page.")
    position = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=COMPONENT_STATE_CHOICES)
    vendor_label = models.CharField(max_length=200, blank=True, help_text="The vendor's own word for the state.")
    since = models.DateTimeField(help_text="When it entered this state (the poll that saw the change).")
    listed = models.BooleanField(default=True, help_text="False once the vendor's page no longer lists it.")

    class Meta:
        ordering = ["source", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="articles_sourcecomponent_unique_source_key"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.name} {self.state}"


class ComponentStateChange(models.Model):
    """A component went from one state to another (from "" when first seen) at `since`: its history,
    from which uptime is computed."""

    component = models.ForeignKey(SourceComponent, on_delete=models.CASCADE, related_name="changes",
                                  db_index=False)
    from_state = models.CharField(max_length=16, choices=COMPONENT_STATE_CHOICES, blank=True)
    to_state = models.CharField(max_length=16, choices=COMPONENT_STATE_CHOICES)
    vendor_label = models.CharField(max_length=200, blank=True)
    since = models.DateTimeField()

    class Meta:
        ordering = ["since", "id"]
        indexes = [models.Index(fields=["component", "since"], name="articles_componentchange_time")]

    def __str__(self) -> str:
        return f"{self.component.name}: {self.from_state or 'new'} → {self.to_state} at {self.since:%Y-%m-%d %H:%M}"
