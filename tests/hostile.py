"""Hostile files for upload tests, made on the fly: a zip bomb inside a .docx and a 10,000-page PDF."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SCRIPT_TEXT = ('<script>window.__pwned = "script"</script> 光明区的<img src=x onerror="window.__pwned=\'img\'">'
               '萤火虫博物馆收藏了3721件标本。')  # a fact to ask about, wrapped in markup that must never run


def zip_bomb_docx(unpacked_mb: int = 200) -> bytes:
    """A real .docx (the test memo) with one more part of ``unpacked_mb`` MB of zeros: ~200 KB packed."""
    out = io.BytesIO()
    with zipfile.ZipFile(DATA / "memo.docx") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("word/media/image1.bin", "w", force_zip64=True) as part:
            block = bytes(2**20)
            for _ in range(unpacked_mb):
                part.write(block)
    return out.getvalue()


def many_pages_pdf(pages: int = 10_000) -> bytes:
    """A valid PDF of ``pages`` blank pages."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
