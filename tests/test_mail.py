"""E-mail made by the standard library's writers (email.message.EmailMessage, mailbox.mbox),
read through the public API, the index and the CLI: headers as fields, bodies, quoted
replies, attachments as their own documents, mailboxes as one document per message."""
from __future__ import annotations

import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import build_index
from indexer.readers.load import load_documents
from indexer.segment import segment
from search import Searcher
from search.cli import cli

REPLY = """Dear colleagues,

The ministry confirmed this morning that the fuel shipment will leave Nampo on Friday. The
inspectors will travel with it and report on arrival.

Regards,
Kim

On Mon, 9 Oct 2000 at 10:12, Lee Secretary <lee@example.org> wrote:
> Can you confirm when the shipment leaves and who travels with it?
> The committee meets on Thursday.
"""


def message(subject="Re: Fuel shipment", body=REPLY, frm="Kim Analyst <kim@example.org>",
            date="Tue, 10 Oct 2000 08:30:00 +0900", attachments=()) -> EmailMessage:
    m = EmailMessage()
    m["From"] = frm
    m["To"] = "Lee Secretary <lee@example.org>"
    m["Cc"] = "Park Observer <park@example.org>"
    m["Subject"] = subject
    m["Date"] = date
    m["Message-ID"] = f"<{abs(hash(subject))}@example.org>"
    m.set_content(body)
    for name, data, maintype, subtype in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m


def small_docx(text: str) -> bytes:
    docx = pytest.importorskip("docx")
    import io

    d = docx.Document()
    d.add_heading("Annex", level=1)
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_eml_headers_body_quotes_and_attachments(tmp_path):
    annex = small_docx("The annex lists the tonnage of each shipment and the berth at Nampo harbour.")
    m = message(attachments=[("annex.docx", annex, "application",
                              "vnd.openxmlformats-officedocument.wordprocessingml.document"),
                             ("photo.jpg", b"\xff\xd8\xff\xe0not really a photo", "image", "jpeg")])
    path = tmp_path / "reply.eml"
    path.write_bytes(m.as_bytes())
    docs = load_documents(path, tmp_path)
    mail, attached = docs
    assert mail.doc_id == "reply.eml" and mail.type == "email"
    assert (mail.title, mail.author, mail.date) == ("Re: Fuel shipment", "Kim Analyst <kim@example.org>",
                                                    "2000-10-10")
    assert mail.meta["to"] == "Lee Secretary <lee@example.org>"
    assert mail.meta["cc"] == "Park Observer <park@example.org>"
    assert mail.meta["attachments"] == "annex.docx; photo.jpg"
    assert "the fuel shipment will leave Nampo on Friday" in mail.text
    # The quoted reply is kept, in a section named by its attribution line.
    passages = list(segment(mail))
    quoted = next(p for p in passages if "The committee meets on Thursday" in p.text)
    assert quoted.section.startswith("On Mon, 9 Oct 2000") and quoted.section.endswith("wrote:")
    new = next(p for p in passages if "leave Nampo" in p.text)
    assert new.section is None
    assert attached.doc_id == "reply.eml::annex.docx" and attached.type == "docx"
    assert attached.meta["attachment_of"] == "reply.eml" and attached.container == "reply.eml"
    assert "berth at Nampo harbour" in attached.text


def test_mbox_messages_are_documents_and_follow_the_file(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "readme.txt").write_text("A folder of correspondence about the talks in October 2000.\n")
    box = mailbox.mbox(str(docs / "talks.mbox"))
    box.add(message("Agenda for Thursday", "From the chair: the agenda has three items, fuel first.\n"))
    box.add(message("Minutes", "The committee agreed on the inspection calendar for the winter.\n",
                    frm="Lee Secretary <lee@example.org>", date="Thu, 12 Oct 2000 18:00:00 +0900"))
    box.add(message("Travel", "The delegation flies to Beijing on Saturday morning.\n"))
    box.flush()
    box.close()
    idx = tmp_path / "idx"
    summary = build_index([docs], idx)
    assert summary.indexed == 2 and not summary.skipped
    with Searcher(idx) as s:
        hit = s.search("inspection calendar")[0]
        assert (hit.doc_id, hit.type, hit.title, hit.date) == ("docs/talks.mbox::2", "email", "Minutes", "2000-10-12")
        assert hit.path == "talks.mbox"
        assert s.search('"From the chair"')[0].doc_id == "docs/talks.mbox::1"    # mboxrd quoting undone
        assert s.search("delegation type:email").total == 1
        assert s.search("delegation", filters={"cc": "park@example.org"}).total == 1
        assert s.search("cc:park").total == 3
    parallel = build_index([docs], tmp_path / "idx2", procs=2)      # worker processes: the same documents
    assert (parallel.indexed, parallel.passages) == (summary.indexed, summary.passages)
    with Searcher(tmp_path / "idx2") as s:
        assert s.search("inspection calendar")[0].doc_id == "docs/talks.mbox::2"
    again = build_index([docs], idx)
    assert again.unchanged == 2 and again.indexed == 0 and again.removed == 0
    box = mailbox.mbox(str(docs / "talks.mbox"))
    box.remove(box.keys()[2])
    box.flush()
    box.close()
    build_index([docs], idx)
    with Searcher(idx) as s:
        assert s.search("Beijing").total == 0              # the message that left the mailbox is gone
        assert s.search("inspection calendar").total == 1
    (docs / "talks.mbox").unlink()
    gone = build_index([docs], idx)
    assert gone.removed == 2
    with Searcher(idx) as s:
        assert s.search("inspection calendar").total == 0


