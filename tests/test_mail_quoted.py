"""Quoted replies in e-mail written by the standard library's EmailMessage: kept as written,
marked in the index, and ranked and cut into snippets so that a message's new text is what
a search shows first where it holds the same words as the quote (library API and CLI JSON)."""
from __future__ import annotations

import json
from email.message import EmailMessage

from click.testing import CliRunner

from indexer import build_index
from indexer.readers.load import load_documents
from indexer.segment import segment
from search import Searcher
from search.cli import cli
from search.web.app import create_app

# Top-posted: the answer first, then the question it answers, quoted with '>' lines.
TOP_POSTED = """The fuel shipment leaves Nampo on Friday; the inspectors travel with it.

On Mon, 9 Oct 2000 at 10:12, Lee Secretary <lee@example.org> wrote:
> Can you confirm when the fuel shipment leaves and who travels with it? The fuel shipment
> is the first of three, and the committee wants the fuel shipment dates before Thursday.
> Please also tell us whether the walrus delegation joins the convoy.
"""

# Bottom-posted, no attribution line: a long quote and the answer below it, one passage.
BOTTOM_POSTED = ("> " + "The committee asked many questions about the winter calendar and the harbour. " * 3
                 + "\n> Does the pelican survey go ahead in November, and who pays for the pelican boats?\n\n"
                 "Yes: the pelican survey goes ahead in November, and the ministry pays.\n")

# Outlook's plain-text reply: no '>' marks, the original below a separator line.
OUTLOOK = """Agreed, the tonnage figures stand.

-----Original Message-----
From: Park Observer
Sent: Monday, 9 October 2000 09:00
Subject: tonnage

Please check the tonnage figures in the annex.
"""


# Newer Outlook: no separator line, the original's header block above it.
OUTLOOK_HEADERS = """The convoy waits at the berth until Monday.

From: Park Observer <park@example.org>
Sent: Monday, October 9, 2000 9:00 AM
To: Kim Analyst <kim@example.org>
Subject: convoy

Where does the convoy wait?
"""


def message(body: str, subject: str = "Re: Fuel shipment", frm: str = "Kim Analyst <kim@example.org>",
            date: str = "Tue, 10 Oct 2000 08:30:00 +0900") -> EmailMessage:
    m = EmailMessage()
    m["From"] = frm
    m["To"] = "Lee Secretary <lee@example.org>"
    m["Subject"] = subject
    m["Date"] = date
    m.set_content(body)
    return m


def write(folder, name, body, **kw):
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(message(body, **kw).as_bytes())


def test_quoted_text_is_kept_as_written_and_marked(tmp_path):
    write(tmp_path, "top.eml", TOP_POSTED)
    write(tmp_path, "bottom.eml", BOTTOM_POSTED)
    write(tmp_path, "outlook.eml", OUTLOOK)
    top, = load_documents(tmp_path / "top.eml", tmp_path)
    # Every word of the body is in the document's text, '>' marks included: nothing removed.
    assert top.text.split() == TOP_POSTED.split()
    marked = {b.text.split()[0]: b.quoted for b in top.blocks}
    assert marked == {"The": False, "On": True, ">": True}
    new, quote = segment(top)
    assert new.quoted == () and not new.all_quoted
    assert quote.all_quoted and quote.section.endswith("wrote:")
    assert quote.quoted == ((0, len(quote.text)),)

    bottom, = load_documents(tmp_path / "bottom.eml", tmp_path)
    assert bottom.text.split() == BOTTOM_POSTED.split()
    one, = segment(bottom)                      # quote and answer in one passage: partly quoted
    (start, end), = one.quoted
    assert one.text[start:end].startswith("> The committee") and one.text[start:end].endswith("pelican boats?")
    assert one.text[end:].strip() == "Yes: the pelican survey goes ahead in November, and the ministry pays."
    assert not one.all_quoted

    outlook, = load_documents(tmp_path / "outlook.eml", tmp_path)
    assert [(b.text, b.quoted) for b in outlook.blocks][0] == ("Agreed, the tonnage figures stand.", False)
    assert all(b.quoted for b in outlook.blocks[1:])
    assert "Please check the tonnage figures in the annex." in outlook.text

    write(tmp_path, "headers.eml", OUTLOOK_HEADERS)
    headers, = load_documents(tmp_path / "headers.eml", tmp_path)
    assert headers.text.split() == OUTLOOK_HEADERS.split()
    assert [b.quoted for b in headers.blocks] == [False] + [True] * (len(headers.blocks) - 1)
    assert headers.blocks[1].text.startswith("From: Park Observer")
    # A body line that starts with "From:" and no header block below it is the writer's own text.
    write(tmp_path, "note.eml", "From: the desk, a note on the fuel.\nNothing else here.\n")
    note, = load_documents(tmp_path / "note.eml", tmp_path)
    assert not any(b.quoted for b in note.blocks)


