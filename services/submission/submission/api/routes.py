"""HTTP: turn requests into handler calls. Paths are the contract's (without /api/submission)."""
from __future__ import annotations

from datetime import date

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from servicekit.auth import current_claims, require_auth
from servicekit.errors import abort
from servicekit.schemas import page_of
from submission import handlers, views
from submission.api import schemas as s
from submission.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from submission.api.idempotency import fingerprint, run_idempotent
from submission.bootstrap import Services
from submission.domain.model import Actor

blp = Blueprint("dossiers", __name__, description="Hồ sơ trực tuyến")
officer_blp = Blueprint("officer", __name__, url_prefix="/officer",
                        description="Hàng đợi hồ sơ của cơ quan")
admin_blp = Blueprint("admin", __name__, url_prefix="/admin",
                      description="Quản trị lịch làm việc")
_SECURITY = [{"bearerAuth": []}]


def svc() -> Services:
    return current_app.extensions["submission"]


def actor() -> Actor:
    claims = current_claims() or {}
    return Actor(id=claims["sub"], role=claims["role"], agency=claims.get("agency"),
                 province=claims.get("province"), name=claims.get("name"))


# Schemas are built once (building one copies every declared field) and shared by threads.
DETAIL, SUMMARY, ATTACHMENT = s.DossierDetailSchema(), s.DossierSummarySchema(), \
    s.AttachmentSchema()


def _detail(dossier) -> dict:
    return DETAIL.dump(views.dossier_detail(dossier, svc().now()))


