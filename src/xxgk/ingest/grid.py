"""Cell boxes → a table grid: the rectangles of a ruled table (from a PDF's vector rulings or a scan's ruling
lines) become rows × columns, merged cells included, and whatever was placed in each cell becomes its text.

A merged cell's text sits in its top-left grid cell; the other grid cells it covers repeat the text with
``spanned=True`` (as the HTML reader does). Blank cells stay ``""`` (blank is not 0).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xxgk.ingest.assemble import GridCell

CellBox = tuple[float, float, float, float]  # x0, top, x1, bottom


def _cluster(values: Iterable[float], tol: float) -> list[float]:
    """Sorted representative coordinates: values closer than ``tol`` merge into their mean."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _nearest(coords: Sequence[float], v: float) -> int:
    i = bisect_right(coords, v)
    if i == 0:
        return 0
    if i == len(coords):
        return len(coords) - 1
    return i if coords[i] - v < v - coords[i - 1] else i - 1


@dataclass(slots=True)
class CellGrid:
    """A table's grid; ``items[cell]`` collects what lies in each cell (PDF characters, OCR boxes)."""

    bbox: CellBox
    xs: list[float]
    ys: list[float]
    owner: list[list[int | None]]  # grid position → index into origins
    origins: list[tuple[int, int]]  # cell index → its top-left grid position
    items: list[list[Any]]  # cell index → the things placed in it

    def locate(self, x: float, y: float) -> int | None:
        c = bisect_right(self.xs, x) - 1
        r = bisect_right(self.ys, y) - 1
        if 0 <= r < len(self.owner) and 0 <= c < len(self.owner[0]):
            return self.owner[r][c]
        return None

    def rows(self, text_of: Callable[[list[Any]], str]) -> list[list[GridCell]]:
        texts = [text_of(items) for items in self.items]
        grid: list[list[GridCell]] = []
        for r, owners in enumerate(self.owner):
            row: list[GridCell] = []
            for c, cell in enumerate(owners):
                if cell is None:
                    row.append(GridCell(""))
                elif self.origins[cell] == (r, c):
                    row.append(GridCell(texts[cell]))
                else:
                    row.append(GridCell(texts[cell], spanned=True))
            grid.append(row)
        # drop grid rows / columns in which no cell starts (hairline slivers left by near-equal coordinates)
        keep_rows = [r for r in range(len(grid)) if any(self.origins[o][0] == r for o in _ids(self.owner[r]))]
        keep_cols = [
            c
            for c in range(len(self.xs) - 1)
            if any(o is not None and self.origins[o][1] == c for row in self.owner for o in row[c : c + 1])
        ]
        return [[grid[r][c] for c in keep_cols] for r in keep_rows]


def _ids(row: list[int | None]) -> list[int]:
    return [o for o in row if o is not None]


def build_grid(cells: Sequence[CellBox], max_cells: int, tol: float = 2.0) -> CellGrid | None:
    """The grid of a table's cell rectangles (``None`` for none, or more than ``max_cells``)."""
    if not cells or len(cells) > max_cells:
        return None
    xs = _cluster([v for c in cells for v in (c[0], c[2])], tol)
    ys = _cluster([v for c in cells for v in (c[1], c[3])], tol)
    if len(xs) < 2 or len(ys) < 2:
        return None
    owner: list[list[int | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    origins: list[tuple[int, int]] = []
    for x0, top, x1, bottom in cells:
        c0, c1 = _nearest(xs, x0), _nearest(xs, x1)
        r0, r1 = _nearest(ys, top), _nearest(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        index = len(origins)
        origins.append((r0, c0))
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner[r][c] is None:
                    owner[r][c] = index
    for r, owners in enumerate(owner):  # holes (a border missing around one cell) become cells of their own
        for c, cell in enumerate(owners):
            if cell is None:
                owners[c] = len(origins)
                origins.append((r, c))
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    return CellGrid(bbox, xs, ys, owner, origins, [[] for _ in origins])
