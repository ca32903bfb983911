"""The document of blocks every reader produces: normalised text plus typed blocks with character offsets.

Every reader (plain text, HTML, PDF, DOCX, OCR …) turns its input into one :class:`Document`. Extraction and
audit only ever see this structure, so adding an input kind never changes them.

Offsets (``start``/``end``) index :attr:`Document.text`, the normalised text (NFKC, traditional → simplified,
``\\r\\n`` → ``\\n``). :meth:`Document.source_span` maps them back to the text the reader extracted before
normalisation (the decoded file for plain text, the visible text for HTML, the text layer for PDF).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

# A line this long holds several paragraphs (and tables): the crawl that made the text lost its line breaks.
# Readers keep such lines as they are; extraction and audit look inside them for headings, signature and prose.
RUN_ON_CHARS = 300

# The text of a table cell the reader knows it cannot read (cut off at the page edge when the page was printed,
# undecodable): extraction gives its cell ``null`` with an ``extraction`` finding, never a figure.
UNREADABLE = "\ufffd"


class BlockKind(StrEnum):
    """What a block is in the layout of the document."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE = "table"
    LINE = "line"


@dataclass(slots=True)
class Cell:
    """One cell of a table grid. ``spanned`` marks the copies a rowspan/colspan leaves in the grid."""

    text: str
    start: int
    end: int
    spanned: bool = False


@dataclass(slots=True)
class Block:
    """A heading, paragraph, line of flattened text, or a table with its grid.

    ``noise`` holds the reason a block is not report content (navigation, hidden element, injected text…).
    Noise is kept and marked, never deleted, so the integrity audit can see it.
    """

    kind: BlockKind
    text: str
    start: int
    end: int
    rows: list[list[Cell]] | None = None
    noise: str | None = None
    page: int | None = None


@dataclass(slots=True)
class OffsetMap:
    """Piecewise map from normalised offsets to source offsets, built only where normalisation changed lengths.

    ``anchors`` are sorted normalised offsets; at each anchor the delta (source − normalised) changes.
    ``parent`` chains a map from an earlier normalisation step.
    """

    anchors: list[int] = field(default_factory=list)
    deltas: list[int] = field(default_factory=list)
    parent: OffsetMap | None = None

    def to_source(self, offset: int) -> int:
        i = bisect_right(self.anchors, offset) - 1
        offset += self.deltas[i] if i >= 0 else 0
        return offset if self.parent is None else self.parent.to_source(offset)


@dataclass(slots=True)
class Document:
    """A report as blocks over one normalised text."""

    source: str
    text: str
    blocks: list[Block]
    kind: str = "text"
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    offset_map: OffsetMap | None = None

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the reader's extracted text for a span of :attr:`text`."""
        if self.offset_map is None:
            return start, end
        return self.offset_map.to_source(start), self.offset_map.to_source(end)

    def content_blocks(self) -> Iterator[Block]:
        """Blocks that are report content (not marked as noise)."""
        return (b for b in self.blocks if b.noise is None)

    def noise_blocks(self) -> Iterator[Block]:
        return (b for b in self.blocks if b.noise is not None)
