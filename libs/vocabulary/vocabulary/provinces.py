"""The 34 provinces and 3,321 communes after the 2025 reform, from ``vietnam-provinces``.

Province codes are the two-digit national codes (``01`` Hà Nội … ``96`` Cà Mau); commune codes
are five digits. The package is pinned: a reform of the units is a release of this platform.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from vietnam_provinces import Province, Ward

MSG_PROVINCE = "Mã tỉnh/thành phố không hợp lệ."


class Unit(NamedTuple):
    code: str
    name: str
    kind: str  # "thành phố trung ương", "tỉnh", "phường", "xã", "đặc khu"
    province_code: str | None = None


@lru_cache(maxsize=1)
def provinces() -> dict[str, Unit]:
    """Province code → unit, in code order."""
    units = sorted(Province.iter_all(), key=lambda p: int(p.code))
    return {f"{int(p.code):02d}": Unit(f"{int(p.code):02d}", p.name, p.division_type.value)
            for p in units}


@lru_cache(maxsize=1)
def communes() -> dict[str, Unit]:
    """Commune (ward, commune, special zone) code → unit, with its province."""
    return {f"{int(w.code):05d}": Unit(f"{int(w.code):05d}", w.name, w.division_type.value,
                                       f"{int(w.province_code):02d}")
            for w in sorted(Ward.iter_all(), key=lambda w: int(w.code))}


def is_province_code(code: str) -> bool:
    return code in provinces()


def province_name(code: str) -> str | None:
    unit = provinces().get(code)
    return unit.name if unit else None


def province_problems(code: str) -> list[str]:
    return [] if is_province_code(code) else [MSG_PROVINCE]
