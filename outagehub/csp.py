"""The Content-Security-Policy header on every response: pages, admin, feeds, static files.

Django 5.2 has none built in. The policy is the SECURE_CSP setting, a dict of directive → sources
in the form Django 6.0 reads, so moving to 6.0's django.middleware.csp.ContentSecurityPolicyMiddleware
is a change of one line in MIDDLEWARE. The policy is the same for every response: the site has no
inline script or style, so it needs no nonce.
"""

from django.conf import settings


def policy_header(directives: dict[str, list[str]]) -> str:
    """{"default-src": ["'self'"], "object-src": ["'none'"]} → "default-src 'self'; object-src 'none'"."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header(settings.SECURE_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
