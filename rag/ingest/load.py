"""Files → ``Document``: txt, markdown, html, pdf and docx, with encoding detection.

Text is kept exactly as written (line endings become ``\\n``; the script is never converted).
Every failure is a ``LoadError`` whose message says what is wrong with the file and what to do.

Document ids: the file name stem, e.g. ``report`` for ``a/report.pdf``. When several files of a
folder share a stem, the first one (in sorted relative-path order) keeps the stem and the others
get their relative path without suffix, "/" replaced by "__" (``b__report``); if that is still
taken (``report.pdf`` next to ``report.docx``) the suffix is kept too (``b__report.docx``). So an
id can change when a file with the same stem is added earlier in the order.
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import zipfile
from collections.abc import Collection, Iterable
from contextlib import suppress
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from rag.errors import LoadError
from rag.files import sha256_bytes
from rag.types import Document, FileError

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TITLE_CHARS = 80
MAX_PDF_PAGES = 2000  # more is a book-scanning accident or an attack: it would tie up the indexer for long
MAX_UNZIPPED_BYTES = 100 * 2**20  # a .docx (a zip) may expand to this much; more is a zip bomb
MAX_ZIP_PARTS = 10_000
MAX_NAME_BYTES = 255  # longest file name most file systems take
# Windows device names: a file called so (with any suffix) cannot be opened there, and is refused.
_DEVICE_NAMES = frozenset(["con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))])

_FORMATS = {".txt": "txt", ".md": "markdown", ".markdown": "markdown", ".html": "html",
            ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
_MD_SETEXT = re.compile(r"^(\S[^\n]*)\n {0,3}(?:=+|-+)[ \t]*$", re.M)
_MD_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.S)
_MD_FRONT_TITLE = re.compile(r"^title:[ \t]*[\"']?(.+?)[\"']?[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class FileStamp:
    """Size and modification time: equal stamps mean "unchanged" without reading the file."""

    size: int
    mtime_ns: int


def file_stamp(path: Path) -> FileStamp:
    st = path.stat()
    return FileStamp(st.st_size, st.st_mtime_ns)


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")


def _trim_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BROKEN_PARAGRAPH = re.compile(
    r"(?m)^(?=[^\n]*[,，、])([^\n]{40,}[\u4e00-\u9fff])[ \t]*\n(?:[ \t]*\n)?[ \t]*"  # long prose ending mid-sentence
    r"(?![一二三四五六七八九十]+[、是]|第)(?=[\u4e00-\u9fff][^\n]{19,})(?=[^\n]*。)")  # prose continues it


def rejoin_broken_sentences(text: str) -> str:
    """Join a sentence that the source broke across lines or paragraphs (web pages and PDFs do:
    ``…数量分别为`` / ``三年前的5.9倍…``), so that it is one sentence to cite and to answer from.

    A break is joined when the line before it is long prose (a comma in it) ending in a Chinese
    character, without end punctuation, and the next line is prose (20+ characters, a 。) that
    starts with a Chinese character and not with an item number (一、, 二是, 第三…). Headings, bullets
    and lines ending in a figure stay as they are.
    """
    return _BROKEN_PARAGRAPH.sub(r"\1", text)


def _decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` as text; return ``(text, encoding)``. UTF BOMs, then UTF-8, then detection."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                raise LoadError(f"starts with a {name} byte-order mark but is not valid {name}; "
                                "re-save it as UTF-8") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise LoadError("binary data (NUL bytes), not text: a renamed binary file, or UTF-16 without "
                        "a byte-order mark? Convert it to a supported format or re-save it as UTF-8")
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise LoadError("undecodable: not UTF-8 and no known text encoding fits; re-save it as UTF-8")
    return str(best), best.encoding


def _check_text(text: str) -> None:
    """Reject text with many control characters: binary data that happened to decode."""
    sample = text[:100_000]
    controls = len(_CONTROL.findall(sample))
    if "\x00" in sample or controls > max(8, len(sample) // 100):
        raise LoadError(f"looks like binary data ({controls} control characters), not text: "
                        "is it a renamed binary file? Convert it to a supported format")


def _load_txt(data: bytes) -> tuple[str, str, dict]:
    text, enc = _decode(data)
    _check_text(text)
    text = _newlines(text)
    return text, _first_line(text), {"encoding": enc}


def _load_markdown(data: bytes) -> tuple[str, str, dict]:
    """Text as written; title from front matter ``title:``, else the first heading or line."""
    text, _, meta = _load_txt(data)
    front = _MD_FRONT_MATTER.match(text)
    body = text[front.end():] if front else text
    found = _MD_FRONT_TITLE.search(front.group(1)) if front else None
    if found:
        return text, found.group(1), meta
    heads = [m for m in (_MD_HEADING.search(body), _MD_SETEXT.search(body)) if m]
    return text, min(heads, key=lambda m: m.start()).group(1) if heads else _first_line(body), meta


_HTML_SKIP = frozenset("script style noscript template head iframe object svg canvas map".split())
_HTML_BLOCK = frozenset(
    "address article aside blockquote caption details div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr main nav ol p pre section summary table ul".split()
)
# (before, after) an element; rows and list items get a line each, cells a tab before them
_HTML_SEPARATORS = {"tr": ("\n", ""), "li": ("\n", ""), "dt": ("\n", ""), "dd": ("\n", ""),
                    "td": ("\t", ""), "th": ("\t", "")}
_HTML_WS = re.compile(r"[ \t\n\r\f]+")
_HTML_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}


def _html_visible_text(soup) -> str:  # noqa: ANN001 - a bs4 BeautifulSoup
    """Text a browser would show: no script/style, blocks separated by blank lines."""
    from bs4.element import NavigableString, PreformattedString

    out: list[str] = []
    stack: list = [(soup, False)]
    while stack:  # iterative: deeply nested pages must not hit the recursion limit
        item = stack.pop()
        if type(item) is str:  # a separator queued to follow an element's children
            out.append(item)
            continue
        node, pre = item
        if isinstance(node, PreformattedString):  # comments, doctype, CDATA
            continue
        if isinstance(node, NavigableString):
            out.append(str(node) if pre else _HTML_WS.sub(" ", str(node)))
            continue
        if node.name in _HTML_SKIP:
            continue
        if node.name == "br":
            out.append("\n")
            continue
        block = ("\n\n", "\n\n") if node.name in _HTML_BLOCK else ("", "")
        opening, closing = _HTML_SEPARATORS.get(node.name, block)
        out.append(opening)
        stack.append(closing)
        stack.extend((child, pre or node.name == "pre") for child in reversed(node.contents))
    lines = (line.strip(" \t") for line in "".join(out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _load_html(data: bytes) -> tuple[str, str, dict]:
    from bs4 import BeautifulSoup

    match = _HTML_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii").lower() if match else ""
    declared = _SUPERSETS.get(declared, declared)
    markup, enc = "", ""
    if declared and not any(data.startswith(bom) for bom, _ in _BOMS):
        with suppress(UnicodeDecodeError, LookupError):  # a wrong declaration: detect instead
            markup, enc = data.decode(declared), declared
    if not enc:
        markup, enc = _decode(data)
    _check_text(markup)
    soup = BeautifulSoup(_newlines(markup), "lxml")
    heading = soup.title if soup.title and soup.title.get_text(strip=True) else soup.find("h1")
    text = _html_visible_text(soup)
    title = heading.get_text(" ", strip=True) if heading else _first_line(text)
    return text, title, {"encoding": enc}


def _load_pdf(data: bytes) -> tuple[str, str, dict]:
    import zlib

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    encrypted = "encrypted PDF: it needs a password; save or print an unencrypted copy and load that"
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(encrypted)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise LoadError(f"{len(reader.pages):,} pages, over the limit of {MAX_PDF_PAGES:,}; split the PDF "
                            "into parts and load those")
        pages = [_newlines(page.extract_text() or "") for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
        raise LoadError(f"{encrypted} ({exc})") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, zlib.error,
            RecursionError) as exc:
        raise LoadError(f"corrupt or unreadable PDF ({type(exc).__name__}: {exc}); "
                        "open it in a PDF viewer and save or export it again") from exc
    if not "".join(pages).strip():
        raise LoadError(f"no extractable text in {len(pages)} page(s): probably a scanned PDF "
                        "(images only); run OCR on it first")
    starts = [0, *accumulate(len(page) + 2 for page in pages[:-1])]  # pages joined by "\n\n"
    text = "\n\n".join(pages)
    return text, str(meta_title).strip() or _first_line(text), {"pages": len(pages), "page_starts": starts}


def _docx_lines(document) -> Iterable[str]:  # noqa: ANN001 - a python-docx Document
    """Paragraph texts, and one tab-separated line per table row, in document order."""
    from docx.table import Table

    for block in document.iter_inner_content():
        if not isinstance(block, Table):
            yield block.text
            continue
        for row in block.rows:
            cells, previous = [], None
            for cell in row.cells:
                if cell is not previous:  # a merged cell repeats across the columns it spans
                    cells.append(cell.text.replace("\n", " "))
                previous = cell
            yield "\t".join(cells)


def _check_zip(data: bytes) -> None:
    """Refuse a zip whose parts would unpack to more than ``MAX_UNZIPPED_BYTES`` (a zip bomb).

    The sizes in the zip's directory are binding: ``zipfile`` stops reading a part at its
    declared size and fails its CRC check if the data runs on, so checking them is enough.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return  # python-docx reports the corrupt package itself
    total = sum(p.file_size for p in parts)
    if total > MAX_UNZIPPED_BYTES or len(parts) > MAX_ZIP_PARTS:
        raise LoadError(f"the Word file unpacks to {_size(total)} in {len(parts):,} parts, over the limit of "
                        f"{_size(MAX_UNZIPPED_BYTES)} (a zip bomb?); open it in Word or LibreOffice and save it again")


