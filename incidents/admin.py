"""The editors' console: the catalogue, and incidents with every curation action.

Every change an editor makes to an incident goes through incidents/curation.py (atomic, recorded as
a Revision, respected by the machine). Who may do what is Django's model permissions:
incidents.change_incident for the actions and pages that change incidents, incidents.add_incident
to create one from a tip; a staff user with view permission only sees the lists and no actions.
Lists on big tables cost a constant number of queries (select_related, subqueries, a cheap paginator).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from articles.admin import ArticleAdmin, EstimatedCountPaginator
from articles.models import Article
from incidents import curation
from incidents.admin_forms import (
    ExcludeForm,
    ExclusionRuleForm,
    IncidentForm,
    MergeForm,
    PinForm,
    SplitForm,
    SummaryForm,
    TipForm,
    lines_of,
)
from incidents.alerts import admin as alerts_admin  # noqa: F401 - registers watches and their delivery log
from incidents.catalogue_store import current_catalogue
from incidents.curation import CurationError
from incidents.models import (
    ArticleFacts,
    ExclusionRule,
    Incident,
    Membership,
    NewSubject,
    Revision,
    Service,
    Summary,
    Vendor,
)


def action_page(model_admin, request, action, title, objects, form, listed, explanation):
    """The intermediate page of an action that needs a choice (merge: the survivor; pin: the incident):
    it posts the same action again with the selection, the choice and "apply"."""
    return TemplateResponse(request, "admin/curation/action.html", {
        **model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": title, "action": action,
        "objects": objects, "listed": listed, "form": form, "explanation": explanation,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "media": model_admin.media + form.media,
    })


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


# --- the incident page's inlines -----------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """Part of the incident page: whoever may see the incident sees it; nobody edits it here."""

    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("incidents.view_incident") or request.user.has_perm("incidents.change_incident")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyInline):
    model = Membership
    verbose_name, verbose_name_plural = "source", "sources"
    fields = ("source_link", "article_kind", "score", "assigned_by", "duplicate_of", "created_at")
    readonly_fields = fields

    @admin.display(description="article")
    def source_link(self, membership):
        url = reverse("admin:articles_article_change", args=[membership.article_id])
        return format_html('<a href="{}">{}</a> <span class="quiet">article:{}</span>', url, membership.article.title,
                           membership.article_id)

    @admin.display(description="kind")
    def article_kind(self, membership):
        return membership.article.get_kind_display()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "duplicate_of").order_by(
            "article__published_at", "article_id")


class SummaryInline(ReadOnlyInline):
    """Every version of the summary, newest first; who wrote it and why an LLM answer was refused."""

    model = Summary
    fields = ("version", "backend", "edited_by", "created_at", "why_text", "takeaway_count", "notes")
    readonly_fields = fields

    @admin.display(description="why this matters")
    def why_text(self, summary):
        return " ".join(s["text"] for s in summary.why_this_matters)

    @admin.display(description="takeaways")
    def takeaway_count(self, summary):
        return len(summary.takeaways)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edited_by")


class RevisionInline(ReadOnlyInline):
    """The incident's curation history: who did what, when, and the values before and after."""

    model = Revision
    fields = ("created_at", "editor", "action", "description", "before", "after")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("editor")


# --- the incident list: filters and columns that show what needs attention ---------------------------------


def low_confidence_members():
    return Membership.objects.filter(incident=OuterRef("pk"), assigned_by=Membership.AssignedBy.AUTO,
                                     score__lt=curation.LOW_CONFIDENCE_BELOW)


class NeedsReviewFilter(admin.SimpleListFilter):
    """The review queue: public incidents with a low-confidence assignment or no vendor post yet,
    that changed (a source arrived) since an editor last worked on them."""

    title = "needs review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("yes", "needs review"), ("low", "low-confidence assignment"), ("press", "press only")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(Exists(low_confidence_members()))
        if self.value() == "press":
            return queryset.filter(status_count=0)
        if self.value() == "yes":
            return queryset.filter(
                Q(status_count=0) | Exists(low_confidence_members()), hidden=False,
                merged_into__isnull=True).filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=F("last_activity_at")))
        return queryset


class PublishedFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "published"), ("hidden", "hidden by an editor"), ("merged", "merged into another")]

    def queryset(self, request, queryset):
        return {
            "yes": lambda: queryset.filter(hidden=False),
            "hidden": lambda: queryset.filter(hidden=True, merged_into__isnull=True),
            "merged": lambda: queryset.filter(merged_into__isnull=False),
        }.get(self.value(), lambda: queryset)()


