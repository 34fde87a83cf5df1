"""An incident's tally: adding members one at a time, in any order, gives what counting them all at
once gives, and replacing a member's share is exact or says it cannot be (then the caller recounts)."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from articles.items import VendorStatus
from incidents.clustering import lifecycle
from incidents.clustering.tally import Post, Share, Tally, from_micros, micros

T0 = datetime(2025, 11, 18, 11, 48, tzinfo=UTC)
WORDS = [VendorStatus.INVESTIGATING, VendorStatus.IDENTIFIED, VendorStatus.MONITORING, VendorStatus.RESOLVED,
         VendorStatus.SCHEDULED, VendorStatus.IN_PROGRESS, VendorStatus.COMPLETED, VendorStatus.UPDATE, None]


def post_share(article_id, minutes, status=VendorStatus.INVESTIGATING, impact="major", ended=None, **fields):
    at = T0 + timedelta(minutes=minutes)
    state = lifecycle.PostState(status=status, started_at=at - timedelta(minutes=5), ended_at=ended,
                                acknowledged_at=at, severity=lifecycle.severity_rank(impact), severity_word=impact)
    return Share(article_id, at, at, post=Post(f"Post {article_id}", fields.pop("vendor", "Cloudflare"), state),
                 **fields)


def news_share(article_id, minutes, **fields):
    at = T0 + timedelta(minutes=minutes)
    return Share(article_id, at, fields.pop("changed", at), **fields)


def random_share(rng: random.Random, article_id: int) -> Share:
    values = {name: tuple(rng.sample(pool, rng.randint(0, 2))) for name, pool in (
        ("vendors", ["cloudflare", "aws", "microsoft"]), ("services", ["dns", "cdn", "ec2"]),
        ("regions", ["Europe", "Germany", "aws:us-east-1"]), ("incident_ids", ["cf-1", "MO502273"]),
        ("error_messages", ["500 Internal Server Error", "502 Bad Gateway"]))}
    minutes = rng.randint(-600, 600)  # ties in time happen: the article id breaks them
    if rng.random() < 0.3:
        status = rng.choice(WORDS)
        closed = status in lifecycle.CLOSING
        ended = T0 + timedelta(minutes=minutes + rng.randint(0, 300)) if closed else None
        return post_share(article_id, minutes, status, rng.choice(["major", "minor", "critical", "", "maintenance"]),
                          ended, vendor=rng.choice(["Cloudflare", "AWS", ""]), **values)
    return news_share(article_id, minutes, is_copy=rng.random() < 0.2, says_resolved=rng.random() < 0.3,
                      changed=T0 + timedelta(minutes=minutes + rng.randint(0, 60)), **values)


def test_a_time_survives_its_round_trip_from_year_1_to_9999():
    for t in (datetime(1, 1, 1, tzinfo=UTC), T0 + timedelta(microseconds=7), datetime(9999, 12, 31, 23, 59,
                                                                                        tzinfo=UTC)):
        assert from_micros(micros(t)) == t


@pytest.mark.parametrize("seed", range(20))
def test_members_added_in_any_order_give_the_same_tally(seed):
    rng = random.Random(seed)
    shares = [random_share(rng, n) for n in range(1, rng.randint(2, 12))]
    counted = Tally.of(shares)
    rng.shuffle(shares)
    assert Tally.of(shares) == counted
    assert Tally.from_dict(counted.to_dict()) == counted  # and it survives JSON
    assert Share.from_dict(shares[0].to_dict()) == shares[0]


def test_replacing_a_share_is_exact_or_says_it_cannot_be():
    exact = 0
    for seed in range(300):
        rng = random.Random(seed)
        shares = [random_share(rng, n) for n in range(1, rng.randint(2, 8))]
        index = rng.randrange(len(shares))
        changed = random_share(rng, shares[index].article_id)
        replaced = Tally.of(shares).replace(shares[index], changed)
        assert replaced is None or replaced == Tally.of([*shares[:index], changed, *shares[index + 1:]]), seed
        exact += replaced is not None
    assert exact > 30  # the exact answers are checked, not only the refusals


def test_a_post_that_moves_on_is_replaced_exactly():
    # The common change: the vendor's post goes from investigating to resolved, later than before.
    news = news_share(2, 10, regions=("Europe",))
    open_post = post_share(1, 0, VendorStatus.INVESTIGATING, regions=("Europe",))
    closed_post = replace(open_post, last_changed_at=T0 + timedelta(hours=3), post=replace(
        open_post.post, state=replace(open_post.post.state, status=VendorStatus.RESOLVED,
                                      ended_at=T0 + timedelta(hours=3))))
    replaced = Tally.of([open_post, news]).replace(open_post, closed_post)
    assert replaced == Tally.of([closed_post, news])
    life = replaced.lifecycle()
    assert (life.status, life.resolved_at) == ("resolved", T0 + timedelta(hours=3))


def test_losing_the_first_mention_of_a_value_cannot_be_replaced_on_its_own():
    first = news_share(1, 0, regions=("Europe",))
    later = news_share(2, 30, regions=("Europe",))
    # The first report no longer names Europe: which member names it first now is not in the tally.
    assert Tally.of([first, later]).replace(first, replace(first, regions=())) is None


def test_the_lifecycle_follows_from_the_tally_as_from_the_posts_and_reports():
    post = lifecycle.StatusPost(published_at=T0, status=VendorStatus.IDENTIFIED, impact="critical",
                                updates=(lifecycle.PostUpdate(T0, VendorStatus.INVESTIGATING),
                                         lifecycle.PostUpdate(T0 + timedelta(minutes=30), VendorStatus.IDENTIFIED)))
    report = lifecycle.NewsReport(published_at=T0 - timedelta(minutes=20))
    counted = Tally.of([Share(1, T0, T0, post=Post("Cloudflare Global Network experiencing issues", "Cloudflare",
                                                    lifecycle.post_state(post))),
                        Share(2, report.published_at, report.published_at)])
    assert counted.lifecycle() == lifecycle.derive([post], [report])
    assert counted.first_post_title == "Cloudflare Global Network experiencing issues"
    assert (counted.news_count, counted.status_count, counted.members) == (1, 1, 2)


def test_the_vendor_most_members_name_wins_and_the_first_named_on_a_tie():
    counted = Tally.of([news_share(3, 20, vendors=("aws",)), news_share(1, 0, vendors=("cloudflare", "aws")),
                        news_share(2, 10, vendors=("cloudflare",))])
    assert counted.top_vendor() == "cloudflare"
    assert Tally.of([news_share(1, 10, vendors=("aws",)), news_share(2, 0, vendors=("cloudflare",))]).top_vendor() == (
        "cloudflare")


def test_values_are_listed_in_the_order_members_first_named_them():
    counted = Tally.of([news_share(2, 30, regions=("Germany", "Europe")), news_share(1, 0, regions=("Europe",))])
    assert counted.named("regions") == ["Europe", "Germany"]


def test_an_empty_tally_has_no_lifecycle():
    assert Tally().lifecycle() is None and Tally.from_dict({}) == Tally()


def test_a_post_incident_report_after_an_open_posts_last_update_means_the_outage_is_over():
    post = lifecycle.StatusPost(published_at=T0, status=VendorStatus.IDENTIFIED,
                                updates=(lifecycle.PostUpdate(T0, VendorStatus.INVESTIGATING),
                                         lifecycle.PostUpdate(T0 + timedelta(minutes=6), VendorStatus.IDENTIFIED)))
    open_post = Share(1, T0, T0, post=Post("Issues with 1.1.1.1 public resolver", "Cloudflare",
                                           lifecycle.post_state(post)))
    write_up = news_share(2, 30 * 60, postmortem=True)  # 30 hours later

    over = Tally.of([open_post, write_up]).lifecycle()
    assert (over.status, over.resolved_at, over.started_at) == ("resolved", None, T0)  # no end time was stated

    # a headline giving the cause within hours of the vendor's last update may come while it still posts
    early = news_share(2, 3 * 60, postmortem=True)
    assert Tally.of([open_post, early]).lifecycle().status == "identified"

    updated_later = lifecycle.StatusPost(published_at=T0, status=VendorStatus.INVESTIGATING, updates=(
        *post.updates, lifecycle.PostUpdate(T0 + timedelta(hours=31), VendorStatus.INVESTIGATING)))
    recurring = replace(open_post, post=Post(open_post.post.title, "Cloudflare", lifecycle.post_state(updated_later)))
    assert Tally.of([recurring, write_up]).lifecycle().status == "investigating"
    assert Tally.from_dict(Tally.of([open_post, write_up]).to_dict()).lifecycle() == over
