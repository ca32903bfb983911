"""Text normalisation with offset tracking: line ends, NFKC (full-width digits and punctuation), zero-width
characters, and traditional → simplified characters (OpenCC ``t2s``).

The fast path costs two C-level passes (``str.translate`` and ``unicodedata.is_normalized``); OpenCC only runs
on texts that contain a traditional character. Where a step changes the length of the text, an
:class:`~xxgk.ingest.document.OffsetMap` records how to find the source offsets again.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from xxgk.ingest.document import OffsetMap

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


@lru_cache(maxsize=1)
def _resizing_chars() -> re.Pattern[str]:
    """Pattern for the BMP characters whose NFKC image is not exactly one character (built once, lazily)."""
    resizing: list[str] = []
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if len(unicodedata.normalize("NFKC", ch)) != 1:
            resizing.append(ch)
    return re.compile("[" + "".join(re.escape(c) for c in resizing) + "]")


@lru_cache(maxsize=1)
def _changing_chars() -> re.Pattern[str]:
    """Pattern for the BMP characters NFKC changes (built once, lazily)."""
    changing: list[str] = []
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.normalize("NFKC", ch) != ch:
            changing.append(ch)
    return re.compile("[" + "".join(re.escape(c) for c in changing) + "]")


_MAX_REPLACED = 64


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, without normalising the whole text when only a few distinct
    characters need it (a report with non-breaking spaces or full-width punctuation).

    Each such character is replaced by its NFKC image, which leaves the text's NFKD, hence its NFKC, unchanged;
    if the result is then normalised it is the NFKC of the text, otherwise it is normalised in full.
    Characters outside the BMP (and any text the quick check cannot settle) take the full path.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    distinct = set(_changing_chars().findall(text))
    if len(distinct) > _MAX_REPLACED:
        return unicodedata.normalize("NFKC", text)
    out = text
    for ch in distinct:
        out = out.replace(ch, unicodedata.normalize("NFKC", ch))
    return out if unicodedata.is_normalized("NFKC", out) else unicodedata.normalize("NFKC", out)


def _offset_map(text: str, parent: OffsetMap | None) -> tuple[OffsetMap, int]:
    """Offsets for a text whose NFKC image differs in length (ligatures, ㎡, ㈠ …), and the length that image
    has if every character normalises on its own (no composition with its neighbours)."""
    offset_map = OffsetMap(parent=parent)
    anchors, deltas = offset_map.anchors, offset_map.deltas
    delta = 0  # source − normalised offset after the characters seen so far
    for m in _resizing_chars().finditer(text):
        growth = len(unicodedata.normalize("NFKC", m.group())) - 1
        start = m.start() - delta  # where the character's image starts in the normalised text
        for k in range(1, growth + 1):  # offsets inside an expansion (ﷲ → الله) map to the character itself
            anchors.append(start + k)
            deltas.append(m.start() - start - k)
        delta -= growth
        anchors.append(m.end() - delta)
        deltas.append(delta)
    return offset_map, len(text) - delta


def _normalize_by_cluster(text: str, parent: OffsetMap | None) -> tuple[str, OffsetMap]:
    """NFKC one cluster at a time (a character with the combining marks and Hangul jamo that follow it), for
    texts where characters compose (``e`` + U+0301 → ``é``) or lie outside the BMP: slower, offsets exact."""
    offset_map = OffsetMap(parent=parent)
    anchors, deltas = offset_map.anchors, offset_map.deltas
    parts: list[str] = []
    i, n, norm = 0, len(text), 0
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or "\u1160" <= text[j] <= "\u11ff"):
            j += 1
        image = unicodedata.normalize("NFKC", text[i:j])
        parts.append(image)
        if len(image) != j - i:
            for k in range(1, len(image)):  # inside an expansion: the cluster itself
                anchors.append(norm + k)
                deltas.append(i - norm - k)
            anchors.append(norm + len(image))
            deltas.append(j - norm - len(image))
        norm += len(image)
        i = j
    return "".join(parts), offset_map


@lru_cache(maxsize=1)
def _opencc_converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_pattern() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(_traditional_chars())) + "]")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters that OpenCC t2s changes, found once by converting the CJK blocks character by character."""
    converter = _opencc_converter()
    chars = [chr(cp) for cp in range(0x3400, 0xA000)]
    converted = converter.convert("\n".join(chars)).split("\n")  # type: ignore[attr-defined]
    if len(converted) != len(chars):  # pragma: no cover - defensive: never seen
        return frozenset()
    return frozenset(c for c, s in zip(chars, converted, strict=True) if s != c)


def has_traditional(text: str) -> bool:
    return _traditional_pattern().search(text) is not None


def to_simplified(text: str) -> str:
    """OpenCC t2s; the character count is kept, falling back to character-level conversion if needed."""
    if not has_traditional(text):
        return text
    out: str = _opencc_converter().convert(text)  # type: ignore[attr-defined]
    if len(out) == len(text):
        return out
    trad = _traditional_chars()
    converter = _opencc_converter()
    return "".join(
        (converter.convert(c) if c in trad else c)[:1] or c  # type: ignore[attr-defined]
        for c in text
    )


def normalize_text(text: str) -> tuple[str, OffsetMap | None]:
    """Normalise ``text`` and return it with the offset map (``None`` when offsets are unchanged).

    Line ends become ``\\n``; NFKC folds full-width digits, letters and punctuation (and U+3000) to ASCII;
    traditional characters become simplified. Zero-width characters are kept (see :func:`squash`).
    """
    offset_map: OffsetMap | None = None
    if "\r" in text:
        crlf = [m.start() for m in re.finditer("\r\n", text)]
        if crlf:
            offset_map = OffsetMap()
            for i, pos in enumerate(crlf):
                offset_map.anchors.append(pos - i + 1)
                offset_map.deltas.append(i + 1)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = nfkc(text)
    if len(out) != len(text):
        quick, expected = _offset_map(text, parent=offset_map)
        if expected == len(out):
            offset_map = quick
        else:  # characters composed with their neighbours, or changed size outside the BMP
            out, offset_map = _normalize_by_cluster(text, parent=offset_map)
    out = to_simplified(out)
    return out, offset_map


_SPACE_RE = re.compile("[\\s" + _ZERO_WIDTH + "]+")


def squash(text: str) -> str:
    """Remove all whitespace (labels are compared without it) and zero-width characters.

    ``str.split()`` cuts at exactly the characters ``\\s`` matches (``str.isspace``), much faster than a regex
    substitution over a whole document; none of the zero-width characters is whitespace.
    """
    out = "".join(text.split())
    for ch in _ZERO_WIDTH:
        if ch in out:
            out = out.replace(ch, "")
    return out
