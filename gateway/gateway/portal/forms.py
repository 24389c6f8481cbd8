"""Form helpers: field ids, errors next to their field, the summary at the top of the page."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

GENERAL = "_"


def field_id(name: str) -> str:
    """The HTML id of the input named ``name`` (``applicant.cccd`` → ``f-applicant-cccd``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


@dataclass
class FormErrors:
    """Messages per input name, in the order the inputs appear on the page."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    anchors: dict[str, str] = field(default_factory=dict)  # input name → link target

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def get(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def summary(self, order: Iterable[str] = ()) -> list[tuple[str | None, str]]:
        """``(href, message)`` pairs for the error summary; inputs first, in page order."""
        names = [n for n in order if n in self.fields]
        names += [n for n in self.fields if n not in names]
        items: list[tuple[str | None, str]] = [(None, m) for m in self.general]
        for name in names:
            href = self.anchors.get(name, "#" + field_id(name))
            items += [(href, message) for message in self.fields[name]]
        return items


def from_service(errors: Mapping[str, list[str]], message: str | None = None,
                 rename: Callable[[str], str | None] = lambda key: key) -> FormErrors:
    """Put a service's ``{"errors": {field: [...]}}`` on the page's inputs.

    ``rename`` maps a service field to the input name on this page (None: not on the page,
    so the message goes to the summary only).
    """
    result = FormErrors()
    for key, messages in errors.items():
        name = rename(key) if key != GENERAL else None
        for text in messages:
            if name:
                result.add(name, text)
            else:
                result.general.append(text)
    if not result and message:
        result.general.append(message)
    return result


def required(form: Mapping[str, str], labels: Mapping[str, str]) -> FormErrors:
    """Portal-side check that each named input was filled (the service checks again)."""
    result = FormErrors()
    for name, label in labels.items():
        if not (form.get(name) or "").strip():
            result.add(name, f"Vui lòng nhập {label}.")
    return result
