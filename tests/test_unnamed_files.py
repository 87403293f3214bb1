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
