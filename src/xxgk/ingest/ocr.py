"""OCR reader for images and scanned PDF pages: rapidocr 3.x on onnxruntime, with the models its wheel ships.
Also the layout of positioned text boxes into lines and tables, which the PDF reader uses for tables drawn
without ruling lines.

rapidocr is imported lazily (``pip install 'xxgk[ocr]'``); without it :func:`ocr_items` raises ImportError and
the PDF reader reports scanned pages clearly. The visualiser is never called (it downloads a font).

A scanned page is first turned level (:func:`deskew`, the projection profile of its ink). Ruled tables on a
page image are read from their cells (:func:`ruled_grids`: ruling lines found in the
pixels, joined into cells); every text box inside a cell belongs to it. The rest of the page goes through the
box layout.

Layout: short words stacked in a narrow cell are joined, then text boxes are grouped into visual lines by
vertical position. Where two or more lines end in two or more numbers, the band they span is read as a table:
the numbers fix the value columns (their x-ranges), everything left of the first value column is the label
column, and header lines just above that put words over the value columns join the table. Label fragments
wrapped onto a line of their own are joined back to the row they belong to. Other lines become LINE blocks.
OCR text is a best guess: the readers mark documents read this way in ``Document.warnings``.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median
from typing import Any

from xxgk.ingest.assemble import DocumentBuilder, GridCell, join_fragments
from xxgk.ingest.document import BlockKind, Document
from xxgk.ingest.grid import CellGrid, build_grid

MAX_FRAMES = 50
MAX_SIDE = 4000
MIN_SCORE = 0.5
MAX_RULING_RUNS = 20000  # dark runs long enough to be rulings, per page: beyond, the page is no ruled table
MAX_GRID_CELLS = 5000
MAX_SKEW = 5.0  # degrees a scanned page may be turned

_NUMBER_RE = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$")

OcrItem = tuple[BlockKind, "str | list[list[GridCell]]"]


def _ingest_error(message: str) -> Exception:
    from xxgk.ingest import IngestError

    return IngestError(message)


@lru_cache(maxsize=1)
def _engine() -> Any:
    """One rapidocr engine per process (loading the models takes about a second)."""
    from rapidocr import RapidOCR

    # No text-direction classifier: pages are levelled first (within ±5°), and the classifier turns some short
    # figures upside down (159 read as 651, 91 as 16).
    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})


def ocr_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def numeric(self) -> bool:
        return _NUMBER_RE.match(self.text.replace(" ", "")) is not None


@dataclass(slots=True)
class _Line:
    boxes: list[Box] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def cy(self) -> float:
        return sum(b.cy for b in self.boxes) / len(self.boxes)

    def numbers(self) -> list[Box]:
        return [b for b in self.boxes if b.numeric]

    def is_row(self) -> bool:
        """Two or more numbers at the right end of the line: a table row (label, then values)."""
        trailing = 0
        for box in sorted(self.boxes, key=lambda b: -b.x0):
            if not box.numeric:
                break
            trailing += 1
        return trailing >= 2

    def text(self) -> str:
        return " ".join(b.text for b in sorted(self.boxes, key=lambda b: b.x0))


def recognise(image: Any) -> list[Box]:
    """Run OCR on a PIL image or numpy array; boxes as axis-aligned rectangles with their text."""
    result = _engine()(image)
    boxes: list[Box] = []
    if result.boxes is None or result.txts is None:
        return boxes
    for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
        text = str(text).strip()
        if not text or float(score) < MIN_SCORE:
            continue
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        boxes.append(Box(min(xs), min(ys), max(xs), max(ys), text))
    return boxes


def _group_lines(boxes: list[Box], unit: float) -> list[_Line]:
    lines: list[_Line] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if lines and box.cy - lines[-1].cy <= 0.5 * unit:
            lines[-1].boxes.append(box)
        else:
            lines.append(_Line([box]))
    return lines


def _merge_intervals(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for x0, x1 in sorted(intervals):
        if merged and x0 < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _table_rows(lines: list[_Line], unit: float) -> list[list[GridCell]]:
    """A grid from lines whose numbers line up in columns (column 0 holds the labels)."""
    columns = _merge_intervals([(b.x0, b.x1) for ln in lines if ln.is_row() for b in ln.numbers()])
    first = columns[0][0]
    raw: list[list[list[Box]]] = []
    for line in lines:
        cells: list[list[Box]] = [[] for _ in range(len(columns) + 1)]
        for box in sorted(line.boxes, key=lambda b: b.x0):
            if box.x1 <= first + 0.25 * unit:
                cells[0].append(box)
                continue
            best = max(range(len(columns)), key=lambda i: _overlap(box.x0, box.x1, *columns[i]))
            if _overlap(box.x0, box.x1, *columns[best]) <= 0:
                best = min(range(len(columns)), key=lambda i: abs(sum(columns[i]) / 2 - (box.x0 + box.x1) / 2))
            cells[best + 1].append(box)
        raw.append(cells)
    # join label fragments that OCR put on lines of their own
    merged: list[list[list[Box]]] = []
    for cells in raw:
        label_only = bool(cells[0]) and not any(cells[1:])
        if merged:
            prev = merged[-1]
            prev_values = any(prev[1:])
            if label_only and prev_values and prev[0] and abs(cells[0][0].x0 - prev[0][-1].x0) < 1.5 * unit:
                prev[0].extend(cells[0])  # wrapped label continues the row above
                continue
            if not cells[0] and any(cells[1:]) and prev[0] and not prev_values:
                for i in range(1, len(cells)):
                    prev[i].extend(cells[i])  # numbers centred below a label that stands alone
                continue
        merged.append(cells)
    return [[GridCell(join_fragments([b.text for b in cell])) for cell in cells] for cells in merged]


def _join_stacked(boxes: list[Box], unit: float) -> list[Box]:
    """Join short words that a narrow header cell wrapped onto two or three lines (社会/公益/组织, 结果/维持):
    boxes of at most four characters stacked on each other, touching or overlapping vertically (rows of a
    table are further apart), sharing most of their width, and neither on a line with numbers (a data row)."""
    number_ys = sorted(b.cy for b in boxes if b.numeric)

    def on_data_row(box: Box) -> bool:
        i = bisect_left(number_ys, box.cy - 0.5 * unit)
        return i < len(number_ys) and number_ys[i] <= box.cy + 0.5 * unit

    out: list[Box] = []
    for box in sorted(boxes, key=lambda b: b.y0):
        if len(box.text) <= 4 and not box.numeric and not on_data_row(box):
            for i in range(len(out) - 1, -1, -1):
                above = out[i]
                if above.numeric or len(above.text) > 8 or above.y1 < box.y0 - 0.1 * unit or on_data_row(above):
                    continue
                narrower = min(above.x1 - above.x0, box.x1 - box.x0)
                if box.cy > above.cy + 0.5 * unit and _overlap(above.x0, above.x1, box.x0, box.x1) >= 0.6 * narrower:
                    out[i] = Box(min(above.x0, box.x0), above.y0, max(above.x1, box.x1), box.y1, above.text + box.text)
                    break
            else:
                out.append(box)
            continue
        out.append(box)
    return out


def layout(boxes: list[Box]) -> list[OcrItem]:
    """Lines and tables, in reading order, from the text boxes of one page (OCR boxes, or PDF words)."""
    return [item for _, item in sorted(_positioned_items(boxes), key=lambda item: item[0])]


def _positioned_items(boxes: list[Box]) -> list[tuple[float, OcrItem]]:
    """:func:`layout`'s items with the top coordinate of each."""
    if not boxes:
        return []
    unit = median(b.height for b in boxes) or 1.0
    tall = [b for b in boxes if b.height > 2.5 * unit and b.height > 1.5 * (b.x1 - b.x0)]  # vertical labels
    lines = _group_lines(_join_stacked([b for b in boxes if b not in tall], unit), unit)
    candidates = [i for i, ln in enumerate(lines) if ln.is_row()]
    regions: list[tuple[int, int]] = []
    for i in candidates:
        if regions and i - regions[-1][1] <= 3:
            regions[-1] = (regions[-1][0], i)
        else:
            regions.append((i, i))
    regions = [r for r in regions if sum(1 for i in candidates if r[0] <= i <= r[1]) >= 2]
    items: list[tuple[float, OcrItem]] = []
    taken: set[int] = set()
    placed: set[int] = set()
    for start, end in regions:
        value_cols = _merge_intervals(
            [(b.x0, b.x1) for ln in lines[start : end + 1] if ln.is_row() for b in ln.numbers()]
        )
        while (
            start > 0
            and start - 1 not in taken
            and len(lines[start - 1].boxes) >= 2
            and any(_overlap(b.x0, b.x1, c0, c1) > 0 for b in lines[start - 1].boxes for c0, c1 in value_cols)
        ):
            start -= 1  # header lines over the value columns
        region = lines[start : end + 1]
        taken.update(range(start, end + 1))
        top = region[0].top
        bottom = max(b.y1 for b in region[-1].boxes)
        for k, box in enumerate(tall):
            if k not in placed and top <= box.cy <= bottom:
                placed.add(k)  # a vertical label of the table: read just before it
                items.append((top - 0.5, (BlockKind.LINE, box.text)))
        items.append((top, (BlockKind.TABLE, _table_rows(region, unit))))
    for k, box in enumerate(tall):
        if k not in placed:
            items.append((box.y0, (BlockKind.LINE, box.text)))
    for i, line in enumerate(lines):
        if i not in taken:
            items.append((line.top, (BlockKind.LINE, line.text())))
    return items


