"""OCR with Tesseract: scanned PDF pages and images (PNG, JPEG, TIFF) -> lines of text, with confidence.

Why Tesseract through its command line, not pytesseract or OCRmyPDF: we need each page's
text and its word confidences, which `tesseract - - tsv` prints; pytesseract is a thin
wrapper over that same command (plus Pillow and temporary files), and OCRmyPDF writes a
new PDF with a text layer (and needs Ghostscript and qpdf) that we would then read back.
PDF pages are rendered by PDFium at 300 dpi to 8-bit grey and handed over as PGM bytes on
stdin, so no image library is needed either. Tesseract runs with OMP_THREAD_LIMIT=1: the
indexer's worker processes are the parallelism.

Languages: English and Korean where their data are installed (Debian's tesseract-ocr,
tesseract-ocr-kor), else what is. Results are cached by the file's content hash, page,
languages and resolution (ReadOptions.ocr_cache), so re-indexing never repeats an OCR run.
The lines go through the same reflow as any text (the readers do that).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import UnsupportedFileError
from indexer.readers.extracted import Extracted, ReadOptions

DPI = 300
PAGE_TIMEOUT = 300              # seconds for one page; a page that takes longer is left out, and said so
WANTED_LANGUAGES = ("eng", "kor")
METHOD = "m2"                   # in cache keys: how a page is read (2: Korean pages read again as one column)
_NEEDS_OCR = re.compile(r"^no text layer on ([\d,]+) pages?")


@dataclass(frozen=True)
class OcrPage:
    lines: list[str]
    confidence: float           # mean word confidence, 0..100 (-1: no words)
    words: int


def needs_ocr_reason(pages: int) -> str:
    """The skip reason of a file that only OCR can read; pending_pages() reads the count back."""
    return (f"no text layer on {pages:,} page{'s' * (pages != 1)} (a scan or an image); Tesseract is not "
            "installed, so it was not read (install tesseract-ocr and index again with --ocr auto)")


def pending_pages(reason: str) -> int:
    """How many pages a skip reason says await OCR (0 for any other reason)."""
    m = _NEEDS_OCR.match(reason)
    return int(m.group(1).replace(",", "")) if m else 0


@functools.lru_cache(maxsize=1)
def tesseract() -> tuple[str, str] | None:
    """(executable, languages as eng+kor) when Tesseract is installed with at least one language, else None."""
    exe = os.environ.get("DOCSEARCH_TESSERACT") or shutil.which("tesseract")
    if not exe:
        return None
    try:
        listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    installed = {line.strip() for line in listed.splitlines()[1:]} - {"osd", ""}
    langs = [lang for lang in WANTED_LANGUAGES if lang in installed] or sorted(installed)[:1]
    return (exe, "+".join(langs)) if langs else None


def ocr_image(data: bytes, options: ReadOptions, *, key: str) -> dict[int, OcrPage]:
    """OCR an image file's bytes (every page of a multi-page TIFF): {page number: OcrPage}."""
    found = tesseract()
    if found is None:
        raise RuntimeError("Tesseract is not installed")
    cached = _cache_get(options, f"{key}-image-{found[1]}-{METHOD}")
    if cached is not None:
        return {int(k): OcrPage(**v) for k, v in cached.items()}
    pages = _run(found, data)
    _cache_put(options, f"{key}-image-{found[1]}-{METHOD}", {str(k): v.__dict__ for k, v in pages.items()})
    return pages


def ocr_pdf_page(page, options: ReadOptions, *, key: str) -> OcrPage:
    """OCR one pypdfium2 page, rendered at DPI in grey."""
    found = tesseract()
    if found is None:
        raise RuntimeError("Tesseract is not installed")
    cache_key = f"{key}-{found[1]}-{DPI}-{METHOD}"
    cached = _cache_get(options, cache_key)
    if cached is not None:
        return OcrPage(**cached)
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    try:
        width, height, stride, channels = bitmap.width, bitmap.height, bitmap.stride, bitmap.n_channels
        buffer = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    if channels == 1:
        rows = buffer if stride == width else b"".join(buffer[i * stride:i * stride + width] for i in range(height))
        image = b"P5\n%d %d\n255\n" % (width, height) + rows
    else:                                  # BGR(x): keep the green channel, a fair grey for text
        step = channels
        rows = b"".join(buffer[i * stride + 1:i * stride + width * step:step] for i in range(height))
        image = b"P5\n%d %d\n255\n" % (width, height) + rows
    result = _run(found, image).get(1, OcrPage([], -1.0, 0))
    _cache_put(options, cache_key, result.__dict__)
    return result


def _run(found: tuple[str, str], image: bytes) -> dict[int, OcrPage]:
    """Tesseract's reading of the image, laid out automatically (page segmentation mode 3).

    On Korean text that layout analysis loses most lines (a printed page of nine lines of
    Hangul came back as scattered fragments, a third of its characters), where reading the
    page as one column of lines (mode 4) gets every line. So when the first reading holds
    Hangul, the page is read again in mode 4, and the reading with more confidently
    recognised characters is kept. Pages without Hangul are read once, in mode 3, which also
    handles columns.
    """
    first = _run_mode(found, image, "3")
    if not any(_HANGUL.search(line) for page in first.values() for line in page.lines):
        return first
    second = _run_mode(found, image, "4")
    return second if _recognised(second) > _recognised(first) else first


