"""OCR reader for images and scanned PDF pages: rapidocr 3.x on onnxruntime, with the models its wheel ships.
Also the layout of positioned text boxes into lines and tables, which the PDF reader uses for tables drawn
without ruling lines.

rapidocr is imported lazily (``pip install 'xxgk[ocr]'``); without it :func:`ocr_items` raises ImportError and
the PDF reader reports scanned pages clearly. The visualiser is never called (it downloads a font).

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

MAX_FRAMES = 50
MAX_SIDE = 4000
MIN_SCORE = 0.5

_NUMBER_RE = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$")

OcrItem = tuple[BlockKind, "str | list[list[GridCell]]"]


def _ingest_error(message: str) -> Exception:
    from xxgk.ingest import IngestError

    return IngestError(message)


@lru_cache(maxsize=1)
def _engine() -> Any:
    """One rapidocr engine per process (loading the models takes about a second)."""
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error"})


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
    items.sort(key=lambda item: item[0])
    return [item for _, item in items]


def ocr_items(image: Any) -> list[OcrItem]:
    """OCR one page image (PIL or numpy) into LINE texts and TABLE grids, in reading order."""
    return layout(recognise(image))


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
