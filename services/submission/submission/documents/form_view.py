"""A printable HTML view of the filled e-form (level 2: print, sign, bring to the counter)."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment, PackageLoader, select_autoescape

from ..domain.cccd import mask_cccd
from ..domain.model import Dossier
from .pdfkit import vn_date_line

_env = Environment(
    loader=PackageLoader("submission.documents", "templates"),
    autoescape=select_autoescape(["html"]),
)


def _display(definition: dict, value) -> str:
    if value in (None, "", []):
        return ""
    options = {}
    for option in definition.get("options") or []:
        if isinstance(option, dict):
            options[str(option["value"])] = option.get("label") or str(option["value"])
    kind = definition.get("type")
    if kind == "date":
        try:
            return datetime.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind == "checkbox" and isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        return ", ".join(options.get(str(v), str(v)) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return options.get(str(value), str(value))


def form_html(dossier: Dossier, printed_at: datetime) -> str:
    definitions = dossier.procedure.get("eform", {}).get("fields", [])
    rows = [{"label": d.get("label") or d["name"],
             "value": _display(d, dossier.form_data.get(d["name"]))} for d in definitions]
    return _env.get_template("form.html").render(
        dossier=dossier,
        rows=rows,
        applicant=dossier.effective_applicant,
        applicant_cccd=mask_cccd(dossier.effective_applicant.get("cccd") or ""),
        printed_on=vn_date_line(printed_at),
    )
