"""Procedure search: precomputed folded text and ranking.

Ranking tiers, best first: the query is the procedure's exact code; the name starts with the
query; every query word is in the name; every query word is in the name, field or keywords.
Inside a tier, shorter names come first, then codes in order. Matching ignores case and
Vietnamese diacritics; the last query word may be a prefix (people search while typing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from catalog.domain.text import fold, words

# Portal names often start with "Thủ tục …"; people search without it.
_NAME_LEAD = "thu tuc "


class Tier(IntEnum):
    KEYWORDS = 1
    NAME_WORDS = 2
    NAME_PREFIX = 3
    EXACT_CODE = 4


def name_key(name: str) -> str:
    folded = fold(name)
    return folded[len(_NAME_LEAD) :] if folded.startswith(_NAME_LEAD) else folded


def search_fields(definition: dict[str, Any]) -> dict[str, str]:
    """Folded fields stored on each procedure document so the store can pre-filter."""
    keywords = " ".join(fold(k) for k in definition.get("keywords") or [])
    name_norm = name_key(definition.get("name", ""))
    field_norm = fold(definition.get("field", ""))
    return {
        "name_norm": name_norm,
        "keywords_norm": keywords,
        "search_text": " ".join(p for p in (name_norm, field_norm, keywords) if p),
    }


def candidate_regex(query: str) -> str | None:
    """A ``$regex`` for ``search_text`` that every match satisfies (its longest word), or
    ``None`` when the query has no words (e.g. only a code, which is matched exactly)."""
    query_words = words(query)
    if not query_words:
        return None
    return max(query_words, key=len)


def _all_words_in(query_words: Sequence[str], text_words: set[str], text: str) -> bool:
    *whole, last = query_words
    if any(word not in text_words for word in whole):
        return False
    return last in text_words or any(w.startswith(last) for w in text.split())


def tier(query: str, doc: dict[str, Any]) -> Tier | None:
    """Which tier ``doc`` (with ``code`` and the :func:`search_fields`) falls in, if any."""
    raw = query.strip().lower()
    if raw and raw == str(doc.get("code", "")).lower():
        return Tier.EXACT_CODE
    query_words = words(query)
    if not query_words:
        return None
    folded_query = " ".join(query_words)
    name = doc.get("name_norm", "")
    if name.startswith(folded_query):
        return Tier.NAME_PREFIX
    if _all_words_in(query_words, set(name.split()), name):
        return Tier.NAME_WORDS
    text = doc.get("search_text", "")
    if _all_words_in(query_words, set(text.split()), text):
        return Tier.KEYWORDS
    return None


def rank(query: str, docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents that match ``query``, best first."""
    scored = [(t, doc) for doc in docs if (t := tier(query, doc)) is not None]
    scored.sort(
        key=lambda pair: (-pair[0], len(pair[1].get("name_norm", "")), pair[1].get("code", ""))
    )
    return [doc for _, doc in scored]
