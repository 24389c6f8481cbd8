"""Versioned message templates per (event type, channel) and their safe rendering.

Placeholders use ``string.Template`` syntax (``$name`` or ``${name}``): no attribute access,
no expressions, nothing a template author can execute. Values are HTML-escaped when they go
into the HTML part. A template that uses a placeholder its event does not provide is rejected
when it is saved, never at send time.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from notify.domain.events import EVENT_SPECS
from notify.domain.sms import strip_diacritics

SECRET_MASK = "******"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    IN_APP = "in_app"


# Which parts each channel's template has.
CHANNEL_PARTS: dict[Channel, tuple[str, ...]] = {
    Channel.EMAIL: ("subject", "text", "html"),
    Channel.SMS: ("text",),
    Channel.IN_APP: ("subject", "text"),
}


class TemplateError(ValueError):
    """A template is invalid; ``errors`` maps a field to its problems (Vietnamese text)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class MessageTemplate:
    event_type: str
    channel: Channel
    text: str
    subject: str = ""
    html: str = ""
    version: int = 0

    @property
    def key(self) -> tuple[str, Channel]:
        return (self.event_type, self.channel)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def placeholders_used(source: str) -> set[str]:
    """Placeholder names in ``source``; raises ``ValueError`` on malformed ``$`` syntax."""
    tpl = string.Template(source)
    if not tpl.is_valid():
        raise ValueError("cú pháp biến không hợp lệ (dùng $ten hoặc ${ten}; $$ để viết $)")
    return set(tpl.get_identifiers())


def validate(template: MessageTemplate) -> None:
    """Reject a template its event cannot fill; raises :class:`TemplateError`."""
    errors: dict[str, list[str]] = {}
    spec = EVENT_SPECS.get(template.event_type)
    if spec is None:
        raise TemplateError({"event_type": [f"loại sự kiện không hỗ trợ: {template.event_type}"]})
    parts = CHANNEL_PARTS[Channel(template.channel)]
    for part in ("subject", "text", "html"):
        source = getattr(template, part)
        if part not in parts:
            if source:
                errors.setdefault(part, []).append("kênh này không dùng phần nội dung này")
            continue
        if not source.strip():
            errors.setdefault(part, []).append("không được để trống")
            continue
        try:
            unknown = placeholders_used(source) - spec.placeholders
        except ValueError as exc:
            errors.setdefault(part, []).append(str(exc))
            continue
        if unknown:
            errors.setdefault(part, []).append(
                "biến không được sự kiện cung cấp: " + ", ".join(sorted(unknown))
            )
    if "\n" in template.subject:
        errors.setdefault("subject", []).append("tiêu đề chỉ được một dòng")
    if errors:
        raise TemplateError(errors)


def next_version(template: MessageTemplate, current: MessageTemplate | None) -> MessageTemplate:
    """Validate ``template`` and number it after ``current`` (the latest saved version)."""
    validate(template)
    return replace(template, version=(current.version if current else 0) + 1)


def render(
    template: MessageTemplate,
    values: Mapping[str, str],
    *,
    mask_secrets: bool = False,
    sms_without_diacritics: bool = False,
) -> RenderedMessage:
    """Fill ``template``; with ``mask_secrets`` secret values (OTP codes) become ``******``."""
    spec = EVENT_SPECS[template.event_type]
    filled = {name: str(values.get(name, "")) for name in spec.placeholders}
    if mask_secrets:
        filled.update({name: SECRET_MASK for name in spec.secrets})
    escaped = {name: html.escape(value) for name, value in filled.items()}
    text = _fill_lines(template.text, filled)
    if template.channel == Channel.SMS and sms_without_diacritics:
        text = strip_diacritics(text)
    return RenderedMessage(
        subject=" ".join(string.Template(template.subject).substitute(filled).split()),
        text=text,
        html=_fill(template.html, escaped).replace("<p></p>", "") if template.html else "",
    )


def _fill(source: str, values: Mapping[str, str]) -> str:
    return string.Template(source).substitute(values)


def _fill_lines(source: str, values: Mapping[str, str]) -> str:
    """Fill line by line, dropping lines that only held an optional value left empty."""
    lines = []
    for line in source.split("\n"):
        filled = _fill(line, values)
        if filled.strip() or not string.Template(line).get_identifiers():
            lines.append(filled)
    return "\n".join(lines)
