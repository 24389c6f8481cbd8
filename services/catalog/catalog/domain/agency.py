"""Agency identifier codes (Decision 20/2020/QĐ-TTg, amended 2025) and agency rules.

A code reads ``LLL.KK.JJ.Xnn``: level 1 (``Xnn``: a ministry ``Gnn`` or a province ``Hnn``) is
on the right, then level 2 (``JJ``), level 3 (``KK``) and level 4 (``LLL``). Lower levels are
zero-filled, so a code's parent is the same code with its lowest non-zero level zeroed:
``000.01.31.H29`` → ``000.00.31.H29`` → ``000.00.00.H29``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AGENCY_CODE_RE = re.compile(r"^(?P<l4>\d{3})\.(?P<l3>\d{2})\.(?P<l2>\d{2})\.(?P<l1>[GH]\d{2})$")
PROVINCE_CODE_RE = re.compile(r"^\d{2}$")

AGENCY_KINDS = (
    "ubnd_tinh",  # provincial People's Committee (the level-1 root of a province)
    "trung_tam_phvhcc",  # Public Administration Service Centre
    "so",  # provincial department
    "co_quan_nganh_doc",  # vertically managed agency (police, social insurance…)
    "don_vi_truc_thuoc",  # unit under a department
    "ubnd_xa",  # commune / ward People's Committee
    "cong_an_xa",  # commune / ward police
    "bo_nganh",  # ministry
)

# What an agency is, as stored, returned by the API and carried by catalog.agency_changed.
AGENCY_FIELDS = (
    "code",
    "name",
    "kind",
    "province",
    "parent",
    "address",
    "phone",
    "email",
    "website",
    "active",
    "source_note",
)


def public_agency(document: dict) -> dict:
    """An agency's public fields (plus its derived ``ancestors`` and ``depth``)."""
    return {key: document.get(key) for key in (*AGENCY_FIELDS, "ancestors", "depth")}


@dataclass(frozen=True)
class AgencyCode:
    """A parsed, valid agency identifier code."""

    level1: str
    level2: str
    level3: str
    level4: str

    def __str__(self) -> str:
        return f"{self.level4}.{self.level3}.{self.level2}.{self.level1}"

    @property
    def depth(self) -> int:
        """1 for ``000.00.00.H29``, 2 for ``000.00.31.H29``, and so on."""
        if self.level4 != "000":
            return 4
        if self.level3 != "00":
            return 3
        if self.level2 != "00":
            return 2
        return 1

    @property
    def parent(self) -> AgencyCode | None:
        """The code of the agency one level up, or ``None`` for a level-1 code."""
        depth = self.depth
        if depth == 1:
            return None
        if depth == 4:
            return AgencyCode(self.level1, self.level2, self.level3, "000")
        if depth == 3:
            return AgencyCode(self.level1, self.level2, "00", "000")
        return AgencyCode(self.level1, "00", "00", "000")

    @property
    def ancestors(self) -> list[str]:
        """Codes of every agency above this one, level 1 first."""
        chain: list[str] = []
        parent = self.parent
        while parent is not None:
            chain.append(str(parent))
            parent = parent.parent
        return list(reversed(chain))


def agency_code_errors(code: object) -> list[str]:
    """Why ``code`` is not a valid agency code (empty when it is)."""
    if not isinstance(code, str):
        return ["Mã định danh cơ quan phải là chuỗi ký tự."]
    match = AGENCY_CODE_RE.match(code)
    if not match:
        return [
            "Mã định danh cơ quan không đúng định dạng 000.00.00.H00 "
            "(cấp 4.cấp 3.cấp 2.cấp 1, ví dụ 000.00.31.H29)."
        ]
    l4, l3, l2 = match["l4"], match["l3"], match["l2"]
    if (l4 != "000" and (l3 == "00" or l2 == "00")) or (l3 != "00" and l2 == "00"):
        return ["Mã định danh cơ quan có cấp dưới khác 0 nhưng cấp trên bằng 0."]
    return []


def parse_agency_code(code: str) -> AgencyCode:
    """Parse a code; raises ``ValueError`` with the Vietnamese reason when it is invalid."""
    errors = agency_code_errors(code)
    if errors:
        raise ValueError(errors[0])
    match = AGENCY_CODE_RE.match(code)
    assert match is not None
    return AgencyCode(match["l1"], match["l2"], match["l3"], match["l4"])


def is_valid_agency_code(code: object) -> bool:
    return not agency_code_errors(code)


def validate_agency(agency: dict) -> dict[str, list[str]]:
    """Field-level errors of an agency definition (structure is checked by the API schema)."""
    errors: dict[str, list[str]] = {}
    code_errors = agency_code_errors(agency.get("code"))
    if code_errors:
        errors["code"] = code_errors
    parent = agency.get("parent")
    if parent is not None:
        parent_errors = agency_code_errors(parent)
        if parent_errors:
            errors["parent"] = parent_errors
        elif not code_errors:
            derived = parse_agency_code(agency["code"]).parent
            if derived is None or str(derived) != parent:
                expected = str(derived) if derived else "không có (cơ quan cấp 1)"
                errors["parent"] = [f"Cơ quan cấp trên phải là {expected} theo mã định danh."]
    elif not code_errors and parse_agency_code(agency["code"]).depth > 1:
        errors["parent"] = ["Cơ quan cấp 2 trở xuống phải có cơ quan cấp trên."]
    province = agency.get("province")
    if province is not None and not (
        isinstance(province, str) and PROVINCE_CODE_RE.match(province)
    ):
        errors["province"] = ["Mã tỉnh/thành phố gồm 2 chữ số (Quyết định 19/2025), ví dụ 79."]
    kind = agency.get("kind")
    if kind is not None and kind not in AGENCY_KINDS:
        errors["kind"] = ["Loại cơ quan không hợp lệ; một trong: " + ", ".join(AGENCY_KINDS) + "."]
    if not str(agency.get("name") or "").strip():
        errors["name"] = ["Tên cơ quan là bắt buộc."]
    return errors
