"""Table text whose cells ran together (a crawl's ``textContent``) → cell tokens, found by the format's labels.

A crawler that saves a page's text puts nothing between table cells, and often nothing between rows::

    一、本年新收政府信息公开申请数量2626二、上年结转政府信息公开申请数量00三、本年度办理结果（一）予以公开2626…
    (一)主动公开政府信息数条67其中:主动公开规范性文件数条制发规范性文件总数件(二)…2.政府网站公开政府信息数条673.…

Separators are gone, so the rows are found by what the format says they are called, in the order the format
gives them. The labels are searched in a *key view* of the line (whitespace, punctuation and brackets left
out, the same folding :func:`~xxgk.formats.label_key` applies), and one chain of label occurrences is chosen
that is in the format's row order and covers the most label text (a longest weighted increasing chain). The
characters between two chosen labels are the first row's cells: a run of digits (split later, jointly with the
table's relations, by :mod:`xxgk.extract.solver`), blanks, units — and at its end the next label's numbering
glued to the figures (``…条673.政务微博…``: the ``3.`` is the next row's numbering; the format's own numbering
of that row, else the sequence, says how many digits it takes). A label followed directly by the next row's
label has blank cells that left nothing behind.

Everything the chain does not cover (prose, headings, table headers, the label-less table 四, rows the
format does not list) is handed back to the tokenizer as text, cut at the format's header words and at digit
runs, so that the ordinary table reader sees the same kind of token stream as for any flattened layout.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from xxgk.extract.tokens import UNITS, Kind, Token, parse_number
from xxgk.formats import Format, TableKind, get_format, label_key

# Characters the key view leaves out: what label_key strips as punctuation, plus whitespace and brackets
# (a bracket's content stays: 第二十条第（一）项 → 第二十条第一项).
_SKIP = frozenset(
    " \t\n\r\u3000\u00a0\u200b\u200c\u200d\ufeff\u00ad,，、。.:：;；!?“”\"'‘’《》<>[]【】「」·•|—-_~*#=/\\()（）"
)
_CJK_DIGIT = re.compile(r"[\u4e00-\u9fff][0-9]")
_UNIT_WORDS = tuple(u for u in UNITS if u != "%")  # the tokenizer's units that can stand after a row label
_UNIT_RE = "|".join(_UNIT_WORDS)
# Before a row's first cell: a note in brackets (区分处理的，只计这一情形…) and the row's unit (数条67).
# (a note cut short by the page, 专项经费(不包括用于政府公报编万元九、…, ends where the unit and the next row start)
_LEAD = re.compile(
    rf"(?:\s*\([^()]{{0,80}}?(?:\)|(?=(?:{_UNIT_RE})(?:[\d\s(]|$|[一二三四五六七八九十]+、))))*\s*(?P<unit>{_UNIT_RE})?"
)
# One cell, or a unit after a figure.
_CELL = re.compile(
    rf"\s*(?:(?P<num>[+-]?\d+(?:,\d{{3}})*(?:\.\d+)?(?:万元|元|%)?)|(?P<dash>[—―–]+|--?(?!\d)|/)"
    rf"|(?P<none>无(?![\u4e00-\u9fff]))|(?P<unit>{_UNIT_RE}))"
)
# The next row's numbering, glued after this row's figures: 2626二、 is handled as text; 002. and (3) here.
_DIGIT_NUMBERING = re.compile(r"(\d+)\s*[.、]\s*$")
_PAREN_NUMBERING = re.compile(r"\(\s*\d{1,2}\s*\)\s*$")
_DISPLAY_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.、．]")
_SENTENCE = frozenset("，。；！？,;!?")
_PROSE_MARKS = "。；;！？"
_GLUED_MIN_ROWS = 2
_LONGEST_NUMBER = 400  # a longer run of digits is no set of cells (and int() would refuse it)


def key_view(text: str) -> tuple[str, list[int]]:
    """The text without whitespace, punctuation and brackets, and each kept character's offset in ``text``."""
    skip = _SKIP
    positions = [i for i, c in enumerate(text) if c not in skip]
    return "".join([text[i] for i in positions]), positions


