"""What every portal page shares: the blueprint, sign-in guards, page rendering, formats."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from vocabulary import statuses

from gateway.portal.forms import FormErrors, field_id
from gateway.portal.session import current_user

portal = Blueprint("portal", __name__)
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

STATUS_LABELS = dict(statuses.LABELS)
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")
HOME_BY_ROLE = {"citizen": "portal.my_dossiers", "officer": "portal.officer_queue",
                "admin": "portal.statistics"}


def login_required(*roles: str) -> Callable:
    """Send people who are not signed in (or lack the role) to the right place."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            user = current_user()
            if user is None:
                flash("Vui lòng đăng nhập để tiếp tục.", "info")
                return redirect(url_for("portal.login", next=safe_next(request.full_path)))
            if roles and user.role not in roles:
                return render("portal/error.html", status=403, title="Không có quyền truy cập",
                              message="Trang này dành cho tài khoản khác loại. "
                                      "Bạn có thể quay về trang của mình."), 403
            return view(*args, **kwargs)
        return wrapper
    return decorate


def safe_next(target: str | None) -> str | None:
    """Only paths on this site (no scheme, host or '//') may be redirected to; a control
    character (CR/LF would split the Location header) or a backslash (browsers read '/\\' as
    '//') makes it no target at all."""
    if not target or _UNSAFE_IN_NEXT.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target.rstrip("?")


def home_url() -> str:
    user = current_user()
    return url_for(HOME_BY_ROLE.get(user.role, "portal.home") if user else "portal.home")


def render(template: str, *, errors: FormErrors | None = None, **context: Any) -> str:
    return render_template(template, errors=errors or FormErrors(), **context)


# -- formats (Jinja filters) -------------------------------------------------------------------

def _moment(value: Any) -> datetime | date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime | date):
        return value
    text = str(value)
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def format_datetime(value: Any) -> str:
    moment = _moment(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")
    return moment.strftime("%d/%m/%Y")


def format_date(value: Any) -> str:
    moment = _moment(value)
    if moment is None:
        return str(value or "")
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(VN_TZ).date()
    return moment.strftime("%d/%m/%Y")


def format_money(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{int(value):,}".replace(",", ".") + " đồng"
    except (TypeError, ValueError):
        return str(value)


def format_percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}".replace(".", ",") + "%"


def local_phone(value: Any) -> str:
    """``+84912345678`` (how identity stores numbers) as people write it: ``0912345678``."""
    text = "" if value is None else str(value)
    return "0" + text[3:] if text.startswith("+84") else text


FILTERS = {"local_phone": local_phone, "datetime_vn": format_datetime, "date_vn": format_date,
           "money": format_money, "percent": format_percent, "field_id": field_id,
           "status_label": lambda s: STATUS_LABELS.get(s, s or "")}
