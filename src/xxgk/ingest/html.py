"""HTML reader: a portal page → a :class:`~xxgk.ingest.document.Document` of blocks with exact offsets.

Pipeline: decode the bytes ourselves (:func:`~xxgk.ingest.encoding.decode_bytes`, never selectolax), parse
with ``selectolax.lexbor``, drop ``script``/``style``/``noscript``/``template`` and comments, find the main
content (container rules from :data:`CONTAINER_SELECTORS`, else a text-density heuristic), then walk the tree
once in document order and emit blocks:

* HEADING for ``h1``–``h6`` (and the article title found just outside the container), PARAGRAPH for block
  text, LINE for the pieces of a block split by ``<br>``, TABLE with a full grid (rowspan/colspan expanded,
  copies marked ``spanned``).
* Everything outside the main content is kept and marked ``noise``: ``navigation``, ``footer``, ``sidebar``,
  ``metadata`` (the 索引号/发布机构 box) or ``boilerplate``. Inline-hidden elements (``display:none``,
  ``visibility:hidden``, ``hidden``, zero font size, off-screen positioning, zero opacity) are marked
  ``hidden`` wherever they are; hidden links are written as ``链接: <text> (<href>)``.

``Document.meta`` holds ``encoding``, ``main_content`` (the selector that matched, ``density`` or both), ``title``,
``url`` (canonical link, og:url or a "来源: http…" line), the portal box values under their Chinese labels
(索引号, 发布机构, 成文日期, 发布日期, 公开日期, 文号; see :data:`META_LABELS`) and ``attachments`` (document
links in the main content, one per line).

Block texts are whitespace-collapsed (a line break between two CJK characters disappears, as in CSS Text 3),
joined with ``"\\n"``; table rows are joined with ``"\\n"`` and cells with ``" | "``. The joined visible text
is then normalised with :func:`~xxgk.ingest.normalize.normalize_text`; every block and cell offset indexes
:attr:`Document.text` exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from xxgk.ingest.document import Block, BlockKind, Cell, Document, OffsetMap
from xxgk.ingest.encoding import DecodeError, decode_bytes
from xxgk.ingest.normalize import normalize_text, squash

# --------------------------------------------------------------------------------------------------------
# Data: container rules, noise classes, metadata labels
# --------------------------------------------------------------------------------------------------------

#: CSS selectors of article containers on government portals, most specific first. The first selector
#: whose match holds real content wins; generic ones (``.content``, ``article``…) come last.
CONTAINER_SELECTORS: tuple[str, ...] = (
    "#zoom",
    "#Zoom",
    "#zoomcon",
    "#UCAP-CONTENT",
    "ucapcontent",
    ".TRS_Editor",
    ".TRS_UEDITOR",
    ".trs_editor_view",
    "#fontzoom",
    ".Custom_UnionStyle",
    ".article-content",
    ".article_content",
    ".articleContent",
    ".art_content",
    ".pages_content",
    ".zwgk_content",
    ".news_content",
    ".detail-content",
    ".wzy",
    ".wzy_content",
    "#content",
    ".content",
    ".article",
    "article",
    "main",
)

#: Selectors that often wrap more than the article; their match is narrowed by the density heuristic.
GENERIC_SELECTORS = frozenset({"#content", ".content", ".article", "article", "main"})

#: Tags whose content is never text (dropped with their subtree).
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "img",
        "input",
        "map",
        "area",
        "param",
        "source",
        "track",
        "base",
    }
)
_STRIP_TAGS = ["script", "style", "noscript", "template"]

#: Tags that start and end a block of text.
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "nav",
        "aside",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "center",
        "form",
        "fieldset",
        "legend",
        "figure",
        "figcaption",
        "address",
        "hr",
        "details",
        "summary",
        "select",
        "option",
        "optgroup",
        "textarea",
        "button",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "body",
        "html",
        "menu",
        "dir",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "listing",
        "xmp",
        "plaintext",
        "hgroup",
        "search",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PRE_TAGS = frozenset({"pre", "listing", "xmp", "plaintext", "textarea"})

# Noise labels for blocks outside the main content (first matching class/id/tag rule wins).
NOISE_NAVIGATION = "navigation"
NOISE_FOOTER = "footer"
NOISE_SIDEBAR = "sidebar"
NOISE_METADATA = "metadata"
NOISE_BOILERPLATE = "boilerplate"
NOISE_HIDDEN = "hidden"

_NOISE_TAGS = {"nav": NOISE_NAVIGATION, "header": NOISE_NAVIGATION, "footer": NOISE_FOOTER, "aside": NOISE_SIDEBAR}
_NOISE_CLASS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (NOISE_FOOTER, re.compile(r"foot|bottom|copyright|banquan|beian|\bbq\b|\bft\b", re.I)),
    (NOISE_METADATA, re.compile(r"\bmeta\b|article-?tb|xxgk[-_]?(?:info|table|tb|box)|\binfo\b|attr", re.I)),
    (NOISE_SIDEBAR, re.compile(r"side|\bright\b|related|xggj|xgxx|recommend|share|\bhot\b", re.I)),
    (
        NOISE_NAVIGATION,
        re.compile(
            r"nav|menu|crumb|position|location|dqwz|daohang|head|(?:^|[\s_-])top|bar\b|banner|logo|search|skip",
            re.I,
        ),
    ),
)
_LIST_TAGS = frozenset({"ul", "ol", "menu", "dl", "select", "div", "p", "td"})

#: Metadata box labels → the canonical key in :attr:`Document.meta`.
META_LABELS: dict[str, str] = {
    "索引号": "索引号",
    "发布机构": "发布机构",
    "发文机关": "发布机构",
    "发布单位": "发布机构",
    "成文日期": "成文日期",
    "成文时间": "成文日期",
    "发布日期": "发布日期",
    "发布时间": "发布日期",
    "公开日期": "公开日期",
    "公开时间": "公开日期",
    "文号": "文号",
    "发文字号": "文号",
}

MAX_TABLE_CELLS = 5000
_TABLE_WEIGHT = 50  # content score of one data table, in CJK characters
_MIN_CONTENT = 20  # a container with less (and no table) is not the article
_LARGE_CONTENT = 300  # a container with this much is the article whatever the rest of the page holds

# --------------------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------------------

_SEP = "\x1f"  # block boundary inside a cell; \x1f is whitespace to str.isspace and to \s
_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \\t\\r\\f\\n]*\\n[ \\t\\r\\f\\n]*(?=[{_CJK}])")
_CJK_RUN = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0*(?:\.0*)?\s*(?:;|!|$)"
    r"|(?<![\w-])(?:left|top|right|text-indent)\s*:\s*-\s*\d{3,}|margin-(?:left|top)\s*:\s*-\s*\d{4,}"
    r"|clip\s*:\s*rect\(\s*(?:(?:0|0px|1px)[\s,]*){4}\)",
    re.I,
)
_FONT_SIZE = re.compile(r"font-size\s*:\s*([\d.]+)\s*(px|pt|em|rem|%)?", re.I)
_ZERO_BOX = re.compile(r"(?:^|;)\s*(?:width|height)\s*:\s*0(?:px)?\s*(?:;|!|$)", re.I)
_URL_AFTER_SOURCE = re.compile(r"来源\s*[:：]\s*(https?://[^\s|]+)")


def _clean(raw: str) -> str:
    """Collapse whitespace as a browser does; drop line breaks between CJK characters."""
    raw = raw.strip()
    if "\n" in raw:
        raw = _CJK_BREAK.sub("", raw)
    return " ".join(raw.split())


def _cjk_count(text: str) -> int:
    return sum(map(len, _CJK_RUN.findall(text)))


@lru_cache(maxsize=4096)
def hidden_style(style: str) -> bool:
    """Whether an inline ``style`` hides its element (cached: Word HTML repeats the same styles)."""
    if _HIDDEN_STYLE.search(style):
        return True
    lowered = style.lower()
    if "font-size" in lowered:
        m = _FONT_SIZE.search(style)
        if m:
            try:
                size = float(m.group(1))
            except ValueError:
                size = 1.0
            unit = (m.group(2) or "").lower()
            if size == 0 or (unit in ("px", "pt") and size < 2):
                return True
    return "overflow" in lowered and "hidden" in lowered and bool(_ZERO_BOX.search(style))


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")


def hiding_selectors(tree: LexborHTMLParser) -> list[str]:
    """Selectors of the page's ``<style>`` rules whose declarations hide an element (``.x{display:none}``).

    Spam is often hidden by a class rather than an inline style. Rules inside ``@media`` blocks and selectors
    with pseudo-classes (``:hover``) apply only sometimes and are left out.
    """
    found: list[str] = []
    for style in tree.css("style"):
        css = _CSS_COMMENT.sub("", style.text(deep=True) or "")
        if "@" in css:
            css = re.sub(r"@[^{;]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)  # @media … { rules }
        for m in _CSS_RULE.finditer(css):
            if not hidden_style(" ".join(m.group(2).split())):
                continue
            for selector in m.group(1).split(","):
                selector = selector.strip()
                if selector and ":" not in selector and len(selector) <= 200:
                    found.append(selector)
    return found


def _hidden_nodes(tree: LexborHTMLParser, selectors: Sequence[str] = ()) -> list[LexborNode]:
    """Every element hidden by its own attributes (``hidden``, inline style) or by a hiding style rule."""
    found: list[LexborNode] = []
    seen: set[int] = set()
    for selector in selectors:
        try:
            matched = tree.css(selector)
        except Exception:  # a selector lexbor does not support: that rule is not applied
            continue
        for node in matched:
            if node.mem_id not in seen:
                seen.add(node.mem_id)
                found.append(node)
    for node in tree.css("[style], [hidden]"):
        if node.mem_id in seen:
            continue
        attrs = node.attributes
        if "hidden" in attrs:
            found.append(node)
            continue
        style = attrs.get("style")
        if style and hidden_style(style):
            found.append(node)
    return found


_COMPLEX_TAGS = BLOCK_TAGS | DROP_TAGS | {"br"}


def _structured_ids(body: LexborNode, extra: list[LexborNode]) -> set[int]:
    """Elements with a block, ``<br>``, dropped or ``extra`` element below them.

    Any other element holds inline text only, so its text is read in one C call instead of walked.
    """
    marked: set[int] = set()
    for node in [*(n for n in body.traverse() if n.tag in _COMPLEX_TAGS), *extra]:
        cur = node.parent
        while cur is not None:
            mid = cur.mem_id
            if mid in marked:
                break
            marked.add(mid)
            cur = cur.parent
    return marked


def _span(value: str | None, limit: int) -> int:
    """rowspan/colspan attribute → an int ≥ 0 (rowspan 0 = "to the end", handled by the caller)."""
    if not value:
        return 1
    if value.isdigit() and len(value) < 8:
        return min(int(value), limit)
    m = re.match(r"\s*(\d+)", value)
    if not m:
        return 1
    digits = m.group(1)
    return limit if len(digits) >= 8 else min(int(digits), limit)


def _class_noise(node: LexborNode, tag: str) -> str | None:
    label = _NOISE_TAGS.get(tag)
    if label is not None:
        return label
    attrs = node.attributes
    if not attrs:
        return None
    key = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()
    if not key:
        return None
    for label, pattern in _NOISE_CLASS_RULES:
        if pattern.search(key):
            return label
    return None


def _is_inside(node: LexborNode, ancestor_ids: set[int]) -> bool:
    cur: LexborNode | None = node
    while cur is not None:
        if cur.mem_id in ancestor_ids:
            return True
        cur = cur.parent
    return False


# --------------------------------------------------------------------------------------------------------
# Main content detection
# --------------------------------------------------------------------------------------------------------


def _content_score(node: LexborNode) -> int:
    """CJK characters outside links plus a bonus per table."""
    text = _cjk_count(node.text(deep=True, separator=""))
    links = sum(_cjk_count(a.text(deep=True, separator="")) for a in node.css("a"))
    tables = len(node.css("table"))
    return max(0, text - links) + _TABLE_WEIGHT * tables


def _rule_roots(tree: LexborHTMLParser, body: LexborNode) -> tuple[list[LexborNode], str] | None:
    """Main-content roots from :data:`CONTAINER_SELECTORS` (several when one selector repeats).

    A match must hold real content: at least :data:`_MIN_CONTENT`, and, unless it is large by itself, a
    quarter of the page's content (so a ``.content`` box in a sidebar does not win).
    """
    page_score = -1
    for selector in CONTAINER_SELECTORS:
        try:
            matches = tree.css(selector)
        except Exception:  # pragma: no cover - an invalid selector in the data list
            continue
        if not matches:
            continue
        scored = [(m, _content_score(m)) for m in matches]
        best = max(s for _, s in scored)
        if best < _MIN_CONTENT:
            continue
        if best < _LARGE_CONTENT:
            if page_score < 0:
                page_score = _content_score(body)
            if best < 0.25 * page_score:
                continue
        roots: list[LexborNode] = []
        ids: set[int] = set()
        for m, s in scored:  # document order; keep outermost of nested matches
            if s >= max(_MIN_CONTENT, 0.3 * best) and not _is_inside(m, ids):
                roots.append(m)
                ids.add(m.mem_id)
        return roots, selector
    return None


def _density_root(body: LexborNode) -> LexborNode:
    """The smallest element that still holds most of the page's non-link Chinese text and tables."""
    nodes: list[LexborNode] = []
    parents: list[int] = []
    scores: list[int] = []
    tables: list[int] = []
    stack: list[tuple[LexborNode, int, bool]] = [(body, -1, False)]
    while stack:
        node, parent, in_link = stack.pop()
        idx = len(nodes)
        nodes.append(node)
        parents.append(parent)
        tag = node.tag or ""
        in_link = in_link or tag == "a"
        own = 0
        child = node.child
        while child is not None:
            ctag = child.tag
            if ctag == "-text":
                if not in_link:
                    own += _cjk_count(child.text_content or "")
            elif ctag and ctag[0] != "-" and ctag not in DROP_TAGS:
                stack.append((child, idx, in_link))
            child = child.next
        scores.append(own + (_TABLE_WEIGHT if tag == "table" else 0))
        tables.append(1 if tag == "table" else 0)
    children: list[list[int]] = [[] for _ in nodes]
    for idx in range(len(nodes) - 1, 0, -1):
        p = parents[idx]
        scores[p] += scores[idx]
        tables[p] += tables[idx]
        children[p].append(idx)
    cur = 0
    while children[cur]:
        if nodes[cur].tag == "table" and tables[cur] == 1:
            break  # never descend into a data table
        best = max(children[cur], key=scores.__getitem__)
        if scores[best] == 0 or scores[best] < 0.7 * scores[cur] or tables[best] < tables[cur]:
            break  # stop before leaving much text, or any table, behind
        cur = best
    return nodes[cur]


