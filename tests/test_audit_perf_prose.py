"""The audit's quick paths give what the plain ones give: sentence splitting, the spam pre-test."""

from __future__ import annotations

import re

import pytest

from xxgk.audit.integrity.terms import spam_hint_pattern, spam_terms, spam_terms_pattern
from xxgk.audit.prose import _PIECE

_END = re.compile(r"[。；;！!？?]")


def _pieces_by_ends(text: str) -> list[str]:
    """The splitting the sentence builder did before: after each sentence end, and the rest."""
    ends = [m.end() for m in _END.finditer(text)]
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    out, pos = [], 0
    for end in ends:
        if text[pos:end]:
            out.append(text[pos:end])
        pos = end
    return out


@pytest.mark.parametrize(
    "text",
    ["", "。", "。。", "一句。两句；三句", "没有句号", "  。 ", "共收到申请5件。其中；!?？！x", "a\nb。\n", "。a"],
)
def test_pieces_split_after_each_sentence_end(text: str) -> None:
    assert _PIECE.findall(text) == _pieces_by_ends(text)


def test_spam_hint_passes_wherever_a_term_is_in_the_lowered_text() -> None:
    hint = spam_hint_pattern()
    assert hint is not None
    for term in spam_terms():
        for text in (term, term.upper(), f"前文{term.title()}后文", f"x{term.swapcase()}y"):
            if spam_terms_pattern().search(text.lower()):
                assert hint.search(text), (term, text)
    assert hint.search("本机关2019年共收到政府信息公开申请5件") is None
