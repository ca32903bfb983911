"""The report's prose: the sentences outside its tables, with their offsets, for the prose rules.

Hard-wrapped text (PDF text layers, fixed-width crawls) breaks sentences across lines; consecutive lines are
joined into one paragraph unless a line ends a sentence, and each sentence maps its characters back to the
document offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from xxgk.extract.report import Report
from xxgk.ingest.document import Block, BlockKind

_SENTENCE_END = re.compile(r"[。；;！!？?]")
_PROSE_HINT = re.compile(r"[。；;，,：:]")
_HEADING = re.compile(r"^\s*#*\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))")


@dataclass(slots=True)
class Sentence:
    """A sentence and, for each run of its characters, where that run starts in the document text."""

    text: str
    start: int
    segments: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, offset in document)

    def doc_offset(self, i: int) -> int:
        base_text, base_doc = 0, self.start
        for text_pos, doc_pos in self.segments:
            if text_pos > i:
                break
            base_text, base_doc = text_pos, doc_pos
        return base_doc + (i - base_text)


def _is_prose(block: Block) -> bool:
    if block.kind is BlockKind.TABLE or "|" in block.text:
        return False
    return len(block.text) >= 20 or bool(_PROSE_HINT.search(block.text))


def _paragraphs(report: Report) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    doc = report.document
    if doc is None:
        for text in report.narrative.values():
            yield text, [(0, 0)]
        return
    text = ""
    segments: list[tuple[int, int]] = []
    for block in doc.content_blocks():
        if not _is_prose(block):
            if text:
                yield text, segments
            text, segments = "", []
            continue
        line = block.text.strip()
        lead = block.text.find(line[:1]) if line else 0
        if text and (_SENTENCE_END.search(text[-1]) or _HEADING.match(line)):
            yield text, segments
            text, segments = "", []
        segments.append((len(text), block.start + lead))
        text += line
    if text:
        yield text, segments


def prose_sentences(report: Report) -> list[Sentence]:
    """Sentences of the non-table text (a flattened table line, with its pipes, is not prose); computed once."""
    cached = report.cache.get("prose_sentences")
    if cached is None:
        cached = report.cache["prose_sentences"] = list(_sentences(report))
    return list(cached)


def _sentences(report: Report) -> Iterator[Sentence]:
    for text, segments in _paragraphs(report):
        pos = 0
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        if not ends or ends[-1] < len(text):
            ends.append(len(text))
        for end in ends:
            piece = text[pos:end]
            if piece.strip():
                local = [(p - pos, d) for p, d in segments if pos <= p < end]
                first_doc = _map(segments, pos)
                yield Sentence(piece, first_doc, [(0, first_doc), *local])
            pos = end


def _map(segments: list[tuple[int, int]], i: int) -> int:
    base_text, base_doc = 0, segments[0][1] if segments else 0
    for text_pos, doc_pos in segments:
        if text_pos > i:
            break
        base_text, base_doc = text_pos, doc_pos
    return base_doc + (i - base_text)