@dataclass(frozen=True, slots=True)
class _Row:
    slot: int  # the row's index among the reader's row slots (format order)
    key: str  # the row key
    parent: str | None
    numbering: str  # the row's own numbering as the statutory table prints it ("2" for 2.其他法律…)


@dataclass(frozen=True)
class Lexicon:
    """The label words of one format, as the stream reader searches them."""

    rows: tuple[tuple[str, _Row], ...]  # (label key, row), every variant
    marks: tuple[str, ...]  # header words, anchors, group labels: text that is not a row
    row_ends: dict[str, tuple[str, ...]]  # last two characters → row label keys of ≥ 3 characters
    mark_ends: dict[str, tuple[str, ...]]  # last two characters → header words

    def is_glued(self, text: str) -> bool:
        """Whether ``text`` holds table rows whose cells ran together: two row labels followed directly by
        figures, or a header of the format's words followed directly by a run of figures (table 四, whose rows
        have no labels: ``…尚未审结总计000110000000000``)."""
        rows, marks = self._glued(text)
        if rows >= _GLUED_MIN_ROWS:
            return True
        if not marks or any(c in text for c in _PROSE_MARKS):
            return False
        view = key_view(text)[0]
        return sum(1 for mark in self.marks if mark in view) >= 3

    def _glued(self, text: str) -> tuple[int, int]:
        rows = marks = 0
        for m in _CJK_DIGIT.finditer(text):
            end = m.start() + 1
            head = text[max(0, end - 30) : end]
            heads = [head]
            for unit in _UNIT_WORDS:  # (数条67: the row's unit between its label and the figure)
                if head.endswith(unit) and len(head) > len(unit):
                    heads.append(head[: -len(unit)])
                    break
            for h in heads:
                end2 = h[-2:]
                if end2 in self.mark_ends and label_key(h).endswith(self.mark_ends[end2]):
                    marks += 1
                    break
                if end2 in self.row_ends and label_key(h).endswith(self.row_ends[end2]):
                    rows += 1
                    break
            if rows >= _GLUED_MIN_ROWS:
                break
        return rows, marks


@lru_cache(maxsize=8)
def lexicon(format_id: str) -> Lexicon:
    from xxgk.extract.tables import reader_for

    fmt: Format = get_format(format_id)
    reader = reader_for(format_id)
    rows: list[tuple[str, _Row]] = []
    for slot in reader.slots:
        m = _DISPLAY_NUMBER.match(slot.row.display)
        row = _Row(slot.index, slot.row.key, slot.row.parent, m.group(1) if m else "")
        for variant in slot.variants:
            if len(variant) >= 2:
                rows.append((variant, row))
    marks: set[str] = set()
    for table in fmt.tables:
        words = [*table.anchors, *table.groups, *(h.label for h in table.headings)]
        words += [lab for c in (*table.columns, *table.extra_columns) for lab in c.labels]
        if table.kind is TableKind.SEQUENCE:
            words += [lab for r in table.rows for lab in r.labels]
        for word in words:
            for form in (label_key(word), key_view(word)[0]):
                if len(form) >= 2:
                    marks.add(form)
    marks |= {"行政复议", "行政诉讼", "指标", "单位", "数量", "统计数", "信息内容", "申请人情况"}
    mark_ends: dict[str, tuple[str, ...]] = {}
    for mark in marks:
        mark_ends[mark[-2:]] = (*mark_ends.get(mark[-2:], ()), mark)
    row_ends: dict[str, list[str]] = {}
    for variant, _ in rows:
        if len(variant) >= 3:
            row_ends.setdefault(variant[-2:], []).append(variant)
    return Lexicon(
        tuple(rows),
        tuple(sorted(marks, key=len, reverse=True)),
        {k: tuple(sorted(v, key=len, reverse=True)) for k, v in row_ends.items()},
        mark_ends,
    )


