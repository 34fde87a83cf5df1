import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from incidents.models import ArticleFacts, Incident, Membership
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_sync_fetches_every_enabled_source_and_prints_a_line_each_and_a_summary(http_server, capsys):
    http_server.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    SourceFactory(slug="ars", url=http_server.url("/ars.rss"))
    SourceFactory(slug="gone", url=http_server.url("/misbehave/status?code=410"))
    SourceFactory(slug="off", url=http_server.url("/ars.rss?off"), enabled=False)
    call_command("fetch_sources", "--sync")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "[1/2] ars status=200 new=20 updated=0 error=-"
    assert lines[1].startswith("[2/2] gone status=410 new=0 updated=0 error=")
    assert lines[-1].startswith("fetched 2 sources: 20 new, 0 updated, 1 failed; ")
    assert Article.objects.count() == 20


def test_sync_summarises_every_new_incident_before_it_returns(http_server, capsys):
    http_server.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    SourceFactory(slug="ars", url=http_server.url("/ars.rss"))
    call_command("fetch_sources", "--sync")
    incidents = Incident.objects.all()
    assert incidents.exists()
    assert not incidents.filter(summary__isnull=True).exists()
    assert capsys.readouterr().out.strip().endswith(f"{incidents.count()} summaries written")


def test_one_source_by_slug(http_server, capsys):
    http_server.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    SourceFactory(slug="ars", url=http_server.url("/ars.rss"))
    SourceFactory(slug="other", url=http_server.url("/misbehave/status?code=500"))
    call_command("fetch_sources", "--sync", "--source", "ars")
    assert "fetched 1 sources: 20 new" in capsys.readouterr().out


def test_an_unknown_slug_is_a_clear_error():
    with pytest.raises(CommandError, match="no source with slug 'nope'"):
        call_command("fetch_sources", "--sync", "--source", "nope")


def test_a_teaser_feed_gets_its_article_pages_fetched(http_server, public_http_server, settings):
    settings.OUTAGEHUB_SCRAPE_TEASERS = True
    page = (
        "<html><head><link rel='canonical' href='" + http_server.url("/story") + "'></head><body><article>"
        + "<p>Microsoft said Exchange Online users saw delays sending mail in North America today.</p>" * 4
        + "</article></body></html>"
    )
    http_server.serve("/story", page, content_type="text/html")
    http_server.serve("/teasers.rss", f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
        <item><title>Exchange Online outage</title><link>{http_server.url('/story?utm_source=rss')}</link>
        <guid>t1</guid><description>Short teaser.</description></item></channel></rss>""",
                      content_type="application/rss+xml")
    SourceFactory(slug="teasers", url=http_server.url("/teasers.rss"))
    call_command("fetch_sources", "--sync")
    article = Article.objects.get()
    assert article.scrape_state == "done"
    assert "users saw delays sending mail" in article.body_text
    assert article.canonical_url == http_server.url("/story")


def test_an_article_that_cannot_be_processed_is_reported_and_tried_again_next_run(http_server, capsys):
    http_server.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    source = SourceFactory(slug="ars", url=http_server.url("/ars.rss"))
    # A row no ingest would store (a lifecycle word the pipeline does not know), made directly.
    broken = ArticleFactory(source=source, kind=Article.Kind.STATUS, vendor_status="bogus", vendor_name="AWS",
                            title="Increased error rates in us-east-1", body_text="We are investigating errors.")
    call_command("fetch_sources", "--sync")
    out, err = capsys.readouterr()
    placed = Membership.objects.count()
    assert placed > 0 and not Membership.objects.filter(article=broken).exists()  # the others are all placed
    assert f"article {broken.pk} (ars: 'Increased error rates in us-east-1') could not be processed: ValueError" in err
    assert out.strip().splitlines()[-1].startswith(
        f"fetched 1 sources: 20 new, 0 updated, 0 failed; {placed} articles placed in incidents, "
        "1 could not be processed, ")
    assert not ArticleFacts.objects.filter(article=broken).exists()  # recorded as not processed yet

    Article.objects.filter(pk=broken.pk).update(vendor_status="investigating")  # an editor mends the row
    call_command("fetch_sources", "--sync")  # the feed is unchanged: only the pending article is processed
    assert Membership.objects.filter(article=broken).exists() and Membership.objects.count() == placed + 1
    assert "1 articles placed in incidents, 0 could not be processed" in capsys.readouterr().out


def test_when_no_source_name_resolves_it_says_no_network_once_at_the_end(capsys):
    # .invalid never resolves (RFC 6761), on any machine: a real lookup that fails as it does offline.
    for n in range(3):
        SourceFactory(slug=f"offline-{n}", url=f"https://status-{n}.example.invalid/feed.xml",
                      allow_private_addresses=False)
    call_command("fetch_sources", "--sync")
    lines = capsys.readouterr().out.strip().splitlines()
    assert all("could not resolve host" in line for line in lines[:3])
    assert lines[-1] == ("no network: name resolution failed for every source, and none has ever been fetched; "
                         "the sources are fine, this machine cannot look up host names")


def test_one_source_that_does_not_resolve_keeps_its_own_advice(http_server, capsys):
    http_server.serve_file("/ars.rss", "technews/arstechnica-feed-2025-10-25-aws-outage.rss")
    SourceFactory(slug="ars", url=http_server.url("/ars.rss"))
    SourceFactory(slug="typo", url="https://status.example.invalid/feed.xml", allow_private_addresses=False)
    call_command("fetch_sources", "--sync")
    out = capsys.readouterr().out
    assert "check the host name in the URL" in out and "no network" not in out
