"""HTTP endpoints of notify: inbox, preferences, templates (admin), dev messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from notify.api.schemas import (
    DevMessagesQuerySchema,
    DevMessagesSchema,
    EntryUpdateSchema,
    InboxEntrySchema,
    InboxPageSchema,
    InboxQuerySchema,
    MarkAllReadSchema,
    MarkedSchema,
    PreferencesPatchSchema,
    PreferencesSchema,
    TemplateListSchema,
    TemplateSchema,
)
from notify.domain.default_templates import DEFAULT_TEMPLATES
from notify.domain.delivery import Notification
from notify.domain.events import EVENT_SPECS
from notify.domain.preferences import Preferences
from notify.domain.templates import Channel, MessageTemplate, TemplateError
from notify.handlers import save_template, template_for
from notify.ports import Repository
from servicekit.auth import current_claims, require_auth
from servicekit.errors import abort

blp = Blueprint("notify", __name__, description="Thông báo: hộp thư, tùy chọn, mẫu tin")
SECURITY = [{"bearerAuth": []}]


def _repo() -> Repository:
    return current_app.extensions["notify_repo"]


def _user_id() -> str:
    return str(current_claims()["sub"])


def _entry(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "event_type": n.event_type,
        "title": n.subject,
        "body": n.body,
        "created_at": n.created_at,
        "read": n.read_at is not None,
        "read_at": n.read_at,
    }


@blp.route("/inbox")
class Inbox(MethodView):
    @require_auth()
    @blp.doc(security=SECURITY)
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.response(200, InboxPageSchema)
    def get(self, query):
        """Hộp thư thông báo của tôi, mới nhất trước"""
        page, per_page = query["page"], query["per_page"]
        entries, total, unread = _repo().inbox(
            _user_id(), unread_only=query["unread"], offset=(page - 1) * per_page, limit=per_page
        )
        return {
            "items": [_entry(n) for n in entries],
            "total": total,
            "unread": unread,
            "page": page,
            "per_page": per_page,
            "pages": (total + per_page - 1) // per_page,
        }

    @require_auth()
    @blp.doc(security=SECURITY)
    @blp.arguments(MarkAllReadSchema)
    @blp.response(200, MarkedSchema)
    def patch(self, body):
        """Đánh dấu đã đọc các thông báo (hoặc tất cả)"""
        return {"updated": _repo().mark_read(_user_id(), body["ids"], datetime.now(UTC))}


@blp.route("/inbox/<notification_id>")
class InboxEntry(MethodView):
    @require_auth()
    @blp.doc(security=SECURITY)
    @blp.arguments(EntryUpdateSchema)
    @blp.response(200, InboxEntrySchema)
    def patch(self, body, notification_id):
        """Đánh dấu một thông báo đã đọc hoặc chưa đọc"""
        repo, user_id = _repo(), _user_id()
        entry = repo.get_notification(notification_id)
        if entry is None or entry.user_id != user_id or entry.channel != Channel.IN_APP:
            abort(404, "Không tìm thấy thông báo.")
        if body["read"]:
            repo.mark_read(user_id, [notification_id], datetime.now(UTC))
        else:
            repo.mark_unread(user_id, notification_id)
        return _entry(repo.get_notification(notification_id))


def _preferences(prefs: Preferences) -> dict[str, Any]:
    return {"email": prefs.email, "sms": prefs.sms, "in_app": prefs.in_app, "otp": True}


@blp.route("/preferences")
class PreferencesView(MethodView):
    @require_auth()
    @blp.doc(security=SECURITY)
    @blp.response(200, PreferencesSchema)
    def get(self):
        """Kênh nhận thông báo của tôi (OTP luôn được gửi)"""
        return _preferences(_repo().get_preferences(_user_id()))

    @require_auth()
    @blp.doc(security=SECURITY)
    @blp.arguments(PreferencesPatchSchema)
    @blp.response(200, PreferencesSchema)
    def patch(self, changes):
        """Bật hoặc tắt từng kênh nhận thông báo"""
        repo, user_id = _repo(), _user_id()
        current = repo.get_preferences(user_id)
        fields = {"email": current.email, "sms": current.sms, "in_app": current.in_app}
        updated = Preferences(**{**fields, **changes})
        repo.save_preferences(user_id, updated)
        return _preferences(updated)


def _template(t: MessageTemplate) -> dict[str, Any]:
    return {
        "event_type": t.event_type,
        "channel": str(t.channel),
        "subject": t.subject,
        "text": t.text,
        "html": t.html,
        "version": t.version,
        "placeholders": sorted(EVENT_SPECS[t.event_type].placeholders),
    }


@blp.route("/templates")
class Templates(MethodView):
    @require_auth("admin")
    @blp.doc(security=SECURITY)
    @blp.response(200, TemplateListSchema)
    def get(self):
        """Mẫu tin đang dùng cho mỗi sự kiện và kênh (phiên bản mới nhất)"""
        repo = _repo()
        current = [template_for(repo, event, channel) for event, channel in DEFAULT_TEMPLATES]
        return {"templates": [_template(t) for t in current if t is not None]}

    @require_auth("admin")
    @blp.doc(security=SECURITY)
    @blp.arguments(TemplateSchema)
    @blp.response(201, TemplateSchema)
    def post(self, body):
        """Lưu phiên bản mới của một mẫu tin (kiểm tra biến ngay khi lưu)"""
        draft = MessageTemplate(
            event_type=body["event_type"],
            channel=Channel(body["channel"]),
            text=body["text"],
            subject=body["subject"],
            html=body["html"],
        )
        try:
            saved = save_template(_repo(), draft)
        except TemplateError as exc:
            abort(422, "Mẫu tin không hợp lệ.", errors=exc.errors)
        return _template(saved)


@blp.route("/dev/messages")
class DevMessages(MethodView):
    @blp.arguments(DevMessagesQuerySchema, location="query")
    @blp.response(200, DevMessagesSchema)
    def get(self, query):
        """Tin nhắn nhà cung cấp thử nghiệm đã gửi, mới nhất trước (chỉ khi phát triển)"""
        sink = current_app.extensions.get("notify_dev_sink")
        if sink is None:
            abort(404)
        messages = sink.list(query["to"] or None)
        return {"messages": [vars(m) for m in messages]}
