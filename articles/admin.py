"""Admin as an operations console: source health at a glance, fetch now, reset, recent attempts;
articles and status posts as stored; news items not stored because another feed's article tells
the same story. What an editor does with articles in incidents (their incident, exclude, pin) is
added by incidents/admin.py, since articles/ never imports incidents/.

Actions change rows, so they need the model's change permission (articles.change_source,
articles.change_article); a staff user who may only view sees no actions.
"""

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection, models
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import polling
from .http.client import refuse_forbidden_source_url
from .http.netguard import UnsafeURLError
from .links import web_link
from .models import Article, DuplicateItem, FetchAttempt, Source, SourceComponent, StatusUpdate
from .sanitize import sanitize_html
from .tasks import fetch_source


class EstimatedCountPaginator(Paginator):
    """Big tables: an unfiltered list on PostgreSQL takes the planner's row estimate instead of a
    COUNT(*) over the whole table; filtered lists, small tables and SQLite count for real."""

    ESTIMATE_FROM_ROWS = 10_000

    @cached_property
    def count(self):
        query = self.object_list.query
        if connection.vendor == "postgresql" and not query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                               [self.object_list.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] >= self.ESTIMATE_FROM_ROWS:
                return row[0]
        return super().count


class TimesInUTC:
    """Editable times say their zone: admin shows read-only ones as "2026-12-07 03:22 UTC"
    (outagehub/formats), but its date and time inputs cannot, and they are read as UTC."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.DateTimeField):
            field.help_text = " ".join(filter(None, [str(field.help_text), "In UTC."]))
        return field


class FetchAttemptInline(admin.TabularInline):
    model = FetchAttempt
    extra = 0
    can_delete = False
    max_num = 0
    fields = ("started_at", "outcome", "http_status", "bytes_received", "duration_ms", "items_new", "items_updated",
              "items_duplicate", "error", "permanent_redirect_to", "moved_from")
    readonly_fields = fields
    ordering = ("-started_at",)

    def get_queryset(self, request):
        # Only the source's latest attempts: a busy source has thousands.
        qs = super().get_queryset(request)
        source_id = request.resolver_match.kwargs.get("object_id")
        latest = qs.filter(source_id=source_id).order_by("-started_at").values_list("pk", flat=True)[:20]
        return qs.filter(pk__in=list(latest))


class SourceComponentInline(admin.TabularInline):
    """The components its latest poll read, as the public vendor page shows them; read-only: polls write them."""

    model = SourceComponent
    extra = 0
    can_delete = False
    max_num = 0
    fields = ("name", "group", "state", "vendor_label", "since", "listed")
    readonly_fields = fields
    ordering = ("position", "name")


class SourceForm(forms.ModelForm):
    """Refuses a URL the fetch would always refuse (a loopback, private, link-local or metadata address,
    in any spelling, or a name resolving to one), with the reason, instead of storing a source that fails
    on every poll."""

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        if url:
            try:
                refuse_forbidden_source_url(url, allow_private=cleaned.get("allow_private_addresses", False))
            except UnsafeURLError as exc:
                self.add_error("url", f"This URL cannot be a source: {exc.reason}. Only an internal status page "
                                      "may use a private address, with “allow private addresses” ticked and "
                                      "OUTAGEHUB_ALLOW_PRIVATE_SOURCES=1.")
        return cleaned


@admin.register(Source)
class SourceAdmin(TimesInUTC, admin.ModelAdmin):
    form = SourceForm
    list_display = ("name", "kind", "vendor_name", "enabled", "health", "last_success_at", "consecutive_failures",
                    "short_error", "next_fetch_at")
    list_filter = ("enabled", "health", "kind", "allow_private_addresses")
    search_fields = ("name", "slug", "url", "vendor_name")
    readonly_fields = ("host", "etag", "last_modified", "body_hash", "claimed_at", "claim_token", "pending_attempts",
                       "health", "consecutive_failures", "last_error", "last_error_at", "last_success_at",
                       "last_fetch_at", "created_at", "page_state", "page_state_label", "page_state_since")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SourceComponentInline, FetchAttemptInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["fetch_now", "enable", "disable", "reset_backoff"]
    list_per_page = 200  # a few hundred sources: one page is the whole health board

    @admin.display(description="last error")
    def short_error(self, source):
        return (source.last_error[:80] + "…") if len(source.last_error) > 80 else source.last_error

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request, queryset):
        for source_id in queryset.values_list("pk", flat=True):
            fetch_source.delay(source_id)
        self.message_user(request, f"Queued {queryset.count()} sources for fetching.", messages.SUCCESS)

    @admin.action(description="Enable", permissions=["change"])
    def enable(self, request, queryset):
        self.message_user(request, f"Enabled {queryset.update(enabled=True)} sources.", messages.SUCCESS)

    @admin.action(description="Disable", permissions=["change"])
    def disable(self, request, queryset):
        self.message_user(request, f"Disabled {queryset.update(enabled=False)} sources.", messages.SUCCESS)

    @admin.action(description="Reset backoff and failures (poll on the next tick)", permissions=["change"])
    def reset_backoff(self, request, queryset):
        for source in queryset:
            polling.reset_source(source)
        self.message_user(request, f"Reset {queryset.count()} sources.", messages.SUCCESS)


class StatusUpdateInline(admin.TabularInline):
    model = StatusUpdate
    extra = 0
    fields = ("posted_at", "status", "vendor_status", "text")
    readonly_fields = fields
    can_delete = False


class DuplicateItemInline(admin.TabularInline):
    model = DuplicateItem
    verbose_name, verbose_name_plural = "copy from another feed", "copies from other feeds (not stored again)"
    extra = 0
    max_num = 0
    fields = ("source", "external_id", "url", "first_seen_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Article)
class ArticleAdmin(TimesInUTC, admin.ModelAdmin):
    list_display = ("title", "kind", "source", "published_at", "vendor_status", "vendor_incident_id", "link")
    list_filter = ("kind", "scrape_state", "published_is_fetch_time", "vendor_status")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice would scan the biggest table
    list_select_related = ("source",)
    search_fields = ("title", "vendor_incident_id", "canonical_url")
    date_hierarchy = "published_at"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = ("source", "kind", "external_id", "url", "canonical_url", "dedupe_url",
                       "content_hash", "first_seen_at", "last_changed_at", "published_is_fetch_time", "scrape_state",
                       "scrape_error", "rendered_body")
    exclude = ("body_html", "summary_html")
    inlines = [StatusUpdateInline, DuplicateItemInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "articles_article_changelist":
            queryset = queryset.defer("body_html", "body_text", "summary_html", "summary_text")  # not listed
        return queryset

    @admin.display(description="link")
    def link(self, article):
        # Rows stored before ingest checked links may hold a javascript: one: never make it clickable.
        url = web_link(article.url)
        return format_html('<a href="{}" rel="noopener noreferrer">open</a>', url) if url else "-"

    @admin.display(description="body (sanitised)")
    def rendered_body(self, article):
        # Sanitised when stored; cleaned again here so nothing unsafe is shown whatever wrote the row.
        return format_html("<div>{}</div>", mark_safe(sanitize_html(article.body_html or article.summary_html)))  # noqa: S308 - sanitize_html output


@admin.register(FetchAttempt)
class FetchAttemptAdmin(admin.ModelAdmin):
    list_display = ("source", "started_at", "outcome", "http_status", "bytes_received", "duration_ms", "items_new",
                    "items_updated", "items_duplicate", "error")
    list_filter = ("outcome",)
    list_select_related = ("source",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = [f.name for f in FetchAttempt._meta.fields]


@admin.register(DuplicateItem)
class DuplicateItemAdmin(admin.ModelAdmin):
    """Items a feed gave for a story another article already tells: why a poll stored nothing new."""

    list_display = ("source", "external_id", "article", "first_seen_at")
    list_filter = ("source",)
    list_select_related = ("source", "article")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = [f.name for f in DuplicateItem._meta.fields]