def _load_docx(data: bytes) -> tuple[str, str, dict]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
        text = _newlines("\n".join(_docx_lines(document)))
        meta_title = document.core_properties.title or ""
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        raise LoadError(f"corrupt Word file, not a valid .docx package ({type(exc).__name__}: {exc}); "
                        "if it is password-protected or an old .doc, open it in Word or LibreOffice "
                        "and save it as .docx") from exc
    return text, meta_title.strip() or _first_line(text), {}


_PARSERS = {"txt": _load_txt, "markdown": _load_markdown, "html": _load_html, "pdf": _load_pdf,
            "docx": _load_docx}


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def _read(path: Path, max_bytes: int) -> tuple[bytes, FileStamp]:
    too_large = "too large: {} (limit {}); split the file or raise max_bytes"
    try:
        stamp = file_stamp(path)
        if not path.is_file():
            raise LoadError("not a regular file")
        if stamp.size > max_bytes:
            raise LoadError(too_large.format(_size(stamp.size), _size(max_bytes)))
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise LoadError("file vanished: it no longer exists (moved or deleted while loading, "
                        "or a broken link); check the path and load again") from None
    except PermissionError:
        raise LoadError("permission denied: make the file readable") from None
    except OSError as exc:
        raise LoadError(f"could not read the file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise LoadError(too_large.format(f"more than {_size(max_bytes)}", _size(max_bytes)))
    if not data:
        raise LoadError("empty file (0 bytes)")
    return data, stamp


def _unsupported(suffix: str) -> str:
    return f"unsupported file type {suffix or '(no suffix)'!r}; supported: {', '.join(SUPPORTED_SUFFIXES)}"


def _load(path: Path, *, max_bytes: int, doc_id: str | None, suffix: str | None = None) -> Document:
    """``load_file`` without the path in messages; ``suffix`` overrides the one of ``path``."""
    suffix = (path.suffix if suffix is None else suffix).lower()
    kind = _FORMATS.get(suffix)
    if kind is None:
        raise LoadError(_unsupported(suffix))
    data, stamp = _read(path, max_bytes)
    try:
        text, title, meta = _PARSERS[kind](data)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not stop the others
        logger.exception("unexpected error parsing %s", path)
        raise LoadError(f"unexpected {type(exc).__name__} while reading the {kind} file ({exc}); "
                        "open and re-save it, and please report the file") from exc
    if not text.strip():
        raise LoadError(f"no text: the {kind} file holds only whitespace or empty elements")
    text = rejoin_broken_sentences(text)
    meta.update(format=kind, size=stamp.size, mtime_ns=stamp.mtime_ns,
                sha256=sha256_bytes(data))
    title = _trim_title(title) or path.stem
    return Document(id=doc_id or path.stem, path=path, title=title, text=text, meta=meta)


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, doc_id: str | None = None) -> Document:
    """Load one file; ``doc_id`` defaults to the file name stem.

    ``meta`` holds ``format``, ``size``, ``mtime_ns``, ``sha256`` and, per format, ``encoding``
    (text formats) or ``pages``/``page_starts`` (PDF: offset of each page in ``text``).

    Raises:
        LoadError: naming the file and a reason a person can act on.
    """
    path = Path(path)
    try:
        return _load(path, max_bytes=max_bytes, doc_id=doc_id)
    except LoadError as exc:
        raise LoadError(f"{path}: {exc}") from exc.__cause__


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))  # dot files and Office lock files


