"""Legacy Office reader: .doc / .wps (and .et / .xls) converted by headless LibreOffice, then read as DOCX/XLSX.

Text conversion (``--convert-to txt``) glues table cells together, so the file goes to .docx (.xlsx for
spreadsheets) and the structured readers take it from there. Each call runs ``soffice`` in a private temporary
directory with its own user profile (``-env:UserInstallation``), so parallel calls do not share a lock, and
with a timeout after which the whole process group is killed. Without LibreOffice the reader says so clearly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from xxgk.ingest.document import Document

TIMEOUT = 120.0

_SPREADSHEET_EXTENSIONS = {".et", ".ett", ".xls", ".xlt"}
_WORD_EXTENSIONS = {".doc", ".dot", ".wps", ".wpt", ".rtf"}
_CANDIDATES = ("soffice", "libreoffice")
_FALLBACK_PATHS = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


def _ingest_error(message: str) -> Exception:
    from xxgk.ingest import IngestError

    return IngestError(message)


def find_soffice() -> str | None:
    """Path of the LibreOffice binary, or None."""
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _FALLBACK_PATHS if os.access(p, os.X_OK)), None)


def is_spreadsheet(data: bytes, source: str) -> bool:
    """A spreadsheet (Excel/WPS 表格 binary) rather than a word-processing file."""
    ext = Path(source).suffix.lower()
    if ext in _SPREADSHEET_EXTENSIONS:
        return True
    if ext in _WORD_EXTENSIONS:
        return False
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        return False
    streams = _ole_streams(data)
    return "WordDocument" not in streams and bool(streams & {"Workbook", "Book"})


def _ole_streams(data: bytes) -> set[str]:
    """The well-known stream names present in an OLE2 (compound file) container."""
    return {name for name in ("WordDocument", "Workbook", "Book") if name.encode("utf-16-le") in data}


def convert(data: bytes, source: str, target: str, timeout: float = TIMEOUT) -> bytes:
    """Convert ``data`` with LibreOffice to ``target`` ("docx" or "xlsx") and return the converted bytes."""
    soffice = find_soffice()
    if soffice is None:
        raise _ingest_error(
            f"读取 .doc/.wps/.et 文件需要安装 LibreOffice (LibreOffice not installed; e.g. apt-get install "
            f"libreoffice-writer-nogui): {source}"
        )
    ext = Path(source).suffix.lower()
    if ext not in _SPREADSHEET_EXTENSIONS | _WORD_EXTENSIONS:
        ext = ".xls" if target == "xlsx" else ".doc"
    with tempfile.TemporaryDirectory(prefix="xxgk-office-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        (work / "out").mkdir()
        infile = work / "in" / f"input{ext}"
        infile.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(infile),
        ]
        env = dict(os.environ, HOME=str(work), TMPDIR=str(work))
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
        ) as proc:
            try:
                _, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.communicate()
                raise _ingest_error(
                    f"LibreOffice 转换超时（{timeout:.0f} 秒）(conversion timed out after {timeout:.0f} s): {source}"
                ) from None
        outfile = work / "out" / f"input.{target}"
        if not outfile.is_file() or outfile.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip()[-300:]
            hint = "（读取表格文件需要 LibreOffice Calc，如 libreoffice-calc-nogui）" if target == "xlsx" else ""
            raise _ingest_error(
                f"LibreOffice 无法转换此文件{hint} (LibreOffice could not convert it to {target}; exit "
                f"{proc.returncode}: {detail or 'no message'}): {source}"
            )
        return outfile.read_bytes()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def read_legacy_office(data: bytes, source: str) -> Document:
    """Read .doc/.wps (via DOCX) or .et/.xls (via XLSX); ``kind`` is the original extension (``doc`` if none)."""
    ext = Path(source).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") and not _ole_streams(data) and ext not in (".wps", ".et"):
        # LibreOffice would import such a file as plain text and return its bytes as characters
        raise _ingest_error(
            f"无法识别的 Office 文件：既不是 Word 也不是 Excel 文档 (OLE file without a Word or Excel stream): {source}"
        )
    spreadsheet = is_spreadsheet(data, source)
    target = "xlsx" if spreadsheet else "docx"
    converted = convert(data, source, target)
    if spreadsheet:
        from xxgk.ingest.xlsx import read_xlsx

        doc = read_xlsx(converted, source)
    else:
        from xxgk.ingest.docx import read_docx

        doc = read_docx(converted, source)
    doc.kind = ext.lstrip(".") if ext in _SPREADSHEET_EXTENSIONS | _WORD_EXTENSIONS else "doc"
    doc.meta["converted_by"] = "libreoffice"
    return doc