def _title_element(tree: LexborHTMLParser, roots: list[LexborNode], page_title: str) -> LexborNode | None:
    """The article title heading just outside the content container (it belongs to the report)."""
    root_ids = {r.mem_id for r in roots}
    target = squash(page_title)
    best: LexborNode | None = None
    best_len = 0
    for h in tree.css("h1, h2, h3, ucaptitle"):
        if _is_inside(h, root_ids):
            continue
        text = squash(h.text(deep=True, separator=""))
        if len(text) >= 4 and text in target and len(text) >= 0.4 * len(target) and len(text) > best_len:
            best, best_len = h, len(text)
    if best is not None:
        return best
    if len(roots) != 1:
        return None
    anc = roots[0].parent
    for _ in range(3):
        if anc is None or anc.tag in ("body", "html"):
            return None
        for h in anc.css("h1"):
            if not _is_inside(h, root_ids) and h.text(deep=True, separator="").strip():
                return h
        anc = anc.parent
    return None


def _layout_tables(body: LexborNode, roots: list[LexborNode]) -> set[int]:
    """Tables used for page layout (walked as blocks, not read as grids).

    A table is layout when it holds another table or the main content, or has at most one cell.
    """
    layout: set[int] = set()
    for node in [*body.css("table table"), *roots]:
        cur = node.parent
        while cur is not None:
            if cur.tag == "table":
                layout.add(cur.mem_id)
            cur = cur.parent
    for table in body.css("table"):
        if table.mem_id not in layout and len(table.css("td, th")) <= 1:
            layout.add(table.mem_id)
    return layout


