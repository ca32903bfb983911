"""Blocks → a stream of cell tokens (text, number, blank, unit, row end) with character spans.

Every layout the seeds show is reduced to the same stream: HTML/PDF/DOCX grids give one token per cell and a
row end per grid row; flattened text is split on ``|``, tabs and runs of two or more spaces; a cell whose
label and numbers run together (``申请数量120010215``, ``行政许可 3``) is split into a text token and number
tokens. Numbers embedded in prose (``在线访谈次数2次；``) are not cells and stay inside their text token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from xxgk.ingest.document import UNREADABLE, Block, BlockKind, Document

if TYPE_CHECKING:
    from xxgk.extract.stream import Lexicon

Number = int | float


class Kind(IntEnum):
    TEXT = 0
    NUM = 1
    BLANK = 2
    UNIT = 3
    ROW_END = 4


@dataclass(slots=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int
    value: Number | None = None
    unit: str | None = None
    run: bool = False  # a multi-digit number that may be several cells run together
    prose: bool = False  # a sentence, not a label
    grid: bool = False  # came from a real table grid (HTML/PDF/DOCX)
    glued: bool = False  # a blank (dashes) written against its neighbours with no separator: ``6029——1864``
    stream: bool = False  # read from a line whose table cells ran together (extract.stream)


UNITS = ("万元", "人次", "元", "条", "件", "人", "次", "个", "篇", "项", "家", "份", "起", "宗", "%")
_UNIT_SET = frozenset(UNITS)
_DASHES = frozenset({"—", "——", "-", "--", "/", "无", "―", "–", "一一", "/ /", "——————", "﹣", "ー", "一"})

# A number cell: sign, digits (thousands separators allowed), decimals, an optional unit.
NUMBER_RE = re.compile(
    r"^(?P<sign>[+-])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?\s*(?P<unit>万元|元|万|%|件|条|个|人次|人|次|篇|项)?$"
)
# One or more numbers separated by single spaces, at the end of a cell (after an optional label); dashes
# among them are blank cells whose text ran together with the numbers (``6029—1864``).
_TRAILING_RE = re.compile(
    r"(?P<nums>(?:[+-]?\d[\d,]*(?:\.\d+)?(?:万元|元)?|[—―–]+)(?:[ \t]?(?:[+-]?\d[\d,]*(?:\.\d+)?(?:万元|元)?|[—―–]+))*)"
    r"\s*$"
)
_SPLIT_RE = re.compile(r"\t+| {2,}|\u3000+")
_PROSE_FAST = re.compile(r"[。；;！？]")
_PROSE_RE = re.compile(r"[。；;！!？?]|，.*，|,.*,.*,")
_ONE_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?(?:万元|元)?|[—―–]+")
_LONG_DASHES = "—―–"


def parse_number(text: str) -> tuple[Number, str | None] | None:
    """The value and unit of a number cell, or ``None`` if the text is not a number."""
    m = NUMBER_RE.match(text.strip())
    if not m:
        return None
    digits = m.group("num").replace(",", "")
    if len(digits) > _LONGEST_FIGURE:
        return None  # no table figure has hundreds of digits (and int() refuses thousands)
    dec = m.group("dec")
    value: Number = float(digits + dec) if dec else int(digits)
    if m.group("sign") == "-":
        value = -value
    return value, m.group("unit")


class Tokenizer:
    """Turns a document's blocks into tokens."""

    def __init__(self, doc: Document, stream: Lexicon | None = None) -> None:
        self.doc = doc
        self.tokens: list[Token] = []
        self.stream = stream
        self.glued = False  # whether a line's table cells ran together (read by the stream segmenter)
        # Inside a pipe table without outer pipes (html2text: ``---|---`` under its header): the text after a
        # row's last pipe is its last cell, blank or not, not what a closing pipe leaves.
        self.bare_pipe_table = False

    def run(self) -> list[Token]:
        tokens = self.tokens
        append = tokens.append
        table = BlockKind.TABLE
        memo = _LINE_MEMO
        for block in self.doc.blocks:
            if block.noise is not None:
                continue
            if block.kind is table and block.rows:
                self._grid(block)
                continue
            text = block.text
            if self.stream is not None and len(text) >= _GLUED_CHARS and self._glued(block):
                continue
            if "|" not in text:
                self.bare_pipe_table = False  # (memoised lines below skip _line_text)
            elif "---" in text:
                self._block(block)  # a table rule sets state: never memoised
                continue
            if len(text) <= _MEMO_CHARS and block.end - block.start == len(text):  # (a row end spans the line)
                specs = memo.get(text)
                if specs is not None:
                    base = block.start
                    for kind, text_, rel_start, rel_end, prose in specs:
                        append(Token(kind, text_, base + rel_start, base + rel_end, None, None, False, prose, False))
                    continue
                if not _has_digit(text) and not _has_any(text, "。；;"):
                    mark = len(tokens)
                    self._block(block)
                    _remember_line(text, block.start, tokens, mark)
                    continue
            self._block(block)
        return tokens

    def _glued(self, block: Block) -> bool:
        """Read a line whose table cells ran together with the format's labels (:mod:`xxgk.extract.stream`)."""
        assert self.stream is not None
        text = block.text
        if "|" in text or not _has_digit(text) or block.end - block.start != len(text):
            return False
        if not self.stream.is_glued(text):
            return False
        from xxgk.extract.stream import StreamSegmenter

        self.glued = True
        StreamSegmenter(self.stream, self._line_text, self.tokens).run(text, block.start)
        return True

    def _block(self, block: Block) -> None:
        """The tokens of one line block of flattened text."""
        text = block.text
        if text[-1:] == "|" and len(text) > 1 and text.count("|") == 1:
            # One cell per line ("0 |"), as _line reads it; a plain count read here directly.
            stripped = text[:-1].strip()
            if stripped.isdigit() and stripped.isascii() and len(stripped) <= _LONGEST_FIGURE:
                s = block.start + text.index(stripped[0])
                n = len(stripped)
                self.tokens.append(Token(_NUM, stripped, s, s + n, int(stripped), None, n > 1, False, False))
            else:
                self._cell(text[:-1], block.start, False, True)
            return
        self._line(block)

    # -- grids ---------------------------------------------------------------------------------------
    def _grid(self, block: Block) -> None:
        assert block.rows is not None
        for row in block.rows:
            seen: set[tuple[int, int]] = set()
            emitted = False
            for cell in row:
                if cell.spanned:
                    # A row-spanning label (三、本年度办理结果) is repeated as context; numbers are not.
                    if (cell.start, cell.end) in seen or parse_number(cell.text) is not None:
                        continue
                    seen.add((cell.start, cell.end))
                    if not cell.text.strip():
                        continue
                    self.tokens.append(Token(Kind.TEXT, cell.text, cell.start, cell.end, grid=True))
                    continue
                seen.add((cell.start, cell.end))
                self._cell(cell.text, cell.start, True)
                emitted = True
            if emitted:
                self.tokens.append(Token(Kind.ROW_END, "", block.end, block.end, grid=True))

    # -- flattened text ------------------------------------------------------------------------------
    def _line(self, block: Block) -> None:
        self._line_text(block.text, block.start, block.end)

    def _line_text(self, text: str, base: int, end: int | None = None) -> None:
        """The tokens of one line of flattened text starting at ``base`` (``end``: where its block ends)."""
        if "|" not in text:
            self.bare_pipe_table = False
            if len(text) > _SEVERAL_ROWS_CHARS and " " in text and not _has_split(text) and _several_rows(text):
                self._words(text, base, False)
                return
            if len(text) > 40 and _has_any(text, _PROSE_FAST_CHARS) and not _has_split(text):
                # A sentence: one prose token, unless it ends in numbers (a row whose cells ran together).
                stripped = text.strip()
                if not stripped[-1].isdigit():
                    lead = len(text) - len(text.lstrip())
                    self.tokens.append(
                        Token(_TEXT, stripped, base + lead, base + lead + len(stripped), None, None, False, True)
                    )
                    return
            if not text:
                self.tokens.append(Token(_ROW_END, "", base, base))
                return
            if not _has_split(text):  # one cell
                self._cell(text, base, False)
                return
            if "\t\t" in text and "  " not in text and "\u3000" not in text and _has_digit(text):
                # Tab-separated cells (a table scraped row by row): two tabs in a row hold an empty cell.
                pos = 0
                for i, part in enumerate(text.split("\t")):
                    if part or i:  # (a leading tab indents the row: no cell before it)
                        self._cell(part, base + pos, False, True)
                    pos += len(part) + 1
                return
            pos = 0
            for sep_start, sep_end in _separators(text):
                self._cell(text[pos:sep_start], base + pos, False)
                pos = sep_end
            self._cell(text[pos:], base + pos, False)
            return
        if not text.strip("|"):
            # A line of bare pipes closes a row in the one-cell-per-line layout (seed 004: "|", "||").
            self.tokens.append(Token(_ROW_END, "", base, base + len(text)))
            return
        if text[-1] == "|" and text.count("|") == 1:
            self._cell(text[:-1], base, False, True)  # one cell per line: "0 |"
            return
        stripped = text.strip()
        parts = text.split("|")
        # Markdown opens a row with a pipe in the first column; a pipe-terminated row whose first cell is
        # blank starts with that (blank) cell instead: " | 16 | 35 |".
        if text[0] == "|" and stripped[-1] == "|" and len(parts) >= 3:
            if "-" in stripped and set(stripped) <= _MARKDOWN_RULE:
                return  # Markdown separator row
            markdown = True
            first = 1  # Markdown: the leading pipe opens the row
        else:
            markdown = False
            first = 0
        if not markdown and text[0] != "|" and len(parts) >= 2 and all(_is_rule(p.strip() or "-") for p in parts):
            self.bare_pipe_table = all(_is_rule(p.strip()) for p in parts)  # html2text's ---|--- rule
        # A pipe terminates a cell: the (empty) text after the last pipe is not a cell, unless the table has no
        # outer pipes (html2text), where it is the row's last cell, left blank.
        bare = self.bare_pipe_table and not markdown and text[0] != "|" and bool(parts[-1]) and parts[-1].isspace()
        closed = len(parts) > first and (not parts[-1] or parts[-1].isspace()) and not bare
        last = len(parts) - 1 if closed else len(parts)
        pos = base + len(parts[0]) + 1 if first else base
        if "---" in text and any(_is_rule(part) for part in parts[first:last]):
            self._cells_around_rules(parts[first:last], pos)
        else:
            self._pipe_cells(parts[first:last], pos)
        if markdown:
            close = base + len(text) if end is None else end
            self.tokens.append(Token(_ROW_END, "|", close, close))  # ("|": the closing pipe ended the last cell)

    def _pipe_cells(self, parts: list[str], pos: int) -> None:
        """The cells of a pipe-separated line, the first starting at ``pos``."""
        append = self.tokens.append
        for part in parts:
            # (what _cell does, for the common cells: blank, a plain count)
            stripped = part.strip()
            if not stripped:
                append(Token(_BLANK, "", pos, pos, None, None, False, False, False))
            elif stripped.isdigit() and stripped.isascii() and len(stripped) <= _LONGEST_FIGURE:
                s = pos + part.index(stripped[0])
                n = len(stripped)
                append(Token(_NUM, stripped, s, s + n, int(stripped), None, n > 1, False, False))
            else:
                self._cell(part, pos, False, True)
            pos += len(part) + 1

    def _cells_around_rules(self, parts: list[str], pos: int) -> None:
        """Pipe cells with Markdown rule cells among them (``| 总计 | |---|---| | 27 |``: Markdown rows run
        together on one line): a run of rule cells ends the row before it, and the empty cell where two rows
        met on either side of the run is not a cell."""
        i, n = 0, len(parts)
        while i < n:
            if not _is_rule(parts[i]):
                self._pipe_cells(parts[i : i + 1], pos)
                pos += len(parts[i]) + 1
                i += 1
                continue
            if i and not parts[i - 1].strip() and self.tokens and self.tokens[-1].kind is _BLANK:
                self.tokens.pop()  # (the junction before the rule)
            self.tokens.append(Token(_ROW_END, "", pos, pos))
            while i < n and _is_rule(parts[i]):
                pos += len(parts[i]) + 1
                i += 1
            if i < n and not parts[i].strip():  # (the junction after it)
                pos += len(parts[i]) + 1
                i += 1

    def _cell(self, text: str, start: int, grid: bool, pipe: bool = False) -> None:
        stripped = text.strip()
        if not stripped:
            if grid or pipe:
                self.tokens.append(Token(_BLANK, "", start, start, None, None, False, False, grid))
            return
        s = start + text.index(stripped[0])
        if stripped == UNREADABLE:  # a cell the reader could not read: a cell with no figure (reported)
            self.tokens.append(Token(_BLANK, stripped, s, s + 1, None, None, False, False, grid))
            return
        if stripped.isdigit() and stripped.isascii() and len(stripped) <= _LONGEST_FIGURE:  # a plain count
            n = len(stripped)
            self.tokens.append(Token(_NUM, stripped, s, s + n, int(stripped), None, n > 1, False, grid))
            return
        if len(stripped) > _MEMO_CHARS:
            self._read_cell(stripped, s, grid)
            return
        memo = _GRID_CELL_MEMO if grid else _CELL_MEMO
        specs = memo.get(stripped)
        if specs is None:
            mark = len(self.tokens)
            self._read_cell(stripped, s, grid)
            _remember_cell(memo, stripped, s, self.tokens, mark)
            return
        append = self.tokens.append
        for kind, text_, rel_start, rel_end, prose, glued in specs:
            append(Token(kind, text_, s + rel_start, s + rel_end, None, None, False, prose, grid, glued))

    def _words(self, text: str, start: int, grid: bool) -> None:
        """Several table rows in one single-spaced line or cell (a crawl that lost the line breaks): one cell
        a word, as if each stood on a line of its own."""
        for m in _WORD.finditer(text):
            self._cell(m.group(), start + m.start(), grid)

    def _read_cell(self, stripped: str, s: int, grid: bool) -> None:
        """The tokens of a non-empty stripped cell starting at ``s``."""
        if len(stripped) > _SEVERAL_ROWS_CHARS and " " in stripped and _several_rows(stripped):
            self._words(stripped, s, grid)
            return
        e = s + len(stripped)
        if stripped in _DASHES:
            self.tokens.append(Token(Kind.BLANK, stripped, s, e, grid=grid))
            return
        if stripped in _UNIT_SET:
            self.tokens.append(Token(Kind.UNIT, stripped, s, e, grid=grid))
            return
        if stripped.isascii() and stripped.isdigit() and len(stripped) <= _LONGEST_FIGURE:  # a plain count
            self.tokens.append(Token(Kind.NUM, stripped, s, e, int(stripped), None, len(stripped) > 1, grid=grid))
            return
        first = stripped[0]
        parsed = parse_number(stripped) if (first.isdigit() or first in "+-") else None
        if parsed is not None:
            value, unit = parsed
            digits = stripped.lstrip("+-")
            self.tokens.append(Token(Kind.NUM, stripped, s, e, value, unit, run=_multi_digit(digits), grid=grid))
            return
        tail = _trailing_numbers(stripped)
        if tail > 0:
            label = stripped[:tail].rstrip()
            if label and not label[-1].isdigit() and label[-1] not in "+-.,第" and not _ends_like_prose(label):
                self._text(label, s, grid)
                self._numbers(stripped, tail, s, grid)
                return
        elif tail == 0:
            self._numbers(stripped, 0, s, grid)
            return
        self._text(stripped, s, grid)

    def _text(self, text: str, start: int, grid: bool) -> None:
        prose = len(text) > 40 and _like_prose(text)
        if prose and not grid:
            # A cell of prose that ends in a short label (a crawl that lost its line breaks: "…工作。 指 标"):
            # the label after the last full stop is a cell of its own.
            cut = max(text.rfind(c) for c in _SENTENCE_CHARS) + 1
            tail = text[cut:].strip()
            if cut and tail and len(tail) <= 40 and not _like_prose(tail):
                at = start + text.index(tail, cut)
                self.tokens.append(Token(Kind.TEXT, text[:cut], start, start + cut, prose=True))
                self.tokens.append(Token(Kind.TEXT, tail, at, at + len(tail)))
                return
        self.tokens.append(
            Token(
                Kind.TEXT,
                text,
                start,
                start + len(text),
                prose=prose,
                grid=grid,
            )
        )

    def _numbers(self, text: str, offset: int, base: int, grid: bool) -> None:
        for m in _ONE_NUMBER.finditer(text, offset):
            if m.group()[0] in _LONG_DASHES:
                self.tokens.append(
                    Token(Kind.BLANK, m.group(), base + m.start(), base + m.end(), grid=grid, glued=True)
                )
                continue
            parsed = parse_number(m.group())
            if parsed is None:
                continue
            value, unit = parsed
            digits = m.group().lstrip("+-")
            self.tokens.append(
                Token(
                    Kind.NUM,
                    m.group(),
                    base + m.start(),
                    base + m.end(),
                    value,
                    unit,
                    run=_multi_digit(digits),
                    grid=grid,
                )
            )