def test_new_text_is_shown_first_and_the_quote_stays_searchable(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "reply.eml", TOP_POSTED)
    write(docs, "bottom.eml", BOTTOM_POSTED, subject="Re: survey")
    idx = tmp_path / "idx"
    build_index([docs], idx)
    with Searcher(idx) as s:
        # The quote says "fuel shipment" three times, the answer once: the answer comes first.
        hits = s.search("fuel shipment")
        assert [(h.id, h.quoted) for h in hits] == [("docs/reply.eml#0", False), ("docs/reply.eml#1", True)]
        assert hits[1].quoted_spans == ((0, len(hits[1].text)),)
        assert hits[0].score > hits[1].score
        best, = s.search("fuel shipment", per_doc=1)
        assert (best.id, best.quoted) == ("docs/reply.eml#0", False)
        # Words only the quote holds: found there, marked quoted.
        walrus, = s.search("walrus delegation")
        assert (walrus.id, walrus.quoted) == ("docs/reply.eml#1", True)
        # Where the quote holds more of the words than the new text, it keeps its place.
        either = s.search("fuel walrus", operator="or")
        assert either[0].id == "docs/reply.eml#1"
        # Within a passage, the snippet is cut around the new text, not the quote before it.
        survey, = s.search("pelican survey November")
        assert not survey.quoted and survey.quoted_spans and len(survey.text) > 240
        assert "ministry pays" in survey.snippet.text and "pelican boats" not in survey.snippet.text
        # The index can be asked for quoted passages only.
        assert [h.id for h in s.search("fuel", filters={"quoted": "yes"})] == ["docs/reply.eml#1"]


def test_cli_json_has_the_quoted_flag(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "reply.eml", TOP_POSTED)
    (docs / "notes.txt").write_text("The fuel shipment is mentioned in a plain text file too.\n")
    idx = tmp_path / "idx"
    build_index([docs], idx)
    out = CliRunner().invoke(cli, ["search", "fuel", "shipment", "--index", str(idx), "--format", "json"])
    assert out.exit_code == 0, out.output
    hits = json.loads(out.output)["hits"]
    by_id = {h["id"]: h for h in hits}
    assert by_id["docs/reply.eml#0"]["quoted"] is False and by_id["docs/reply.eml#0"]["quoted_spans"] == []
    assert by_id["docs/reply.eml#1"]["quoted"] is True
    assert by_id["docs/notes.txt#0"]["quoted"] is False
    ids = [h["id"] for h in hits]
    assert ids.index("docs/reply.eml#0") < ids.index("docs/reply.eml#1")
    out = CliRunner().invoke(cli, ["search", "fuel", "shipment", "--index", str(idx), "--format", "json",
                                   "--per-doc", "1", "--type", "email"])
    assert out.exit_code == 0, out.output
    assert [(h["id"], h["quoted"]) for h in json.loads(out.output)["hits"]] == [("docs/reply.eml#0", False)]
    out = CliRunner().invoke(cli, ["show", "docs/reply.eml#1", "--index", str(idx), "--format", "json"])
    assert out.exit_code == 0, out.output
    shown = json.loads(out.output)
    assert [p["quoted"] for p in shown["passages"]] == [False, True]
    out = CliRunner().invoke(cli, ["search", "fuel", "shipment", "--index", str(idx), "--type", "email"])
    assert out.exit_code == 0, out.output
    heads = [line for line in out.output.splitlines() if line[:1].isdigit()]
    assert heads[0].endswith("· docs/reply.eml#0") and "quoted" not in heads[0]
    assert heads[1].endswith("· quoted · docs/reply.eml#1")
    out = CliRunner().invoke(cli, ["show", "docs/reply.eml#1", "--index", str(idx)])
    assert out.exit_code == 0, out.output
    assert "  [docs/reply.eml#0]\n" in out.output and "> [docs/reply.eml#1] quoted\n" in out.output


