"""A strict Content-Security-Policy on every response (issue 11, finding 10): pages, feeds, admin,
error pages and static files, with nothing inline for it to block. The browser suite checks that
Chromium reports no violation on the main pages and admin pages (tests/browser)."""

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.urls import reverse

from tests.factories import IncidentFactory, SummaryFactory

pytestmark = pytest.mark.django_db
EXPECTED = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def inline_code(html: str) -> list[str]:
    """What a policy without 'unsafe-inline' would block: scripts without src, <style> elements,
    style attributes, event-handler attributes and javascript: links."""
    soup = BeautifulSoup(html, "html.parser")
    found = [str(tag)[:80] for tag in soup.find_all("script") if not tag.get("src")]
    found += [str(tag)[:80] for tag in soup.find_all("style")]
    for tag in soup.find_all(True):
        found += [f"{tag.name}[{name}]" for name in tag.attrs if name == "style" or name.startswith("on")]
        if re.match(r"\s*javascript:", tag.get("href") or "", re.IGNORECASE):
            found.append(f"{tag.name}[href]")
    return found


@pytest.fixture
def incident():
    incident = IncidentFactory(slug="mail-delays")
    SummaryFactory(incident=incident, current=True)
    return incident


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("editor", "editor@example.com", "secret"))
    return client


@pytest.mark.parametrize("url", ["/", "/incidents/mail-delays/", "/feeds", "/search?q=mail", "/sources",
                                 "/feeds/incidents.rss", "/feeds/incidents.json", "/?to=9999-12-31",
                                 "/incidents/no-such-incident/", "/admin/login/", "/static/favicon.svg"])
def test_every_response_carries_the_strict_policy(client, incident, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert policy(response) == EXPECTED
    assert "unsafe" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/incidents/mail-delays/", "/feeds", "/search?q=mail", "/sources",
                                 "/?to=9999-12-31"])
def test_the_public_pages_have_nothing_inline_for_the_policy_to_block(client, incident, url):
    assert inline_code(client.get(url).content.decode()) == []


@pytest.mark.parametrize("name", ["admin:index", "admin:incidents_incident_changelist",
                                  "admin:articles_source_changelist", "admin:incidents_revision_changelist"])
def test_admin_pages_carry_the_policy_and_have_nothing_inline(admin_client, incident, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200
    assert policy(response) == EXPECTED
    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize("name", ["admin:incidents_incident_change", "admin:incidents_incident_split",
                                  "admin:incidents_incident_summary"])
def test_the_admin_pages_of_one_incident_have_nothing_inline(admin_client, incident, name):
    response = admin_client.get(reverse(name, args=[incident.pk]))
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


def test_the_admin_login_has_nothing_inline(client):
    login = client.get(reverse("admin:login"))
    assert policy(login) == EXPECTED and inline_code(login.content.decode()) == []
