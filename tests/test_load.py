"""Loader: real files of each format in tests/data (see make_data.py), and each failure's reason."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from rag.errors import LoadError
from rag.files import sha256_file
from rag.ingest.load import (
    SUPPORTED_SUFFIXES,
    file_stamp,
    load_file,
    load_folder,
    rejoin_broken_sentences,
    scan_folder,
    validate_upload,
)

DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_gbk_file_decodes_to_the_exact_text() -> None:
    doc = load_file(DATA / "gbk.txt")
    assert doc.text == "光明科学城位于深圳西北部。\n今年计划新增研发投入一百亿元，吸引更多青年科学家。\n"
    assert doc.meta["encoding"] == "gb18030"
    assert (doc.id, doc.title, doc.meta["format"]) == ("gbk", "光明科学城位于深圳西北部。", "txt")


def test_big5_file_decodes_to_the_exact_text_and_stays_traditional() -> None:
    doc = load_file(DATA / "big5.txt")
    assert doc.text == "光明科學城位於深圳西北部。\n今年計劃新增研發投入一百億元，吸引更多青年科學家。\n"
    assert doc.meta["encoding"] == "big5"


def test_utf16_with_bom() -> None:
    doc = load_file(DATA / "utf16.txt")
    assert doc.text == "双字节编码的文件：第一行。\n第二行 with English.\n"
    assert doc.meta["encoding"] == "utf-16"


def test_utf8_bom_is_dropped_and_line_endings_become_newlines() -> None:
    doc = load_file(DATA / "bom_crlf.txt")
    assert doc.text == "第一行\n第二行\n第三行\n旧式换行\n"
    assert doc.meta["encoding"] == "utf-8-sig"


def test_markdown_is_kept_as_written_with_heading_title() -> None:
    doc = load_file(DATA / "intro.md")
    assert doc.text == (DATA / "intro.md").read_text(encoding="utf-8")
    assert doc.title == "光明科学城简介"  # the heading, not the front matter's setext look-alike
    assert doc.meta["format"] == "markdown"


def test_markdown_front_matter_title_wins(tmp_path: Path) -> None:
    path = tmp_path / "a.markdown"
    path.write_text("---\ntitle: \"年度总结\"\n---\n# 别的标题\n正文\n", encoding="utf-8")
    assert load_file(path).title == "年度总结"


def test_html_visible_text_with_paragraph_breaks() -> None:
    doc = load_file(DATA / "page.html")  # declares gb2312, holds GB18030 bytes
    assert doc.text == (
        "科学城动态\n\n第一段， 跨行的文字。\n\n第二段\n换行之后&实体。\n\n条目一\n条目二\n\n"
        "名称\t数量\n支行\t12\n\n结尾内联文字"
    )
    assert doc.title == "光明区 新闻"
    assert doc.meta["encoding"] == "gb18030"


def test_html_without_title_uses_h1(tmp_path: Path) -> None:
    path = tmp_path / "x.htm"
    path.write_text("<html><body><h1>主标题</h1><script>alert(1)</script><p>内容</p></body></html>", "utf-8")
    doc = load_file(path)
    assert (doc.title, doc.text) == ("主标题", "主标题\n\n内容")


def test_pdf_pages_joined_with_page_offsets() -> None:
    doc = load_file(DATA / "report.pdf")
    assert doc.text == "光明科学城建设进展顺利。合成生物研究设施投入使用。\n\nSecond page: 42 projects in 2024."
    assert doc.title == "光明科学城年度报告"  # from the PDF's metadata
    assert (doc.meta["pages"], doc.meta["page_starts"]) == (2, [0, 27])
    assert doc.text[doc.meta["page_starts"][1]:].startswith("Second page")


def test_docx_paragraphs_and_table_cells() -> None:
    doc = load_file(DATA / "memo.docx")
    assert doc.text == (
        "科研经济工作备忘\n第一段：推进重大科技基础设施建设。\n项目\t数量\t单位\n科技支行\t12\t家\n合计\t见附件\n最后一段。"
    )
    assert (doc.id, doc.title, doc.meta["format"]) == ("memo", "科研经济工作备忘", "docx")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", r"empty\.txt: empty file \(0 bytes\)"),
        ("binary.txt", r"binary\.txt: binary data \(NUL bytes\), not text"),
        ("blank.md", r"blank\.md: no text: the markdown file holds only whitespace"),
        ("corrupt.pdf", r"corrupt\.pdf: corrupt or unreadable PDF \(PdfStreamError"),
        ("encrypted.pdf", r"encrypted\.pdf: encrypted PDF: it needs a password"),
        ("scanned.pdf", r"scanned\.pdf: no extractable text in 2 page\(s\): probably a scanned PDF"),
        ("corrupt.docx", r"corrupt\.docx: corrupt Word file, not a valid \.docx package"),
        ("table.xlsx", r"table\.xlsx: unsupported file type '\.xlsx'; supported: \.txt, \.md, \.markdown, "
                       r"\.html, \.htm, \.pdf, \.docx$"),
    ],
)
def test_bad_file_gives_its_specific_reason(name: str, reason: str) -> None:
    with pytest.raises(LoadError, match=reason):
        load_file(DATA / name)


def test_control_characters_without_nul_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(range(1, 9)) * 50 + "一点文字".encode())
    with pytest.raises(LoadError, match=r"looks like binary data \(400 control characters\)"):
        load_file(path)


def test_too_large(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"gbk\.txt: too large: 78 bytes \(limit 50 bytes\); split the file"):
        load_file(DATA / "gbk.txt", max_bytes=50)
    assert load_file(DATA / "gbk.txt", max_bytes=78).meta["size"] == 78


def test_vanished_file(tmp_path: Path) -> None:
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "deleted-target.txt")  # listed by the folder walk, unreadable
    with pytest.raises(LoadError, match=r"gone\.txt: file vanished: it no longer exists"):
        load_file(link)
    docs, errors = load_folder(tmp_path)
    assert docs == []
    assert [(e.path, e.reason.split(":")[0]) for e in errors] == [(str(link), "file vanished")]


def test_long_first_line_title_is_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("\n\n" + "长" * 200 + "\n正文", encoding="utf-8")
    title = load_file(path).title
    assert title == "长" * 79 + "…"
    assert len(title) == 80


def _copy(name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA / name, target)


def test_load_folder_reports_bad_files_and_loads_the_rest(tmp_path: Path) -> None:
    _copy("gbk.txt", tmp_path / "gbk.txt")
    _copy("report.pdf", tmp_path / "report.pdf")
    _copy("intro.md", tmp_path / "sub" / "report.md")  # same stem as report.pdf
    _copy("big5.txt", tmp_path / "sub" / "report.txt")  # same relative path without suffix
    _copy("corrupt.pdf", tmp_path / "bad" / "corrupt.pdf")
    _copy("empty.txt", tmp_path / "bad" / "empty.txt")
    _copy("table.xlsx", tmp_path / "bad" / "table.xlsx")
    _copy("gbk.txt", tmp_path / ".hidden.txt")
    _copy("gbk.txt", tmp_path / ".git" / "x.txt")
    _copy("memo.docx", tmp_path / "~$memo.docx")  # Word's lock file
    docs, errors = load_folder(tmp_path)
    assert [(d.id, d.path) for d in docs] == [
        ("gbk", tmp_path / "gbk.txt"),
        ("report", tmp_path / "report.pdf"),
        ("sub__report", tmp_path / "sub" / "report.md"),
        ("sub__report.txt", tmp_path / "sub" / "report.txt"),
    ]
    assert [(Path(e.path).relative_to(tmp_path).as_posix(), e.reason[:28]) for e in errors] == [
        ("bad/corrupt.pdf", "corrupt or unreadable PDF (P"),
        ("bad/empty.txt", "empty file (0 bytes)"),
        ("bad/table.xlsx", "unsupported file type '.xlsx"),
    ]
    assert docs[3].text.startswith("光明科學城")


def test_scan_folder_avoids_taken_ids_without_reading(tmp_path: Path) -> None:
    _copy("gbk.txt", tmp_path / "gbk.txt")
    _copy("table.xlsx", tmp_path / "table.xlsx")
    files, errors = scan_folder(tmp_path, taken={"gbk"})
    assert files == [("gbk.txt", tmp_path / "gbk.txt")]
    assert [e.path for e in errors] == [str(tmp_path / "table.xlsx")]


def test_missing_folder_and_file_instead_of_folder(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nope: folder not found"):
        load_folder(tmp_path / "nope")
    with pytest.raises(LoadError, match=r"gbk\.txt: not a folder"):
        load_folder(DATA / "gbk.txt")


def test_file_hash_and_stamp_detect_changes(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("第一版".encode())
    digest, stamp = sha256_file(path), file_stamp(path)
    assert digest == hashlib.sha256("第一版".encode()).hexdigest()
    assert load_file(path).meta["sha256"] == digest
    assert file_stamp(path) == stamp
    path.write_bytes("第二版内容".encode())
    os.utime(path, ns=(stamp.mtime_ns + 10**9, stamp.mtime_ns + 10**9))
    assert file_stamp(path) != stamp
    assert file_stamp(path).size == 15
    assert sha256_file(path) != digest


def test_validate_upload(tmp_path: Path) -> None:
    upload = tmp_path / "gradio-tmp-123"  # uploads arrive under a temporary name
    shutil.copyfile(DATA / "report.pdf", upload)
    assert validate_upload(upload, name="报告.pdf") == "报告.pdf"
    for bad in ("../../年度/报告.pdf", "..\\报告.pdf", ".."):
        with pytest.raises(LoadError, match=r"must not contain a path"):
            validate_upload(upload, name=bad)
    with pytest.raises(LoadError, match=r"报告\.docx: corrupt Word file"):
        validate_upload(upload, name="报告.docx")
    with pytest.raises(LoadError, match=r"unsupported file type '\.exe'"):
        validate_upload(upload, name="setup.exe")
    with pytest.raises(LoadError, match=r"unusable file name"):
        validate_upload(upload, name=".bashrc.txt")
    with pytest.raises(LoadError, match=r"a\.pdf: too large: 1468 bytes \(limit 100 bytes\)"):
        validate_upload(upload, name="a.pdf", max_bytes=100)


@pytest.mark.parametrize("name, reason", [
    ("/etc/passwd.txt", r"must not contain a path"),
    ("/dev/zero", r"must not contain a path"),
    ("CON.txt", r"'CON\.txt': a reserved device name"),
    ("nul", r"'nul': a reserved device name"),
    ("com1.md", r"'com1\.md': a reserved device name"),
    ("a\x00b.txt", r"unusable file name \(control characters"),
    ("notes.txt:stream", r"unusable file name \(control characters, ':'"),
    ("长" * 90 + ".txt", r"over 255 bytes"),
])
def test_upload_names_that_are_paths_devices_or_garbage_are_refused(tmp_path: Path, name: str, reason: str) -> None:
    upload = tmp_path / "upload"
    upload.write_text("光明区推动7家科技支行落地。", encoding="utf-8")
    with pytest.raises(LoadError, match=reason):
        validate_upload(upload, name=name)
    assert validate_upload(upload, name="console.txt") == "console.txt"  # only the exact device names


def test_a_zip_bomb_inside_a_docx_is_refused_before_unpacking(tmp_path: Path) -> None:
    from hostile import zip_bomb_docx

    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb_docx(200))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(LoadError, match=r"bomb\.docx: the Word file unpacks to 200\.\d MB in \d+ parts, over the "
                                        r"limit of 100\.0 MB \(a zip bomb\?\)"):
        load_file(path)


def test_a_pdf_of_ten_thousand_pages_is_refused(tmp_path: Path) -> None:
    from hostile import many_pages_pdf

    path = tmp_path / "huge.pdf"
    path.write_bytes(many_pages_pdf(10_000))
    with pytest.raises(LoadError, match=r"huge\.pdf: 10,000 pages, over the limit of 2,000; split the PDF"):
        load_file(path)


def test_bundled_corpus_loads_as_written() -> None:
    docs, errors = load_folder(CORPUS)
    assert errors == []
    assert [d.id for d in docs] == sorted(p.stem for p in CORPUS.glob("*.txt"))
    assert len(docs) == 5
    for doc in docs:  # as written, but for the two sentences the source broke across paragraphs
        written = doc.path.read_text(encoding="utf-8")
        assert doc.text == rejoin_broken_sentences(written)
        assert len(written) - len(doc.text) == (4 if doc.id.startswith("000_") else 0)
    traditional = next(d for d in docs if d.id.startswith("002_"))
    assert traditional.title == "光明以科技賦能 打造科研經濟新高地"


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")


BODY = "截至目前,光明区共有院士59人、高层次人才超3000人、科研院所人才近8000人、博士人才超5000人,数量分别为"
REST = "三年前的5.9倍、2.5倍、1.9倍、2.9倍,实现了“四个倍增”。"


@pytest.mark.parametrize("text, expected", [
    (f"{BODY}\n\n{REST}", f"{BODY}{REST}"),
    (f"{BODY}\n{REST}", f"{BODY}{REST}"),
    (f"{BODY}。\n\n{REST}", None),  # it ended
    (f"{BODY}\n\n二是加快建设合成生物创新中心,推进产学研协同创新和成果转化。", None),  # a new item
    (f"{BODY}\n\n金融赋能", None),  # a heading follows
    ("壮大科研经济,吸引创新人才 光明以科技创新引领新质生产力发展\n\n- 来源:深圳特区报 2024年1月5日刊登。", None),
    ("光明区二届三次党代会召开 奋力谱写一城三区新篇章 全面建设光明科学城\n\n一图读懂党代会报告,看看未来五年怎么干。", None),
    ("科技服务业、软信服务业企业数量分别增长75%80%,人力资源服务业营收增长104%\n\n金融方面,推动7家科技支行落地。", None),
])
def test_a_sentence_broken_across_paragraphs_is_joined_and_nothing_else(text: str, expected: str | None) -> None:
    assert rejoin_broken_sentences(text) == (text if expected is None else expected)


def test_a_loaded_document_holds_the_rejoined_sentence(tmp_path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(f"标题\n\n{BODY}\n\n{REST}\n", encoding="utf-8")
    assert "数量分别为三年前的5.9倍" in load_file(path).text
