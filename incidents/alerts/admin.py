"""Watches and their delivery log in admin: editors create, pause and resume watches; every send is listed
with its status, duration, response code and error. incidents/admin.py imports this module."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from articles.admin import EstimatedCountPaginator
from incidents.alerts.delivery import check_destination
from incidents.alerts.models import AlertEvent, Delivery, Watch


class WatchAdminForm(forms.ModelForm):
    url = forms.URLField(max_length=500, required=False, assume_scheme="https",
                         help_text="The webhook's address (not for email).")

    class Meta:
        model = Watch
        fields = ("name", "destination", "url", "email", "owner_email", "state", "everything", "vendors", "services",
                  "min_severity", "on_opened", "on_acknowledged", "on_severity_raised", "on_resolved",
                  "on_report_published")

    def clean(self):
        data = super().clean()
        destination = data.get("destination")
        if destination == Watch.Destination.EMAIL and not data.get("email"):
            self.add_error("email", "An email watch needs an address.")
        elif destination and destination != Watch.Destination.EMAIL:
            if not data.get("url"):
                self.add_error("url", "A webhook watch needs its address.")
            elif refused := check_destination(data["url"]):
                self.add_error("url", f"Alerts cannot be sent there: {refused}")
        if not data.get("everything") and not data.get("vendors") and not data.get("services"):
            self.add_error("everything", "Choose vendors or services, or every incident.")
        return data


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    form = WatchAdminForm
    list_display = ("__str__", "destination", "state", "everything", "min_severity", "consecutive_failures",
                    "delivery_log", "created_at")
    list_filter = ("state", "destination")
    search_fields = ("name", "url", "email", "owner_email")
    filter_horizontal = ("vendors", "services")
    readonly_fields = ("delivery_log", "token", "secret", "confirmed_at", "consecutive_failures", "paused_reason")
    actions = ("resume", "pause")

    @admin.display(description="deliveries")
    def delivery_log(self, watch: Watch):
        """Its delivery log: status, duration, response code and error of every send."""
        if watch.pk is None:
            return "-"
        url = reverse("admin:incidents_delivery_changelist") + "?" + urlencode({"watch__id__exact": watch.pk})
        return format_html('<a href="{}">log</a>', url)

    @admin.action(description="Resume the selected watches (their failures forgotten)")
    def resume(self, request, queryset):
        n = queryset.exclude(state=Watch.State.UNSUBSCRIBED).update(state=Watch.State.ACTIVE, consecutive_failures=0,
                                                                    paused_reason="")
        self.message_user(request, f"{n} watches resumed.", messages.SUCCESS)

    @admin.action(description="Pause the selected watches")
    def pause(self, request, queryset):
        n = queryset.filter(state=Watch.State.ACTIVE).update(state=Watch.State.PAUSED,
                                                             paused_reason="Paused by an editor.")
        self.message_user(request, f"{n} watches paused.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read only."""

    list_display = ("created_at", "watch", "event", "status", "attempts", "duration_ms", "response_code", "error")
    list_filter = ("status", "in_digest")
    list_select_related = ("watch", "event")
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AlertEvent)
class AlertEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "incident", "severity")
    list_filter = ("kind",)
    list_select_related = ("incident",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
