"""The catalogue (vendors, services), the facts extracted from each article, and incidents."""

from django.conf import settings
from django.db import connection, models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from articles.items import VendorStatus
from articles.models import Article


class Vendor(models.Model):
    """A company whose services people depend on. Loaded from incidents/data/catalogue.json."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, e.g. AWS for Amazon Web Services.")
    status_page_url = models.URLField(max_length=500, blank=True)
    description = models.CharField(max_length=300, blank=True, help_text="What it is and who depends on it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A product of a vendor (Exchange Online, EC2, Cloudflare DNS)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="services")
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=160)
    aliases = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=300, blank=True)
    requires_vendor = models.BooleanField(
        default=False, help_text="An ordinary word (Teams, Outlook): counts only when the vendor is mentioned too."
    )
    case_sensitive = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vendor__name", "name"]

    def __str__(self) -> str:
        return f"{self.vendor.name} {self.name}"


class Severity(models.IntegerChoices):
    """One scale for every vendor; the vendor's own word is kept beside it."""

    UNKNOWN = 0, "unknown"
    MAINTENANCE = 1, "maintenance"
    MINOR = 2, "minor"
    MAJOR = 3, "major"
    CRITICAL = 4, "critical"


class IncidentQuerySet(models.QuerySet):
    def public(self) -> "IncidentQuerySet":
        """What readers see: every page and feed lists incidents through this."""
        return self.filter(hidden=False)


