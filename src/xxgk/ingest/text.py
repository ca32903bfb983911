"""Plain-text reader: decoded, normalised text split into line blocks with offsets."""

from __future__ import annotations

from xxgk.ingest.document import Block, BlockKind, Document
from xxgk.ingest.encoding import decode_bytes
from xxgk.ingest.normalize import normalize_text


def lines_to_blocks(text: str, offset: int = 0, page: int | None = None) -> list[Block]:
    """One LINE block per non-blank line of ``text`` (offsets shifted by ``offset``)."""
    blocks: list[Block] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            blocks.append(Block(BlockKind.LINE, line, offset + pos, offset + end, page=page))
        pos = end + 1
    return blocks


def read_text(data: bytes, source: str, declared_encoding: str | None = None) -> Document:
    raw, encoding = decode_bytes(data, declared_encoding)
    text, offset_map = normalize_text(raw)
    doc = Document(
        source=source,
        text=text,
        blocks=lines_to_blocks(text),
        kind="text",
        meta={"encoding": encoding},
        offset_map=offset_map,
    )
    if "replacement" in encoding:
        doc.warnings.append("部分字节无法解码，已用替换字符保留 (undecodable bytes replaced)")
    return doc
