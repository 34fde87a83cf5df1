from django.contrib import admin
from django.urls import include, path

from articles.views import sources
from incidents.site.search.views import search_page

urlpatterns = [
    path("", include("incidents.site.urls")),  # timeline, incident, vendor and service pages
    path("", include("incidents.site.feed_urls")),  # RSS, Atom, JSON Feed, iCalendar and the /feeds page
    path("api/", include("incidents.api.urls")),  # the read-only JSON API (/api/v1/) and its docs page
    path("", include("incidents.alerts.urls")),  # watches: create from a vendor or service page, confirm, unsubscribe
    path("search", search_page, name="search"),
    path("sources", sources, name="sources"),
    path("admin/", admin.site.urls),
]