_HYPHENATED = re.compile(r"\d-\d")
_CONTACT = re.compile(r"电话|传真|手机|邮编|邮政编码|索引号|文号|联系|热线|号码|地址|编号|代码|:")
_TAIL_CHARS = frozenset("0123456789,.+-元万 \t—―–")


def _multi_digit(text: str) -> bool:
    """Whether ``text`` has more than one digit (``str.isdigit``)."""
    if text[:2].isdigit() and len(text) >= 2:
        return True
    seen = False
    for c in text:
        if c.isdigit():
            if seen:
                return True
            seen = True
    return False


def _trailing_numbers(text: str) -> int:
    """Where the run of numbers that ends ``text`` starts (``-1`` if it does not end with a number)."""
    if not text or (not text[-1].isdigit() and not text.endswith(("元", "万元")) and text[-1] not in _LONG_DASHES):
        return -1
    i = len(text)
    while i > 0 and text[i - 1] in _TAIL_CHARS:
        i -= 1
    while i < len(text) and not (text[i].isdigit() or text[i] in "+-" or text[i] in _LONG_DASHES):
        i += 1
    if i >= len(text):
        return -1
    if _HYPHENATED.search(text, i) and (_CONTACT.search(text, 0, i) or i > 40):
        return -1  # 电话:0570-3089078, 索引号 …2018-103701: a phone number or an index, not cells
    m = _TRAILING_RE.fullmatch(text, i)
    return i if m else -1


