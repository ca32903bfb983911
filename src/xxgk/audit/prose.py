"""The report's prose: the sentences outside its tables, with their offsets, for the prose rules.

Hard-wrapped text (PDF text layers, fixed-width crawls) breaks sentences across lines; consecutive lines are
joined into one paragraph unless a line ends a sentence, and each sentence maps its characters back to the
document offsets. A line that holds a whole report (a crawl that lost the line breaks) gives the prose between
its table cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from xxgk.extract.report import Report
from xxgk.ingest.document import RUN_ON_CHARS, Block, BlockKind

# A sentence: up to and including the next sentence end, or the rest of the paragraph (never empty).
_PIECE = re.compile(r"[^。；;！!？?]*[。；;！!？?]|[^。；;！!？?]+")
_SENTENCE_END_CHARS = frozenset("。；;！!？?")
_PROSE_HINT = re.compile(r"[。；;，,：:]")
_HEADING = re.compile(r"^\s*#*\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))")
# The characters a (stripped) line matching _HEADING can start with.
_HEADING_FIRST = frozenset("#一二三四五六七八九十(")


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
    parts: list[str] = []  # the lines of the paragraph being joined
    size = 0  # their total length
    segments: list[tuple[int, int]] = []
    table = BlockKind.TABLE
    hint = _PROSE_HINT.search
    ends = _SENTENCE_END_CHARS
    heading_first = _HEADING_FIRST
    heading = _HEADING.match
    for block in doc.blocks:
        if block.noise is not None:
            continue
        btext = block.text
        if block.kind is table or "|" in btext or (len(btext) < 20 and not hint(btext)):  # not prose
            if segments:  # (there are parts only with segments)
                if parts:
                    yield "".join(parts), segments
                    parts, size = [], 0
                segments = []
            if block.kind is not table and len(btext) >= RUN_ON_CHARS and "|" in btext:
                yield from _run_on_prose(btext, block.start)
            continue
        line = btext.strip()
        lead = len(btext) - len(btext.lstrip()) if line else 0
        if parts and (parts[-1][-1:] in ends or (line[:1] in heading_first and heading(line))):
            yield "".join(parts), segments
            parts, size, segments = [], 0, []
        segments.append((size, block.start + lead))
        if line:
            parts.append(line)
            size += len(line)
    if parts:
        yield "".join(parts), segments


def _run_on_prose(text: str, start: int) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """The prose between the table cells of a line that holds a whole report: each pipe-separated piece, cut
    before numbered headings, of 20 characters or more with a sentence or clause mark is a paragraph."""
    pos = 0
    for piece in text.split("|"):
        at = 0
        for part in _RUN_ON_HEADING.split(piece):  # (a heading began a paragraph)
            title = _RUN_ON_TITLE.match(part)
            if title:  # (a heading's own words, then its first paragraph)
                at += title.end()
                part = part[title.end() :]
            stripped = part.strip()
            if len(stripped) >= 20 and _PROSE_HINT.search(stripped):
                yield stripped, [(0, start + pos + at + part.index(stripped[0]))]
            at += len(part)
        pos += len(piece) + 1


# A numbered heading inside a run-on line: the empty match before it cuts the line (一、… （二）…); a heading
# whose title ends at a space rather than a full stop (三、需改进的问题 2018年,…) is not part of the paragraph.
_NUMBERING = r"(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])"
_RUN_ON_HEADING = re.compile(rf"(?<=\s)(?={_NUMBERING})")
_RUN_ON_TITLE = re.compile(rf"{_NUMBERING}[^\s。；;，,：:]{{1,30}}\s")


def prose_sentences(report: Report) -> list[Sentence]:
    """Sentences of the non-table text (a flattened table line, with its pipes, is not prose); computed once."""
    cached = report.cache.get("prose_sentences")
    if cached is None:
        cached = report.cache["prose_sentences"] = list(_sentences(report))
    return list(cached)


def _sentences(report: Report) -> Iterator[Sentence]:
    pieces_of = _PIECE.findall
    for text, segments in _paragraphs(report):
        pos = 0
        if len(segments) == 1:  # one line: its characters map to the document in one run
            doc_start = segments[0][1]
            for piece in pieces_of(text):
                if not piece.isspace():
                    first_doc = doc_start + pos
                    if pos == 0:
                        yield Sentence(piece, first_doc, [(0, first_doc), (0, doc_start)])
                    else:
                        yield Sentence(piece, first_doc, [(0, first_doc)])
                pos += len(piece)
            continue
        for piece in pieces_of(text):
            end = pos + len(piece)
            if not piece.isspace():
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
