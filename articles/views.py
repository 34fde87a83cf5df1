"""A minimal front page until the incident timeline lands: latest stored items and source health."""

from django.shortcuts import render

from .models import Article, Source

LATEST_COUNT = 50


def home(request):
    latest = Article.objects.select_related("source").only(
        "title", "url", "kind", "published_at", "vendor_status", "source__name"
    )[:LATEST_COUNT]
    sources = Source.objects.only(
        "name", "kind", "health", "last_success_at", "consecutive_failures", "last_error"
    ).order_by("health", "name")
    return render(request, "home.html", {"latest": latest, "sources": sources})


def sources(request):
    return home(request)