def _ends_like_prose(label: str) -> bool:
    """A label that is really a sentence (ends with a clause) does not own the trailing numbers."""
    return len(label) > 60 or _has_any(label, _SENTENCE_CHARS)


_TEXT, _NUM, _BLANK, _ROW_END = Kind.TEXT, Kind.NUM, Kind.BLANK, Kind.ROW_END
_MARKDOWN_RULE = frozenset("|-: ")


def _is_rule(cell: str) -> bool:
    """A cell of a Markdown separator row: ``---``, ``:---:``."""
    return "---" in cell and set(cell) <= _MARKDOWN_RULE


# The tokens of a cell without a number (labels, units, dashes: the same ones recur in every report), kept as
# (kind, text, start, end, prose, glued) relative to the cell; one memo for grid cells, one for flattened text.
_CellSpec = tuple[Kind, str, int, int, bool, bool]
_CELL_MEMO: dict[str, tuple[_CellSpec, ...]] = {}
_GRID_CELL_MEMO: dict[str, tuple[_CellSpec, ...]] = {}
_MEMO_SIZE = 16384
_MEMO_CHARS = 60  # longer cells (sentences) are read each time


# Lines without a digit (labels, units, header rows, bare pipes: the same ones recur in every report) are read
# once; their tokens are kept as (kind, text, start, end, prose) relative to the line. Lines with figures,
# sentences and long lines are read each time.
_LINE_MEMO: dict[str, tuple[tuple[Kind, str, int, int, bool], ...]] = {}
_DIGITS = frozenset("0123456789")


