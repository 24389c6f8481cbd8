"""The upstream path, normalised before anything judges it.

The gateway decides who may pass by looking at the path (anonymous routes, which rate limit),
so it must look at the path the service will act on. A path the service would read
differently from the gateway is refused instead of guessed at: dot segments (``/docs/../metrics``,
also as ``%2e%2e``), encoded slashes and backslashes (``%2f``, ``%5c``, ``\\``), NUL and other
control characters, and anything still percent-encoded after one decoding (``%252e``: double
encoding). What passes is decoded exactly once, classified, and forwarded re-encoded, so the
service decodes it to the very path that was classified.
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

REFUSED = "Đường dẫn không hợp lệ."
# Encoded '/', '\', NUL and '%' itself (double encoding): never part of a motcua path.
_ENCODED_FORBIDDEN = re.compile(r"%(2f|5c|00|25)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# RFC 3986 pchar without '%': what a segment may carry unencoded when forwarded.
_SAFE = "/:@!$&'()*+,;=-._~"


class UnsafePath(ValueError):
    """The path is ambiguous or malformed: answer 400 and forward nothing."""


def raw_path(environ: dict) -> str | None:
    """The path as the client sent it (before the server decoded it), without the query."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return None
    if not raw.startswith("/"):  # absolute-form: http://host/path?query
        raw = urlsplit(raw).path or "/"
    return raw.split("?", 1)[0].split("#", 1)[0]


def normalise(raw: str) -> str:
    """Decode ``raw`` once and return it, or raise :class:`UnsafePath`."""
    if "\\" in raw or _ENCODED_FORBIDDEN.search(raw):
        raise UnsafePath(raw)
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError as exc:
        raise UnsafePath(raw) from exc
    check_decoded(decoded)
    return decoded


def check_decoded(path: str) -> None:
    """What an already decoded path must not contain."""
    if "%" in path or "\\" in path or _CONTROL.search(path):
        raise UnsafePath(path)
    if any(segment in (".", "..") for segment in path.split("/")):
        raise UnsafePath(path)


def encode(path: str) -> str:
    """The decoded path as it goes on the wire to the service."""
    return quote(path, safe=_SAFE)