@dataclass(slots=True)
class _Occurrence:
    start: int  # in the key view
    end: int
    row: _Row | None  # None: a mark (header word)
    weight: int = 0


def _occurrences(view: str, lex: Lexicon) -> list[_Occurrence]:
    found: list[_Occurrence] = []
    for variant, row in lex.rows:
        i = view.find(variant)
        while i >= 0:
            found.append(_Occurrence(i, i + len(variant), row, len(variant)))
            i = view.find(variant, i + 1)
    for mark in lex.marks:
        i = view.find(mark)
        while i >= 0:
            found.append(_Occurrence(i, i + len(mark), None, len(mark)))
            i = view.find(mark, i + 1)
    # A label inside a longer one (其他 in 其他法律行政法规禁止公开, in 其他结果) is not a label there.
    found.sort(key=lambda o: (o.start, -(o.end - o.start)))
    kept: list[_Occurrence] = []
    reach_end = -1
    reach_len = 0
    for o in found:
        inside = o.end == reach_end and o.end - o.start < reach_len and o.start > reach_end - reach_len
        if o.end < reach_end or inside:
            continue
        if o.end > reach_end:
            reach_end, reach_len = o.end, o.end - o.start
        kept.append(o)
    return kept


def _chain(occurrences: list[_Occurrence]) -> list[_Occurrence]:
    """The occurrences in increasing text position and strictly increasing row order with the most weight."""
    rows = [o for o in occurrences if o.row is not None and o.weight > 0]
    if not rows:
        return []
    size = max(o.row.slot for o in rows if o.row) + 2
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)  # Fenwick tree of (best chain weight, occurrence)

    def update(i: int, value: tuple[int, int]) -> None:
        i += 1
        while i <= size:
            if value[0] > tree[i][0]:
                tree[i] = value
            i += i & -i

    def query(i: int) -> tuple[int, int]:  # best over slots < i
        best = (0, -1)
        while i > 0:
            if tree[i][0] > best[0]:
                best = tree[i]
            i -= i & -i
        return best

    best: list[int] = [0] * len(rows)
    back: list[int] = [-1] * len(rows)
    waiting: list[tuple[int, int]] = []  # (end, index) of occurrences not yet usable as predecessors
    for j, o in enumerate(rows):
        while waiting and waiting[0][0] <= o.start:
            _, k = heapq.heappop(waiting)
            update(rows[k].row.slot, (best[k], k))  # type: ignore[union-attr]
        prev = query(o.row.slot)  # type: ignore[union-attr]
        best[j] = prev[0] + o.weight
        back[j] = prev[1]
        heapq.heappush(waiting, (o.end, j))
    j = max(range(len(rows)), key=lambda k: best[k])
    chain: list[_Occurrence] = []
    while j >= 0:
        chain.append(rows[j])
        j = back[j]
    chain.reverse()
    return chain


_CLOSERS = frozenset("”’\"'」》】")


def _label_end(text: str, positions: list[int], o: _Occurrence) -> int:
    """Where a label occurrence ends in ``text``, with a closing quote that ends the label (危及“三安全一稳定”)."""
    end = positions[o.end - 1] + 1
    while end < len(text) and text[end] in _CLOSERS:
        end += 1
    return end


def _numbering_cut(region: str, next_row: _Row | None, last: int) -> tuple[int, int]:
    """Where the next label's numbering starts at the end of ``region`` (len(region) if none), and its value."""
    m = _PAREN_NUMBERING.search(region)
    if m:
        digits = re.sub(r"\D", "", m.group())
        return m.start(), int(digits)
    m = _DIGIT_NUMBERING.search(region)
    if not m:
        return len(region), last
    digits = m.group(1)
    start = m.start(1)
    if start > 0 and region[start - 1] == ".":
        return len(region), last  # a decimal figure, not a numbering (7730.28 is read from the start)
    # The numbering the next row should have (its own in the statutory table, else the next in sequence, else a
    # new sequence), when the digits end with it and leave a figure before it; else the digits alone.
    wanted = [n for n in (next_row.numbering if next_row else "", str(last + 1), "1") if n]
    for n in wanted:
        if digits.endswith(n) and len(n) < len(digits) and digits[-len(n)] != "0":
            return start + len(digits) - len(n), int(n)
    if len(digits) <= 2 and (start == 0 or not region[start - 1].isdigit()) and digits[0] != "0":
        return start, int(digits)
    for k in range(1, min(2, len(digits) - 1) + 1):
        piece = digits[-k:]
        if piece[0] != "0":
            return start + len(digits) - k, int(piece)
    return len(region), last