def _has_digit(text: str) -> bool:
    return not _DIGITS.isdisjoint(text)


def _remember_line(text: str, base: int, tokens: list[Token], mark: int) -> None:
    specs = []
    for t in tokens[mark:]:
        if t.value is not None or t.unit is not None or t.run or t.grid or t.glued:
            return  # (only plain text, blank, unit and row-end tokens are kept)
        specs.append((t.kind, t.text, t.start - base, t.end - base, t.prose))
    if len(_LINE_MEMO) >= _MEMO_SIZE:
        _LINE_MEMO.clear()
    _LINE_MEMO[text] = tuple(specs)


def _remember_cell(
    memo: dict[str, tuple[_CellSpec, ...]], stripped: str, s: int, tokens: list[Token], mark: int
) -> None:
    """Keep the tokens just read for a cell starting at ``s``, unless one holds a figure."""
    specs = []
    for t in tokens[mark:]:
        if t.value is not None or t.unit is not None or t.run:
            return  # (figures differ every time)
        specs.append((t.kind, t.text, t.start - s, t.end - s, t.prose, t.glued))
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[stripped] = tuple(specs)


_PROSE_FAST_CHARS = "。；;！？"  # (_PROSE_FAST)
_SENTENCE_CHARS = "。；;！!？?"


