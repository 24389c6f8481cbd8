"""Read the seed files under ``seed/data`` into catalog records (no I/O beyond reading them)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.domain.text import deep_nfc
from catalog.seed.portal import from_portal

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class SeedData:
    provinces: list[dict[str, Any]]
    agencies: list[dict[str, Any]]
    templates: list[dict[str, Any]]
    procedures: list[dict[str, Any]]


def _read(path: Path) -> Any:
    return deep_nfc(json.loads(path.read_text(encoding="utf-8")))


def build_definition(entry: dict[str, Any], data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """A full procedure definition: portal text (when the entry names a portal record), then
    the entry's own fields, then its per-component additions (``component_extras``)."""
    definition: dict[str, Any] = {}
    if "portal" in entry:
        definition = from_portal(_read(data_dir / "portal" / entry["portal"]))
    definition.update(copy.deepcopy(entry["definition"]))
    extras = entry.get("component_extras") or {}
    by_code = {component["code"]: component for component in definition.get("components", [])}
    unknown = sorted(set(extras) - set(by_code))
    if unknown:
        raise ValueError(
            f"{definition.get('code')}: component_extras for unknown components {unknown}"
        )
    for component_code, extra in extras.items():
        by_code[component_code].update(extra)
    return definition


def load(data_dir: Path = DATA_DIR) -> SeedData:
    return SeedData(
        provinces=_read(data_dir / "provinces.json")["provinces"],
        agencies=_read(data_dir / "agencies.json")["agencies"],
        templates=_read(data_dir / "templates.json")["templates"],
        procedures=[
            build_definition(_read(path), data_dir)
            for path in sorted((data_dir / "procedures").glob("*.json"))
        ],
    )
