"""HTTP routes of the tracking service (mounted at ``/api/tracking/`` by the gateway)."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from servicekit.auth import current_claims, require_auth
from servicekit.errors import abort
from tracking import repository, views
from tracking.api.cccd_access import audit_staff_lookup, cccd_access, limit_staff_lookup
from tracking.api.limits import enforce_lookup_limit
from tracking.api.schemas import (
    CodeSchema,
    DossierTimelineSchema,
    LookupProofHeaderSchema,
    LookupQuerySchema,
    LookupResponseSchema,
    StatsQuerySchema,
    StatsSchema,
)
from tracking.domain.access import is_staff, may_see_in_full
from tracking.domain.privacy import hash_cccd

blp = Blueprint("tracking", __name__, description="Tra cứu hồ sơ, tiến trình và thống kê")


def _db():
    return current_app.extensions["db"]


@blp.route("/lookup")
class Lookup(MethodView):
    @blp.arguments(LookupQuerySchema, location="query")
    @blp.response(200, LookupResponseSchema)
    @blp.alt_response(401, response="DEFAULT_ERROR",
                      description="Tra cứu theo CCCD cần đăng nhập hoặc mã xác minh")
    @blp.alt_response(403, response="DEFAULT_ERROR")
    @blp.alt_response(404, response="DEFAULT_ERROR")
    @blp.alt_response(422, response="DEFAULT_ERROR")
    @blp.alt_response(429, response="DEFAULT_ERROR", description="Quá nhiều lần tra cứu")
    @blp.arguments(LookupProofHeaderSchema, location="headers")
    def get(self, query, headers):
        """Tra cứu hồ sơ theo mã hồ sơ hoặc số CCCD

        Theo mã hồ sơ: ai cũng tra được (tên người nộp che một phần). Theo số CCCD: chỉ
        chính chủ — đã xác minh bằng mã OTP (tiêu đề X-Lookup-Proof) hoặc đã đăng nhập (chỉ
        các hồ sơ mình đã nộp); cán bộ bị giới hạn số lần và mọi lần tra đều được ghi nhật ký.
        """
        claims = current_claims()
        settings = current_app.extensions["settings"]
        cipher = current_app.extensions["pii_cipher"]
        if "code" in query:
            if not is_staff(claims):
                enforce_lookup_limit(claims)
            results = views.lookup_by_code(_db(), query["code"], claims, cipher)
            if not results:
                abort(404, f"Không tìm thấy hồ sơ có mã {query['code']}. "
                           "Vui lòng kiểm tra lại mã trên giấy tiếp nhận.")
            return {"results": results}
        access = cccd_access(claims, query["cccd"], headers.get("proof"))
        cccd_hash = hash_cccd(query["cccd"], settings.cccd_hash_key)
        if access.staff:
            limit_staff_lookup(claims, cccd_hash)
        else:
            enforce_lookup_limit(claims)
        results = views.lookup_by_cccd(_db(), cccd_hash, claims, cipher, admits=access.admits,
                                       proven=access.proven)
        if access.staff:
            audit_staff_lookup(claims, cccd_hash, len(results))
        if not results:
            abort(404, "Không tìm thấy hồ sơ nào của bạn theo số định danh cá nhân này."
                  if access.owner else "Không tìm thấy hồ sơ nào của số định danh cá nhân này.")
        return {"results": results}


@blp.route("/dossiers/<code>/timeline")
class Timeline(MethodView):
    @blp.response(200, DossierTimelineSchema)
    @blp.alt_response(401, response="DEFAULT_ERROR")
    @blp.alt_response(403, response="DEFAULT_ERROR")
    @blp.alt_response(404, response="DEFAULT_ERROR")
    @blp.doc(security=[{"bearerAuth": []}])
    @require_auth()
    def get(self, code):
        """Tiến trình xử lý một hồ sơ (chủ hồ sơ, cán bộ cơ quan tiếp nhận, quản trị)"""
        errors = CodeSchema().validate({"code": code.strip().upper()})
        if errors:
            abort(422, errors=errors)
        matches = repository.views_by_code(_db(), code.strip().upper())
        if not matches:
            abort(404, f"Không tìm thấy hồ sơ có mã {code}.")
        claims = current_claims()
        view = next((v for v in matches if may_see_in_full(v, claims)), None)
        if view is None:
            abort(403, "Bạn không có quyền xem tiến trình của hồ sơ này.")
        return views.dossier_timeline(_db(), view, claims)


@blp.route("/stats")
class Stats(MethodView):
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, StatsSchema)
    @blp.alt_response(403, response="DEFAULT_ERROR")
    @blp.doc(security=[{"bearerAuth": []}])
    @require_auth("officer", "admin")
    def get(self, query):
        """Thống kê tiếp nhận và giải quyết đúng hạn theo cơ quan và tỉnh/thành phố

        Cán bộ chỉ xem được số liệu của cơ quan mình; quản trị xem mọi cơ quan.
        """
        claims = current_claims()
        agency = query.get("agency")
        if claims.get("role") == "officer":
            own = claims.get("agency")
            if not own or (agency and agency != own):
                abort(403, "Cán bộ chỉ được xem thống kê của cơ quan mình.")
            agency = own
        return views.statistics(_db(), agency=agency, province=query.get("province"),
                                start=query.get("from_"), end=query.get("to"))
