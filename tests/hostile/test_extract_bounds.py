"""Issue 11, finding 9a: extraction bounded the body but not the title; a 1 MB title took 10+ s.
It reads at most MAX_TITLE_CHARS of the title, so a huge title costs what its first part costs."""

from datetime import UTC, datetime
from pathlib import Path

from incidents.extraction.catalogue import Catalogue
from incidents.extraction.facts import MAX_TITLE_CHARS, extract

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
PUBLISHED = datetime(2025, 11, 18, 15, 0, tzinfo=UTC)
CATALOGUE = Catalogue.load_default()


def huge_title() -> tuple[str, str]:
    """(the megabyte title, its tail: the facts past the bound)."""
    _, headline, filler, tail = (CORPUS / "huge-title.txt").read_text().splitlines()
    return headline + filler * (1_000_000 // len(filler)) + tail, tail


def test_a_megabyte_title_gives_the_facts_of_its_bounded_start():
    title, _ = huge_title()
    assert len(title) > 1_000_000
    assert extract(title, "", PUBLISHED, CATALOGUE) == extract(title[:MAX_TITLE_CHARS], "", PUBLISHED, CATALOGUE)


def test_what_lies_past_the_bound_is_not_read_but_the_headline_is():
    title, tail = huge_title()
    facts = extract(title, "Outlook users could not send mail.", PUBLISHED, CATALOGUE)
    assert facts.incident_ids == ("MO502273",) and facts.vendor_names == ("Microsoft",)
    assert not {"AWS", "Amazon Web Services", "Google Cloud", "Slack"} & set(facts.vendor_names)
    assert facts.error_messages == ("error 503",)  # the headline's, not the tail's "550 5.7.708 ..."
    assert extract(tail, "", PUBLISHED, CATALOGUE).vendor_names  # the tail alone does name vendors