_HANGUL = re.compile("[\uac00-\ud7a3]")
# Tesseract's Korean model often reads a word as syllables with spaces between them ("조 선 민 주");
# three or more single syllables in a row, a space apart, are one word in print.
_SPACED_SYLLABLES = re.compile("(?<![\uac00-\ud7a3])[\uac00-\ud7a3](?: [\uac00-\ud7a3](?![\uac00-\ud7a3])){2,}")


def join_spaced_syllables(line: str) -> str:
    """A line of OCR text with runs of three or more lone Hangul syllables joined ("조 선 민" -> "조선민")."""
    return _SPACED_SYLLABLES.sub(lambda m: m.group().replace(" ", ""), line) if _HANGUL.search(line) else line


def _recognised(pages: dict[int, "OcrPage"]) -> float:
    """Characters recognised, times the page's mean word confidence: how much a reading says."""
    return sum(len("".join(p.lines)) * max(p.confidence, 0) for p in pages.values())


def _run_mode(found: tuple[str, str], image: bytes, mode: str) -> dict[int, OcrPage]:
    exe, langs = found
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run([exe, "stdin", "stdout", "-l", langs, "--dpi", str(DPI), "--psm", mode, "tsv"],
                              input=image, capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as e:
        raise UnsupportedFileError(f"OCR took longer than {PAGE_TIMEOUT} s on a page") from e
    except OSError as e:
        raise UnsupportedFileError(f"cannot run Tesseract: {e}") from e
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UnsupportedFileError(f"Tesseract cannot read the image ({message[-1] if message else done.returncode})")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> dict[int, OcrPage]:
    """Tesseract's TSV -> lines per page (a blank line between its paragraphs) and mean confidence."""
    lines: dict[int, list[str]] = {}
    words: dict[tuple, list[str]] = {}
    confidences: dict[int, list[float]] = {}
    last_par: dict[int, tuple] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        page = int(cols[1])
        par, line = (int(cols[2]), int(cols[3])), (int(cols[2]), int(cols[3]), int(cols[4]))
        key = (page, *line)
        if key not in words:
            out = lines.setdefault(page, [])
            if page in last_par and last_par[page] != par:
                out.append("")
            last_par[page] = par
            words[key] = []
            out.append(key)                 # replaced by the line's text below
        words[key].append(cols[11])
        try:
            confidences.setdefault(page, []).append(float(cols[10]))
        except ValueError:
            pass
    pages = {}
    for page, out in lines.items():
        text = [join_spaced_syllables(" ".join(words[item])) if isinstance(item, tuple) else item for item in out]
        conf = confidences.get(page, [])
        pages[page] = OcrPage(text, round(sum(conf) / len(conf), 1) if conf else -1.0, len(conf))
    return pages


def read_image(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    """An image file (PNG, JPEG, TIFF): its OCR text; a multi-page TIFF keeps its pages."""
    from indexer.clean.reflow import located_paragraphs

    if options.ocr == "never":
        raise UnsupportedFileError("an image: its text needs OCR, and --ocr never was given")
    if tesseract() is None:
        raise UnsupportedFileError(needs_ocr_reason(1))
    pages = ocr_image(raw, options, key=hashlib.sha256(raw).hexdigest())
    out = Extracted()
    lines: list[str] = []
    line_page: list[int] = []
    for number in sorted(pages):
        lines += pages[number].lines + [""]
        line_page += [number] * (len(pages[number].lines) + 1)
    _, paragraphs = located_paragraphs(lines)
    paged = len(pages) > 1
    out.parts = [(p.text, 0, line_page[a], line_page[b]) if paged else (p.text, 0) for p, a, b in paragraphs]
    record_confidence(out, list(pages.values()))
    if not out.parts:
        out.notes.append("no text found by OCR in the image")
    return out


def record_confidence(out: Extracted, pages: list[OcrPage]) -> None:
    """The OCR'd pages and their mean word confidence, as fields a search can show and filter on."""
    words = sum(p.words for p in pages)
    if not pages:
        return
    mean = sum(p.confidence * p.words for p in pages if p.words) / words if words else -1.0
    out.fields["ocr_pages"] = str(len(pages))
    out.fields["ocr_confidence"] = f"{mean:.1f}"


def _cache_path(options: ReadOptions, key: str) -> Path | None:
    if options.ocr_cache is None:
        return None
    return Path(options.ocr_cache) / key[:2] / f"{key}.json"


def _cache_get(options: ReadOptions, key: str) -> dict | None:
    path = _cache_path(options, key)
    if path is None or not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None                         # a broken cache entry is read again, not trusted


def _cache_put(options: ReadOptions, key: str, value: dict) -> None:
    path = _cache_path(options, key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass                                # no cache (a read-only home): OCR still works, only slower
