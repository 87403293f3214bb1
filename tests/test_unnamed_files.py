"""Files with no extension are read by their first bytes, as Recoll and Tika find a file's type:
a README or copyright file as text, a mail program's mailbox ("Inbox") message by message, a
saved message, a PDF, a Word file, an HTML page; a binary or a plain ZIP archive is a counted
skip with its reason. Every file here is made by a real writer (mailbox, email, python-docx, pypdfium2's
source PDF from tests/test_pdf.py)."""
from __future__ import annotations

import json
import mailbox
import zipfile
from email.message import EmailMessage

import pytest
from click.testing import CliRunner

from search.cli import cli
from tests.test_pdf import make_pdf


def _message(subject: str, body: str, n: int) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Desk {n} <desk{n}@example.org>"
    m["To"] = "archive@example.org"
    m["Subject"] = subject
    m["Date"] = f"Tue, {n + 1} Oct 2000 09:00:00 +0900"
    m["Message-ID"] = f"<{n}@example.org>"
    m.set_content(body)
    return m


def _hits(idx, query):
    result = CliRunner().invoke(cli, ["search", query, "--index", str(idx), "--format", "json", "--limit", "50"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["hits"]


@pytest.fixture
def unnamed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README").write_text("Field notes\n===========\n\nThe survey counted seventeen walruses on the ice.\n")
    box = mailbox.mbox(str(docs / "Inbox"))                # what Thunderbird keeps: an mbox file, no extension
    for n, (subject, body) in enumerate([("Fuel talks", "The fuel shipment left Nampo on Monday."),
                                         ("Agenda", "The delegation meets the inspectors at noon.")]):
        box.add(_message(subject, body, n))
    box.flush()
    box.close()
    (docs / "saved-message").write_bytes(bytes(_message("Narwhal sighting", "Two narwhals off the coast.", 5)))
    # A memo typed with header-like lines is text: nothing but a mail program writes Message-ID.
    (docs / "memo").write_text("From: the duty officer\nSubject: night watch\n\nA beluga passed the pier.\n")
    (docs / "page").write_text("<!DOCTYPE html><html><head><title>Orca notes</title></head>"
                               "<body><nav>Home</nav><p>Orcas hunt in family pods.</p></body></html>")
    make_pdf(docs / "scan-0001", [{"heading": "Armistice commission minutes", "body": "The commission met in Panmunjom."}])
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("Shipping memo", 1)
    d.add_paragraph("The freighter carried heavy oil to the port.")
    d.save(str(docs / "memo-word"))
    (docs / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(500))
    with zipfile.ZipFile(docs / "bundle", "w") as z:
        z.writestr("inner.txt", "a zip archive is not opened")
    idx = tmp_path / "idx"
    result = CliRunner().invoke(cli, ["index", str(docs), "--index", str(idx), "-v"])
    assert result.exit_code == 0, result.output
    return idx, result


def test_files_with_no_extension_are_read_by_their_first_bytes(unnamed):
    idx, result = unnamed
    assert result.stdout.startswith("indexed 7 files")
    assert result.stdout.endswith("; 2 skipped (1 binary, 1 unsupported type)\n")
    assert "skipped docs/program: binary file (NUL bytes)" in result.stderr
    assert "skipped docs/bundle: unsupported file type: a ZIP archive with no extension" in result.stderr

    readme, = _hits(idx, "walruses")
    assert (readme["id"], readme["type"], readme["title"]) == ("docs/README#0", "text", "Field notes")
    fuel, = _hits(idx, "nampo")
    assert (fuel["doc_id"], fuel["type"], fuel["title"], fuel["author"]) == (
        "docs/Inbox::1", "email", "Fuel talks", "Desk 0 <desk0@example.org>")
    assert [h["doc_id"] for h in _hits(idx, "inspectors")] == ["docs/Inbox::2"]
    saved, = _hits(idx, "narwhals")
    assert (saved["doc_id"], saved["type"], saved["title"]) == ("docs/saved-message", "email", "Narwhal sighting")
    memo, = _hits(idx, "beluga")
    assert memo["type"] == "text" and "Message-ID" not in memo["text"]
    assert [h["type"] for h in _hits(idx, '"night watch"')] == ["text"]       # its header lines are its text
    page, = _hits(idx, "orcas")
    assert (page["type"], page["title"]) == ("html", "Orca notes")
    minutes, = _hits(idx, "panmunjom")
    assert (minutes["type"], minutes["page"]) == ("pdf", 1)
    word, = _hits(idx, "freighter")
    assert (word["type"], word["section"]) == ("docx", "Shipping memo")


def test_an_unchanged_unnamed_file_is_not_read_again(unnamed):
    idx, _ = unnamed
    again = CliRunner().invoke(cli, ["index", str(idx.parent / "docs"), "--index", str(idx)])
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("indexed 0 files") and "7 unchanged" in again.stdout


# -- compressed documents, and names whose last dot is not a type ------------------------------------

def test_gzip_files_are_read_as_what_they_hold(tmp_path):
    import gzip

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt.gz").write_bytes(gzip.compress(b"Field notes\n\nThe survey counted walruses on the ice.\n"))
    (docs / "changelog.gz").write_bytes(gzip.compress(b"package (1.2) unstable; urgency=low\n\n"
                                                      b"  * Fix the narwhal parser.\n"))
    (docs / "guide.md.gz").write_bytes(gzip.compress(b"# Harbour guide\n\nBelugas enter the harbour at dawn.\n"))
    # cat a.gz b.gz: two members, one text
    (docs / "joined.txt.gz").write_bytes(gzip.compress(b"First part on orcas.\n") + gzip.compress(b"Second part on seals.\n"))
    (docs / "README.Debian").write_text("Debian notes\n\nThe dolphin option is on by default.\n")   # a name, not a type
    (docs / "bomb.txt.gz").write_bytes(gzip.compress(b"\0" * 30_000_000))
    (docs / "cut.txt.gz").write_bytes(gzip.compress(b"a truncated file about otters " * 100)[:60])
    (docs / "fake.txt.gz").write_bytes(b"this is not gzip data")
    (docs / "source.tar.gz").write_bytes(gzip.compress(b"not read"))
    idx = tmp_path / "idx"
    result = CliRunner().invoke(cli, ["index", str(docs), "--index", str(idx), "-v"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("indexed 5 files")
    assert "skipped docs/bomb.txt.gz: file too large once decompressed (over 20,000,000 bytes)" in result.stderr
    assert "skipped docs/cut.txt.gz: damaged gzip file (truncated)" in result.stderr
    assert "skipped docs/fake.txt.gz: damaged gzip file (" in result.stderr
    assert "skipped docs/source.tar.gz: unsupported file type .tar inside .gz;" in result.stderr

    walrus, = _hits(idx, "walruses")
    assert (walrus["doc_id"], walrus["type"]) == ("docs/notes.txt.gz", "text")
    assert walrus["text"].endswith("The survey counted walruses on the ice.")
    assert [h["doc_id"] for h in _hits(idx, "narwhal")] == ["docs/changelog.gz"]
    beluga, = _hits(idx, "belugas")
    assert (beluga["type"], beluga["section"]) == ("markdown", "Harbour guide")
    assert {h["doc_id"] for h in _hits(idx, "orcas OR seals")} == {"docs/joined.txt.gz"}
    assert [h["doc_id"] for h in _hits(idx, "dolphin")] == ["docs/README.Debian"]

    again = CliRunner().invoke(cli, ["index", str(docs), "--index", str(idx)])
    assert again.stdout.startswith("indexed 0 files") and "5 unchanged" in again.stdout


def test_the_web_page_serves_unnamed_and_compressed_originals_as_what_they_hold(tmp_path):
    import gzip

    from starlette.testclient import TestClient

    from search import Searcher
    from search.web.app import create_app

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README").write_text("Plain notes on walruses.\n")
    (docs / "notes.txt.gz").write_bytes(gzip.compress(b"Compressed notes on narwhals.\n"))
    idx = tmp_path / "idx"
    assert CliRunner().invoke(cli, ["index", str(docs), "--index", str(idx)]).exit_code == 0
    with Searcher(idx) as s, TestClient(create_app(s)) as client:
        plain = client.get("/file/docs/README")
        assert plain.headers["content-type"] == "text/plain; charset=utf-8"
        assert plain.text == "Plain notes on walruses.\n"
        packed = client.get("/file/docs/notes.txt.gz")        # the client undoes content-encoding
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["content-type"] == "text/plain; charset=utf-8"
        assert packed.text == "Compressed notes on narwhals.\n"


def test_learned_boilerplate_is_learned_and_applied_on_named_files_only(tmp_path):
    """A footer every .txt file carries is learned and left out of them; a README, a README.Md
    and a .gz with the same footer keep it (they are read by content, outside what is learned),
    and none of them is read again by the next run, which equals a clean build."""
    import gzip

    from indexer import build_index
    from search import Searcher

    docs = tmp_path / "docs"
    docs.mkdir()
    body = "This article is about {}, and it says something long enough to be a body paragraph of its own."
    for i, topic in enumerate(["harbours", "bridges", "schools", "roads"]):
        (docs / f"a{i}.txt").write_text(body.format(topic) + "\n\nRead our weekly digest\n")
    (docs / "README").write_text(body.format("walruses") + "\n\nRead our weekly digest\n")
    (docs / "README.Md").write_text(body.format("narwhals") + "\n\nRead our weekly digest\n")
    (docs / "notes.txt.gz").write_bytes(gzip.compress((body.format("belugas") + "\n\nRead our weekly digest\n").encode()))
    first = build_index([docs], tmp_path / "inc")
    assert first.indexed == 7
    with Searcher(tmp_path / "inc") as s:
        assert [r.reason for r in s.removed("docs/a0.txt").lines] == ["learned boilerplate"]
        assert {h.doc_id for h in s.search('"weekly digest"', limit=20).hits} == {
            "docs/README", "docs/README.Md", "docs/notes.txt.gz"}
    again = build_index([docs], tmp_path / "inc")
    assert again.indexed == 0 and again.unchanged == 7
    build_index([docs], tmp_path / "clean")
    with Searcher(tmp_path / "inc") as inc, Searcher(tmp_path / "clean") as clean:
        assert [h.id for h in inc.search("digest OR article", limit=50).hits] == \
               [h.id for h in clean.search("digest OR article", limit=50).hits]


def test_a_letter_that_opens_with_from_is_text_and_a_mailbox_line_is_not():
    from indexer.readers.filebytes import unnamed_format

    letter = b"From John Smith to the harbour master\nSubject: the new pier\n\nDear Sir, the pier is ready.\n"
    assert unnamed_format(letter) == ".txt"
    for line in (b"From - Mon Jan 01 10:00:00 2001", b"From MAILER-DAEMON Mon Dec  7 18:00:00 2026",
                 b"From walrus@example.org Tue Oct  3 09:00 2000"):
        assert unnamed_format(line + b"\nSubject: fuel\n\nbody\n") == ".mbox", line
