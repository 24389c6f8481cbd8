"""Who a dossier is for, and who filed it (issue 20, finding 1).

A citizen files in their own name: the applicant's identity — CCCD, full name, date of
birth — is the verified identity of their account (identity's events), read-only. A
``PATCH`` that names anyone else in ``applicant`` is refused (422); the e-form's fields that
carry the applicant's identity (those whose ``prefill`` is one of these keys) always hold the
bound values, whatever is sent for them.

Filing for someone else is a **proxy filing** (``filed_for``): the applicant is then the
person the dossier is for — it is indexed (code lookups, events, tracking) under them — and
``filer`` keeps the verified identity of the account holder who filed, shown to officers. The
written authorisation (văn bản ủy quyền) becomes a required component. Pure functions over the
aggregate: no I/O.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from .cccd import cccd_problem
from .errors import IllegalTransition, InvalidInput
from .status import Status

IDENTITY_KEYS = ("cccd", "full_name", "date_of_birth")
AUTHORISATION_CODE = "giay_uy_quyen"
AUTHORISATION_COMPONENT = {
    "code": AUTHORISATION_CODE,
    "name": "Văn bản ủy quyền (giấy ủy quyền) của người được nộp thay",
    "required": True,
    "allowed_types": ["pdf", "jpg", "png"],
    "max_size": None,
    "authorisation": True,
}
_LABELS = {"cccd": "số định danh cá nhân", "full_name": "họ và tên",
           "date_of_birth": "ngày sinh"}
READ_ONLY = ("Thông tin định danh của người nộp (họ tên, số định danh, ngày sinh) lấy từ tài "
             "khoản đã xác thực và không sửa được. Nộp hồ sơ cho người khác: chọn nộp thay "
             "(filed_for) và đính kèm văn bản ủy quyền.")
NOT_PROXY_OF_SELF = "Đây là thông tin của chính bạn; không cần nộp thay."


def identity_of(person: dict[str, Any] | None) -> dict[str, Any]:
    return {k: person[k] for k in IDENTITY_KEYS if person and person.get(k)}


def is_proxy(dossier) -> bool:
    return bool(dossier.filer)


def bound_identity(dossier, verified: dict[str, Any] | None) -> dict[str, Any]:
    """The identity the dossier's applicant must carry: once submitted, the one it was
    received with (frozen); before, the person filed for (proxy), else the account's verified
    identity (empty while it has not arrived from identity)."""
    if dossier.status is not Status.DRAFT or is_proxy(dossier):
        return identity_of(dossier.applicant)
    return identity_of(verified)


def components(procedure_components: list[dict[str, Any]], proxy: bool) -> list[dict[str, Any]]:
    """The procedure's components; for a proxy filing the authorisation is required (marked
    ``authorisation``): the procedure's own component for it when it has one (a "văn bản ủy
    quyền" component, optional when one files for oneself), else ``giay_uy_quyen``."""
    if not proxy:
        return list(procedure_components)
    own = next((c for c in procedure_components if is_authorisation(c)), None)
    if own is None:
        return [*procedure_components, AUTHORISATION_COMPONENT]
    return [{**c, "required": True, "authorisation": True} if c is own else c
            for c in procedure_components]


def is_authorisation(component: dict[str, Any]) -> bool:
    if component.get("code") == AUTHORISATION_CODE:
        return True
    name = unicodedata.normalize("NFC", str(component.get("name") or "")).lower()
    name = name.replace("uỷ", "ủy")
    return name.startswith(("văn bản ủy quyền", "giấy ủy quyền"))


def check_applicant_input(given: dict[str, Any] | None, bound: dict[str, Any]) -> None:
    """Refuse identity values in ``applicant`` that differ from the bound ones."""
    errors = {
        f"applicant.{key}": [f"Không sửa được {_LABELS[key]} của người nộp. {READ_ONLY}"]
        for key in IDENTITY_KEYS
        if (given or {}).get(key) not in (None, "") and key in bound
        and str(given[key]) != str(bound[key])
    }
    if errors:
        raise InvalidInput(READ_ONLY, errors)


def without_identity(applicant: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in applicant.items() if k not in IDENTITY_KEYS}


def bind(dossier, verified: dict[str, Any] | None,
         identity: dict[str, Any] | None = None) -> None:
    """Put the bound identity (``identity``, by default the one ``bound_identity`` gives
    now) on the applicant and in the e-form's identity fields; for a proxy draft, refresh the
    filer from the account's verified identity."""
    if identity is None:
        identity = bound_identity(dossier, verified)
    if is_proxy(dossier) and verified and dossier.status is Status.DRAFT:
        dossier.filer = identity_of(verified)
    dossier.applicant = {**without_identity(dossier.applicant), **identity}
    dossier.form_data = bind_form(dossier.procedure.get("eform") or {}, dossier.form_data,
                                  identity)


def bind_form(eform: dict[str, Any], form_data: dict[str, Any],
              identity: dict[str, Any]) -> dict[str, Any]:
    bound = dict(form_data)
    for definition in eform.get("fields", []):
        key = definition.get("prefill")
        if key in IDENTITY_KEYS:
            if identity.get(key):
                bound[definition["name"]] = identity[key]
            else:  # not known yet: nothing typed there counts
                bound.pop(definition["name"], None)
    return bound


def identity_form_fields(eform: dict[str, Any]) -> set[str]:
    return {d["name"] for d in eform.get("fields", []) if d.get("prefill") in IDENTITY_KEYS}


def file_for(dossier, filed_for: dict[str, Any] | None, verified: dict[str, Any]) -> None:
    """Make the draft a proxy filing for ``filed_for`` (cccd, full_name, date_of_birth), or
    (``None``) the account holder's own filing again."""
    if dossier.status is not Status.DRAFT:
        raise IllegalTransition("Chỉ chọn nộp thay khi hồ sơ đang soạn.")
    if filed_for is None:
        dossier.filer = {}
        dossier.applicant = without_identity(dossier.applicant)
        return
    person = identity_of(filed_for)
    missing = {f"filed_for.{k}": [f"Vui lòng nhập {_LABELS[k]} của người được nộp thay."]
               for k in IDENTITY_KEYS if k not in person}
    if missing:
        raise InvalidInput("Thiếu thông tin người được nộp thay.", missing)
    from datetime import date

    problem = cccd_problem(person["cccd"], date.fromisoformat(str(person["date_of_birth"])))
    if problem:
        raise InvalidInput(problem, {"filed_for.cccd": [problem]})
    if person["cccd"] == verified.get("cccd"):
        raise InvalidInput(NOT_PROXY_OF_SELF, {"filed_for.cccd": [NOT_PROXY_OF_SELF]})
    dossier.filer = identity_of(verified)
    dossier.applicant = {**without_identity(dossier.applicant), **person}
