"""Mailboxes are streamed: read a message at a time from the open file, so a mailbox has no
size limit (each message has one) and memory holds one message. Mailboxes written by the
standard library's mailbox.mbox with EmailMessage messages."""
from __future__ import annotations

import mailbox
import re
import pathlib
import warnings
from email.message import EmailMessage

import pytest

from indexer import build_index
from indexer.readers.load import iter_documents
from search import Searcher

WORDS = "fuel shipment inspectors harbour committee agenda calendar delegation ministry survey".split()


def message(n: int, body: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Sender {n} <s{n}@example.org>"
    m["Subject"] = f"Report {n}"
    m["Date"] = f"Mon, {1 + n % 28} Oct 2000 10:00:00 +0900"
    m.set_content(body if body is not None else
                  f"Report number {n} mentions codeword{n}. " + " ".join(WORDS[(n + k) % len(WORDS)] for k in range(300))
                  + "\n\nFrom the harbour master: all berths are free.\n")
    return m


def write_mbox(path, messages):
    box = mailbox.mbox(str(path))
    for m in messages:
        box.add(m)
    box.flush()
    box.close()


def test_a_mailbox_larger_than_the_limit_is_indexed_message_by_message(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    huge = message(999, "A very long message. " * 6000)            # ~126 KB: over the limit below
    write_mbox(docs / "box.mbox", [message(n) for n in range(1, 61)] + [huge] + [message(61)])
    (docs / "big.txt").write_text("Plain text over the limit. " * 5000)
    size = (docs / "box.mbox").stat().st_size
    assert size > 250_000
    # The mailbox is never read whole: Path.read_bytes on it fails the test.
    read_bytes = pathlib.Path.read_bytes

    def refuse(self):
        assert self.suffix != ".mbox", f"{self} was read whole"
        return read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)
    warnings = []
    summary = build_index([docs], tmp_path / "idx", max_bytes=100_000, procs=1, warn=warnings.append)
    # The text file over the limit is skipped as before; the mailbox is not: each message has the limit.
    assert [(doc_id, reason.split(" (")[0]) for doc_id, reason in summary.skipped] == [("docs/big.txt", "file too large")]
    assert summary.indexed == 1
    assert any("box.mbox" in w and "1 of 62 messages skipped, larger than 100,000 bytes: message 61" in w
               for w in warnings), warnings
    with Searcher(tmp_path / "idx") as s:
        assert s.stats().documents == 61
        assert s.search("codeword1")[0].doc_id == "docs/box.mbox::1"
        assert s.search("codeword61")[0].doc_id == "docs/box.mbox::62"    # numbered by place in the mailbox
        assert s.search("very long message").total == 0
        assert s.search('"From the harbour master"', per_doc=1).total == 61   # mboxrd quoting undone
    # Incremental: an unchanged mailbox is not read again; one more message re-indexes it.
    again = build_index([docs], tmp_path / "idx", max_bytes=100_000, procs=1)
    assert again.unchanged == 1 and again.indexed == 0
    box = mailbox.mbox(str(docs / "box.mbox"))
    box.add(message(62))
    box.close()
    build_index([docs], tmp_path / "idx", max_bytes=100_000, procs=2)
    with Searcher(tmp_path / "idx") as s:
        assert s.stats().documents == 62
        assert s.search("codeword62")[0].doc_id == "docs/box.mbox::63"


def nested(depth: int) -> bytes:
    """A message of `depth` multiparts one inside the other: the email library cannot read it."""
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth))
    closing = b"".join(b"--b%d--\n" % i for i in reversed(range(depth)))
    return b"From: Deep <deep@example.org>\nSubject: nested\n" + opening + b"Content-Type: text/plain\n\nhello\n" + closing


def test_documents_come_one_at_a_time_and_damage_is_a_skipped_message(tmp_path):
    path = tmp_path / "box.mbox"
    write_mbox(path, [message(n) for n in range(1, 4)])
    with open(path, "ab") as f:     # a message the email library cannot read, then one more
        f.write(b"From deep@example.org Mon Oct  9 10:00:00 2000\n" + nested(3000) + b"\n")
    write_mbox(path, [message(5)])
    docs = iter_documents(path, tmp_path)
    first = next(docs)
    assert first.doc_id == "box.mbox::1" and "codeword1" in first.text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rest = [d.doc_id for d in docs]
    assert rest == ["box.mbox::2", "box.mbox::3", "box.mbox::5"]
    assert [str(w.message) for w in caught] == ["1 of 5 messages skipped, unreadable (RecursionError): message 4"]
    # Through the indexer: the other messages are indexed, the file is named in one warning.
    told = []
    summary = build_index([path], tmp_path / "idx", warn=told.append)
    assert summary.indexed == 1 and not summary.skipped
    assert told == ["box.mbox: MailboxWarning: 1 of 5 messages skipped, unreadable (RecursionError): message 4"]