# --------------------------------------------------------------------------------------------------------
# The walk
# --------------------------------------------------------------------------------------------------------

_RawRows = list[list[tuple[str, bool]]]


@dataclass(slots=True)
class _Raw:
    kind: BlockKind
    noise: str | None
    text: str = ""
    rows: _RawRows | None = None


@dataclass(slots=True)
class _Frame:
    node: LexborNode
    noise: str | None
    line_mode: bool
    block: bool
    heading: bool
    href: str | None


@dataclass(slots=True)
class _Walker:
    content_ids: set[int]
    layout_ids: set[int]
    hidden_ids: set[int]
    structured: set[int]
    outside: str | None  # noise label at the walk's start (None when the start is content)
    blocks: list[_Raw] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)
    noise: str | None = None
    line_mode: bool = False
    heading_depth: int = 0
    hidden_count: int = 0

    # -- buffer -----------------------------------------------------------------------------------------

    def flush(self) -> None:
        if not self.buf:
            return
        text = _clean("".join(self.buf))
        self.buf.clear()
        if not text:
            return
        if self.heading_depth:
            kind = BlockKind.HEADING
        elif self.line_mode:
            kind = BlockKind.LINE
        else:
            kind = BlockKind.PARAGRAPH
        self.blocks.append(_Raw(kind, self.noise, text))

    def emit(self, kind: BlockKind, text: str, noise: str | None) -> None:
        text = _clean(text)
        if text:
            self.blocks.append(_Raw(kind, noise, text))

    # -- noise context ----------------------------------------------------------------------------------

    def _noise_for(self, node: LexborNode, tag: str) -> str | None:
        current = self.noise
        if current == NOISE_HIDDEN:
            return current
        if node.mem_id in self.hidden_ids:
            self.hidden_count += 1
            return NOISE_HIDDEN
        mid = node.mem_id
        if tag == "table" and _is_meta_box(node):
            return NOISE_METADATA  # the portal's 索引号/发布机构 box, inside or outside the container
        if mid in self.content_ids:
            return None
        if current is None:
            return None
        if current == NOISE_BOILERPLATE:
            label = _class_noise(node, tag)
            if label is not None:
                return label
            if tag in _LIST_TAGS and (tag not in ("div", "p", "td") or mid not in self.structured):
                if _link_density(node) >= 0.5:
                    return NOISE_NAVIGATION
        return current

    # -- walking ----------------------------------------------------------------------------------------

    def walk(self, start: LexborNode) -> None:
        self.noise = self.outside
        stack: list[_Frame] = []
        node: LexborNode | None = start.child
        while True:
            if node is None:
                if not stack:
                    break
                frame = stack.pop()
                self._leave(frame)
                node = frame.node.next
                continue
            tag = node.tag
            if tag == "-text":
                self.buf.append(node.text_content or "")
                node = node.next
                continue
            if not tag or tag[0] == "-" or tag in DROP_TAGS:
                node = node.next
                continue
            frame_or_none = self._enter(node, tag)
            if frame_or_none is None:
                node = node.next
                continue
            if node.mem_id not in self.structured and self.noise != NOISE_HIDDEN:
                self.buf.append(node.text(deep=True, separator=""))  # inline-only subtree
                self._leave(frame_or_none)
                node = node.next
                continue
            stack.append(frame_or_none)
            node = node.child
        self.flush()

    def _enter(self, node: LexborNode, tag: str) -> _Frame | None:
        """Open an element; returns the frame to close later, or None when the element was fully handled."""
        if tag == "br":
            self.line_mode = True
            self.flush()
            return None
        noise = self._noise_for(node, tag)
        block = tag in BLOCK_TAGS
        if (tag == "table" and node.mem_id not in self.layout_ids) or tag in _PRE_TAGS:
            old = self.noise
            self.flush()
            self.noise = noise
            self.line_mode = False
            if tag == "table":
                self._table(node)
            else:
                self._pre(node)
            if noise == NOISE_HIDDEN and old != NOISE_HIDDEN:
                self._hidden_links(node)
            self.noise = old
            return None
        frame = _Frame(node, self.noise, self.line_mode, block, tag in _HEADINGS, None)
        if block:
            self.flush()
            self.line_mode = False
        self._set_noise(noise, flush=True)
        if frame.heading:
            self.flush()
            self.heading_depth += 1
        if tag == "a" and noise == NOISE_HIDDEN:
            href = node.attributes.get("href")
            if href:
                self.flush()
                self.buf.append("链接: ")
                frame.href = href
        return frame

    def _set_noise(self, noise: str | None, *, flush: bool) -> None:
        if noise != self.noise:
            if flush:
                self.flush()
            self.noise = noise

    def _leave(self, frame: _Frame) -> None:
        if frame.href is not None:
            self.buf.append(f" ({frame.href})")
            self.flush()
        if frame.heading:
            self.flush()
            self.heading_depth -= 1
        if frame.block:
            self.flush()
            self.line_mode = False
        elif frame.noise != self.noise:
            self.flush()
        if frame.noise != self.noise:
            self.noise = frame.noise
        if not frame.block:
            self.line_mode = self.line_mode or frame.line_mode

    def _hidden_links(self, node: LexborNode) -> None:
        """Links inside a hidden table or ``pre``, written out so an integrity audit sees their targets."""
        for a in node.css("a"):
            href = a.attributes.get("href")
            if href:
                self.emit(BlockKind.PARAGRAPH, f"链接: {a.text(deep=True, separator='')} ({href})", NOISE_HIDDEN)

    def _pre(self, node: LexborNode) -> None:
        text = node.text(deep=True, separator="")
        kind = BlockKind.HEADING if self.heading_depth else BlockKind.LINE
        for line in text.replace("\r\n", "\n").split("\n"):
            self.emit(kind, line, self.noise)

    # -- tables -----------------------------------------------------------------------------------------

    def _table(self, table: LexborNode) -> None:
        noise = self.noise
        hidden: list[str] = []
        hidden_ids, structured = self.hidden_ids, self.structured
        raw_rows: list[list[tuple[str, int, int]]] = []
        hidden_rows: list[LexborNode] = []
        for tr in table.css("tr, caption"):
            if tr.tag == "caption":
                self.emit(BlockKind.PARAGRAPH, _cell_text(tr, hidden, hidden_ids, structured), noise)
                continue
            if noise != NOISE_HIDDEN and tr.mem_id in hidden_ids:
                hidden_rows.append(tr)
                continue
            row: list[tuple[str, int, int]] = []
            for cell in tr.iter():
                tag = cell.tag
                if tag != "td" and tag != "th":
                    continue
                rs = cs = 1
                attrs = cell.attributes
                if attrs:
                    value = attrs.get("rowspan")
                    if value is not None:
                        rs = _span(value, 65534)
                    value = attrs.get("colspan")
                    if value is not None:
                        cs = _span(value, 1000) or 1
                if cell.mem_id in structured:
                    text = _cell_text(cell, hidden, hidden_ids, structured)
                else:
                    text = _clean(cell.text(deep=True, separator=""))
                row.append((text, rs, cs))
            raw_rows.append(row)
        grid = _grid(raw_rows)
        if grid is None:
            self.warnings.append(
                f"表格过大（超过 {MAX_TABLE_CELLS} 个单元格），已按行保留文本，未展开表格结构 "
                f"(table over {MAX_TABLE_CELLS} cells kept as lines)"
            )
            for raw_row in raw_rows:
                self.emit(BlockKind.LINE, " | ".join(text for text, _, _ in raw_row), noise)
        elif grid:
            self.blocks.append(_Raw(BlockKind.TABLE, noise, rows=grid))
        for tr in hidden_rows:
            self.hidden_count += 1
            cells = [c for c in tr.iter() if c.tag in ("td", "th")]
            hidden.append(" | ".join(_cell_text(c, [], set(), structured) for c in cells))
            hidden.extend(_hidden_text(c) for c in cells if c.css_first("a[href]") is not None)
        for text in hidden:
            self.emit(BlockKind.PARAGRAPH, text, NOISE_HIDDEN)