# ---- citizen: drafts, attachments, submit ---------------------------------------------------
@blp.route("/dossiers")
class Dossiers(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen")
    @blp.arguments(s.MyDossiersQuerySchema, location="query")
    @blp.response(200, s.DossierPageSchema)
    def get(self, query):
        """Hồ sơ của tôi"""
        items, total = views.my_dossiers(svc().db, actor().id, query.get("status"),
                                         query["page"], query["per_page"], sealer=svc().sealer)
        now = svc().now()
        return page_of([views.dossier_summary(d, now) for d in items], total,
                       query["page"], query["per_page"])

    @blp.doc(security=_SECURITY, parameters=[{"in": "header", "name": "Idempotency-Key",
                                              "schema": {"type": "string"}}])
    @require_auth("citizen")
    @blp.arguments(s.CreateDossierSchema)
    @blp.response(201, s.DossierDetailSchema)
    def post(self, body):
        """Tạo hồ sơ nháp cho một thủ tục tại một cơ quan"""
        who = actor()

        def create():
            dossier = handlers.create_draft(svc(), who, body["procedure_code"],
                                            body["agency_code"])
            return _detail(dossier), 201

        return run_idempotent(svc(), who, fingerprint("create", body), create)


@blp.route("/dossiers/<dossier_id>")
class DossierItem(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen", "officer")
    @blp.response(200, s.DossierDetailSchema)
    def get(self, dossier_id):
        """Chi tiết hồ sơ (chủ hồ sơ, hoặc cán bộ của cơ quan xử lý — có ghi nhật ký)"""
        return views.dossier_detail(handlers.view_dossier(svc(), actor(), dossier_id),
                                    svc().now())

    @blp.doc(security=_SECURITY)
    @require_auth("citizen")
    @blp.arguments(s.UpdateDossierSchema)
    @blp.response(200, s.DossierDetailSchema)
    def patch(self, body, dossier_id):
        """Lưu nháp: kiểm tra các trường đã điền"""
        dossier = handlers.update_draft(
            svc(), actor(), dossier_id, form_data=body.get("form"),
            applicant=body.get("applicant"), expected_version=body.get("version"),
            filed_for=body.get("filed_for", handlers.UNCHANGED))
        return views.dossier_detail(dossier, svc().now())

    @blp.doc(security=_SECURITY)
    @require_auth("citizen")
    @blp.response(204)
    def delete(self, dossier_id):
        """Xoá hồ sơ nháp (tệp đính kèm được dọn bởi tác vụ lưu trữ)"""
        handlers.delete_draft(svc(), actor(), dossier_id)


@blp.route("/dossiers/<dossier_id>/attachments")
class Attachments(MethodView):
    @blp.doc(security=_SECURITY, parameters=[{"in": "header", "name": "Idempotency-Key",
                                              "schema": {"type": "string"}}])
    @require_auth("citizen", "officer")
    @blp.arguments(s.AttachmentFormSchema, location="form")
    @blp.arguments(s.FileSchema, location="files")
    @blp.response(201, s.AttachmentSchema)
    def post(self, form, files, dossier_id):
        """Đính kèm giấy tờ (multipart: file, document_type)"""
        who = actor()
        upload = files["file"]
        stream = upload.stream
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)

        def store():
            attachment = handlers.add_attachment(
                svc(), who, dossier_id, document_type=form["document_type"],
                file_name=upload.filename, stream=stream, size=size)
            return ATTACHMENT.dump(attachment), 201

        return run_idempotent(svc(), who, fingerprint(
            "upload", dossier_id, form["document_type"], upload.filename, size), store)


@blp.route("/dossiers/<dossier_id>/attachments/<attachment_id>")
class AttachmentItem(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen", "officer")
    @blp.response(200, s.DownloadSchema)
    def get(self, dossier_id, attachment_id):
        """Liên kết tải tệp (hiệu lực ngắn, ≤ 10 phút; có ghi nhật ký)"""
        attachment, url = handlers.attachment_download(svc(), actor(), dossier_id,
                                                       attachment_id, link=True)
        return {**attachment, "url": url, "expires_in": svc().settings.download_url_seconds}


@blp.route("/dossiers/<dossier_id>/attachments/<attachment_id>/content")
class AttachmentContent(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen", "officer")
    def get(self, dossier_id, attachment_id):
        """Tải nội dung tệp qua dịch vụ (có ghi nhật ký)"""
        attachment, _ = handlers.attachment_download(svc(), actor(), dossier_id,
                                                     attachment_id, link=False)
        stream = svc().store.open(attachment["object_key"])
        response = Response(stream, mimetype=attachment["content_type"])
        response.headers["Content-Length"] = str(attachment["size"])
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.set("Content-Disposition", "attachment",
                             filename=attachment["file_name"])
        return response


@blp.route("/dossiers/<dossier_id>/submit")
class Submit(MethodView):
    @blp.doc(security=_SECURITY, parameters=[{"in": "header", "name": "Idempotency-Key",
                                              "schema": {"type": "string"}}])
    @require_auth("citizen")
    @blp.response(200, s.DossierSummarySchema)
    def post(self, dossier_id):
        """Nộp hồ sơ: kiểm tra đủ thông tin, cấp mã hồ sơ"""
        who = actor()

        def run():
            dossier = handlers.submit(svc(), who, dossier_id,
                                      request.headers.get(IDEMPOTENCY_HEADER))
            body = SUMMARY.dump(views.dossier_summary(dossier, svc().now()))
            return body, 200

        return run_idempotent(svc(), who, fingerprint("submit", dossier_id), run)


@blp.route("/dossiers/<dossier_id>/withdraw")
class Withdraw(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen")
    @blp.arguments(s.WithdrawSchema)
    @blp.response(200, s.DossierDetailSchema)
    def post(self, body, dossier_id):
        """Công dân rút hồ sơ"""
        dossier = handlers.act(svc(), actor(), dossier_id, "withdraw",
                               {"reason": body.get("reason")}, body.get("version"))
        return views.dossier_detail(dossier, svc().now())


@blp.route("/dossiers/<dossier_id>/actions")
class Actions(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen", "officer")
    @blp.arguments(s.ActionSchema)
    @blp.response(200, s.DossierDetailSchema)
    def post(self, body, dossier_id):
        """Chuyển trạng thái hồ sơ (tiếp nhận, xử lý, bổ sung, thu phí, trả kết quả, gia hạn…)"""
        inputs = dict(body)
        action, version = inputs.pop("action"), inputs.pop("version", None)
        dossier = handlers.act(svc(), actor(), dossier_id, action, inputs, version)
        return views.dossier_detail(dossier, svc().now())


# ---- documents ------------------------------------------------------------------------------
def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "inline", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/dossiers/<dossier_id>/receipt.pdf")
class Receipt(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen", "officer")
    def get(self, dossier_id):
        """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)"""
        dossier, data = handlers.receipt(svc(), actor(), dossier_id)
        return _pdf(data, f"giay-tiep-nhan-{dossier.code}.pdf")


@blp.route("/dossiers/<dossier_id>/extensions/<int:seq>/apology.pdf")
class Apology(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen", "officer")
    def get(self, dossier_id, seq):
        """Phiếu xin lỗi và hẹn lại ngày trả kết quả (PDF)"""
        dossier, data = handlers.apology(svc(), actor(), dossier_id, seq)
        return _pdf(data, f"phieu-xin-loi-{dossier.code}-{seq}.pdf")


@blp.route("/dossiers/<dossier_id>/form.html")
class PrintableForm(MethodView):
    @blp.doc(security=_SECURITY)
    @require_auth("citizen", "officer")
    def get(self, dossier_id):
        """Tờ khai đã điền, bản in được"""
        html = handlers.printable_form(svc(), actor(), dossier_id)
        response = Response(html, mimetype="text/html")
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
        return response


# ---- officers -------------------------------------------------------------------------------
@officer_blp.route("/dossiers")
class OfficerQueue(MethodView):
    @officer_blp.doc(security=_SECURITY)
    @require_auth("officer")
    @officer_blp.arguments(s.OfficerQuerySchema, location="query", error_status_code=400)
    @officer_blp.response(200, s.DossierPageSchema)
    def get(self, query):
        """Hồ sơ của cơ quan, lọc theo trạng thái và quá hạn, sắp theo hạn trả"""
        who = actor()
        if not who.agency:
            abort(403, "Tài khoản cán bộ chưa được gán cơ quan.")
        now = svc().now()
        items, total = views.officer_queue(
            svc().db, who.agency, status=query.get("status"), overdue=query.get("overdue"),
            now=now, page=query["page"], per_page=query["per_page"], sealer=svc().sealer)
        return page_of([views.dossier_summary(d, now) for d in items], total,
                       query["page"], query["per_page"])


# ---- administrators: working calendar -------------------------------------------------------
@admin_blp.route("/calendar")
class Calendar(MethodView):
    @admin_blp.doc(security=_SECURITY)
    @require_auth("admin")
    @admin_blp.arguments(s.CalendarQuerySchema, location="query")
    @admin_blp.response(200, s.CalendarSchema)
    def get(self, query):
        """Lịch làm việc của một năm: ngày lễ có sẵn và các thay đổi của quản trị viên"""
        return handlers.calendar_overview(svc(), query.get("year") or svc().now().year)

    @admin_blp.doc(security=_SECURITY)
    @require_auth("admin")
    @admin_blp.arguments(s.CalendarSettingsSchema)
    @admin_blp.response(200, s.CalendarSchema)
    def patch(self, body):
        """Đổi khung giờ làm việc, giờ chốt nhận hồ sơ, cách tính khi yêu cầu bổ sung"""
        handlers.update_calendar_settings(svc(), body)
        return handlers.calendar_overview(svc(), svc().now().year)


@admin_blp.route("/calendar/days/<day>")
class CalendarDay(MethodView):
    @admin_blp.doc(security=_SECURITY)
    @require_auth("admin")
    @admin_blp.arguments(s.CalendarDaySchema)
    @admin_blp.response(200, s.CalendarSchema)
    def put(self, body, day):
        """Đặt một ngày nghỉ thêm (day_off) hoặc ngày làm bù (working_day)"""
        parsed = _day(day)
        handlers.set_calendar_day(svc(), actor(), parsed, body["kind"], body["note"])
        return handlers.calendar_overview(svc(), parsed.year)

    @admin_blp.doc(security=_SECURITY)
    @require_auth("admin")
    @admin_blp.response(200, s.CalendarSchema)
    def delete(self, day):
        """Bỏ thay đổi của một ngày"""
        parsed = _day(day)
        handlers.clear_calendar_day(svc(), parsed)
        return handlers.calendar_overview(svc(), parsed.year)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, "Ngày phải có dạng YYYY-MM-DD.", errors={"day": ["Ngày không hợp lệ."]})
        raise