def _has_any(text: str, chars: str) -> bool:
    for c in chars:  # noqa: SIM110 - a loop, not any() over a generator: called for every line
        if c in text:
            return True
    return False


def _like_prose(text: str) -> bool:
    """``bool(_PROSE_RE.search(text))`` by counting: a sentence mark, two ``，`` or three ``,``."""
    if "\n" in text:  # (the pattern's ``.`` stops at a line break)
        return bool(_PROSE_RE.search(text))
    return _has_any(text, _SENTENCE_CHARS) or text.count("，") >= 2 or text.count(",") >= 3


def _separators(text: str) -> list[tuple[int, int]]:
    """The spans of ``_SPLIT_RE.finditer(text)`` (runs of tabs, of two or more spaces, of ideographic spaces),
    found with ``str.find`` rather than a regex scan of the whole line."""
    out: list[tuple[int, int]] = []
    if "\t" in text or "\u3000" in text:
        pos = 0
        n = len(text)
        while True:
            start = text.find("\t", pos)
            i = text.find("  ", pos)
            if i >= 0 and (start < 0 or i < start):
                start = i
            i = text.find("\u3000", pos)
            if i >= 0 and (start < 0 or i < start):
                start = i
            if start < 0:
                return out
            ch = text[start]
            end = start + 1
            while end < n and text[end] == ch:
                end += 1
            out.append((start, end))
            pos = end
    # Only spaces: each run of two or more.
    start = text.find("  ")
    while start >= 0:
        end = len(text) - len(text[start:].lstrip(" "))
        out.append((start, end))
        start = text.find("  ", end)
    return out