def _link_density(node: LexborNode) -> float:
    """Share of the element's text that sits inside links."""
    total = len(squash(node.text(deep=True, separator="")))
    if total == 0:
        return 0.0
    links = sum(len(squash(a.text(deep=True, separator=""))) for a in node.css("a"))
    return links / total


def _is_meta_box(table: LexborNode) -> bool:
    """A table holding the portal's metadata box: 索引号 and at least one other box label."""
    text = table.text(deep=True, separator="")
    return "索引号" in text and sum(1 for label in META_LABELS if label in text) >= 2


def _grid(raw_rows: list[list[tuple[str, int, int]]]) -> _RawRows | None:
    """Expand rowspan/colspan into a rectangular grid of (text, spanned); None when over the size bound.

    HTML table model: each cell goes to the first free column of its row; rowspan 0 means "to the last row".
    Short rows are padded with empty cells.
    """
    n_rows = len(raw_rows)
    grid: list[list[tuple[str, bool] | None]] = [[] for _ in range(n_rows)]
    budget = MAX_TABLE_CELLS
    for r, row in enumerate(raw_rows):
        c = 0
        line = grid[r]
        for text, rs, cs in row:
            n = len(line)
            while c < n and line[c] is not None:
                c += 1
            if rs == 1 and cs == 1:
                budget -= 1
                if c == n:
                    line.append((text, False))
                else:
                    line[c] = (text, False)
                c += 1
                continue
            rows_spanned = n_rows - r if rs == 0 else min(rs, n_rows - r)
            budget -= rows_spanned * cs
            if budget < 0:
                return None
            for dr in range(rows_spanned):
                target = grid[r + dr]
                if len(target) < c + cs:
                    target.extend([None] * (c + cs - len(target)))
                for dc in range(cs):
                    if target[c + dc] is None:
                        target[c + dc] = (text, dr != 0 or dc != 0)
            c += cs
        if budget < 0:
            return None
    width = max((len(line) for line in grid), default=0)
    if width == 0:
        return []
    if width * n_rows > MAX_TABLE_CELLS:
        return None
    empty = ("", False)
    out: _RawRows = []
    for line in grid:
        filled = [empty if cell is None else cell for cell in line]
        if len(filled) < width:
            filled.extend([empty] * (width - len(filled)))
        out.append(filled)
    return out


