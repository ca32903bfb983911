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

from xxgk.ingest.document import Block, BlockKind, Document

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
    dec = m.group("dec")
    value: Number = float(digits + dec) if dec else int(digits)
    if m.group("sign") == "-":
        value = -value
    return value, m.group("unit")


class Tokenizer:
    """Turns a document's blocks into tokens."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.tokens: list[Token] = []

    def run(self) -> list[Token]:
        for block in self.doc.blocks:
            if block.noise is not None:
                continue
            if block.kind is BlockKind.TABLE and block.rows:
                self._grid(block)
            else:
                self._line(block)
        return self.tokens

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
                self._cell(cell.text, cell.start, grid=True)
                emitted = True
            if emitted:
                self.tokens.append(Token(Kind.ROW_END, "", block.end, block.end, grid=True))

    # -- flattened text ------------------------------------------------------------------------------
    def _line(self, block: Block) -> None:
        text = block.text
        base = block.start
        if "|" not in text and len(text) > 40 and _PROSE_FAST.search(text) and not _SPLIT_RE.search(text):
            # A sentence: one prose token, unless it ends in numbers (a row whose cells ran together).
            stripped = text.strip()
            if not stripped[-1].isdigit():
                lead = len(text) - len(text.lstrip())
                self.tokens.append(Token(Kind.TEXT, stripped, base + lead, base + lead + len(stripped), prose=True))
                return
        if not text.strip("|"):
            # A line of bare pipes closes a row in the one-cell-per-line layout (seed 004: "|", "||").
            self.tokens.append(Token(Kind.ROW_END, "", base, base + len(text)))
            return
        if text.endswith("|") and text.count("|") == 1:
            self._cell(text[:-1], base, grid=False, pipe=True)  # one cell per line: "0 |"
            return
        if "|" in text:
            stripped = text.strip()
            pieces: list[tuple[str, int]] = []
            pos = 0
            for part in text.split("|"):
                pieces.append((part, pos))
                pos += len(part) + 1
            # Markdown opens a row with a pipe in the first column; a pipe-terminated row whose first cell is
            # blank starts with that (blank) cell instead: " | 16 | 35 |".
            if text.startswith("|") and stripped.endswith("|") and len(pieces) >= 3:
                pieces = pieces[1:]  # Markdown: the leading pipe opens the row
                if set(stripped) <= set("|-: ") and "-" in stripped:
                    return  # Markdown separator row
                markdown = True
            else:
                markdown = False
            # A pipe terminates a cell: the (empty) text after the last pipe is not a cell.
            if pieces and not pieces[-1][0].strip():
                pieces = pieces[:-1]
            for part, offset in pieces:
                self._cell(part, base + offset, grid=False, pipe=True)
            if markdown:
                self.tokens.append(Token(Kind.ROW_END, "", block.end, block.end))
            return
        pos = 0
        for m in _SPLIT_RE.finditer(text):
            self._cell(text[pos : m.start()], base + pos, grid=False)
            pos = m.end()
        self._cell(text[pos:], base + pos, grid=False)

    def _cell(self, text: str, start: int, *, grid: bool, pipe: bool = False) -> None:
        stripped = text.strip()
        if not stripped:
            if grid or pipe:
                self.tokens.append(Token(Kind.BLANK, "", start, start, grid=grid))
            return
        s = start + text.index(stripped[0])
        e = s + len(stripped)
        if stripped in _DASHES:
            self.tokens.append(Token(Kind.BLANK, stripped, s, e, grid=grid))
            return
        if stripped in _UNIT_SET:
            self.tokens.append(Token(Kind.UNIT, stripped, s, e, grid=grid))
            return
        if stripped.isascii() and stripped.isdigit():  # the common case: a plain count
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
        self.tokens.append(
            Token(
                Kind.TEXT,
                text,
                start,
                start + len(text),
                prose=len(text) > 40 and bool(_PROSE_RE.search(text)),
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
    return sum(c.isdigit() for c in text) > 1


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
    return len(label) > 60 or bool(re.search(r"[。；;！!？?]", label))


def tokenize(doc: Document) -> list[Token]:
    return Tokenizer(doc).run()
