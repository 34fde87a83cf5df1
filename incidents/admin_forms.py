"""The forms of the editors' console (incidents/admin.py): corrections, merge, split, summary
editing (one statement a line, its citations in brackets), incidents from tips, exclusion rules."""

import re

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple

from incidents import curation
from incidents.clustering.exclusions import OUTAGE_WORDS
from incidents.clustering.text_features import stem, words
from incidents.curation import CurationError
from incidents.models import ExclusionRule, Incident, Membership, Service, Vendor
from incidents.summaries.brief import Statement


class IncidentForm(forms.ModelForm):
    """The change form: what an editor may correct. A changed field becomes an override."""

    regions = forms.CharField(required=False, help_text="Comma separated: Europe, Frankfurt, us-east-1.")

    class Meta:
        model = Incident
        fields = ["title", "status", "severity", "services", "regions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["regions"] = ", ".join(self.instance.regions or [])

    def clean_regions(self):
        names = [name.strip() for name in self.cleaned_data["regions"].split(",") if name.strip()]
        try:
            return curation.checked_value("regions", names)
        except CurationError as exc:
            raise forms.ValidationError(str(exc)) from exc


def incident_named(reference: str) -> Incident:
    try:
        return curation.find_incident(reference)
    except CurationError as exc:
        raise forms.ValidationError(str(exc)) from exc


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect,
                                      help_text="It keeps its address; the others redirect to it.")

    def __init__(self, *args, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [
            (i.pk, f"{i.title} ({i.news_count} news, {i.status_count} vendor posts, started {i.started_at:%Y-%m-%d})")
            for i in incidents]


class SplitForm(forms.Form):
    articles = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple,
                                              label="Sources to move")
    into = forms.CharField(required=False, label="Into an existing incident",
                           help_text="Its number, slug or address; leave empty for a new incident.")

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(incident=incident).select_related("article__source").order_by(
            "article__published_at", "article_id")
        self.fields["articles"].choices = [
            (m.article_id, f"{m.article.title} ({m.article.get_kind_display()}, {m.article.source.name}, "
                           f"{m.article.published_at:%Y-%m-%d %H:%M} UTC)") for m in members]

    def clean_into(self):
        return incident_named(self.cleaned_data["into"]) if self.cleaned_data["into"].strip() else None


# One statement per line, its citations in brackets at its end: "Text. [article:12, update:34]".
STATEMENT_LINE = re.compile(r"^(?P<text>.*?)\s*\[(?P<refs>[^\[\]]*)\]\s*$")
CITATION = re.compile(r"^(article|update):\d+$")


def statements_from(text: str) -> list[Statement]:
    statements = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = STATEMENT_LINE.match(line.strip())
        refs = [ref for ref in re.split(r"[,\s]+", match["refs"]) if ref] if match else []
        if not match or not match["text"] or not refs or not all(CITATION.match(ref) for ref in refs):
            raise forms.ValidationError(f"Line {n}: end it with its sources in brackets, e.g. “… [article:12, "
                                        f"update:34]”: {line.strip()[:80]}")
        statements.append(Statement(match["text"], tuple(refs)))
    return statements


def lines_of(statements: list[dict]) -> str:
    return "\n".join(f"{s['text']} [{', '.join(s.get('citations', []))}]" for s in statements)


class SummaryForm(forms.Form):
    why_this_matters = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 110}),
                                       help_text="Two to four sentences, one a line, each ending with its sources in "
                                                 "brackets: “… [article:12, update:34]”.")
    takeaways = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 110}),
                                help_text="Three to six takeaways, one a line, each ending with its sources.")

    def clean_why_this_matters(self):
        return statements_from(self.cleaned_data["why_this_matters"])

    def clean_takeaways(self):
        return statements_from(self.cleaned_data["takeaways"])


class TipForm(forms.Form):
    title = forms.CharField(max_length=300)
    vendor = forms.ModelChoiceField(Vendor.objects.all(), required=False)
    services = forms.ModelMultipleChoiceField(Service.objects.select_related("vendor"), required=False,
                                              widget=FilteredSelectMultiple("services", is_stacked=False))
    articles = forms.CharField(required=False, label="Article numbers",
                               help_text="Comma separated; attach more later from the article list (“Pin to an "
                                         "incident”).")

    def clean_articles(self):
        numbers = [n for n in re.split(r"[,\s]+", self.cleaned_data["articles"]) if n]
        if not all(n.isdigit() for n in numbers):
            raise forms.ValidationError("Give article numbers, separated by commas.")
        return [int(n) for n in numbers]


class ExclusionRuleForm(forms.ModelForm):
    terms = forms.CharField(help_text="Words that must all be in a news title, comma separated; compared by their "
                                      "stems (insurance → insuranc). Outage words cannot be used.")

    class Meta:
        model = ExclusionRule
        fields = ["vendor", "terms", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["terms"] = ", ".join(self.instance.terms)

    def clean_terms(self):
        terms = list(dict.fromkeys(stem(word) for word in words(self.cleaned_data["terms"].casefold())))
        if not terms:
            raise forms.ValidationError("Give at least one word.")
        if set(terms) & OUTAGE_WORDS:
            raise forms.ValidationError("A rule with an outage word would never apply: remove "
                                        + ", ".join(sorted(set(terms) & OUTAGE_WORDS)) + ".")
        return terms


class ExcludeForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300, help_text="Why, for the other editors (optional).")


class PinForm(forms.Form):
    incident = forms.CharField(help_text="The incident's number, slug or address.")

    def clean_incident(self):
        try:
            return curation.find_incident(self.cleaned_data["incident"])
        except curation.CurationError as exc:
            raise forms.ValidationError(str(exc)) from exc