def _hidden_text(node: LexborNode) -> str:
    """Text of a hidden element, with its links written as ``链接: text (href)``."""
    parts = [node.text(deep=True, separator="")]
    for a in node.css("a"):
        href = a.attributes.get("href")
        if href:
            parts.append(f"链接: {a.text(deep=True, separator='')} ({href})")
    return " ".join(parts)


def _cell_text(cell: LexborNode, hidden: list[str], hidden_ids: set[int], structured: set[int]) -> str:
    """All text of a cell: inline pieces joined as they are, block children and ``<br>`` as one space.

    Hidden descendants are left out of the cell and reported in ``hidden`` (they become hidden blocks).
    """
    if cell.mem_id not in structured:
        return _clean(cell.text(deep=True, separator=""))
    parts: list[str] = []
    stack: list[LexborNode] = []
    node: LexborNode | None = cell.child
    while True:
        if node is None:
            if not stack:
                break
            parent = stack.pop()
            if parent.tag in BLOCK_TAGS:
                parts.append(_SEP)
            node = parent.next
            continue
        tag = node.tag
        if tag == "-text":
            parts.append(node.text_content or "")
        elif tag == "br":
            parts.append(_SEP)
        elif tag and tag[0] != "-" and tag not in DROP_TAGS:
            mid = node.mem_id
            if mid in hidden_ids:
                hidden.append(_hidden_text(node))
            elif mid not in structured:
                block = tag in BLOCK_TAGS
                if block:
                    parts.append(_SEP)
                parts.append(node.text(deep=True, separator=""))
                if block:
                    parts.append(_SEP)
            else:
                if tag in BLOCK_TAGS:
                    parts.append(_SEP)
                stack.append(node)
                node = node.child
                continue
        node = node.next
    return _clean("".join(parts))


