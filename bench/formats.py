"""`python -m bench formats`: how fast each reader turns files into Documents.

Files are made here from the bundled seeds' paragraphs with the same real writers the
tests use (fpdf2, python-docx, odfpy, ebooklib, the standard library's email and mailbox,
Pillow for scans), plus the PDFs this machine has under /usr/share/doc. Each format is
read through the public load_documents (the whole reader: parse, reflow, blocks,
metadata) in this process; figures are pages per second for PDFs and OCR, MB/s and
documents per second for the rest. A writer that is not installed skips its format.
"""
from __future__ import annotations

import mailbox
import shutil
import tempfile
import textwrap
import time
from email.message import EmailMessage
from pathlib import Path

from bench.report import table

REPEAT_SECONDS = 1.0        # read each file again until this much time has passed (at least once)


def seed_paragraphs() -> list[str]:
    from indexer import seeds_path

    paras: list[str] = []
    for path in sorted(seeds_path().glob("*.txt")):
        paras += [" ".join(p.split()) for p in path.read_text(encoding="utf-8").split("\n\n") if len(p) > 200]
    return paras


def make_files(folder: Path, paras: list[str], pages: int, ocr_pages: int) -> dict[str, list[Path]]:
    """{format: files} written in `folder`; formats whose writer is missing are left out."""
    made: dict[str, list[Path]] = {}
    body = [paras[i % len(paras)] for i in range(pages * 3)]
    try:
        import fpdf

        pdf = fpdf.FPDF(format="A4")
        for n in range(pages):
            pdf.add_page()
            pdf.set_font("Helvetica", size=10)
            lines = textwrap.wrap(" ".join(body[3 * n:3 * n + 3]), 95)[:48]
            for i, line in enumerate(lines):
                pdf.text(15, 20 + 5.5 * i, line.encode("latin-1", "replace").decode("latin-1"))
        pdf.output(str(folder / "report.pdf"))
        made["pdf (text)"] = [folder / "report.pdf"]
    except ImportError:
        pass
    real = sorted(Path("/usr/share/doc").glob("**/*.pdf"))[:5]
    if real:
        made["pdf (machine's own)"] = real
    try:
        import docx

        d = docx.Document()
        for i, para in enumerate(body):
            if i % 10 == 0:
                d.add_heading(f"Section {i // 10 + 1}", level=1)
            d.add_paragraph(para)
        d.save(str(folder / "memo.docx"))
        made["docx"] = [folder / "memo.docx"]
    except ImportError:
        pass
    try:
        from odf.opendocument import OpenDocumentText
        from odf.text import H, P

        o = OpenDocumentText()
        for i, para in enumerate(body):
            if i % 10 == 0:
                o.text.addElement(H(outlinelevel=1, text=f"Section {i // 10 + 1}"))
            o.text.addElement(P(text=para))
        o.save(str(folder / "minutes.odt"))
        made["odt"] = [folder / "minutes.odt"]
    except ImportError:
        pass
    try:
        from ebooklib import epub

        book = epub.EpubBook()
        book.set_identifier("bench")
        book.set_title("Bench book")
        chapters = []
        for c in range(0, len(body), 10):
            ch = epub.EpubHtml(title=f"Chapter {c // 10 + 1}", file_name=f"c{c}.xhtml")
            ch.content = f"<h1>Chapter {c // 10 + 1}</h1>" + "".join(f"<p>{p}</p>" for p in body[c:c + 10])
            book.add_item(ch)
            chapters.append(ch)
        book.spine = chapters
        book.add_item(epub.EpubNcx())
        epub.write_epub(str(folder / "book.epub"), book)
        made["epub"] = [folder / "book.epub"]
    except ImportError:
        pass
    box = mailbox.mbox(str(folder / "mail.mbox"))
    for i in range(0, len(body), 3):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.org", f"Message {i // 3 + 1}"
        m["Date"] = "Tue, 10 Oct 2000 08:30:00 +0900"
        m.set_content("\n\n".join(body[i:i + 3]))
        box.add(m)
    box.close()
    made["mbox"] = [folder / "mail.mbox"]
    if ocr_pages and shutil.which("tesseract"):
        try:
            from PIL import Image, ImageDraw, ImageFont

            font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
            font = ImageFont.truetype(str(font_path), 34) if font_path.is_file() else ImageFont.load_default(size=34)
            scans = []
            for n in range(ocr_pages):
                img = Image.new("L", (2480, 3508), 255)          # A4 at 300 dpi
                draw = ImageDraw.Draw(img)
                for i, line in enumerate(textwrap.wrap(" ".join(body[3 * n:3 * n + 3]), 80)[:60]):
                    draw.text((150, 150 + 52 * i), line, fill=0, font=font)
                path = folder / f"scan{n}.png"
                img.save(path)
                scans.append(path)
            made["ocr (png, A4 300 dpi)"] = scans
        except ImportError:
            pass
    return made


def measure(files: list[Path], **options) -> dict:
    """Read `files` through load_documents until REPEAT_SECONDS pass; per-second figures."""
    from indexer.readers.extracted import ReadOptions
    from indexer.readers.load import load_documents

    read_options = ReadOptions(**options)
    size = sum(p.stat().st_size for p in files)
    ocr = options.get("ocr") in ("auto", "always")
    if not ocr:
        load_documents(files[0], files[0].parent, max_bytes=1 << 31, options=read_options)  # imports: not timed
    rounds, elapsed, docs, pages = 0, 0.0, 0, 0
    while rounds == 0 or elapsed < REPEAT_SECONDS:
        started = time.perf_counter()
        docs = pages = 0
        for path in files:
            found = load_documents(path, path.parent, max_bytes=1 << 31, options=read_options)
            docs += len(found)
            pages += sum(max((b.page_end for b in d.blocks), default=0) for d in found) or (len(found) if ocr else 0)
        elapsed += time.perf_counter() - started
        rounds += 1
        if ocr:
            break                                   # OCR: once is enough (and uncached: no cache is given)
    per_round = elapsed / rounds
    return {"files": len(files), "bytes": size, "documents": docs, "pages": pages or None,
            "seconds": round(per_round, 4), "mb_per_s": round(size / per_round / 1e6, 2),
            "pages_per_s": round(pages / per_round, 1) if pages else None,
            "docs_per_s": round(docs / per_round, 1)}


def run(pages: int = 40, ocr_pages: int = 2) -> dict:
    paras = seed_paragraphs()
    with tempfile.TemporaryDirectory(prefix="docsearch-bench-formats-") as tmp:
        made = make_files(Path(tmp), paras, pages, ocr_pages)
        figures = {}
        for name, files in made.items():
            if name.startswith("ocr"):
                figures[name] = measure(files, ocr="auto", ocr_cache=None)
            else:
                figures[name] = measure(files, ocr="never")
    return {"pages": pages, "ocr_pages": ocr_pages, "formats": figures}


def render(figures: dict) -> str:
    rows = [(name, f["files"], f"{f['bytes'] / 1e6:.2f}", f["documents"], f["pages"], f["pages_per_s"],
             f["mb_per_s"], f["docs_per_s"]) for name, f in figures["formats"].items()]
    return table(["format", "files", "MB", "documents", "pages", "pages/s", "MB/s", "documents/s"], rows)