class StreamSegmenter:
    """Cuts one line of run-together table text into tokens; text it does not place goes to ``text_piece``."""

    def __init__(self, lex: Lexicon, text_piece: Callable[[str, int], None], tokens: list[Token]) -> None:
        self.lex = lex
        self.text_piece = text_piece
        self.tokens = tokens

    def run(self, text: str, base: int) -> None:
        view, positions = key_view(text)
        occurrences = _occurrences(view, self.lex)
        starts = sorted({o.start for o in occurrences})
        usable = [o for o in occurrences if o.row is None or self._is_row_here(text, view, positions, o, starts)]
        chain = _chain(usable)
        marks = _header_marks(text, positions, usable)
        pos = 0  # next unread character of text
        last_numbering = 0
        numbering_start: int | None = None  # where the numbering of the next label starts (glued to figures)
        for i, o in enumerate(chain):
            if numbering_start is None:
                # The label's own numbering before it, after text the chain does not cover (其他处理1.申请人…)
                label_start = positions[o.start]
                cut, _ = _numbering_cut(text[pos:label_start], o.row, last_numbering)
                if cut < label_start - pos:
                    label_start = pos + cut
            else:
                label_start = numbering_start
            label_end = _label_end(text, positions, o)
            nxt = chain[i + 1] if i + 1 < len(chain) else None
            self._text(text, pos, label_start, base, marks, positions)
            self.tokens.append(Token(Kind.TEXT, text[label_start:label_end], base + label_start, base + label_end))
            region_end = positions[nxt.start] if nxt is not None else len(text)
            region = text[label_end:region_end]
            cut, last_numbering = _numbering_cut(region, nxt.row if nxt else None, last_numbering)
            numbering_start = label_end + cut if cut < len(region) else None
            used = self._cells(region[:cut], base + label_end)
            heading = (
                nxt is not None
                and nxt.row is not None
                and o.row is not None
                and nxt.row.parent is not None
                and (o.row.key == nxt.row.parent or o.row.key.endswith("." + nxt.row.parent))
            )
            if used or not heading:
                at = base + label_end + used
                self.tokens.append(Token(Kind.ROW_END, "", at, at, stream=True))
            pos = label_end + used
            if nxt is not None and pos < label_end + cut:
                rest_end = label_end + cut
                self._text(text, pos, rest_end, base, marks, positions)
                pos = rest_end
        self._text(text, pos, len(text), base, marks, positions)

    # -- rows ----------------------------------------------------------------------------------------
    def _is_row_here(self, text: str, view: str, positions: list[int], o: _Occurrence, starts: list[int]) -> bool:
        """Whether a row label occurrence stands in a table: followed by cells, or by another label."""
        after = _label_end(text, positions, o)
        m = _LEAD.match(text, after)
        p = m.end() if m else after
        n = len(text)
        while p < n and text[p] == " ":
            p += 1
        if p >= n or (m and m.group("unit") and p > m.end()):
            return True  # the row's unit, then the end of the table (接受培训人员数人次 衢州市…)
        c = text[p]
        if c.isdigit() or c in "—―–-/+" or (c == "无" and (p + 1 >= n or not "\u4e00" <= text[p + 1] <= "\u9fff")):
            q = p
            while True:
                cm = _CELL.match(text, q)
                if not cm or cm.end() == q:
                    break
                q = cm.end()
            return q >= n or text[q] not in _SENTENCE
        # Another label (or a numbering and then one) within a few characters: a row with blank cells.
        from bisect import bisect_left

        k = bisect_left(starts, o.end)
        return k < len(starts) and positions[starts[k]] - p <= 3

    def _cells(self, region: str, base: int) -> int:
        """Cell tokens from the start of ``region``; how many characters they took."""
        lead = _LEAD.match(region)
        p = lead.end() if lead and region[: lead.end()].strip() else 0
        first = len(self.tokens)
        n = len(region)
        taken = p
        while p < n:
            cm = _CELL.match(region, p)
            if not cm or cm.end() == p:
                break
            kind = cm.lastgroup or ""
            s, e = cm.start(kind), cm.end(kind)
            piece = region[s:e]
            if kind == "num":
                tok = _number(piece, base + s, base + e)
                tok.stream = True
                self.tokens.append(tok)
            elif kind == "unit":
                if len(self.tokens) > first:
                    self.tokens.append(Token(Kind.UNIT, piece, base + s, base + e))
            else:
                glued = (s > 0 and region[s - 1].isdigit()) or (e < n and region[e].isdigit())
                self.tokens.append(Token(Kind.BLANK, piece, base + s, base + e, glued=glued, stream=True))
            p = e
            taken = e
        return taken

    # -- everything else -----------------------------------------------------------------------------
    def _text(self, text: str, start: int, end: int, base: int, marks: list[_Occurrence], positions: list[int]) -> None:
        """Text between rows: cut at header words, then at digit runs unless it is prose."""
        if start >= end:
            return
        pos = start
        for o in marks:
            s, e = positions[o.start], positions[o.end - 1] + 1
            if s < pos or e > end:
                continue
            self._plain(text, pos, s, base)
            self.tokens.append(Token(Kind.TEXT, text[s:e], base + s, base + e))
            pos = e
        self._plain(text, pos, end, base)

    def _plain(self, text: str, start: int, end: int, base: int) -> None:
        piece = text[start:end]
        if not piece.strip():
            return
        lead = piece.lstrip()[:1]
        pos = self._cells(piece, base + start) if lead.isdigit() or lead in "+-" else 0
        if any(c in piece[pos:] for c in _PROSE_MARKS):
            if piece[pos:].strip():
                self.text_piece(piece[pos:], base + start + pos)
            return
        # Labels and figures with nothing between them: cut before each digit run.
        for m in _NUMBER.finditer(piece, pos):
            if m.start() < pos:
                continue
            head = piece[pos : m.start()]
            if head.strip():
                self.text_piece(head, base + start + pos)
            used = self._cells(piece[m.start() :], base + start + m.start())
            pos = m.start() + max(used, 1)
        if piece[pos:].strip():
            self.text_piece(piece[pos:], base + start + pos)


_NUMBER = re.compile(r"[+-]?\d+(?:,\d{3})*(?:\.\d+)?(?:万元|元|%)?")


def _header_marks(text: str, positions: list[int], occurrences: list[_Occurrence]) -> list[_Occurrence]:
    """The header words that stand in a table header: next to another label (申请人情况自然人法人…) or right
    before a figure. A lone word in a sentence (……本年累计……) is prose."""
    ordered = sorted(occurrences, key=lambda o: o.start)
    out: list[_Occurrence] = []
    for i, o in enumerate(ordered):
        if o.row is not None:
            continue
        near = (i > 0 and o.start - ordered[i - 1].end <= 3) or (
            i + 1 < len(ordered) and ordered[i + 1].start - o.end <= 3
        )
        if not near:
            after = positions[o.end - 1] + 1
            near = after < len(text) and text[after].isdigit()
        if near:
            out.append(o)
    return out


def _number(text: str, start: int, end: int) -> Token:
    parsed = parse_number(text) if len(text) <= _LONGEST_NUMBER else None
    if parsed is None:
        return Token(Kind.TEXT, text, start, end)
    value, unit = parsed
    digits = sum(c.isdigit() for c in text)
    return Token(Kind.NUM, text, start, end, value, unit, run=digits > 1)