# --------------------------------------------------------------------------------------------------------
# Assembly: text, offsets, normalisation
# --------------------------------------------------------------------------------------------------------


def _raw_text(raw: _Raw) -> str:
    if raw.rows is None:
        return raw.text
    return "\n".join(" | ".join(t for t, _ in row) for row in raw.rows)


def _assemble(raws: list[_Raw]) -> tuple[str, list[Block], OffsetMap | None]:
    """Join the blocks' texts, normalise, and compute exact offsets for blocks and cells."""
    joined = "\n".join(_raw_text(r) for r in raws)
    text, offset_map = normalize_text(joined)
    if len(text) == len(joined):
        return text, _place(raws, text), offset_map
    # Slow path (rare: ㈠, ㎡, ligatures…): normalise piece by piece and compose the offset map.
    pieces: list[str] = []
    out_map = OffsetMap()
    src = norm = 0

    def add(piece: str) -> str:
        nonlocal src, norm
        normed, local = normalize_text(piece)
        base = src - norm
        if not out_map.deltas or out_map.deltas[-1] != base:
            out_map.anchors.append(norm)
            out_map.deltas.append(base)
        if local is not None and local.parent is None:
            for a, d in zip(local.anchors, local.deltas, strict=True):
                out_map.anchors.append(norm + a)
                out_map.deltas.append(base + d)
        src += len(piece)
        norm += len(normed)
        pieces.append(normed)
        return normed

    def sep(s: str) -> None:
        nonlocal src, norm
        src += len(s)
        norm += len(s)
        pieces.append(s)

    normed_raws: list[_Raw] = []
    for i, raw in enumerate(raws):
        if i:
            sep("\n")
        if raw.rows is None:
            normed_raws.append(_Raw(raw.kind, raw.noise, add(raw.text)))
            continue
        rows: _RawRows = []
        for j, row in enumerate(raw.rows):
            if j:
                sep("\n")
            cells: list[tuple[str, bool]] = []
            for k, (cell_text, spanned) in enumerate(row):
                if k:
                    sep(" | ")
                cells.append((add(cell_text), spanned))
            rows.append(cells)
        normed_raws.append(_Raw(raw.kind, raw.noise, rows=rows))
    text = "".join(pieces)
    return text, _place(normed_raws, text), out_map


