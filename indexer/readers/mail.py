"""E-mail (.eml, .mbox) -> Extracted: one per message, with its headers and attachments.

The standard library's `email` parses each message (policy.default decodes encoded
headers and charsets). Subject is the title, From the author, Date the date; To, Cc and
Message-ID become filterable fields (to:, cc:). The body is the text/plain part where
there is one, else the HTML part read as a page is (readers/html.py).

Quoted replies are kept (nothing is lost), but set apart: their paragraphs are marked
quoted ('>' lines, and all below an "Original Message" or forwarding separator; see
plain_parts), which the index stores per passage so that search ranks and cuts snippets
from the new text first; and the attribution line that opens them ("On Mon, 9 Oct 2000,
Kim wrote:") is made the heading of their own section, so a passage of quoted text says
whose words it quotes, and a search can leave them out with -section:wrote.

Attachments are returned as (file name, bytes); load.py indexes those in a format it
reads as documents of their own, linked to the message (attachment_of), and the message
lists all of them (attachments). A mailbox (.mbox) is read a message at a time by
mbox.py, each message through read_message here.
"""
from __future__ import annotations

import email
import email.policy
import email.utils
import re

from indexer.errors import UnsupportedFileError
from indexer.readers.extracted import Extracted, ReadOptions
from indexer.clean.normalize import decode, normalize
from indexer.clean.reflow import wrapped_paragraphs

MAX_ATTACHMENT_DEPTH = 3        # a message attached to a message attached to ...
_ATTRIBUTION = re.compile(r"^(?:On .{4,200}wrote:|.{2,120} (?:wrote|schrieb|a écrit)\s*:|-+ ?Original Message ?-+"
                          r"|-+ ?Forwarded message ?-+|Begin forwarded message:)$", re.I)
_HEADER_FROM = re.compile(r"^(?:From|Von|De)\s?:\s*\S", re.I)
_HEADER_NAME = re.compile(r"^(Sent|Date|Gesendet|Datum|Envoyé|Subject|Betreff|Objet|To|An|À|Cc)\s?:", re.I)
_SUBJECT, _SENT = {"subject", "betreff", "objet"}, {"sent", "date", "gesendet", "datum", "envoyé"}
_SEPARATOR = re.compile(r"^(?:-+ ?Original Message ?-+|-+ ?Forwarded message ?-+|Begin forwarded message:)$", re.I)


def read_eml(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    if not _looks_like_message(raw):
        raise UnsupportedFileError("not an e-mail message (no header lines such as From:, Subject:, Date:)")
    return read_message(email.message_from_bytes(raw, policy=email.policy.default))


def _looks_like_message(raw: bytes) -> bool:
    head = raw[:4096].lstrip().split(b"\n\n", 1)[0].lower()
    return any(re.search(rb"(?m)^" + name + rb":", head) for name in (b"from", b"subject", b"date", b"message-id"))


def read_message(message, depth: int = 0) -> Extracted:
    out = Extracted()
    subject = _header(message, "subject")
    out.set_default("title", subject)
    out.set_default("author", _header(message, "from"))
    out.set_default("date", _date(message))
    for key, name in (("to", "to"), ("cc", "cc"), ("message_id", "message-id"), ("in_reply_to", "in-reply-to")):
        out.set_default(key, _header(message, name))
    out.parts = _body(message, out.removed)
    names = []
    for part in _attachments(message):
        name = _filename(part, len(names) + 1)
        names.append(name)
        if part.get_content_type() == "message/rfc822" and depth < MAX_ATTACHMENT_DEPTH:
            inner = part.get_payload(0) if part.is_multipart() else None
            data = inner.as_bytes() if inner is not None else part.get_payload(decode=True)
        else:
            data = part.get_payload(decode=True)
        if data:
            out.attachments.append((name, data))
    if names:
        out.set_default("attachments", "; ".join(names))
    if not out.parts and subject:
        out.parts = [(subject, 0)]          # a message with only a subject (and attachments) is that much text
    return out


def _header(message, name: str) -> str | None:
    try:
        values = message.get_all(name) or []
    except (ValueError, IndexError, TypeError):      # a malformed header: email's parser raises late
        return None
    text = ", ".join(" ".join(str(v).split()) for v in values if str(v).strip())
    return normalize(text) if text else None


def _date(message) -> str | None:
    try:
        value = message.get("date")
        when = email.utils.parsedate_to_datetime(str(value)) if value else None
    except (ValueError, TypeError, IndexError):
        return None
    return when.date().isoformat() if when else None


def _body(message, removed: list) -> list[tuple]:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, TypeError):
        part = None
    if part is None:
        return []
    raw = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    try:
        text = raw.decode(charset or "utf-8", errors="replace") if charset else decode(raw)
    except (LookupError, UnsupportedFileError):
        text = raw.decode("utf-8", errors="replace")
    text = normalize(text)
    if part.get_content_type() == "text/html":
        return html_parts(text)
    return plain_parts(text, removed)


