"""The portal's session: an encrypted, HttpOnly, SameSite=Lax cookie; who is signed in; CSRF.

The cookie holds the signed-in person's access and refresh tokens, so it is encrypted
(Fernet: AES-128-CBC + HMAC-SHA256, with a timestamp checked against the session lifetime),
never readable by page scripts (HttpOnly) and Secure in production. Tokens never appear in a
page or a script.

A copy of the cookie must not outlive the session it holds: on every request the session of
its access token (``sid``) is looked up in the deny-list of ended sessions (the verifier's,
:mod:`servicekit.revocation`); once signed out — here or anywhere, or by a password change —
the cookie signs nobody in and account pages send to the sign-in page.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, Request, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSession, SessionInterface

COOKIE_NAME = "motcua_portal"
CSRF_FIELD = "csrf_token"


class EncryptedSessionInterface(SessionInterface):
    """Flask's cookie session, encrypted rather than only signed."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        digest = hashlib.sha256(b"motcua-portal-session\x00" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._max_age = max_age_seconds

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession:
        raw = request.cookies.get(self.get_cookie_name(app))
        if not raw:
            return SecureCookieSession()
        try:
            data = json.loads(self._fernet.decrypt(raw.encode(), ttl=self._max_age))
        except (InvalidToken, ValueError):
            return SecureCookieSession()  # expired or tampered: start afresh
        return SecureCookieSession(data if isinstance(data, dict) else {})

    def save_session(self, app: Flask, session: SecureCookieSession,
                     response: Response) -> None:
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        secure, samesite = self.get_cookie_secure(app), self.get_cookie_samesite(app)
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                response.delete_cookie(name, domain=domain, path=path, secure=secure,
                                       samesite=samesite, httponly=True)
            return
        if not self.should_set_cookie(app, session):
            return
        value = self._fernet.encrypt(json.dumps(dict(session)).encode()).decode()
        response.set_cookie(name, value, max_age=self._max_age, httponly=True, secure=secure,
                            samesite=samesite, domain=domain, path=path)


def init_session(app: Flask, secret: str, *, secure: bool, hours: int) -> None:
    app.secret_key = secret
    app.config.update(SESSION_COOKIE_NAME=COOKIE_NAME, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure)
    app.session_interface = EncryptedSessionInterface(secret, hours * 3600)


# -- who is signed in ---------------------------------------------------------------------------

@dataclass(frozen=True)
class User:
    id: str
    role: str
    name: str | None
    agency: str | None
    province: str | None


def _session_ended(auth: dict[str, Any]) -> bool:
    """Whether the cookie's session was ended (asked once per request)."""
    if "portal_session_ended" not in g:
        try:  # the cookie is authenticated (Fernet): its token was verified when stored
            sid = jwt.decode(auth["access"], options={"verify_signature": False}).get("sid")
        except (jwt.PyJWTError, KeyError, TypeError):
            sid = None
        verifier = current_app.extensions["token_verifier"]
        g.portal_session_ended = bool(sid) and verifier.session_ended(sid)
    return g.portal_session_ended


def current_user() -> User | None:
    auth = session.get("auth")
    if not auth:
        return None
    if _session_ended(auth):
        session.pop("auth", None)  # the browser's copy is rewritten without it
        return None
    return User(auth["sub"], auth["role"], auth.get("name"), auth.get("agency"),
                auth.get("province"))


def sign_in(tokens: dict[str, Any], claims: dict[str, Any]) -> None:
    session.clear()
    session["auth"] = {
        "access": tokens["access_token"], "refresh": tokens["refresh_token"],
        "exp": int(claims.get("exp") or time.time() + int(tokens.get("expires_in", 300))),
        "sub": claims["sub"], "role": claims["role"], "agency": claims.get("agency"),
        "province": claims.get("province"),
    }


def store_tokens(tokens: dict[str, Any], exp: int) -> None:
    auth = dict(session["auth"])
    auth.update(access=tokens["access_token"], refresh=tokens["refresh_token"], exp=exp)
    session["auth"] = auth


def remember_name(name: str | None) -> None:
    if session.get("auth") and name:
        session["auth"] = {**session["auth"], "name": name}


def sign_out() -> str | None:
    """Forget the session; returns the refresh token so identity can revoke it."""
    refresh = (session.get("auth") or {}).get("refresh")
    session.clear()
    return refresh


# -- CSRF: one token per session, checked on every form POST ---------------------------------

def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    if request.method != "POST":
        return
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf")