def test_not_a_mailbox_is_a_counted_skip_before_any_document(tmp_path):
    (tmp_path / "notes.mbox").write_text("\n\nSubject: no From line first\n\nhello\n")
    docs = iter_documents(tmp_path / "notes.mbox", tmp_path)
    try:
        next(docs)
    except Exception as e:
        assert type(e).__name__ == "UnsupportedFileError" and "not an mbox" in str(e)
    else:
        raise AssertionError("a file that is not a mailbox gave a document")


def _calls_inside_the_mailbox(calls):
    """The progress calls made while the mailbox was read: those naming one of its messages."""
    return [(done, path) for done, _, path in calls if "::" in path]


@pytest.mark.parametrize("procs", [1, 2])
def test_progress_advances_inside_one_big_mailbox(tmp_path, procs):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("A note about the harbour. " * 20)
    write_mbox(docs / "z.mbox", [message(n) for n in range(1, 201)])
    calls = []
    summary = build_index([docs], tmp_path / "idx", procs=procs, progress=lambda *c: calls.append(c))
    assert summary.indexed == 2 and summary.passages >= 200
    inside = _calls_inside_the_mailbox(calls)
    # Many reports while the one file is read (one per thousandth of it at most; here per message),
    # each further in than the last, named by the message just read.
    assert len(inside) >= 100, calls[:5]
    fractions = [done for done, _ in inside]
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert all(isinstance(done, float) for done in fractions) and fractions[-1] == 2.0
    assert inside[0][1] == "docs/z.mbox::1" and inside[-1][1] == "docs/z.mbox::200"
    numbers = [int(path.rsplit("::", 1)[1]) for _, path in inside]
    assert numbers == sorted(numbers)
    # The whole run: done never goes back, and it ends at every file, as before.
    dones = [done for done, _, _ in calls]
    assert dones == sorted(dones) and calls[-1][:2] == (2, 2)


def test_the_index_command_shows_progress_inside_a_mailbox_on_a_terminal_only(tmp_path, monkeypatch):
    import click.testing
    from click.testing import CliRunner

    from search.cli import cli

    write_mbox(tmp_path / "box.mbox", [message(n) for n in range(1, 121)])
    plain = CliRunner().invoke(cli, ["index", str(tmp_path / "box.mbox"), "--index", str(tmp_path / "i1")])
    assert plain.exit_code == 0, plain.output
    assert plain.stderr == "" and plain.stdout.startswith("indexed 1 file (")     # no terminal: no bar
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    quiet = CliRunner().invoke(cli, ["index", str(tmp_path / "box.mbox"), "--index", str(tmp_path / "i2"), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    shown = CliRunner().invoke(cli, ["index", str(tmp_path / "box.mbox"), "--index", str(tmp_path / "i3")])
    assert shown.exit_code == 0, shown.output
    # The bar moves while the one file is read: a part of it, then more, naming the message read.
    percents = [int(p) for p in re.findall(r"(\d+)%", shown.stderr)]
    assert len({p for p in percents if 0 < p < 100}) >= 50 and percents == sorted(percents), shown.stderr[-400:]
    assert "0/1 files  box.mbox::60" in shown.stderr
    assert shown.stdout.splitlines()[-1].startswith("indexed 1 file (360 passages)")


def test_a_worker_sends_a_big_mailbox_s_records_in_batches_and_a_re_index_replaces_them(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("A note about the harbour. " * 20)
    short = lambda n: message(n, f"Short note {n} about codeword{n}.\n")        # noqa: E731
    write_mbox(docs / "z.mbox", [short(n) for n in range(1, 2502)])             # two batches and a rest
    summary = build_index([docs], tmp_path / "idx", procs=2)
    assert summary.indexed == 2 and summary.passages == 2502
    with Searcher(tmp_path / "idx") as s:
        assert [h.doc_id for h in s.search("codeword2501")] == ["docs/z.mbox::2501"]
        assert [h.doc_id for h in s.search("codeword7")] == ["docs/z.mbox::7"]
    # Fewer messages now: those gone leave the index with the file's old version.
    (docs / "z.mbox").unlink()
    write_mbox(docs / "z.mbox", [short(n) for n in range(1, 1201)])
    summary = build_index([docs], tmp_path / "idx", procs=2)
    assert summary.indexed == 1 and summary.unchanged == 1
    with Searcher(tmp_path / "idx") as s:
        assert list(s.search("codeword2501")) == [] and list(s.search("codeword1501")) == []
        assert [h.doc_id for h in s.search("codeword1200")] == ["docs/z.mbox::1200"]