_SEVERAL_ROWS_CHARS = 40
_WORD = re.compile(r"\S+")
_NUMBER_WORD = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?(?:万元|元|%)?|[—―–]+")


def _several_rows(text: str) -> bool:
    """Whether a single-spaced line holds several table rows: at least two runs of number words that each
    follow a word of text (``label 21 0 0 label 0 5 5``), six number words in all. A sentence with a figure or
    two (``2023 年 … 1136 条。``) is not."""
    runs = numbers = 0
    after_text = False
    fullmatch = _NUMBER_WORD.fullmatch
    for word in text.split():
        if fullmatch(word):
            numbers += 1
            if after_text:
                runs += 1
                after_text = False
        else:
            after_text = True
    # (a table without sentences may hold a figure a row: three rows that each end in one number)
    return (runs >= 2 and numbers >= 6) or (runs >= 3 and numbers >= 3 and not _like_prose(text))


def _has_split(text: str) -> bool:
    """Whether ``_SPLIT_RE`` finds a separator in ``text``: a tab, two spaces or an ideographic space."""
    return "\t" in text or "  " in text or "\u3000" in text


_LONGEST_FIGURE = 300  # digits: a longer run is no figure (and no run of cells a table could hold)
_GLUED_CHARS = 24  # a shorter line is one row at most


def tokenize(doc: Document, stream: Lexicon | None = None) -> list[Token]:
    """The document's tokens; with a format's ``stream`` lexicon, lines whose cells ran together are read by
    its labels."""
    return Tokenizer(doc, stream).run()