def _walk(folder: Path) -> list[Path]:
    """Every non-hidden file under ``folder``, sorted by relative path."""
    if not folder.exists():
        raise LoadError(f"{folder}: folder not found; check the path")
    if not folder.is_dir():
        raise LoadError(f"{folder}: not a folder; pass the folder that holds the documents")
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):  # does not follow symlinked folders
        dirs[:] = [d for d in dirs if not _hidden(d)]
        found.extend(Path(root, f) for f in files if not _hidden(f))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _names(rel: Path) -> list[str]:
    flat = rel.as_posix().replace("/", "__")
    return [rel.stem, flat[: len(flat) - len(rel.suffix)], flat]


def _assign_id(rel: Path, used: set[str]) -> str:
    candidates = _names(rel)
    doc_id = next((c for c in candidates if c not in used), None)
    n = 2
    while doc_id is None or doc_id in used:
        doc_id, n = f"{candidates[-1]}~{n}", n + 1
    used.add(doc_id)
    return doc_id


def scan_folder(
    folder: Path, *, taken: Collection[str] = ()
) -> tuple[list[tuple[str, Path]], list[FileError]]:
    """``(doc_id, path)`` of each supported non-hidden file under ``folder`` (not read), and a
    ``FileError`` per unsupported file. Ids avoid ``taken`` (ids used by other folders).

    Pair with ``file_stamp``/``rag.files.sha256_file`` to find changed files cheaply, then ``load_file``.

    Raises:
        LoadError: ``folder`` does not exist or is not a folder.
    """
    folder = Path(folder)
    used = set(taken)
    files: list[tuple[str, Path]] = []
    errors: list[FileError] = []
    for path in _walk(folder):
        if path.suffix.lower() in _FORMATS:
            files.append((_assign_id(path.relative_to(folder), used), path))
        else:
            errors.append(FileError(str(path), _unsupported(path.suffix)))
    return files, errors