def ruled_grids(image: Any, unit: float) -> list[CellGrid]:
    """The ruled tables of a page image: thin dark lines found in the pixels, joined into cells as pdfplumber
    joins a PDF's vector rulings, then into grids (merged cells included).

    ``unit`` is the text height in pixels. Only thin strokes count (a run of ink most of which has ink on
    both sides across it lies in a filled area such as a chart bar); a line is at least two text heights
    long; a table has at least two rows and two columns of cells, and its cells are mostly white. Without
    numpy or pdfplumber there are no ruled grids (the box layout still reads the tables)."""
    try:
        import numpy as np
        from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
    except ImportError:  # pragma: no cover - both come with the ocr and docs extras
        return []
    gray = np.asarray(image.convert("L"))
    dark = gray < 0.7 * float(np.median(gray))  # ink against this page's paper (thin rulings scan grey)
    k = max(3, round(0.2 * unit))  # thicker than 2k: a filled area, not a line
    min_length = max(30, round(2 * unit))
    edges: list[dict[str, Any]] = []
    for axis, mask in (("h", dark), ("v", dark.T)):
        # pixels with ink k pixels before and after them across the run: inside a filled area (or where a
        # ruling crosses this one); a run mostly made of them is not a line
        across = np.zeros(mask.shape, dtype=np.int32)
        across[k:-k] = mask[: -2 * k] & mask[2 * k :]
        filled = np.zeros((mask.shape[0], mask.shape[1] + 1), dtype=np.int32)
        np.cumsum(across, axis=1, out=filled[:, 1:])
        padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        steps = np.diff(padded, axis=1)
        starts, ends = np.argwhere(steps == 1), np.argwhere(steps == -1)
        lines, a_, b_ = starts[:, 0], starts[:, 1], ends[:, 1]
        keep = (b_ - a_ >= min_length) & (2 * (filled[lines, b_] - filled[lines, a_]) < b_ - a_)
        for line, a, b in zip(lines[keep].tolist(), a_[keep].tolist(), b_[keep].tolist(), strict=True):
            if axis == "h":
                edges.append({"orientation": "h", "x0": a, "x1": b, "top": line, "bottom": line, "width": b - a})
            else:
                edges.append({"orientation": "v", "x0": line, "x1": line, "top": a, "bottom": b, "height": b - a})
        if len(edges) > MAX_RULING_RUNS:
            return []
    if not edges:
        return []
    edges = merge_edges(edges, snap_x_tolerance=3, snap_y_tolerance=3, join_x_tolerance=3, join_y_tolerance=3)
    grids: list[CellGrid] = []
    for cells in cells_to_tables(intersections_to_cells(edges_to_intersections(edges, 3, 3))):
        grid = build_grid(cells, MAX_GRID_CELLS, tol=3.0)
        if grid is None or len(grid.xs) < 3 or len(grid.ys) < 3:
            continue
        if any(_mostly_dark(dark, box, k) for box in cells):
            continue  # bars of a chart, not table cells
        grids.append(grid)
    return grids


