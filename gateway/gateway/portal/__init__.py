"""The citizen, officer and administrator web portal, served by the gateway.

Server-rendered pages in plain Vietnamese (Jinja templates under ``templates/portal/``, CSS and
a little optional JavaScript under ``static/``). Pages call the services server side through
the gateway's pooled upstreams (:mod:`gateway.portal.client`); the browser only ever holds an
encrypted session cookie. See ``docs/portal.md``.
"""
from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from gateway.access import retry_after_seconds
from gateway.portal import account, admin, caching, dossiers, officer, public  # noqa: F401
from gateway.portal.client import LoginRequired, ServiceUnavailable
from gateway.portal.session import check_csrf, csrf_token, current_user, init_session
from gateway.portal.web import FILTERS, STATUS_LABELS, portal, render, safe_next
from servicekit.errors import error_response

TEXT_COOKIE = "motcua_text"
# Sign-in and registration forms: limited per client address like identity's API routes.
AUTH_FORMS = ("portal.register", "portal.register_verify", "portal.resend_code",
              "portal.login", "portal.login_verify",
              "portal.tracking_proof_send", "portal.tracking_proof_verify")


@portal.before_request
def _csrf() -> None:
    check_csrf()


@portal.app_context_processor
def _page_context() -> dict:
    return {"current_user": current_user(),
            "large_text": request.cookies.get(TEXT_COOKIE) == "large",
            "status_labels": STATUS_LABELS}


@portal.route("/co-chu", methods=["POST"])
def text_size():
    """Large text on or off: a cookie read when each page is drawn (works without JS)."""
    large = request.form.get("size") == "large"
    response = redirect(safe_next(request.form.get("next")) or url_for("portal.home"))
    if large:
        response.set_cookie(TEXT_COOKIE, "large", max_age=365 * 86400, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    else:
        response.delete_cookie(TEXT_COOKIE, samesite="Lax", httponly=True)
    return response


@portal.errorhandler(ServiceUnavailable)
def _service_down(_error):
    return render("portal/error.html", title="Hệ thống đang bận",
                  message="Hệ thống tạm thời chưa phản hồi. Thông tin bạn đã lưu không bị "
                          "mất. Vui lòng thử lại sau ít phút."), 503


@portal.errorhandler(LoginRequired)
def _login_required(_error):
    flash("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại để tiếp tục.", "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("portal.login", next=safe_next(target)))


@portal.errorhandler(429)
def _too_many(error):
    wait = retry_after_seconds(error)
    return render("portal/error.html", title="Bạn đã thử quá nhiều lần",
                  message=f"Để bảo vệ tài khoản, vui lòng đợi khoảng {wait} giây rồi thử lại."
                  ), 429, {"Retry-After": str(wait)}


@portal.errorhandler(400)
@portal.errorhandler(404)
def _page_error(error: HTTPException):
    if error.code == 400:
        return render("portal/error.html", title="Trang đã hết hạn",
                      message="Biểu mẫu đã quá hạn hoặc không hợp lệ. Vui lòng quay lại, "
                              "tải lại trang rồi gửi lại."), 400
    return render("portal/error.html", title="Không tìm thấy trang",
                  message="Trang bạn tìm không tồn tại hoặc đã được chuyển đi."), 404


def _not_found(error: HTTPException):
    """HTML for people, the error shape for API clients."""
    api_client = request.accept_mimetypes.best == "application/json"
    if request.path.startswith("/api/") or api_client:
        return error_response(404)
    return _page_error(error)


def _rate_limit_auth_forms(app: Flask, limit: str) -> None:
    limiters = app.extensions.get("limiter") or set()
    limiter = next(iter(limiters), None)
    if limiter is None:
        return
    shared = limiter.shared_limit(limit, scope="portal-auth", methods=["POST"],
                                  key_func=lambda: f"ip:{request.remote_addr}")
    for endpoint in AUTH_FORMS:
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])


def init_portal(app: Flask, settings) -> None:
    """Mount the portal on the gateway app."""
    init_session(app, settings.portal_secret_key,
                 secure=settings.is_production or settings.portal_cookie_secure,
                 hours=settings.portal_session_hours)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["csrf_token"] = csrf_token  # seen by imported macros too
    app.register_blueprint(portal)
    app.register_error_handler(404, _not_found)
    _rate_limit_auth_forms(app, settings.rate_limit_auth)
