"""Turn a procedure record as published on the public portals into catalog fields.

The record's text is kept word for word (after NFC normalisation). Portal "documents" whose
count is ``0 bản chính`` are guidance, not papers to submit: they become notes, unless the
portal's notes already carry them.
"""

from __future__ import annotations

import re
from typing import Any

from catalog.domain.procedure import CHANNELS
from catalog.domain.text import deep_nfc

# Scans or photos of papers; a seed entry can narrow these per component.
DEFAULT_FILE_TYPES = ("pdf", "jpg", "jpeg", "png")
DEFAULT_MAX_SIZE_MB = 10
_CHANNEL_BY_LABEL = {label: channel for channel, label in CHANNELS.items()}
_DAYS_RE = re.compile(r"(\d+)\s*ngày", re.IGNORECASE)
_PAREN_DAYS_RE = re.compile(r"\((\d+)\)\s*ngày", re.IGNORECASE)
_MONEY_RE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:VNĐ|đồng|VND|đ)", re.IGNORECASE)
_ORIGINAL_RE = re.compile(r"(\d+)\s*bản chính|bản chính:\s*(\d+)", re.IGNORECASE)
_COPY_RE = re.compile(r"(\d+)\s*bản sao|bản sao[^:\d]*:\s*(\d+)", re.IGNORECASE)
# A portal document is conditional when it opens with "Trường hợp…" or says "(nếu…)".
_OPTIONAL_MARKERS = ("(nếu", "nếu có", "áp dụng riêng")


def portal_code(record_id: str) -> str:
    """``PROC_1_001193`` → ``1.001193``."""
    return record_id.removeprefix("PROC_").replace("_", ".", 1)


def processing_days(time_text: str, description: str = "") -> int | None:
    """Working days from the portal's wording; ``None`` when it gives no number."""
    for text, pattern in (
        (time_text, _DAYS_RE),
        (description, _PAREN_DAYS_RE),
        (description, _DAYS_RE),
    ):
        match = pattern.search(text or "")
        if match:
            return int(match.group(1))
    return None


def fee_vnd(fee_text: str) -> int | None:
    """The first amount in đồng; 0 for "Miễn phí"; ``None`` when the portal has no figure."""
    text = (fee_text or "").strip()
    if text.lower().startswith(("miễn", "không thu")):
        return 0
    match = _MONEY_RE.search(text)
    return int(match.group(1).replace(".", "")) if match else None


def copies(count_text: str) -> tuple[int, int]:
    """(originals, copies) from e.g. ``"1 bản chính,\\n1 bản sao"`` or ``"Bản chính: 1"``."""

    def first(pattern: re.Pattern[str]) -> int:
        match = pattern.search(count_text or "")
        return int(next(g for g in match.groups() if g is not None)) if match else 0

    return first(_ORIGINAL_RE), first(_COPY_RE)


def _looks_optional(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("trường hợp") or any(
        marker in lowered for marker in _OPTIONAL_MARKERS
    )


def components(documents: list[dict[str, str]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Dossier components (numbered ``tp-1``…) and the guidance lines found among documents."""
    found: list[dict[str, Any]] = []
    guidance: list[str] = []
    for document in documents:
        name, count_text = document["ten_giay_to"].strip(), document.get("so_luong", "")
        originals, duplicates = copies(count_text)
        if originals == 0 and duplicates == 0:
            guidance.append(name)
            continue
        found.append(
            {
                "code": f"tp-{len(found) + 1}",
                "name": name,
                "required": not _looks_optional(name),
                "copies_original": originals,
                "copies_copy": duplicates,
                "copies_text": count_text,
                "file_types": list(DEFAULT_FILE_TYPES),
                "max_size_mb": DEFAULT_MAX_SIZE_MB,
            }
        )
    return found, guidance


def methods(execution_methods: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "channel": _CHANNEL_BY_LABEL[method["method"]],
            "processing_days": processing_days(
                method["processing_time"], method.get("description", "")
            ),
            "processing_time_text": method["processing_time"],
            "fee_vnd": fee_vnd(method["fee"]),
            "fee_text": method["fee"],
            "description": method.get("description", ""),
        }
        for method in execution_methods
    ]


def from_portal(record: dict[str, Any]) -> dict[str, Any]:
    """Catalog fields taken from one portal record."""
    record = deep_nfc(record)  # type: ignore[assignment]
    procedure = record["procedure"]
    found, guidance = components(procedure["documents"])
    notes = list(procedure.get("notes") or [])
    joined = " ".join(notes)
    notes += [line for line in guidance if line not in joined]
    eligibility = procedure.get("eligibility", "").strip()
    relations = record.get("relations") or {}
    return {
        "code": record["national_code"],
        "name": procedure["name"],
        "field": record["domain"],
        "kind": record.get("procedure_type", ""),
        "government_level": (record.get("jurisdiction") or {}).get("level", ""),
        "applicants": record["target_audience"],
        "conditions": [] if eligibility in {"", "Không", "Không có thông tin"} else [eligibility],
        "components": found,
        "steps": procedure["steps"],
        "notes": notes,
        "performing_authority": procedure.get("authority", ""),
        "methods": methods(procedure["execution_methods"]),
        "related": {
            key: [portal_code(item) for item in relations.get(key) or []]
            for key in ("prerequisites", "next_steps", "part_of", "sub_procedures")
        },
        "life_events": record.get("life_event") or [],
        "source": {
            "name": record["source"]["name"],
            "url": record["source"]["url"],
            "last_updated": record["source"].get("last_updated", ""),
        },
    }