def _mostly_dark(dark: Any, box: tuple[float, float, float, float], margin: int) -> bool:
    x0, top, x1, bottom = (round(v) for v in box)
    inside = dark[top + margin : bottom - margin, x0 + margin : x1 - margin]
    return bool(inside.size) and float(inside.mean()) > 0.5


def _cell_text(boxes: list[Box]) -> str:
    if not boxes:
        return ""
    unit = median(b.height for b in boxes) or 1.0
    return join_fragments([line.text() for line in _group_lines(boxes, unit)])


def skew_angle(image: Any) -> float:
    """The rotation (degrees, counter-clockwise, within ±:data:`MAX_SKEW`) that levels a scanned page: the one
    under which the rows of ink are sharpest (the projection profile of a downscaled copy, coarse then fine)."""
    import numpy as np
    from PIL import Image

    small = image.convert("L")
    small.thumbnail((1000, 1000))
    gray = np.asarray(small)
    ink = Image.fromarray(((gray < 0.7 * float(np.median(gray))) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.BILINEAR), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    level = sharpness(0.0)
    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=sharpness)
    fine = np.arange(max(-MAX_SKEW, best - 0.25), min(MAX_SKEW, best + 0.25) + 1e-9, 0.05)
    best = max(fine, key=sharpness)
    if sharpness(float(best)) <= 1.02 * level:
        return 0.0  # no angle is clearly better (a blank page, a photograph): leave it as it is
    return round(float(best), 2)


