"""SMS length in segments, and removing Vietnamese diacritics to send shorter SMS.

GSM 03.38 (GSM-7): 160 septets in one SMS, 153 per part of a concatenated SMS; characters of
the extension table (``^{}\\[~]|€`` and form feed) take two septets and are never split across
parts. Anything else forces UCS-2: 70 UTF-16 code units in one SMS, 67 per part.

Vietnamese: every letter with a Vietnamese diacritic forces UCS-2, including à, è, é, ì, ò, ù
which GSM-7 happens to contain. Vietnamese SMS gateways send accented ("có dấu") text as
Unicode, so we count it that way; the unaccented ("không dấu") form is what fits GSM-7.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of one segment for this message


def _vietnamese_accented_letters() -> frozenset[str]:
    bases = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    letters = {unicodedata.normalize("NFC", base + tone) for base in bases for tone in tones}
    letters |= {letter.upper() for letter in letters}
    letters |= {"đ", "Đ"}
    return frozenset(letter for letter in letters if not letter.isascii())


VIETNAMESE_ACCENTED = _vietnamese_accented_letters()


def has_vietnamese_diacritics(text: str) -> bool:
    """True when ``text`` has a Vietnamese letter with a mark (ă, ơ, ạ, é, đ...)."""
    return any(char in VIETNAMESE_ACCENTED for char in unicodedata.normalize("NFC", text))


def is_gsm7(text: str) -> bool:
    if has_vietnamese_diacritics(text):
        return False
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _gsm7_segments(text: str) -> tuple[int, int]:
    septets = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    if septets <= GSM7_SINGLE:
        return septets, 1 if text else 0
    segments, used = 1, 0
    for char in text:
        width = 2 if char in GSM7_EXTENSION else 1
        if used + width > GSM7_PART:  # an escape pair never straddles two parts
            segments, used = segments + 1, 0
        used += width
    return septets, segments


def _ucs2_segments(text: str) -> tuple[int, int]:
    units = len(text.encode("utf-16-le")) // 2
    if units <= UCS2_SINGLE:
        return units, 1 if text else 0
    segments, used = 1, 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1  # a surrogate pair stays in one part
        if used + width > UCS2_PART:
            segments, used = segments + 1, 0
        used += width
    return units, segments


def sms_length(text: str) -> SmsLength:
    """Encoding, size and number of segments ``text`` needs."""
    if is_gsm7(text):
        units, segments = _gsm7_segments(text)
        per = GSM7_SINGLE if segments <= 1 else GSM7_PART
        return SmsLength("GSM-7", units, segments, per)
    units, segments = _ucs2_segments(text)
    per = UCS2_SINGLE if segments <= 1 else UCS2_PART
    return SmsLength("UCS-2", units, segments, per)


def strip_diacritics(text: str) -> str:
    """``"Hồ sơ đã được tiếp nhận"`` → ``"Ho so da duoc tiep nhan"`` (đ→d, Đ→D)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped)
