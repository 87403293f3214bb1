"""OCR with Tesseract on images and image-only PDF pages made by real writers (Pillow,
fpdf2): text, pages, confidence, the cache, --ocr modes, and the one warning when
Tesseract is missing. The OCR tests need Debian's tesseract-ocr (.ci/run installs it);
without it they say so and do not run."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import build_index
from indexer.readers import ocr
from indexer.readers.extracted import ReadOptions
from indexer.readers.load import load_document
from search import Searcher
from search.cli import cli

PIL = pytest.importorskip("PIL")
from PIL import Image, ImageDraw, ImageFont  # noqa: E402
fpdf = pytest.importorskip("fpdf")

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="Tesseract is not installed (apt-get install tesseract-ocr "
                                            "tesseract-ocr-kor; .ci/run does)")
LINES = ["The inspectors arrived at the reactor", "site on Tuesday and sealed the fuel rods."]


@pytest.fixture(autouse=True)
def _fresh_tesseract_lookup(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCSEARCH_OCR_CACHE", str(tmp_path / "ocr-cache"))
    ocr.tesseract.cache_clear()
    yield
    ocr.tesseract.cache_clear()


def scan_image(lines=LINES) -> Image.Image:
    img = Image.new("L", (1700, 120 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    font = None
    for name in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        if Path(name).is_file():
            font = ImageFont.truetype(name, 48)
            break
    font = font or ImageFont.load_default(size=48)
    for i, line in enumerate(lines):
        draw.text((60, 60 + 90 * i), line, fill=0, font=font)
    return img


def scanned_pdf(path: Path, tmp_path: Path, *, text_page: str | None = None) -> Path:
    """Page 1 (optional) with a text layer; then a page that is only a picture of text."""
    png = tmp_path / "page.png"
    scan_image().save(png)
    pdf = fpdf.FPDF(format="A4")
    if text_page:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.text(25, 30, text_page)
    pdf.add_page()
    pdf.image(str(png), x=15, y=20, w=180)
    pdf.output(str(path))
    return path


@needs_tesseract
def test_png_is_read_by_ocr_with_its_confidence(tmp_path):
    path = tmp_path / "scan.png"
    scan_image().save(path)
    doc = load_document(path, tmp_path, options=ReadOptions(ocr_cache=tmp_path / "cache"))
    assert doc.type == "image"
    assert "sealed the fuel rods" in doc.text and "reactor site on Tuesday" in doc.text   # lines reflowed
    assert float(doc.meta["ocr_confidence"]) > 50 and doc.meta["ocr_pages"] == "1"


@needs_tesseract
def test_image_only_pdf_page_is_ocrd_and_keeps_its_page(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    scanned_pdf(docs / "mixed.pdf", tmp_path, text_page="A typed cover page about the visit.")
    idx = tmp_path / "idx"
    summary = build_index([docs], idx)
    assert summary.indexed == 1 and summary.ocr_pending == 0
    with Searcher(idx) as s:
        hit = s.search("sealed fuel rods")[0]
        # The short typed page joins the scanned page's passage: page_end says it runs onto page 2.
        assert (hit.type, hit.page, hit.page_end, hit.pages) == ("pdf", 1, 2, "pp. 1\u20132")
        assert s.search("sealed fuel rods page:2").total == 1
        assert float(hit.meta["ocr_confidence"]) > 50 and hit.meta["ocr_pages"] == "1"


KOREAN_FONT = next((p for p in (Path("/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf"),
                                 Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")) if p.is_file()), None)
KOREAN = ("조선민주주의인민공화국과 미합중국은 쌍방 정부가 서로 적대적 의도를 가지지 않을 것이라는 것을 선언하고 "
          "과거의 적대감에서 벗어난 새로운 관계를 수립하기 위하여 모든 노력을 다할 의지를 확언하였다.")


def korean_page() -> Image.Image:
    """A printed A4 page (300 dpi) of the communiqué's Korean, wrapped to the page's width."""
    font = ImageFont.truetype(str(KOREAN_FONT), 44)
    img = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    lines, line = [], ""
    for word in (KOREAN + " ") .split() * 3:
        if line and draw.textlength(f"{line} {word}", font=font) > 1980:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    for i, text in enumerate([*lines, line]):
        draw.text((250, 250 + 75 * i), text, fill=0, font=font)
    return img


@needs_tesseract
@pytest.mark.skipif(KOREAN_FONT is None, reason="no Korean font to print a test page with (apt-get install "
                                                "fonts-nanum; .ci/run does)")
def test_a_korean_scan_is_read_whole_and_found_by_its_words(tmp_path):
    if "kor" not in (ocr.tesseract() or ("", ""))[1].split("+"):
        pytest.skip("Tesseract has no Korean data (apt-get install tesseract-ocr-kor; .ci/run does)")
    docs = tmp_path / "docs"
    docs.mkdir()
    korean_page().save(docs / "communique.png")
    build_index([docs], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        for words in ("조선민주주의인민공화국", "미합중국", "적대적 의도", "벗어난 새로운"):
            assert s.search(words).total >= 1, words
        text = " ".join(p.text for p in s.passage(s.search("미합중국")[0].id, context=10).passages)
    # Every line of the page was read (Tesseract's automatic layout lost most Korean lines).
    # (Tesseract still misreads a word here and there: "관계를" as "WAS" on two of the three copies.)
    assert text.count("적대적 의도를") == 3 and text.count("조선민주주의인민공화국") == 3


@needs_tesseract
def test_ocr_results_are_cached_by_content_hash(tmp_path, monkeypatch):
    path = scanned_pdf(tmp_path / "scan.pdf", tmp_path)
    options = ReadOptions(ocr_cache=tmp_path / "cache")
    first = load_document(path, tmp_path, options=options)
    assert list((tmp_path / "cache").rglob("*.json"))

    def no_second_run(*args, **kwargs):
        raise AssertionError("Tesseract ran again for a page in the cache")

    monkeypatch.setattr(ocr, "_run", no_second_run)
    again = load_document(path, tmp_path, options=options)
    assert again.text == first.text and "fuel rods" in again.text


@needs_tesseract
def test_ocr_never_and_always(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", tmp_path, text_page="A typed cover page about the visit.")
    never = load_document(path, tmp_path, options=ReadOptions(ocr="never", ocr_cache=None))
    assert "fuel rods" not in never.text and "typed cover page" in never.text
    always = load_document(path, tmp_path, options=ReadOptions(ocr="always", ocr_cache=None))
    assert "fuel rods" in always.text and "cover page" in always.text     # the typed page, read by OCR too
    assert always.meta["ocr_pages"] == "2"


def test_without_tesseract_one_warning_with_the_count(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCSEARCH_TESSERACT", str(tmp_path / "no-such-tesseract"))
    ocr.tesseract.cache_clear()
    docs = tmp_path / "docs"
    docs.mkdir()
    scanned_pdf(docs / "scan.pdf", tmp_path)
    scanned_pdf(docs / "mixed.pdf", tmp_path, text_page="A typed cover page about the visit.")
    scan_image().save(docs / "photo.png")
    (docs / "notes.txt").write_text("Plain notes about the visit to the reactor site.\n")
    out = CliRunner().invoke(cli, ["index", str(docs), "--index", str(tmp_path / "idx")])
    assert out.exit_code == 0, out.output
    warnings = [line for line in out.output.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "3 pages without a text layer" in warnings[0] and "Tesseract" in warnings[0]
    assert "3 pages need OCR" in out.output.splitlines()[-1]
    assert "indexed 2 files" in out.output.splitlines()[-1]         # mixed.pdf's typed page, notes.txt
    with Searcher(tmp_path / "idx") as s:
        assert s.search("typed cover").total == 1
    quiet = CliRunner().invoke(cli, ["index", str(docs), "--index", str(tmp_path / "idx2"), "--ocr", "never"])
    assert quiet.exit_code == 0 and "Tesseract" not in quiet.output