class Incident(models.Model):
    """One real-world outage, built from the status posts and news articles that report it."""

    class Status(models.TextChoices):
        REPORTED = "reported", "reported by press"
        # Press-only, and no report for the quiet period (OUTAGEHUB_QUIET_HOURS): not known to be over,
        # but no longer "happening now" on anyone's word.
        QUIET = "quiet", "no recent reports"
        INVESTIGATING = VendorStatus.INVESTIGATING.value, "investigating"
        IDENTIFIED = VendorStatus.IDENTIFIED.value, "identified"
        MONITORING = VendorStatus.MONITORING.value, "monitoring"
        RESOLVED = VendorStatus.RESOLVED.value, "resolved"
        SCHEDULED = VendorStatus.SCHEDULED.value, "scheduled maintenance"
        IN_PROGRESS = VendorStatus.IN_PROGRESS.value, "maintenance in progress"
        COMPLETED = VendorStatus.COMPLETED.value, "maintenance completed"

    slug = models.SlugField(max_length=140, unique=True)
    title = models.CharField(max_length=300)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents")
    subject = models.CharField(
        max_length=120, blank=True, help_text="What is down, when the catalogue does not know it (e.g. a game)."
    )
    services = models.ManyToManyField(Service, blank=True, related_name="incidents")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REPORTED, db_index=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.UNKNOWN, db_index=True)
    vendor_severity = models.CharField(max_length=40, blank=True, help_text="The vendor's own impact/severity word.")
    started_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_reported_at = models.DateTimeField()
    vendor_acknowledged_at = models.DateTimeField(null=True, blank=True)
    regions = models.JSONField(default=list, blank=True)
    also_affected = models.JSONField(
        default=list, blank=True,
        help_text="Other companies' services its sources name as taken down with it (a cascade's victims).",
    )
    vendor_incident_ids = models.JSONField(default=list, blank=True)
    error_messages = models.JSONField(default=list, blank=True)
    news_count = models.PositiveIntegerField(default=0, help_text="Distinct news stories (syndicated copies once).")
    status_count = models.PositiveIntegerField(default=0)
    profile = models.JSONField(default=dict, blank=True, help_text="The clustering profile of its members.")
    tally = models.JSONField(
        default=dict, blank=True,
        help_text="Its members' shares added up (incidents/tally.py): what the pipeline derives follows from it. "
                  "Empty: counted again from the members when next needed.",
    )
    last_activity_at = models.DateTimeField(db_index=True)
    acknowledged_in = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The source that reports the vendor's acknowledgement, when no status post of the vendor's does.",
    )
    post_incident_report = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The post-incident report (root cause, postmortem), the vendor's own or the press's.",
    )
    caused_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="caused",
        help_text="Another provider's incident its vendor blames (a cascade): this one is among its victims.",
    )
    post_incident_report_promised = models.BooleanField(
        default=False, help_text="The vendor said a post-incident report will follow.")
    summary = models.ForeignKey(
        "Summary", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The current version of its summary.",
    )
    summary_locked = models.BooleanField(
        default=False, help_text="An editor's summary: the machine never replaces it until it is unlocked."
    )
    summary_due_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="When its summary is to be rewritten: set when it gains sources or changes status (debounced).",
    )
    hidden = models.BooleanField(default=False, db_index=True, help_text="Hidden by an editor: not on pages or feeds.")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_incidents",
        help_text="Merged by an editor into this incident: its address redirects there.",
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When an editor last worked on it: it leaves the review queue until it changes.",
    )
    alerts_due_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="When its alerts are to be worked out: set when what alerts say of it changed (alerts/service.py).",
    )
    overridden_fields = models.JSONField(
        default=list, blank=True,
        help_text="Fields an editor set (status, severity, title, services, regions): the pipeline leaves them "
                  "alone until the override is cleared.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        # Feeds list the most recently changed first, and conditional GET reads the newest change.
        indexes = [models.Index(fields=["updated_at"], name="incidents_incident_updated")]

    def __str__(self) -> str:
        return self.title

    @property
    def acknowledged_by_vendor(self) -> bool:
        return self.vendor_acknowledged_at is not None

    @property
    def is_over(self) -> bool:
        return self.status in OVER_STATUSES

    @property
    def is_ongoing(self) -> bool:
        return self.status in ONGOING_STATUSES


# Lifecycle words that end an incident (an outage resolved, maintenance completed).
OVER_STATUSES = (Incident.Status.RESOLVED, Incident.Status.COMPLETED)
# Neither over nor ongoing: a press-only incident nobody has reported on for the quiet period.
# Listed rather than "not over", so queries use the status index: the unresolved are few.
ONGOING_STATUSES = tuple(s for s in Incident.Status if s not in OVER_STATUSES and s != Incident.Status.QUIET)


class IncidentRegion(models.Model):
    """A region an incident touches, with every region that contains it ("Frankfurt" also gives
    "Germany", "Europe", "EMEA", "Global"), so the region filter is one indexed equality."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="region_rows")
    label = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["label", "incident"], name="incidents_region_unique")]

    def __str__(self) -> str:
        return self.label


class IncidentKey(models.Model):
    """Retrieval keys (vendor, service, incident id, error, salient term) of an incident: candidates
    for a new article come from this index, never from a scan of all incidents."""

    # No index of its own: the unique (incident, key) constraint leads with it.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="keys", db_index=False)
    key = models.CharField(max_length=200)
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "key"], name="incidents_incidentkey_unique")]
        # The candidate lookup reads only these three columns: on PostgreSQL it is an index-only scan,
        # not a visit to some two hundred scattered table pages per article.
        indexes = [models.Index(fields=["key", "last_seen_at"], include=["incident"], name="incidents_key_covering")]

    def __str__(self) -> str:
        return self.key


class ArticleFacts(models.Model):
    """What extraction found in one article, with the evidence for its relevance decision."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="facts")
    is_outage = models.BooleanField()
    claims = models.JSONField(
        default=dict, blank=True,
        help_text="What a report states of the lifecycle: start, end, acknowledgement, post-incident report, scale.",
    )
    relevance_score = models.FloatField(default=0, help_text="The outage model's probability of an outage.")
    evidence = models.JSONField(default=list, blank=True)
    vendors = models.JSONField(default=list, blank=True)
    services = models.JSONField(default=list, blank=True)
    incident_ids = models.JSONField(default=list, blank=True)
    error_messages = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    times = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, blank=True)
    impacts = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200, blank=True,
                               help_text='Whose outage: "vendor:<slug>", or "name:<key>" from the headline.')
    subject_name = models.CharField(max_length=200, blank=True, help_text="The subject as the headline writes it.")
    about_vendor = models.CharField(max_length=120, blank=True,
                                    help_text="A status post about another provider's outage: that vendor's slug.")
    content_hash = models.CharField(max_length=64, help_text="The article's content hash these facts were built from.")
    extracted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "article facts"
        # Doubted reports by subject: an incident that opens pulls in the earlier ones of its subject
        # (pipeline.pull_in_earlier_coverage); only the few with a subject and no outage verdict are indexed.
        indexes = [models.Index(fields=["subject"], name="incidents_doubted_subject",
                                condition=models.Q(is_outage=False) & ~models.Q(subject=""))]

    def __str__(self) -> str:
        return f"facts of article {self.article_id}"


class NewSubject(ArticleFacts):
    """Subjects of outage reports that the catalogue does not know (a game, a streaming app, a small
    site): the admin lists them for editors to add as vendors."""

    class Meta:
        proxy = True
        verbose_name = "subject not in the catalogue"
        verbose_name_plural = "subjects not in the catalogue"


