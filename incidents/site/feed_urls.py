"""Feed URLs; every feed takes the timeline's GET filters (vendor, service, status, severity, region, from, to)."""

from django.urls import path
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from incidents.site.feeds import conditional_feed, feeds_page, ical_view, json_feed_view, syndication_view

urlpatterns = [
    path("feeds", feeds_page, name="feeds"),
    path("feeds/incidents.rss", syndication_view(Rss201rev2Feed), name="feed-rss"),
    path("feeds/incidents.atom", syndication_view(Atom1Feed), name="feed-atom"),
    path("feeds/incidents.json", conditional_feed(json_feed_view), name="feed-json"),
    path("feeds/incidents.ics", conditional_feed(ical_view), name="feed-ical"),
    path("vendors/<slug:slug>/feed.rss", syndication_view(Rss201rev2Feed, "vendor"), name="vendor-feed-rss"),
    path("vendors/<slug:slug>/feed.atom", syndication_view(Atom1Feed, "vendor"), name="vendor-feed-atom"),
    path("services/<slug:slug>/feed.rss", syndication_view(Rss201rev2Feed, "service"), name="service-feed-rss"),
    path("services/<slug:slug>/feed.atom", syndication_view(Atom1Feed, "service"), name="service-feed-atom"),
]