def deskew(image: Any) -> Any:
    """The page turned level (see :func:`skew_angle`); pages within 0.2° are returned as they are."""
    angle = skew_angle(image)
    if abs(angle) < 0.2:
        return image
    from PIL import Image

    page = image.convert("RGB")
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))


def ocr_items(image: Any) -> list[OcrItem]:
    """OCR one page image (PIL) into LINE texts and TABLE grids, in reading order: the page levelled
    (:func:`deskew`), ruled tables read from their cells (:func:`ruled_grids`), the rest of the page through
    :func:`layout`."""
    image = deskew(image)
    boxes = recognise(image)
    if not boxes:
        return []
    grids = ruled_grids(image, median(b.height for b in boxes) or 1.0)
    rest: list[Box] = []
    for box in boxes:
        for grid in grids:
            cell = grid.locate((box.x0 + box.x1) / 2, box.cy)
            if cell is not None:
                grid.items[cell].append(box)
                break
        else:
            rest.append(box)
    items = _positioned_items(rest)
    for grid in grids:
        rows = grid.rows(_cell_text)
        if any(row[0].text for row in rows):
            items.append((grid.bbox[1], (BlockKind.TABLE, rows)))
        else:  # an empty frame: nothing to read
            items.extend(_positioned_items([box for cell in grid.items for box in cell]))
    return [item for _, item in sorted(items, key=lambda item: item[0])]


def read_image(data: bytes, source: str) -> Document:
    """Read an image file (PNG, JPEG, TIFF with several pages, BMP) by OCR."""
    try:
        import rapidocr  # noqa: F401
    except ImportError as exc:
        raise _ingest_error(
            f"读取图片需要文字识别组件 (OCR)，请安装 pip install 'xxgk[ocr]' (OCR not installed: {exc}): {source}"
        ) from exc
    from PIL import Image, ImageSequence

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        raise _ingest_error(f"图片文件无法打开 (cannot open image: {exc}): {source}") from exc
    builder = DocumentBuilder()
    frames = 0
    for frame in ImageSequence.Iterator(image):
        frames += 1
        if frames > MAX_FRAMES:
            builder.warnings.append(f"图片页数过多，只识别前 {MAX_FRAMES} 页 (only the first {MAX_FRAMES} frames read)")
            break
        page = frame.convert("RGB")
        if max(page.size) > MAX_SIDE:
            scale = MAX_SIDE / max(page.size)
            page = page.resize((max(1, int(page.width * scale)), max(1, int(page.height * scale))))
        for kind, payload in ocr_items(page):
            if isinstance(payload, list):
                builder.add_table(payload, page=frames)
            else:
                builder.add_text(payload, kind, page=frames)
    if not builder.items:
        raise _ingest_error(f"图片中没有识别出文字 (no text recognised in image): {source}")
    builder.warnings.append("内容由文字识别 (OCR) 得到，可能有误 (text read by OCR; may contain errors)")
    return builder.build(source, "image", {"ocr": "rapidocr", "frames": str(frames)})