class Membership(models.Model):
    """An article's place in an incident: how it got there and how sure the machine was."""

    class AssignedBy(models.TextChoices):
        AUTO = "auto", "clustering"
        EDITOR = "editor", "editor"

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="membership")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="memberships")
    score = models.FloatField(null=True, blank=True, help_text="Empty when the article opened the incident.")
    score_parts = models.JSONField(default=dict, blank=True)
    assigned_by = models.CharField(max_length=8, choices=AssignedBy.choices, default=AssignedBy.AUTO)
    duplicate_of = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="A syndicated or near-identical copy of this earlier article: counted once.",
    )
    share = models.JSONField(default=dict, blank=True,
                             help_text="What the article adds to its incident's tally, as last counted.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["incident", "created_at"], name="incidents_membership_by_time")]

    def __str__(self) -> str:
        return f"article {self.article_id} in incident {self.incident_id}"


@receiver(post_delete, sender=Membership)
def forget_tally(sender, instance: Membership, **kwargs) -> None:
    """A member gone by any path (recluster, an article deleted in admin) leaves its incident's tally
    counting it: empty the tally, and the pipeline counts the members again when it next needs it."""
    Incident.objects.filter(pk=instance.incident_id).update(tally={})


class Summary(models.Model):
    """One version of an incident's "Why this matters" and key takeaways. Every version is kept;
    the incident points at the current one. Statements are stored as the pure summary.Statement
    JSON: {"text", "citations": ["article:12", "update:34"], "kind", "links"}."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="summaries")
    version = models.PositiveIntegerField()
    why_this_matters = models.JSONField(default=list, blank=True)
    takeaways = models.JSONField(default=list, blank=True)
    enough_information = models.BooleanField(default=True)
    backend = models.CharField(max_length=120, help_text="offline, llm:<model>, or editor.")
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    notes = models.JSONField(default=list, blank=True, help_text="Why a backend's answer was not used.")
    brief_fingerprint = models.CharField(max_length=64, blank=True,
                                         help_text="Hash of the facts and sources it was written from.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "summaries"
        constraints = [
            models.UniqueConstraint(fields=["incident", "version"], name="incidents_summary_unique_version"),
        ]

    def __str__(self) -> str:
        return f"summary v{self.version} of incident {self.incident_id}"


class Revision(models.Model):
    """One curation action on an incident: who, when, what, and the values before and after. The
    short `description` is shown publicly as the incident's revision history."""

    class Action(models.TextChoices):
        CREATE = "create", "created by hand"
        MERGE = "merge", "merged"
        SPLIT = "split", "split"
        ATTACH = "attach", "sources attached"
        HIDE = "hide", "hidden"
        PUBLISH = "publish", "published"
        NOT_AN_OUTAGE = "not_an_outage", "marked not an outage"
        OVERRIDE = "override", "corrected"
        CLEAR_OVERRIDE = "clear_override", "correction cleared"
        EDIT_SUMMARY = "edit_summary", "summary edited"
        LOCK_SUMMARY = "lock_summary", "summary locked"
        UNLOCK_SUMMARY = "unlock_summary", "summary unlocked"
        REGENERATE_SUMMARY = "regenerate_summary", "summary regenerated"
        EXCLUDE_ARTICLE = "exclude_article", "source excluded"
        PIN_ARTICLE = "pin_article", "source pinned"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    action = models.CharField(max_length=24, choices=Action.choices)
    description = models.CharField(max_length=300, help_text="What changed, in a line readers can see.")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["incident", "-created_at"], name="incidents_revision_by_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.description}"


class ExclusionRule(models.Model):
    """Learned when an editor marks an incident "not an outage": news articles like it (same vendor,
    every term in the title) stop opening incidents. Editors see the rules in admin and can turn one off."""

    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               help_text="Only articles about this vendor; empty: any.")
    terms = models.JSONField(help_text='Words that must all be in the title, lower case: ["earnings", "quarter"].')
    active = models.BooleanField(default=True)
    from_incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped by every change, including the admin's bulk on/off actions: the pipeline keeps the
    # rules in memory and reads them again when the newest change or the count differs.
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        vendor = f"{self.vendor} " if self.vendor_id else ""
        return f"{vendor}titles with {' + '.join(self.terms)}"


class ArticleExclusion(models.Model):
    """An article an editor took out of clustering: it is in no incident and the pipeline leaves it there."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="exclusion")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"article {self.article_id} excluded"


class ContentVersion(models.Model):
    """One row: a number that moves whenever what readers see changes, and when it last moved.

    Database triggers move it (migration 0061) in the transaction of every change to incidents, their
    memberships, summaries, revisions, services, vendors, the facts of a processed article, an
    article's text, a vendor's update or a source's name, whoever writes (pipeline, editor, admin,
    a raw UPDATE). On PostgreSQL the bump runs at commit (a deferred trigger, once per transaction), so
    numbers follow commit order and the row is locked only while committing: a reader that has seen
    number N then reads every change up to N. The site's versions, and so its ETags and its page
    cache keys, include it (incidents/site/conditional.py)."""

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    bumped_by = models.CharField(max_length=80, blank=True, help_text=(
        "PostgreSQL: the transaction and statement (its commit) that moved it last: it moves once per commit."))

    def __str__(self) -> str:
        return f"content version {self.number}"

    @classmethod
    def current(cls) -> tuple[int, str]:
        """(number, when it moved, as the database writes it), one query; (0, "") before anything
        changed. Plain SQL: every page asks, and building the ORM query cost thirty times the query."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT number, changed_at FROM incidents_contentversion WHERE id = 1")
            row = cursor.fetchone()
        return (row[0], str(row[1] or "")) if row else (0, "")


# Alerts (incidents/alerts/models.py): defined there, registered with this app by this import.
from incidents.alerts.models import AlertEvent, AnnouncedEvent, Delivery, Watch  # noqa: E402, F401
