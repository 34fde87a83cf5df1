"""Issue 11, finding 3 (ingest side): a year-0001 date was stored as the article's date. Dates no report
can have are stored as "no date given", and none of them raises on the way."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles.adapters import ADAPTERS
from articles.ingest import EARLIEST_DATE, store_items
from articles.models import Article, StatusUpdate
from tests.factories import SourceFactory

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
FETCHED_AT = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def parsed(kind: str, name: str):
    # The adapter itself, not parse_payload: an OverflowError must not even be contained, it must not happen.
    return ADAPTERS[kind].parse((CORPUS / name).read_bytes())


def stored_dates() -> list[datetime]:
    dates = [moment for row in Article.objects.values_list("published_at", "source_updated_at", "resolved_at")
             for moment in row if moment is not None]
    return dates + list(StatusUpdate.objects.values_list("posted_at", flat=True))


def test_news_dated_year_one_epoch_or_year_9999_gets_the_fetch_time_and_the_flag():
    assert store_items(SourceFactory(), parsed("feed", "dates-out-of-range.rss"), FETCHED_AT).new == 5
    dated = dict(Article.objects.values_list("external_id", "published_is_fetch_time"))
    assert dated == {"year-1": True, "year-1-east": True, "epoch": True, "year-9999": True, "true": False}
    assert Article.objects.get(external_id="true").published_at == datetime(2025, 11, 18, 11, 48, tzinfo=UTC)
    assert all(EARLIEST_DATE <= moment <= FETCHED_AT for moment in stored_dates())


def test_a_status_post_keeps_none_of_its_impossible_dates_nor_the_updates_that_carry_one():
    source = SourceFactory(kind="statuspage", vendor_name="Hostile")
    assert store_items(source, parsed("statuspage", "dates-out-of-range.json"), FETCHED_AT).new == 4
    year_one = Article.objects.get(external_id="year1")
    assert (year_one.published_at, year_one.published_is_fetch_time) == (FETCHED_AT, True)
    assert (year_one.source_updated_at, year_one.started_at, year_one.resolved_at) == (None, None, None)
    assert list(year_one.updates.values_list("key", flat=True)) == ["u3"]
    epoch = Article.objects.get(external_id="epoch")
    assert (epoch.published_is_fetch_time, epoch.source_updated_at, epoch.resolved_at) == (True, None, None)
    assert all(EARLIEST_DATE <= moment <= FETCHED_AT for moment in stored_dates())


def test_a_maintenance_keeps_a_start_weeks_ahead_but_not_one_centuries_ahead():
    source = SourceFactory(kind="statuspage", vendor_name="Hostile")
    store_items(source, parsed("statuspage", "dates-out-of-range.json"), FETCHED_AT)
    starts = dict(Article.objects.filter(impact="maintenance").values_list("external_id", "started_at"))
    assert starts == {"soon": datetime(2025, 12, 10, 2, 0, tzinfo=UTC), "millennium": None}