def _place(raws: list[_Raw], text: str) -> list[Block]:
    """Blocks with offsets into ``text`` (the normalised join of the raws, same layout)."""
    blocks: list[Block] = []
    pos = 0
    for raw in raws:
        start = pos
        if raw.rows is None:
            end = start + len(raw.text)
            blocks.append(Block(raw.kind, text[start:end], start, end, noise=raw.noise))
        else:
            rows: list[list[Cell]] = []
            for row in raw.rows:
                cells: list[Cell] = []
                for cell_text, spanned in row:
                    cell_end = pos + len(cell_text)
                    cells.append(Cell(text[pos:cell_end], pos, cell_end, spanned))
                    pos = cell_end + 3  # " | "
                rows.append(cells)
                pos -= 2  # no " | " after the last cell, "\n" before the next row
            end = pos - 1
            blocks.append(Block(raw.kind, text[start:end], start, end, rows=rows, noise=raw.noise))
        pos = end + 1
    return blocks


# --------------------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------------------

#: Labels that end a metadata value written on one line with other labels ("发布日期：… 浏览次数：…").
# fmt: off
STOP_LABELS: tuple[str, ...] = (
    "浏览次数", "访问量", "点击数", "阅读数", "信息来源", "来源", "作者", "字号", "主题分类", "体裁分类", "组配分类",
    "主题词", "关键词", "有效性", "时效", "分类", "名称", "标题", "生成日期", "生效日期", "废止日期", "服务对象",
)
# fmt: on
_LABEL_ALT = "|".join(re.escape(x) for x in sorted([*META_LABELS, *STOP_LABELS], key=len, reverse=True))
_META_LINE = re.compile(
    "(" + "|".join(sorted(META_LABELS, key=len, reverse=True)) + r")\s*[:：]\s*(.*?)\s*"
    r"(?=(?:" + _LABEL_ALT + r")\s*[:：]|\s[\u4e00-\u9fff]{2,8}\s*[:：]|$)"
)


def _meta_from_line(text: str, meta: dict[str, str]) -> None:
    for found in _META_LINE.finditer(text):
        key = META_LABELS[found.group(1)]
        written = found.group(2).strip()
        if written and key not in meta:
            meta[key] = written


_META_FIRST_CHARS = frozenset(label[0] for label in META_LABELS)


def _meta_from_blocks(blocks: list[Block], meta: dict[str, str]) -> None:
    """索引号/发布机构/… from label cells (value in the next cell) and from "label: value" lines."""
    for block in blocks:
        if block.rows is not None:
            for row in block.rows:
                for k, cell in enumerate(row[:-1]):
                    text = cell.text
                    if cell.spanned or not text or text[0] not in _META_FIRST_CHARS:
                        continue
                    key = META_LABELS.get("".join(text.split()).rstrip(":："))
                    if key is None:
                        if ":" in text or "：" in text:
                            _meta_from_line(text, meta)
                        continue
                    value = row[k + 1]
                    if key in meta or (value.spanned and value.text == text):
                        continue
                    if value.text.strip():
                        meta[key] = value.text.strip()
        elif ":" in block.text or "：" in block.text:
            _meta_from_line(block.text, meta)
        if "url" not in meta and "来源" in block.text:
            source_url = _URL_AFTER_SOURCE.search(block.text)
            if source_url:
                meta["url"] = source_url.group(1)


def _head_meta(tree: LexborHTMLParser) -> tuple[str, str | None]:
    """The page ``<title>`` and the canonical / og:url address, read before the tree is walked."""
    title = ""
    for t in tree.css("title"):
        title = _clean(t.text(deep=True, separator=""))
        if title:
            break
    url: str | None = None
    for link in tree.css("link[rel]"):
        attrs = link.attributes
        if (attrs.get("rel") or "").lower().strip() == "canonical" and attrs.get("href"):
            url = (attrs.get("href") or "").strip()
            break
    if url is None:
        for m in tree.css('meta[property="og:url"], meta[name="og:url"]'):
            content = m.attributes.get("content")
            if content:
                url = content.strip()
                break
    if url is not None and not url.lower().startswith(("http://", "https://")):
        url = None
    return title, url


