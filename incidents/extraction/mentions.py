"""The small facts extraction finds in an article's text. Pure values: no Django, no behaviour."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TimeMention:
    text: str  # as written, with its date when the text gives one: "Jan 9, 21:09 UTC"
    utc: datetime  # aware, in UTC


@dataclass(frozen=True)
class RegionMention:
    label: str  # a label of the region vocabulary in incidents.extraction.regions: "Frankfurt", "aws:eu-central-1"
    kind: str  # cloud_region, metro, state, country, macro or global
    text: str  # as written: "Europe (Frankfurt)", "WestEurope", "U.S."


@dataclass(frozen=True)
class ImpactMention:
    label: str  # one of incidents.extraction.status_words.IMPACT_LABELS: "elevated error rates"
    text: str  # as written: "increased error rates"
