"""Regenerate the loader fixtures in this folder: ``python tests/data/make_data.py``.

The PDFs are written by a tiny PDF writer below (no dependency); the .docx by python-docx; the
encrypted PDF by pypdf (RC4, which needs no extra package). Output is deterministic except the
.docx and encrypted-PDF bytes, which embed ids/timestamps.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

GBK_TEXT = "光明科学城位于深圳西北部。\n今年计划新增研发投入一百亿元，吸引更多青年科学家。\n"
BIG5_TEXT = "光明科學城位於深圳西北部。\n今年計劃新增研發投入一百億元，吸引更多青年科學家。\n"
UTF16_TEXT = "双字节编码的文件：第一行。\n第二行 with English.\n"
BOM_CRLF_TEXT = "第一行\r\n第二行\r\n第三行\r旧式换行\r\n"
PDF_TITLE = "光明科学城年度报告"
PDF_PAGES = ["光明科学城建设进展顺利。合成生物研究设施投入使用。", "Second page: 42 projects in 2024."]


def _pdf_string_utf16(text: str) -> bytes:
    return b"<" + (codecs.BOM_UTF16_BE + text.encode("utf-16-be")).hex().upper().encode() + b">"


def _content(text: str | None) -> bytes:
    """A page content stream: one line of text, or only a filled rectangle (a 'scanned' page)."""
    if text is None:
        return b"0.5 g 72 500 300 200 re f"
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"BT /F2 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    return b"BT /F1 12 Tf 72 720 Td <" + text.encode("utf-16-be").hex().upper().encode() + b"> Tj ET"


def write_pdf(pages: list[str | None], *, title: str | None = None) -> bytes:
    """A minimal valid PDF 1.4: CJK text uses the predefined STSong-Light font with UniGB-UCS2-H."""
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    pages_obj = add(b"")
    cid_font = add(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                   b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /DW 1000 >>")
    cjk = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
              b"/DescendantFonts [%d 0 R] >>" % cid_font)
    latin = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for text in pages:
        stream = _content(text)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                        % (pages_obj, content, cjk, latin)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = add(b"<< /Title %s /Producer (make_data.py) >>" % _pdf_string_utf16(title)) if title else None
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % off for off in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    trailer += b" /Info %d 0 R >>" % info if info else b" >>"
    out.write(b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref))
    return out.getvalue()


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "科研经济工作备忘"
    document.add_heading("科研经济工作备忘", level=1)
    document.add_paragraph("第一段：推进重大科技基础设施建设。")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["项目", "数量", "单位"], ["科技支行", "12", "家"], ["合计", "", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 1).merge(table.cell(2, 2)).text = "见附件"
    document.add_paragraph("最后一段。")
    document.save(str(path))


def write_encrypted_pdf(path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(write_pdf(PDF_PAGES, title=PDF_TITLE))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with open(path, "wb") as fh:
        writer.write(fh)


HTML = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="gb2312"><title>光明区 新闻</title>
<style>p { color: red; }</style><script>var hidden = "不应出现";</script></head>
<body><!-- 注释不应出现 -->
<h1>科学城动态</h1>
<p>第一段，
   跨行的文字。</p><p>第二段<br>换行之后&amp;实体。</p>
<ul><li>条目一</li><li>条目二</li></ul>
<table><tr><th>名称</th><th>数量</th></tr><tr><td>支行</td><td>12</td></tr></table>
<noscript>请启用脚本</noscript><div>结尾<span>内联</span>文字</div>
</body></html>
"""

MARKDOWN = """---
layout: post
---

# 光明科学城简介

光明科学城是**综合性**国家科学中心的核心区。

## 设施

- 合成生物研究设施
- 脑解析与脑模拟设施
"""


def main() -> None:
    (HERE / "gbk.txt").write_bytes(GBK_TEXT.encode("gbk"))
    (HERE / "big5.txt").write_bytes(BIG5_TEXT.encode("big5"))
    (HERE / "utf16.txt").write_bytes(UTF16_TEXT.encode("utf-16"))  # with BOM
    (HERE / "bom_crlf.txt").write_bytes(codecs.BOM_UTF8 + BOM_CRLF_TEXT.encode("utf-8"))
    (HERE / "page.html").write_bytes(HTML.encode("gb18030"))
    (HERE / "intro.md").write_text(MARKDOWN, encoding="utf-8")
    (HERE / "report.pdf").write_bytes(write_pdf(PDF_PAGES, title=PDF_TITLE))
    (HERE / "scanned.pdf").write_bytes(write_pdf([None, None]))
    write_encrypted_pdf(HERE / "encrypted.pdf")
    broken = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\n" + bytes(range(256))  # cut off
    (HERE / "corrupt.pdf").write_bytes(broken)
    write_docx(HERE / "memo.docx")
    zip_buffer = io.BytesIO()
    with zipfile.ZipFile(zip_buffer, "w") as zf:
        zf.writestr("readme.txt", "a zip file, not a Word document")
    (HERE / "corrupt.docx").write_bytes(zip_buffer.getvalue())
    (HERE / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "blank.md").write_bytes(b"  \n\t\n")
    (HERE / "table.xlsx").write_bytes(zip_buffer.getvalue())


if __name__ == "__main__":
    main()
