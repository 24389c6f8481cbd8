"""Which values of a dossier are personal data, decided from the procedure's e-form.

No list per procedure: the rule reads each field's definition. A value is kept in clear only
when its field offers a fixed choice or a count (``select``, ``radio``, ``checkbox``,
``number``) and does not stand for part of the profile (no ``prefill``). Everything the citizen
types — names, dates (birth, death), CCCD numbers of the applicant, the parents, a spouse or
the head of household, phones, emails, addresses, free text — is personal, and so is any value
whose field the definition does not know. A definition may say so itself with
``"personal": true`` or ``false``; that wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CHOICE_TYPES = frozenset({"select", "radio", "checkbox", "number"})


def is_personal_field(definition: Mapping[str, Any]) -> bool:
    declared = definition.get("personal")
    if isinstance(declared, bool):
        return declared
    return definition.get("type", "text") not in CHOICE_TYPES or bool(definition.get("prefill"))


def clear_field_names(eform: Mapping[str, Any] | None) -> frozenset[str]:
    """Names of the fields whose values may be stored in clear."""
    return frozenset(d["name"] for d in (eform or {}).get("fields", [])
                     if "name" in d and not is_personal_field(d))


def split_form(eform: Mapping[str, Any] | None, form_data: Mapping[str, Any]
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(clear values, personal values)`` of a form."""
    clear_names = clear_field_names(eform)
    clear = {k: v for k, v in form_data.items() if k in clear_names}
    personal = {k: v for k, v in form_data.items() if k not in clear_names}
    return clear, personal