# --------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------


def read_html(data: bytes, source: str, declared_encoding: str | None = None) -> Document:
    """Read an HTML page into a :class:`Document` (main content as blocks, chrome kept as noise)."""
    from xxgk.ingest import IngestError  # lazy: xxgk.ingest imports readers lazily, avoid a cycle

    if not data or not data.strip():
        raise IngestError(f"文件为空 (empty input): {source}")
    try:
        decoded, encoding = decode_bytes(data, declared_encoding)
    except DecodeError as exc:
        raise IngestError(f"无法识别文件编码 (cannot decode: {exc}): {source}") from exc

    warnings: list[str] = []
    if "replacement" in encoding:
        warnings.append("部分字节无法解码，已用替换字符保留 (undecodable bytes replaced)")
    if "\x00" in decoded:
        decoded = decoded.replace("\x00", "")
    tree = LexborHTMLParser(decoded)
    page_title, url = _head_meta(tree)
    hiding = hiding_selectors(tree)
    tree.strip_tags(_STRIP_TAGS, recursive=True)
    body = tree.body
    meta: dict[str, str] = {"encoding": encoding}
    if body is None:
        text, offset_map = normalize_text(page_title)
        blocks = [Block(BlockKind.HEADING, text, 0, len(text))] if text else []
        frames = [f.attributes.get("src") or "" for f in tree.css("frame, iframe")]
        listed = "、".join(f for f in frames if f)
        warnings.append(f"页面没有正文 (no <body> in the page){'；框架页面: ' + listed if listed else ''}")
        if text:
            meta["title"] = text
        return Document(source, text, blocks, "html", meta, warnings, offset_map)

    found = _rule_roots(tree, body)
    if found is not None:
        roots, how = found
        if how in GENERIC_SELECTORS:  # may wrap the whole page (scraped pages in <article>): narrow it
            roots = [_density_root(r) for r in roots]
            how += " density"
    else:
        roots, how = [_density_root(body)], "density"
    meta["main_content"] = how
    content_ids = {r.mem_id for r in roots}
    title_el = _title_element(tree, roots, page_title)
    if title_el is not None:
        content_ids.add(title_el.mem_id)
    layout_ids = _layout_tables(body, roots)

    body_is_content = body.mem_id in content_ids
    hidden_nodes = _hidden_nodes(tree, hiding)
    extra = [*hidden_nodes, *roots] + ([title_el] if title_el is not None else [])
    walker = _Walker(
        content_ids,
        layout_ids,
        {n.mem_id for n in hidden_nodes},
        _structured_ids(body, extra),
        None if body_is_content else NOISE_BOILERPLATE,
    )
    walker.walk(body)
    warnings.extend(walker.warnings)
    if walker.hidden_count:
        warnings.append(f"页面含 {walker.hidden_count} 处隐藏内容，已标记为 hidden (hidden elements marked as noise)")

    text, blocks, offset_map = _assemble(walker.blocks)
    if not any(b.noise is None for b in blocks):
        warnings.append("未找到正文内容 (no main content found)")
    stray = sum(
        1 for b in blocks if b.rows is not None and b.noise == NOISE_BOILERPLATE and sum(map(len, b.rows)) >= 12
    )
    if stray:
        warnings.append(f"正文容器之外有 {stray} 个表格，已标记为 boilerplate (tables outside the main content)")

    # Title: the article heading, else the first content heading, else <title>.
    title = ""
    if title_el is not None:
        title, _ = normalize_text(_clean(title_el.text(deep=True, separator="")))
    if not title:
        title = next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.noise is None), "")
    if not title and page_title:
        title, _ = normalize_text(page_title)
    if title:
        meta["title"] = title
    if url:
        meta["url"] = url
    _meta_from_blocks(blocks, meta)
    attachments = _attachments(roots)
    if attachments:
        meta["attachments"] = "\n".join(attachments)
        content_chars = sum(_cjk_count(b.text) for b in blocks if b.noise is None)
        if content_chars < _SHORT_CONTENT:
            warnings.append(
                f"正文很短（{content_chars} 个汉字），报告可能在附件中 (short page, report may be an attachment): "
                + "、".join(attachments)
            )
    return Document(source, text, blocks, "html", meta, warnings, offset_map)


_DOC_LINK = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar)(?:$|[?#])", re.I)
_SHORT_CONTENT = 300


def _attachments(roots: list[LexborNode]) -> list[str]:
    """Addresses of documents linked or embedded in the main content (a report is often a PDF attachment)."""
    found: list[str] = []
    for root in roots:
        for node in root.css("a[href], iframe[src], embed[src], object[data]"):
            attrs = node.attributes
            url = (attrs.get("href") or attrs.get("src") or attrs.get("data") or "").strip()
            if url and _DOC_LINK.search(url) and url not in found:
                found.append(url)
    return found
