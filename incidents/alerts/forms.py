"""The public form that creates a watch of one vendor or service (email or a webhook, confirmed by a link)."""

from django import forms

from incidents.alerts.delivery import check_destination
from incidents.alerts.events import KINDS, LABELS
from incidents.alerts.models import Watch


class WatchForm(forms.Form):
    destination = forms.ChoiceField(choices=Watch.Destination.choices, initial=Watch.Destination.EMAIL)
    address = forms.CharField(max_length=500, help_text="An email address, or the webhook's https:// address.")
    events = forms.MultipleChoiceField(choices=[(k, LABELS[k]) for k in KINDS], initial=list(KINDS),
                                       widget=forms.CheckboxSelectMultiple)
    min_severity = forms.TypedChoiceField(choices=[(0, "any"), (2, "minor or worse"), (3, "major or worse"),
                                                   (4, "critical")], coerce=int, initial=0)

    def clean(self):
        data = super().clean()
        destination, address = data.get("destination"), (data.get("address") or "").strip()
        if destination == Watch.Destination.EMAIL:
            try:
                data["address"] = forms.EmailField().clean(address)
            except forms.ValidationError:
                self.add_error("address", "Enter an email address.")
        elif destination:
            try:
                data["address"] = forms.URLField(max_length=500, assume_scheme="https").clean(address)
            except forms.ValidationError:
                self.add_error("address", "Enter the webhook's address (https://…).")
            else:
                refused = check_destination(data["address"])
                if refused:
                    self.add_error("address", f"Alerts cannot be sent there: {refused}")
        return data

    def watch(self, **scope) -> Watch:
        """The pending watch this form describes (saved; its vendors or services set by the caller)."""
        data = self.cleaned_data
        email = data["destination"] == Watch.Destination.EMAIL
        return Watch.objects.create(
            destination=data["destination"], url="" if email else data["address"], email=data["address"] if email
            else "", owner_email=data["address"] if email else "", state=Watch.State.PENDING,
            min_severity=data["min_severity"], **{f"on_{kind}": kind in data["events"] for kind in KINDS}, **scope)