def test_html_reply_quotes_are_marked(tmp_path):
    """An HTML-only reply as Gmail writes one: the quote in a gmail_quote box, a <blockquote>."""
    answer = ("The walrus survey leaves Nampo on Friday with two inspectors. " * 6).strip()
    question = ("Can you confirm when the walrus survey leaves and who goes with it? " * 6).strip()
    m = EmailMessage()
    m["From"] = "Kim Analyst <kim@example.org>"
    m["Subject"] = "Re: survey"
    m["Date"] = "Tue, 10 Oct 2000 08:30:00 +0900"
    m.set_content(f'<html><body><div dir="ltr">{answer}</div><br><div class="gmail_quote">'
                  '<div dir="ltr" class="gmail_attr">On Mon, 9 Oct 2000, Lee &lt;lee@example.org&gt; wrote:<br></div>'
                  f'<blockquote class="gmail_quote"><div dir="ltr">{question}</div></blockquote></div></body></html>',
                  subtype="html")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "reply.eml").write_bytes(m.as_bytes())
    doc, = load_documents(docs / "reply.eml", docs)
    assert [b.quoted for b in doc.blocks] == [False, True, True]
    build_index([docs], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert [(h.passage, h.quoted) for h in s.search("walrus survey leaves")] == [(0, False), (1, True)]
        assert s.search("walrus survey", per_doc=1)[0].passage == 0


def test_web_page_marks_the_quote(tmp_path):
    from starlette.testclient import TestClient

    docs = tmp_path / "docs"
    write(docs, "reply.eml", TOP_POSTED)
    build_index([docs], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s, TestClient(create_app(s)) as client:
        page = client.get("/", params={"q": "fuel shipment"}).text
    first, second = page.index("docs/reply.eml#0</span>"), page.index("docs/reply.eml#1</span>")
    assert first < second
    assert page.count('<span class="quoted">quoted</span>') == 1
    assert page.index('<span class="quoted">quoted</span>') > first      # on the second hit, the quote


ORIGINAL = ("The harbour master reports that the walrus tonnage at the northern berth rose by a third "
            "this autumn. " + "Ferries, cargo and customs are as before; the winter timetable holds. " * 4)
QUOTING = "Thank you, noted.\n\nOn Mon, 9 Oct 2000, Park Observer wrote:\n> The walrus tonnage at the northern berth rose.\n"


def test_a_reply_quoting_a_message_of_the_archive_ranks_below_the_original(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "original.eml", ORIGINAL, subject="Berth figures", frm="Park Observer <park@example.org>")
    write(docs, "reply.eml", QUOTING, subject="Re: Berth figures")
    write(docs, "unrelated.eml", QUOTING, subject="Re: other figures")      # quotes it, replies to nothing here
    for name, headers in (("original.eml", {"Message-ID": "<berth-1@example.org>"}),
                          ("reply.eml", {"In-Reply-To": "<berth-1@example.org>"})):
        raw = (docs / name).read_bytes()
        (docs / name).write_bytes(b"".join(f"{k}: {v}\n".encode() for k, v in headers.items()) + raw)
    idx = tmp_path / "idx"
    build_index([docs], idx)
    with Searcher(idx) as s:
        hits = s.search("walrus tonnage northern berth")
        ids = [h.doc_id for h in hits]
        # The original first, then the reply's quote of it; a quote of a message the archive
        # does not link to (no In-Reply-To) keeps its place by score.
        assert ids.index("docs/original.eml") < ids.index("docs/reply.eml"), [(h.id, h.score) for h in hits]
        reply = next(h for h in hits if h.doc_id == "docs/reply.eml")
        original = next(h for h in hits if h.doc_id == "docs/original.eml")
        unrelated = next(h for h in hits if h.doc_id == "docs/unrelated.eml")
        # (A short reply and its quote are one passage, partly quoted: the query's words are in the quote only.)
        assert reply.quoted_spans and not original.quoted_spans and reply.score < original.score
        assert unrelated.quoted_spans and unrelated.score > original.score      # the same text, not lowered
        # Words of the reply's own text are untouched: its new text is found first for them.
        assert s.search("thank noted")[0].doc_id in ("docs/reply.eml", "docs/unrelated.eml")
