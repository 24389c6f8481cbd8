"""No portal answer with personal data may be kept by a browser or a shared cache.

A page drawn for a signed-in person (their dossiers, profile, inbox, an officer's queue) and
the anonymous pages that show or collect personal data (tracking results, the registration
and sign-in forms and their codes) go out with ``Cache-Control: no-store``: a shared computer
at a ward office, a proxy or the back button must not show them to the next person. Only the
public catalogue pages, seen anonymously, may be cached.
"""
from __future__ import annotations

from flask import Response, request

from gateway.portal.session import current_user
from gateway.portal.web import portal

# Anonymous GET pages with nothing personal on them (the procedure catalogue).
PUBLIC_PAGES = frozenset({"portal.home", "portal.search", "portal.procedure",
                          "portal.procedure_template"})
NO_STORE = "no-store"


def personal(endpoint: str | None) -> bool:
    """Whether this request's answer may carry personal data."""
    return (current_user() is not None or request.method not in ("GET", "HEAD")
            or endpoint not in PUBLIC_PAGES)


@portal.after_request
def _no_store(response: Response) -> Response:
    if personal(request.endpoint):
        response.headers["Cache-Control"] = NO_STORE
        response.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
        response.vary.add("Cookie")
    return response