def test_html_only_message_and_cli_json(tmp_path):
    m = EmailMessage()
    m["From"] = "News Desk <desk@example.org>"
    m["Subject"] = "Weekly digest"
    m["Date"] = "Fri, 13 Oct 2000 09:00:00 +0000"
    m.set_content("<html><body><h1>Digest</h1><p>The summit communiqué was signed in Washington "
                  "after two days of talks.</p></body></html>", subtype="html")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "digest.eml").write_bytes(m.as_bytes())
    idx = tmp_path / "idx"
    build_index([docs], idx)
    out = CliRunner().invoke(cli, ["search", "communiqué", "--index", str(idx), "--type", "email",
                                   "--format", "json"])
    assert out.exit_code == 0, out.output
    hit = json.loads(out.output)["hits"][0]
    assert (hit["type"], hit["title"], hit["author"]) == ("email", "Weekly digest", "News Desk <desk@example.org>")
    assert "<p>" not in hit["text"] and "signed in Washington" in hit["text"]


def test_not_a_message_is_a_counted_skip(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.eml").write_text("just some words, no headers at all\n")
    (docs / "empty.mbox").write_text("nothing here\n")
    (docs / "outlook.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    summary = build_index([docs], tmp_path / "idx")
    reasons = {doc_id.rsplit("/", 1)[-1]: why for doc_id, why in summary.skipped}   # by file name
    assert "not a readable Outlook .msg file" in reasons["outlook.msg"]       # a damaged one
    assert "not an e-mail message" in reasons["notes.eml"]
    assert "not an mbox" in reasons["empty.mbox"]


# -- Outlook .msg, written by msgforge (an MIT .msg writer) and read with extract-msg -------------------

msgforge = pytest.importorskip("msgforge")


def write_msg(path, *, subject, body, attachment=None, html=""):
    import datetime

    m = msgforge.Message(subject=subject, text_body=body, html_body=html,
                         to=[("alice@example.com", "Alice Park")], cc=[("carol@example.com", "Carol Lim")],
                         sender=("kim@example.org", "Kim Il"), sent=datetime.datetime(2000, 10, 9, 15, 30))
    if attachment is not None:
        m.attach(str(attachment))
    m.save(str(path))
    return path


def test_outlook_msg_is_a_message_with_its_headers_quotes_and_attachment(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes of the walrus committee: the harbour survey is approved.\n", encoding="utf-8")
    write_msg(docs / "inspection.msg", subject="Reactor inspection", attachment=minutes,
              body="The inspectors sealed the fuel rods on Tuesday.\n\nOn Mon, 9 Oct 2000, Alice Park wrote:\n"
                   "> Please confirm that the inspectors sealed the fuel rods.\n")
    idx = tmp_path / "idx"
    summary = build_index([docs], idx)
    assert not summary.skipped and summary.indexed == 1
    out = CliRunner().invoke(cli, ["search", "sealed fuel rods", "--index", str(idx), "--format", "json",
                                   "--per-doc", "1"])
    assert out.exit_code == 0, out.output
    hits = json.loads(out.output)["hits"]
    hit = hits[0]
    assert (hit["type"], hit["title"], hit["date"]) == ("email", "Reactor inspection", "2000-10-09")
    assert hit["author"] == "Kim Il <kim@example.org>"
    assert hit["text"].startswith("The inspectors sealed the fuel rods on Tuesday.") and not hit["quoted"]
    with Searcher(idx) as s:
        assert s.search('to:alice').total >= 1 and s.search('cc:carol').total >= 1
        quote = s.search('"Please confirm"')[0]
        assert quote.quoted and quote.section.startswith("On Mon, 9 Oct 2000, Alice Park wrote:")
        walrus = s.search("walrus harbour survey")[0]
    assert walrus.doc_id.endswith("inspection.msg::minutes.txt"), walrus.doc_id
    assert walrus.meta["attachment_of"].endswith("inspection.msg")


REAL_MSG = Path(__file__).parent / "data" / "outlook16-msgreader.msg"     # source and licence: data/README.md


def test_a_message_outlook_itself_saved_is_read_with_its_headers_and_attachment(tmp_path):
    """A .msg saved by Outlook 16.0 (its X-Mailer), not by a library: real MAPI properties, an RTF and
    Word-made HTML body that is one blank paragraph, a photo attached."""
    docs = tmp_path / "mail"
    docs.mkdir()
    (docs / "asdf.msg").write_bytes(REAL_MSG.read_bytes())
    idx = tmp_path / "idx"
    out = CliRunner().invoke(cli, ["index", str(docs), "--index", str(idx), "--ocr", "never"])
    assert out.exit_code == 0 and out.stderr == "", out.output
    assert out.stdout.startswith("indexed 1 file (1 passages)") and "; 0 skipped" in out.stdout
    found = CliRunner().invoke(cli, ["search", "asdf", "--index", str(idx), "--format", "json"])
    assert found.exit_code == 0, found.output
    [hit] = json.loads(found.stdout)["hits"]
    assert (hit["doc_id"], hit["type"], hit["title"], hit["date"]) == ("mail/asdf.msg", "email", "asdf", "2018-03-23")
    assert hit["author"] == "christoph@freiraum.xyz" and hit["meta"]["to"] == "christoph@freiraum.xyz"
    assert hit["meta"]["message_id"] == "<000001d3c2c0$e7ca4aa0$b75edfe0$@freiraum.xyz>"
    # The body is empty, so the subject is the text; the photo (no text in it) is listed, not a document.
    assert hit["text"] == "asdf" and not hit["quoted"]
    assert hit["meta"]["attachments"] == "5AAoPFgV-nJ965R7o-98C38840-4454-4750-9AEF-F53DB3E37548.jpg"
    with Searcher(idx) as s:
        assert s.search("to:christoph").total == 1


def test_an_outlook_item_attached_to_another_is_a_message_of_its_own(tmp_path):
    """extract-msg converts an attached Outlook item to loose parts beside the body, with no name:
    its text was read as nobody's. It is an attachment NAME.eml, a document of its own."""
    docs = tmp_path / "mail"
    docs.mkdir()
    (docs / "outer.msg").write_bytes((REAL_MSG.parent / "outer-with-attached-item.msg").read_bytes())
    idx = tmp_path / "idx"
    out = CliRunner().invoke(cli, ["index", str(docs), "--index", str(idx)])
    assert out.exit_code == 0 and out.stderr == "", out.output
    assert out.stdout.startswith("indexed 1 file (2 passages)")
    found = CliRunner().invoke(cli, ["search", "body", "--index", str(idx), "--format", "json"])
    hits = {h["doc_id"]: h for h in json.loads(found.stdout)["hits"]}
    assert set(hits) == {"mail/outer.msg", "mail/outer.msg::test.eml"}
    outer, inner = hits["mail/outer.msg"], hits["mail/outer.msg::test.eml"]
    assert (outer["title"], outer["text"], outer["meta"]["attachments"]) == ("outer subject", "Outer body", "test.eml")
    assert (inner["title"], inner["text"], inner["type"]) == ("test", "body", "email")
    assert inner["meta"]["attachment_of"] == "mail/outer.msg"


def test_an_outlook_subject_is_the_item_s_own_not_its_transport_header_s(tmp_path, monkeypatch):
    """A received .msg keeps the transport headers; extract-msg's reading of a subject folded between
    two encoded words keeps the fold ("2017年12月\t02-03日", as on a real bounce in msg-parser 1.2.0's
    tests). The item's own subject property is what Outlook shows."""
    from extract_msg.msg_classes.message_base import MessageBase

    folded = ("Subject: =?utf-8?B?5Zue5aSN77ya5Y+N6aaIwrfljJfkuqwgMjAxN+W5tDEy5pyI?=\r\n"
              "\t=?utf-8?B?MDItMDPml6Ug6ZSA5ZSu?=\r\nFrom: desk@example.org\r\n\r\n")
    monkeypatch.setattr(MessageBase, "headerText", property(lambda self: folded))
    monkeypatch.setattr(MessageBase, "subject", property(lambda self: "回复：反馈·北京 2017年12月02-03日 销售"))
    docs = tmp_path / "mail"
    docs.mkdir()
    (docs / "bounce.msg").write_bytes(REAL_MSG.read_bytes())
    build_index([docs], tmp_path / "idx", ocr="never")
    with Searcher(tmp_path / "idx") as s:
        hit, = s.search("销售")
    assert hit.title == "回复：反馈·北京 2017年12月02-03日 销售"


def test_without_extract_msg_an_outlook_file_is_a_skip_that_says_how_to_read_it(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_extract_msg(name, *args, **kwargs):
        if name == "extract_msg" or name.startswith("extract_msg."):
            raise ImportError("No module named 'extract_msg'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_extract_msg)
    docs = tmp_path / "docs"
    docs.mkdir()
    write_msg(docs / "note.msg", subject="Note", body="A short note about the harbour survey.")
    summary = build_index([docs], tmp_path / "idx")
    (doc_id, why), = summary.skipped
    assert doc_id.endswith("note.msg") and "pip install 'docsearch[msg]'" in why
