"""Catalogue editing and a first view of incidents; curation actions come with the curation work."""

from django.contrib import admin
from django.utils.html import format_html

from articles.admin import EstimatedCountPaginator

from .models import ArticleFacts, Incident, Membership, Service, Summary, Vendor


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ("name", "slug", "aliases", "requires_vendor", "case_sensitive", "description")


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "status_page_url", "description")
    search_fields = ("name", "slug", "aliases")
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor", "slug", "requires_vendor", "description")
    list_filter = ("vendor", "requires_vendor")
    list_select_related = ("vendor",)
    search_fields = ("name", "slug", "aliases", "vendor__name")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("article", "article_kind", "score", "assigned_by", "duplicate_of", "created_at")
    readonly_fields = fields
    can_delete = False

    @admin.display(description="kind")
    def article_kind(self, membership):
        return membership.article.get_kind_display()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "duplicate_of")


class SummaryInline(admin.TabularInline):
    """Every version of the summary, newest first; which backend wrote it and why an LLM answer was refused."""

    model = Summary
    extra = 0
    fields = ("version", "backend", "created_at", "why_text", "takeaway_count", "notes")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="why this matters")
    def why_text(self, summary):
        return " ".join(s["text"] for s in summary.why_this_matters)

    @admin.display(description="takeaways")
    def takeaway_count(self, summary):
        return len(summary.takeaways)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("title", "vendor", "status", "severity", "started_at", "resolved_at", "news_count", "status_count",
                    "acknowledged")
    list_filter = ("status", "severity", "vendor")
    list_select_related = ("vendor",)
    search_fields = ("title", "slug", "subject")
    date_hierarchy = "started_at"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = ("profile", "summary", "summary_due_at", "created_at", "updated_at")
    filter_horizontal = ("services",)
    inlines = [SummaryInline, MembershipInline]

    @admin.display(boolean=True, description="vendor acknowledged")
    def acknowledged(self, incident):
        return incident.acknowledged_by_vendor


@admin.register(ArticleFacts)
class ArticleFactsAdmin(admin.ModelAdmin):
    list_display = ("article", "is_outage", "relevance_score", "vendors", "services", "status", "link")
    list_filter = ("is_outage",)
    list_select_related = ("article",)
    search_fields = ("article__title",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = [f.name for f in ArticleFacts._meta.fields]

    @admin.display(description="article")
    def link(self, facts):
        return format_html('<a href="../../articles/article/{}/change/">open</a>', facts.article_id)