def html_parts(text: str) -> list[tuple]:
    """An HTML body as the HTML reader reads a page, each part marked quoted where it stands in a
    <blockquote> or a mail program's quote box (Gmail's gmail_quote, Thunderbird's moz-cite-prefix,
    Yahoo's yahoo_quoted): (text, level, 0, 0, quoted)."""
    from indexer.readers.html import read_html

    parts = read_html(text).parts
    quotes = "".join(_html_quotes(text))
    return [(t, level, 0, 0, bool(quotes) and "".join(t.split()) in quotes) for t, level, *_ in parts]


def _html_quotes(text: str) -> list[str]:
    """The text of each quote box, without whitespace (the HTML reader spaces inline tags its own way)."""
    low = text.lower()
    if "quote" not in low and "moz-cite" not in low:       # (blockquote, gmail_quote, yahoo_quoted)
        return []
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(text, "lxml")
        boxes = soup.find_all("blockquote") + soup.select("div.gmail_quote, div.moz-cite-prefix, div.yahoo_quoted")
        return ["".join(box.get_text("").split()) + "\n" for box in boxes]
    except RecursionError:
        return []


def plain_parts(text: str, removed: list | None = None) -> list[tuple]:
    """A plain-text body as paragraphs, each marked quoted or not: (text, level, 0, 0, quoted).

    Quoted text is kept as written (with its '>' marks) and only marked, so that a search
    finds it and still prefers the writer's new text (search/rank/quoted.py): the lines that
    start with '>', and after a separator that opens a forwarded or Outlook-style original
    ("-----Original Message-----", or Outlook's From:/Sent:/Subject: block), everything below it. An attribution line ("On ... wrote:")
    heads the quoted reply below it as its section (see the module docstring); it is itself
    marked quoted when '>' lines follow it. No text is added; what the reflow leaves out (a
    page number on a line of its own) goes to `removed` as (part index, text, reason).
    """
    parts: list[tuple] = []
    run: list[str] = []
    run_quoted = False
    rest_quoted = False                 # below an "Original Message" separator: all of it
    lines = text.split("\n")

    def flush():
        if run:
            dropped: list = []
            _, paragraphs = wrapped_paragraphs(run, dropped)
            if removed is not None:
                removed.extend((len(parts) + at, line, why) for at, line, why in dropped)
            parts.extend((p.text, 0, 0, 0, run_quoted) for p in paragraphs)
            run.clear()

    for i, line in enumerate(lines):
        stripped = line.strip()
        if _ATTRIBUTION.match(stripped):
            flush()
            rest_quoted = rest_quoted or bool(_SEPARATOR.match(stripped))
            parts.append((stripped, 3, 0, 0, rest_quoted or _quote_follows(lines, i + 1)))
            continue
        if stripped and not rest_quoted and _HEADER_FROM.match(stripped) and _header_block(lines, i):
            rest_quoted = True          # Outlook's reply: the original's From:/Sent:/To:/Subject: lines, then it
        if stripped:
            quoted = rest_quoted or stripped.startswith(">")
            if quoted != run_quoted:
                flush()
                run_quoted = quoted
        run.append(line)
    flush()
    return parts


def _header_block(lines: list[str], start: int) -> bool:
    """Whether the lines from `start` are the header block Outlook puts above the message it quotes:
    From:, then within five lines a Subject: and a Sent: or Date: (in English, German or French)."""
    names = {m.group(1).lower() for line in lines[start + 1:start + 6] if (m := _HEADER_NAME.match(line.strip()))}
    return bool(names & _SUBJECT) and bool(names & _SENT)


def _quote_follows(lines: list[str], start: int) -> bool:
    """Whether the first line with text from `start` on is a '>' line."""
    for line in lines[start:start + 50]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


def _attachments(message):
    """The message's attachments: those email's iter_attachments finds, then any part marked
    `Content-Disposition: attachment` deeper in the body's tree (Outlook's .msg, converted,
    and some mailers put them inside multipart/related), not inside an attached message."""
    found = []
    try:
        found = list(message.iter_attachments())
    except (KeyError, TypeError, AttributeError):
        pass
    yield from found
    seen = {id(part) for part in found}
    stack = [message]
    while stack:
        part = stack.pop()
        if part.get_content_type() == "message/rfc822" and part is not message:
            if id(part) not in seen and part.get_content_disposition() == "attachment":
                seen.add(id(part))
                yield part                  # an attached message (a converted .msg puts it in multipart/related)
            continue                        # its own parts are read with it
        if part.is_multipart():
            try:
                stack.extend(reversed(part.get_payload()))
            except TypeError:
                pass
            continue
        if id(part) not in seen and part is not message and part.get_content_disposition() == "attachment":
            seen.add(id(part))
            yield part


def _filename(part, n: int) -> str:
    name = part.get_filename()
    if not name and part.get_content_type() == "message/rfc822":
        name = f"message-{n}.eml"
    name = (name or f"attachment-{n}").replace("/", "_").replace("\\", "_").strip()
    return " ".join(name.split()) or f"attachment-{n}"
