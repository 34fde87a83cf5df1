"""Feed URLs; the feeds of incidents take the timeline's GET filters (vendor, service, status, severity,
region, from, to), `limit` and the page links (before, after); one incident's feed takes `limit`."""

from django.urls import path

from incidents.site.feeds import (
    PagedAtom1Feed,
    PagedRss201rev2Feed,
    conditional_feed,
    feeds_page,
    ical_view,
    incident_feed_view,
    json_feed_view,
    syndication_view,
)

urlpatterns = [
    path("feeds", feeds_page, name="feeds"),
    path("feeds/incidents.rss", syndication_view(PagedRss201rev2Feed), name="feed-rss"),
    path("feeds/incidents.atom", syndication_view(PagedAtom1Feed), name="feed-atom"),
    path("feeds/incidents.json", conditional_feed(json_feed_view), name="feed-json"),
    path("feeds/incidents.ics", conditional_feed(ical_view), name="feed-ical"),
    path("vendors/<slug:slug>/feed.rss", syndication_view(PagedRss201rev2Feed, "vendor"), name="vendor-feed-rss"),
    path("vendors/<slug:slug>/feed.atom", syndication_view(PagedAtom1Feed, "vendor"), name="vendor-feed-atom"),
    path("services/<slug:slug>/feed.rss", syndication_view(PagedRss201rev2Feed, "service"), name="service-feed-rss"),
    path("services/<slug:slug>/feed.atom", syndication_view(PagedAtom1Feed, "service"), name="service-feed-atom"),
    path("incidents/<slug:slug>/feed.rss", incident_feed_view(PagedRss201rev2Feed), name="incident-feed-rss"),
    path("incidents/<slug:slug>/feed.atom", incident_feed_view(PagedAtom1Feed), name="incident-feed-atom"),
]
