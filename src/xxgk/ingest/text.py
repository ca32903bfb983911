"""Plain-text reader: decoded, normalised text split into line blocks with offsets."""

from __future__ import annotations

import codecs

from xxgk.ingest.document import Block, BlockKind, Document
from xxgk.ingest.encoding import decode_bytes
from xxgk.ingest.furniture import furniture, mark_running_headers
from xxgk.ingest.markup import has_markup, read_marked_up
from xxgk.ingest.normalize import normalize_text

# (a UTF-32 BOM starts with one of these or with NUL)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def lines_to_blocks(text: str, offset: int = 0, page: int | None = None) -> list[Block]:
    """One LINE block per non-blank line of ``text`` (offsets shifted by ``offset``); page numbers and print
    margins are marked as noise."""
    blocks: list[Block] = []
    append = blocks.append
    line_kind = BlockKind.LINE
    pos = offset
    for line in text.split("\n"):
        end = pos + len(line)
        if line and not line.isspace():
            append(Block(line_kind, line, pos, end, None, furniture(line), page))
        pos = end + 1
    return blocks


def _decode(data: bytes, declared_encoding: str | None) -> tuple[str, str]:
    """:func:`~xxgk.ingest.encoding.decode_bytes`, with a shortcut for the common case it would decode as
    strict UTF-8 anyway: no declared encoding, no BOM, no NUL byte and no ``charset`` in the first 4 KB."""
    if declared_encoding is None and not data.startswith(_BOMS):
        head = data[:4096]
        if b"\x00" not in head and b"charset" not in head.lower():
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
    return decode_bytes(data, declared_encoding)


def read_text(data: bytes, source: str, declared_encoding: str | None = None) -> Document:
    raw, encoding = _decode(data, declared_encoding)
    if has_markup(raw):
        return read_marked_up(raw, source, encoding)
    text, offset_map = normalize_text(raw)
    blocks = lines_to_blocks(text)
    mark_running_headers(blocks)
    doc = Document(
        source=source,
        text=text,
        blocks=blocks,
        kind="text",
        meta={"encoding": encoding},
        offset_map=offset_map,
    )
    if "replacement" in encoding:
        doc.warnings.append("部分字节无法解码，已用替换字符保留 (undecodable bytes replaced)")
    return doc
