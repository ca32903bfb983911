"""Label normalisation: the form in which row, column and section labels are compared.

``label_key`` removes whitespace, numbering (一、 (一) 1. (1) ① 其中:), parenthetical notes (also one left
open by truncation) and punctuation, so that ``(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)``,
``一、主动公开政府信息数`` and ``主动公开政府信息数`` compare equal. Full-width forms are folded (NFKC) first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(
    rf"^(?:[{_CN_NUM}]+[、.]|\([{_CN_NUM}]+\)|[{_CN_NUM}]+\)|\d{{1,2}}(?:[.、](?!\d)|\s*\.(?!\d))|\(\d{{1,2}}\)|\d{{1,2}}\)|[\u2460-\u2473]|其中[:]?)"
)
_PAREN = re.compile(r"\([^()]*\)")
_OPEN_PAREN = re.compile(r"\([^()]*$")
_PUNCT = re.compile(r"[\s\u200b\u200c\u200d\ufeff\u00ad,，、。.:：;；!?“”\"'‘’《》<>\[\]【】「」·•|—\-_~*#=/\\]+")


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Comparable form of a label (see module docstring)."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    while True:
        m = _NUMBERING.match(s)
        if not m or m.end() == 0:
            break
        s = s[m.end() :]
    s = _PAREN.sub("", s)
    s = _PAREN.sub("", s)  # nested once
    s = _OPEN_PAREN.sub("", s)
    s = s.replace(")", "").replace("(", "")
    return _PUNCT.sub("", s)


@lru_cache(maxsize=65536)
def strip_numbering(text: str) -> str:
    """The label without leading numbering, keeping everything else (for display)."""
    s = text.strip()
    while True:
        m = _NUMBERING.match(s)
        if not m or m.end() == 0:
            return s
        s = s[m.end() :].lstrip()