def candidate_ids(folder: Path, *, numbered: int = 3) -> set[str]:
    """The ids ``scan_folder`` tries for the files of ``folder``: each file's three names and its
    first ``numbered`` numbered fall-backs (``name~2``...). The folder is listed, no file is read.
    Which of these other folders take is what ``scan_folder(folder, taken=...)`` needs to know
    (short of a file that needs a fall-back past ``numbered``)."""
    folder = Path(folder)
    ids: set[str] = set()
    for path in _walk(folder):
        if path.suffix.lower() in _FORMATS:
            names = _names(path.relative_to(folder))
            ids.update(names, (f"{names[-1]}~{n}" for n in range(2, numbered + 2)))
    return ids


def validate_upload(source: Path, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Check an uploaded file before it is copied in; return the safe file name to store it under.

    Raises:
        LoadError: the name is unusable or the file cannot be loaded (same reasons as ``load_file``).
    """
    if "/" in name or "\\" in name or name.strip() in ("..", "."):
        raise LoadError(f"{name!r}: a file name must not contain a path ('/', '\\' or '..'); "
                        "upload the file under its plain name")
    safe = name.strip()
    if not safe or _hidden(safe):
        raise LoadError(f"{name!r}: unusable file name (empty, or hidden: starts with '.' or '~$'); "
                        "rename the file")
    if _CONTROL.search(safe) or any(c in safe for c in "\n\r\t:") or len(safe.encode("utf-8")) > MAX_NAME_BYTES:
        raise LoadError(f"{name!r}: unusable file name (control characters, ':' or over {MAX_NAME_BYTES} bytes); "
                        "rename the file")
    if safe.split(".")[0].strip().lower() in _DEVICE_NAMES:
        raise LoadError(f"{safe!r}: a reserved device name (CON, NUL, COM1, ...); rename the file")
    try:
        _load(Path(source), max_bytes=max_bytes, doc_id=None, suffix=Path(safe).suffix)
    except LoadError as exc:
        raise LoadError(f"{safe}: {exc}") from exc.__cause__
    return safe


def load_folder(
    folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Document], list[FileError]]:
    """Load every non-hidden file under ``folder``; each failure becomes a ``FileError``.

    Unsupported files are reported too, so a user sees why a file is missing from the index.

    Raises:
        LoadError: ``folder`` does not exist or is not a folder.
    """
    files, errors = scan_folder(folder)
    docs: list[Document] = []
    for doc_id, path in files:
        try:
            docs.append(_load(path, max_bytes=max_bytes, doc_id=doc_id))
        except LoadError as exc:
            errors.append(FileError(str(path), str(exc)))
    for err in errors:
        logger.warning("skipped %s: %s", err.path, err.reason)
    logger.info("loaded %d documents from %s; %d files skipped", len(docs), folder, len(errors))
    return docs, sorted(errors, key=lambda e: e.path)