class AcknowledgedFilter(admin.SimpleListFilter):
    title = "acknowledged by the vendor"
    parameter_name = "acknowledged"

    def lookups(self, request, model_admin):
        return [("yes", "yes"), ("no", "not yet")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(vendor_acknowledged_at__isnull=self.value() == "no")
        return queryset


# --- incidents -----------------------------------------------------------------------------------


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    form = IncidentForm
    change_form_template = "admin/incidents/incident/change_form.html"
    list_display = ("title", "vendor", "status", "severity", "started_at", "sources", "lowest_score", "attention",
                    "published", "summary_locked")
    list_filter = (NeedsReviewFilter, PublishedFilter, "status", "severity", AcknowledgedFilter, "summary_locked",
                   ("vendor", admin.RelatedOnlyFieldListFilter))
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice would scan the table on every page
    list_select_related = ("vendor",)
    search_fields = ("title", "slug", "subject", "vendor__name", "vendor_incident_ids")
    date_hierarchy = "started_at"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    filter_horizontal = ("services",)
    fieldsets = [
        ("Corrections (a changed field stays as you set it until the correction is cleared)",
         {"fields": ["title", "status", "severity", "services", "regions", "corrections"]}),
        ("Derived from the sources", {"fields": [
            "slug", "vendor", "subject", "vendor_severity", "started_at", "resolved_at", "first_reported_at",
            "vendor_acknowledged_at", "vendor_incident_ids", "error_messages", "news_count", "status_count",
            "last_activity_at"]}),
        ("Curation", {"fields": ["hidden", "merged_into", "summary", "summary_locked", "summary_due_at",
                                 "reviewed_at", "created_at", "updated_at"]}),
    ]
    # Only the corrections are edited here; curation state changes through the buttons, which record it.
    readonly_fields = [f for _, section in fieldsets for f in section["fields"] if f not in IncidentForm.Meta.fields]
    inlines = [RevisionInline, SummaryInline, MembershipInline]
    actions = ["merge_incidents", "publish", "hide", "not_an_outage", "lock_summaries", "unlock_summaries",
               "regenerate_summaries", "mark_reviewed"]

    def get_queryset(self, request):
        lowest = (Membership.objects.filter(incident=OuterRef("pk"), assigned_by=Membership.AssignedBy.AUTO,
                                            score__isnull=False).order_by("score").values("score")[:1])
        return super().get_queryset(request).defer("profile").annotate(lowest_auto_score=Subquery(lowest))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "services":  # each choice is labelled with its vendor's name
            kwargs["queryset"] = Service.objects.select_related("vendor")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # hide or merge instead: a deleted incident loses its history and its address

    def view_on_site(self, incident):
        return reverse("incident", args=[incident.slug])

    # --- columns

    @admin.display(description="sources")
    def sources(self, incident):
        return f"{incident.news_count} news, {incident.status_count} vendor"

    @admin.display(description="lowest score", ordering="lowest_auto_score")
    def lowest_score(self, incident):
        return "-" if incident.lowest_auto_score is None else f"{incident.lowest_auto_score:.2f}"

    @admin.display(description="needs attention")
    def attention(self, incident):
        reasons = []
        if incident.lowest_auto_score is not None and incident.lowest_auto_score < curation.LOW_CONFIDENCE_BELOW:
            reasons.append("low-confidence source")
        if not incident.status_count:
            reasons.append("no vendor post")
        if incident.overridden_fields:
            reasons.append("corrected: " + ", ".join(incident.overridden_fields))
        return "; ".join(reasons) or "-"

    @admin.display(boolean=True, description="published")
    def published(self, incident):
        return not incident.hidden

    @admin.display(description="corrected by an editor")
    def corrections(self, incident):
        return ", ".join(incident.overridden_fields) or "nothing (every field follows the sources)"

    # --- the change form: a changed field is an override, recorded

    def save_model(self, request, obj, form, change):
        # Only changes reach here: a new incident comes from the tip page (add_view).
        for field in ("title", "status", "severity", "regions"):
            if field in form.changed_data:
                curation.override(obj, field, form.cleaned_data[field], request.user)

    def save_related(self, request, form, formsets, change):
        if "services" in form.changed_data:
            curation.override(form.instance, "services", list(form.cleaned_data["services"]), request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # --- actions

    @admin.action(description="Merge selected incidents into one…", permissions=["change"])
    def merge_incidents(self, request, queryset):
        incidents = list(queryset.order_by("started_at", "pk"))
        if len(incidents) < 2:
            self.message_user(request, "Select at least two incidents to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, incidents=incidents,
                         initial={"survivor": max(incidents, key=lambda i: (i.status_count, i.news_count)).pk})
        if form.is_bound and form.is_valid():
            survivor = next(i for i in incidents if i.pk == form.cleaned_data["survivor"])
            others = [i for i in incidents if i is not survivor]
            if self._run(request, curation.merge, survivor, others, request.user)[0]:
                merged = f"{len(others)} incident{'s' if len(others) > 1 else ''}"
                self.message_user(request, f"Merged {merged} into «{survivor.title}».", messages.SUCCESS)
            return None
        return action_page(self, request, "merge_incidents", "Merge incidents", incidents, form, [],
                           "Every source, id, error message and region of these incidents ends up in the survivor; "
                           "the others are hidden and their addresses redirect to it.")

    @admin.action(description="Publish (show on pages and feeds)", permissions=["change"])
    def publish(self, request, queryset):
        self._each(request, queryset, curation.publish, "Published {n}.")

    @admin.action(description="Hide (take off pages and feeds)", permissions=["change"])
    def hide(self, request, queryset):
        self._each(request, queryset, curation.hide, "Hid {n}.")

    @admin.action(description="Not an outage (hide, and stop news like it)", permissions=["change"])
    def not_an_outage(self, request, queryset):
        self._each(request, queryset, curation.not_an_outage, "Marked {n} not an outage: see Exclusion rules for "
                   "what was learned, and to undo it.")

    @admin.action(description="Lock summary", permissions=["change"])
    def lock_summaries(self, request, queryset):
        self._each(request, queryset, curation.lock_summary, "Locked {n} summaries.")

    @admin.action(description="Unlock summary", permissions=["change"])
    def unlock_summaries(self, request, queryset):
        self._each(request, queryset, curation.unlock_summary, "Unlocked {n} summaries.")

    @admin.action(description="Regenerate summary now", permissions=["change"])
    def regenerate_summaries(self, request, queryset):
        self._each(request, queryset, curation.regenerate_summary, "Wrote {n} new summaries.")

    @admin.action(description="Mark reviewed (leave the review queue)", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        for incident in queryset:
            curation.mark_reviewed(incident)
            self.log_change(request, incident, "Marked reviewed.")
        self.message_user(request, f"Marked {len(queryset)} reviewed.", messages.SUCCESS)

    def _each(self, request, queryset, operation, done: str):
        """The operation on each selected incident; those it refuses are reported and the rest go ahead."""
        changed = 0
        for incident in queryset.order_by("pk"):
            ok, result = self._run(request, operation, incident, request.user)
            changed += ok and result is not False  # False: it already was so
        self.message_user(request, done.format(n=changed), messages.SUCCESS)

    def _run(self, request, operation, *args) -> tuple[bool, object]:
        """Run one curation operation: (done, its result). A refusal is shown to the editor, not raised."""
        try:
            return True, operation(*args)
        except CurationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return False, None

    # --- pages of one incident: split, summary, single operations; and a new incident from a tip

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/split/", view(self.split_view), name="incidents_incident_split"),
            path("<int:pk>/summary/", view(self.summary_view), name="incidents_incident_summary"),
            path("<int:pk>/curate/", view(require_POST(self.curate_view)), name="incidents_incident_curate"),
            *super().get_urls(),
        ]

    def _changeable(self, request, pk) -> Incident:
        incident = get_object_or_404(Incident, pk=pk)
        if not self.has_change_permission(request, incident):
            raise PermissionDenied
        return incident

    def _back_to(self, incident):
        return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))

    def _page(self, request, title, form, incident=None, **context):
        return TemplateResponse(request, "admin/curation/form.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": title, "form": form,
            "original": incident, "media": self.media + form.media, **context,
        })

    def split_view(self, request, pk):
        incident = self._changeable(request, pk)
        form = SplitForm(request.POST or None, incident=incident)
        if form.is_bound and form.is_valid():
            try:
                into = curation.split(incident, form.cleaned_data["articles"], request.user, form.cleaned_data["into"])
            except CurationError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"Moved {len(form.cleaned_data['articles'])} sources into «{into.title}».",
                                  messages.SUCCESS)
                return self._back_to(into)
        return self._page(request, f"Split «{incident.title}»", form, incident, submit="Move the sources",
                          explanation="The sources you tick move into a new incident, or into the one you name. "
                                      "Both sides are pinned: the machine never joins them back together.")

    def summary_view(self, request, pk):
        incident = self._changeable(request, pk)
        current = incident.summary
        form = SummaryForm(request.POST or None, initial={
            "why_this_matters": lines_of(current.why_this_matters) if current else "",
            "takeaways": lines_of(current.takeaways) if current else ""})
        if form.is_bound and form.is_valid():
            try:
                curation.edit_summary(incident, form.cleaned_data["why_this_matters"], form.cleaned_data["takeaways"],
                                      request.user)
            except CurationError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, "Saved a new version of the summary and locked it: the machine will not "
                                  "replace it until you unlock it.", messages.SUCCESS)
                return self._back_to(incident)
        return self._page(request, f"Summary of «{incident.title}»", form, incident, submit="Save and lock",
                          explanation="Saving makes a new version in your words and locks the summary. Unlock it "
                                      "to let the machine write again.",
                          references=curation.citable_sources(incident).items())

    # The buttons of the change page: operation → (what it does, what to say when done).
    SINGLE_OPERATIONS = {
        "publish": (curation.publish, "Published."),
        "hide": (curation.hide, "Hidden."),
        "not_an_outage": (curation.not_an_outage, "Hidden as not an outage; see Exclusion rules for what was learned."),
        "lock_summary": (curation.lock_summary, "Summary locked."),
        "unlock_summary": (curation.unlock_summary, "Summary unlocked: the machine writes it again as sources change."),
        "regenerate_summary": (curation.regenerate_summary, "A new summary was written."),
    }

    def curate_view(self, request, pk):
        """One operation on one incident, from the buttons of its change page (POST only, CSRF checked)."""
        incident = self._changeable(request, pk)
        operation, field = request.POST.get("operation", ""), request.POST.get("clear_override", "")
        if field:
            if self._run(request, curation.clear_override, incident, field, request.user)[0]:
                self.message_user(request, f"The {field} follows the sources again.", messages.SUCCESS)
        elif operation == "mark_reviewed":
            curation.mark_reviewed(incident)
            self.log_change(request, incident, "Marked reviewed.")
            self.message_user(request, "Marked reviewed.", messages.SUCCESS)
        elif operation in self.SINGLE_OPERATIONS:
            function, done = self.SINGLE_OPERATIONS[operation]
            ok, result = self._run(request, function, incident, request.user)
            if ok:
                self.message_user(request, done if result is not False else "Nothing to do: it already was so.",
                                  messages.SUCCESS)
        else:
            self.message_user(request, f"Unknown operation {operation!r}.", messages.ERROR)
        return self._back_to(incident)

    def add_view(self, request, form_url="", extra_context=None):
        """An incident from a tip: a title, what is down, and the articles that report it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TipForm(request.POST or None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                incident = curation.create_incident(data["title"], request.user, vendor=data["vendor"],
                                                    services=list(data["services"]), article_ids=data["articles"])
            except CurationError as exc:
                form.add_error(None, str(exc))
            else:
                self.log_addition(request, incident, "Created from a tip.")
                return self._back_to(incident)
        return self._page(request, "New incident from a tip", form, submit="Create",
                          explanation="Name what is down; attach the articles that report it now or later.")


@admin.register(ExclusionRule)
class ExclusionRuleAdmin(admin.ModelAdmin):
    """Rules learned from "not an outage": see what they exclude, edit the words, turn one off."""

    list_display = ("__str__", "vendor", "terms", "active", "incident_link", "created_by", "created_at")
    list_filter = ("active", "vendor")
    list_select_related = ("vendor", "from_incident", "created_by")
    form = ExclusionRuleForm
    fields = ("vendor", "terms", "active", "from_incident", "created_by", "created_at")
    readonly_fields = ("from_incident", "created_by", "created_at")
    actions = ["deactivate", "activate"]

    @admin.display(description="learned from")
    def incident_link(self, rule):
        if not rule.from_incident_id:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:incidents_incident_change",
                                                          args=[rule.from_incident_id]), rule.from_incident.title)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Turn off (news like it may open incidents again)", permissions=["change"])
    def deactivate(self, request, queryset):
        turned = queryset.update(active=False, updated_at=timezone.now())  # the pipeline sees the change
        self.message_user(request, f"Turned off {turned} rules.", messages.SUCCESS)

    @admin.action(description="Turn on", permissions=["change"])
    def activate(self, request, queryset):
        turned = queryset.update(active=True, updated_at=timezone.now())
        self.message_user(request, f"Turned on {turned} rules.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record editors read but never write: the machine and curation keep it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    """Every curation action, across incidents: the audit log. Read-only."""

    list_display = ("created_at", "editor", "action", "incident", "description")
    list_filter = ("action",)
    list_select_related = ("editor", "incident")
    search_fields = ("description", "incident__title", "editor__username")
    paginator = EstimatedCountPaginator
    show_full_result_count = False


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


@admin.register(NewSubject)
class NewSubjectAdmin(ReadOnlyAdmin):
    """The review list of subjects the catalogue does not know, grouped, most reported first."""

    SHOWN = 200

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = (ArticleFacts.objects.filter(subject__startswith="name:", is_outage=True)
                .values("subject")
                .annotate(articles=Count("pk"), incidents=Count("article__membership__incident", distinct=True),
                          last=Max("article__published_at"), name=Max("subject_name"), example=Max("article__title"))
                .order_by("-articles", "-last")[: self.SHOWN])
        catalogue = current_catalogue()
        subjects = [
            {**row, "add_query": urlencode({"name": row["name"], "slug": slugify(row["name"])})}
            for row in rows if not catalogue.vendors_in(row["name"])  # added since those reports came in
        ]
        return TemplateResponse(request, "admin/incidents/newsubject/change_list.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "subjects": subjects,
            "title": "Subjects not in the catalogue", **(extra_context or {}),
        })


class PlacementFilter(admin.SimpleListFilter):
    title = "clustering"
    parameter_name = "placed"

    def lookups(self, request, model_admin):
        return [("yes", "in an incident"), ("pinned", "pinned by an editor"), ("no", "in no incident"),
                ("excluded", "excluded by an editor")]

    def queryset(self, request, queryset):
        return {
            "yes": lambda: queryset.filter(membership__isnull=False),
            "pinned": lambda: queryset.filter(membership__assigned_by="editor"),
            "no": lambda: queryset.filter(membership__isnull=True),
            "excluded": lambda: queryset.filter(exclusion__isnull=False),
        }.get(self.value(), lambda: queryset)()


# The articles app registers a plain ArticleAdmin; here it gains what editors do with articles in
# incidents (articles/ never imports incidents/, so this lives on this side).
admin.site.unregister(Article)


@admin.register(Article)
class CuratedArticleAdmin(ArticleAdmin):
    list_display = (*ArticleAdmin.list_display[:-1], "incident", "score", ArticleAdmin.list_display[-1])
    list_filter = (PlacementFilter, *ArticleAdmin.list_filter)
    list_select_related = (*ArticleAdmin.list_select_related, "membership__incident", "exclusion")
    readonly_fields = ("incident", "score", *ArticleAdmin.readonly_fields)
    actions = ["exclude_from_clustering", "pin_to_incident", "return_to_clustering"]

    @admin.display(description="incident")
    def incident(self, article):
        exclusion = getattr(article, "exclusion", None)
        if exclusion is not None:
            return f"excluded by an editor{': ' + exclusion.reason if exclusion.reason else ''}"
        membership = getattr(article, "membership", None)
        if membership is None:
            return "-"
        url = reverse("admin:incidents_incident_change", args=[membership.incident_id])
        return format_html('<a href="{}">{}</a>', url, membership.incident.title)

    @admin.display(description="score")
    def score(self, article):
        membership = getattr(article, "membership", None)
        if membership is None:
            return "-"
        if membership.assigned_by == "editor":
            return "pinned by an editor"
        return "opened it" if membership.score is None else f"{membership.score:.2f}"

    @admin.action(description="Exclude from clustering…", permissions=["change"])
    def exclude_from_clustering(self, request, queryset):
        form = ExcludeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = curation.exclude_articles(list(queryset.values_list("pk", flat=True)), request.user,
                                              form.cleaned_data["reason"])
            self.message_user(request, f"Excluded {count} articles: the machine will not place them again.",
                              messages.SUCCESS)
            return None
        objects = list(queryset)
        return action_page(self, request, "exclude_from_clustering", "Exclude from clustering", objects, form,
                           objects, "These leave their incidents and are never placed in one again, until you "
                           "return them to clustering or pin them to an incident.")

    @admin.action(description="Pin to an incident…", permissions=["change"])
    def pin_to_incident(self, request, queryset):
        form = PinForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            incident = form.cleaned_data["incident"]
            try:
                curation.pin_articles(list(queryset.values_list("pk", flat=True)), incident, request.user)
            except curation.CurationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Pinned {queryset.count()} articles to «{incident.title}».",
                                  messages.SUCCESS)
            return None
        objects = list(queryset)
        return action_page(self, request, "pin_to_incident", "Pin to an incident", objects, form, objects,
                           "These move into the incident you name and stay there: the machine never moves them.")

    @admin.action(description="Return to clustering (undo an exclusion)", permissions=["change"])
    def return_to_clustering(self, request, queryset):
        count = curation.include_articles(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Returned {count} excluded articles to clustering.", messages.SUCCESS)
