"""HTTP routes: turn requests into view queries and handler calls; nothing else."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.utils import secure_filename

from catalog import handlers, repository, views
from catalog.api import schemas as s
from catalog.storage import ObjectMissing, TemplateStorage
from servicekit.auth import require_auth
from servicekit.errors import abort
from servicekit.schemas import page_of

ADMIN_DOC = {"security": [{"bearerAuth": []}]}

agencies = Blueprint(
    "agencies", __name__, url_prefix="/agencies", description="Cơ quan thực hiện thủ tục hành chính"
)
procedures = Blueprint(
    "procedures",
    __name__,
    url_prefix="/procedures",
    description="Thủ tục hành chính: tra cứu, chi tiết, mẫu đơn",
)
provinces = Blueprint(
    "provinces", __name__, url_prefix="/provinces", description="34 tỉnh, thành phố (từ 01/7/2025)"
)
admin = Blueprint(
    "admin", __name__, url_prefix="/admin", description="Quản trị danh mục (vai trò admin)"
)


def _db():
    return current_app.extensions["db"]


def _storage() -> TemplateStorage:
    return current_app.extensions["template_storage"]


@provinces.route("")
class Provinces(MethodView):
    @provinces.response(200, s.ProvinceListSchema)
    def get(self):
        """Danh sách tỉnh, thành phố"""
        from catalog import repository

        return {"items": repository.all_provinces(_db())}


@agencies.route("")
class Agencies(MethodView):
    @agencies.arguments(s.AgencyQuerySchema, location="query")
    @agencies.response(200, s.AgencyPageSchema)
    def get(self, args):
        """Tra cứu cơ quan (lọc theo tỉnh, loại, cơ quan cấp trên, cây con)"""
        page, per_page = args.pop("page"), args.pop("per_page")
        items, total = views.list_agencies(_db(), args, page, per_page)
        return page_of(items, total, page, per_page)


@agencies.route("/<code>")
class Agency(MethodView):
    @agencies.response(200, s.AgencyDetailSchema)
    def get(self, code):
        """Chi tiết cơ quan, kèm các cấp trên và cơ quan trực thuộc"""
        return views.agency_detail(_db(), code)


@agencies.route("/<code>/children")
class AgencyChildren(MethodView):
    @agencies.response(200, s.AgencyListSchema)
    def get(self, code):
        """Cơ quan trực thuộc trực tiếp"""
        return {"items": views.agency_children(_db(), code)}


@agencies.route("/<code>/ancestors")
class AgencyAncestors(MethodView):
    @agencies.response(200, s.AgencyListSchema)
    def get(self, code):
        """Các cơ quan cấp trên, từ cấp 1 xuống"""
        return {"items": views.agency_ancestors(_db(), code)}


@procedures.route("")
class Procedures(MethodView):
    @procedures.arguments(s.ProcedureQuerySchema, location="query")
    @procedures.response(200, s.ProcedurePageSchema)
    def get(self, args):
        """Tìm thủ tục (không phân biệt dấu), lọc theo cơ quan, tỉnh, lĩnh vực, mức độ"""
        page, per_page = args.pop("page"), args.pop("per_page")
        items, total = views.search_procedures(_db(), args, page, per_page)
        return page_of(items, total, page, per_page)


@procedures.route("/<code>")
class Procedure(MethodView):
    @procedures.arguments(s.VersionQuerySchema, location="query")
    @procedures.response(200, s.ProcedureSchema)
    def get(self, args, code):
        """Chi tiết thủ tục: phiên bản công bố mới nhất, hoặc ?version=n"""
        return views.procedure_detail(_db(), code, args.get("version"))


@procedures.route("/<code>/templates/<template_id>")
class ProcedureTemplate(MethodView):
    @procedures.arguments(s.VersionQuerySchema, location="query")
    @procedures.response(200, description="Tệp mẫu đơn, tờ khai")
    def get(self, args, code, template_id):
        """Tải mẫu đơn, tờ khai của thủ tục"""
        template = views.template_for_download(_db(), code, template_id, args.get("version"))
        try:
            stored = _storage().open(template["object_key"])
        except ObjectMissing:
            abort(404, f"Tệp mẫu đơn '{template_id}' chưa có trong kho lưu trữ.")
        filename = template["filename"]
        return Response(
            stored.chunks,
            mimetype=template["content_type"],
            headers={
                "Content-Length": str(stored.size),
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                "ETag": f'"{template["sha256"]}"',
            },
        )


@admin.route("/agencies")
class AdminAgencies(MethodView):
    @admin.doc(**ADMIN_DOC)
    @require_auth("admin")
    @admin.arguments(s.AgencyInputSchema)
    @admin.response(201, s.AgencySchema)
    def post(self, data):
        """Thêm cơ quan"""
        agency, _ = handlers.save_agency(_db(), data, create=True)
        return agency


@admin.route("/agencies/<code>")
class AdminAgency(MethodView):
    @admin.doc(**ADMIN_DOC)
    @require_auth("admin")
    @admin.arguments(s.AgencyInputSchema)
    @admin.response(200, s.AgencySchema)
    def put(self, data, code):
        """Sửa cơ quan"""
        if data["code"] != code:
            abort(422, errors={"code": ["Không được đổi mã định danh cơ quan."]})
        agency, _ = handlers.save_agency(_db(), data, create=False)
        return agency


@admin.route("/procedures")
class AdminProcedures(MethodView):
    @admin.doc(**ADMIN_DOC)
    @require_auth("admin")
    @admin.arguments(s.ProcedureInputSchema)
    @admin.response(201, s.ProcedureVersionsSchema)
    def post(self, definition):
        """Thêm thủ tục (phiên bản nháp 1)"""
        handlers.save_procedure(_db(), definition, create=True)
        return views.procedure_versions(_db(), definition["code"])


@admin.route("/procedures/<code>")
class AdminProcedure(MethodView):
    @admin.doc(**ADMIN_DOC)
    @require_auth("admin")
    @admin.response(200, s.ProcedureVersionsSchema)
    def get(self, code):
        """Mọi phiên bản của thủ tục, kể cả bản nháp"""
        return views.procedure_versions(_db(), code)

    @admin.doc(**ADMIN_DOC)
    @require_auth("admin")
    @admin.arguments(s.ProcedureInputSchema)
    @admin.response(200, s.ProcedureVersionsSchema)
    def put(self, definition, code):
        """Sửa thủ tục: sửa bản nháp, hoặc tạo bản nháp n+1 nếu bản mới nhất đã công bố"""
        if definition["code"] != code:
            abort(422, errors={"code": ["Không được đổi mã thủ tục."]})
        handlers.save_procedure(_db(), definition, create=False)
        return views.procedure_versions(_db(), code)


@admin.route("/procedures/<code>/publish")
class AdminPublish(MethodView):
    @admin.doc(**ADMIN_DOC)
    @require_auth("admin")
    @admin.response(200, s.ProcedureSchema)
    def post(self, code):
        """Công bố bản nháp mới nhất; phiên bản được công bố không thể sửa"""
        version = handlers.publish_procedure(_db(), code)
        return views.procedure_detail(_db(), code, version.version)


TEMPLATE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
}
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


@admin.route("/templates")
class AdminTemplates(MethodView):
    @admin.doc(**ADMIN_DOC)
    @require_auth("admin")
    @admin.arguments(s.TemplateFormSchema, location="form")
    @admin.arguments(s.TemplateUploadSchema, location="files")
    @admin.response(201, s.TemplateSchema)
    def post(self, form, files):
        """Tải lên (hoặc thay) một mẫu đơn, tờ khai để thủ tục tham chiếu"""
        upload = files["file"]
        filename = secure_filename(upload.filename or "")
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in TEMPLATE_TYPES:
            abort(422, errors={"file": ["Chỉ nhận tệp " + ", ".join(sorted(TEMPLATE_TYPES)) + "."]})
        data = upload.read(MAX_TEMPLATE_BYTES + 1)
        if not data or len(data) > MAX_TEMPLATE_BYTES:
            abort(422, errors={"file": ["Tệp mẫu đơn phải có nội dung và không quá 10 MB."]})
        meta = {**form, "filename": filename}
        handlers.store_template(_db(), _storage(), meta, data, TEMPLATE_TYPES[extension])
        return repository.get_template(_db(), form["id"])


BLUEPRINTS = (provinces, agencies, procedures, admin)
