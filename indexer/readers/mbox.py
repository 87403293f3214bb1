""".mbox mailbox -> its messages one at a time, read line by line from the open file.

A mailbox of 100,000 messages is hundreds of megabytes: it is never read whole. The
scanner keeps the lines of one message, hands it to mail.read_message when the next
"From " line starts, and forgets it; so memory holds one message, whatever the size of
the mailbox, and a mailbox has no size limit, each message has one (a larger message is
skipped, counted and named in a warning; the others are read). mboxrd quoting is undone
(">From " at a line's start is "From ", ">>From " is ">From "). A message the `email`
library cannot read is skipped the same way, never the mailbox.
"""
from __future__ import annotations

import email
import email.policy
import io
import re
import warnings
from pathlib import Path
from typing import BinaryIO, Iterator

from indexer.errors import UnsupportedFileError
from indexer.readers.extracted import Extracted, ReadOptions
from indexer.readers.mail import read_message

MAX_MESSAGE_BYTES = 50_000_000      # a message in a mailbox larger than this is skipped (as an .eml would be)
_LINE = 1 << 20                     # read at most this much at once (a "line" without line breaks)
_MBOXRD = re.compile(rb"^>(>*From )")


class MailboxWarning(UserWarning):
    """Messages of a mailbox that were skipped (too large, unreadable): the indexer names the file."""


def read_mbox(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    """A mailbox held in memory (an attachment): out.messages holds one Extracted per message.
    Files are streamed instead (iter_mbox, through load.py)."""
    out = Extracted()
    out.messages = [m for m in _messages(io.BytesIO(raw), MAX_MESSAGE_BYTES) if m is not None]
    if not out.messages:
        raise UnsupportedFileError("mbox mailbox without messages")
    return out


def iter_mbox(path: Path, max_message_bytes: int | None = None) -> Iterator[Extracted | None]:
    """The messages of the mailbox at `path`, in order, one at a time: an Extracted per message,
    None for one skipped (so that the Nth item is always the Nth message). Raises
    UnsupportedFileError before the first when the file is not a mailbox."""
    with open(path, "rb") as f:
        yield from _messages(f, max_message_bytes or MAX_MESSAGE_BYTES)


def _messages(f: BinaryIO, limit: int) -> Iterator[Extracted | None]:
    skipped: dict[str, list[int]] = {}
    n = 0
    for n, lines in enumerate(_raw_messages(f, limit), 1):
        if lines is None:
            skipped.setdefault(f"larger than {limit:,} bytes", []).append(n)
            yield None
            continue
        try:
            message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
            lines = None
            read = read_message(message)
            read.read_to = _position(f)
            yield read
        except Exception as e:      # the email library's many kinds of error on a damaged message
            if isinstance(e, MemoryError):
                raise
            skipped.setdefault(f"unreadable ({type(e).__name__})", []).append(n)
            yield None
    if not n:
        raise UnsupportedFileError("mbox mailbox without messages")
    for why, numbers in skipped.items():
        shown = ", ".join(map(str, numbers[:10])) + (", ..." if len(numbers) > 10 else "")
        warnings.warn(f"{len(numbers):,} of {n:,} messages skipped, {why}: message {shown}", MailboxWarning)


def _position(f: BinaryIO) -> int:
    """How far into the file the scanner is (for progress inside a big mailbox); 0 if unknown."""
    try:
        return f.tell()
    except (OSError, ValueError):
        return 0


def _raw_messages(f: BinaryIO, limit: int) -> Iterator[list[bytes] | None]:
    """Each message's lines (the "From " line left out, mboxrd quoting undone), or None for one
    over `limit` bytes (its lines are not kept)."""
    lines: list[bytes] | None = None
    size = 0
    started = False
    at_start = True                 # whether the next piece read starts a line
    while True:
        try:
            piece = f.readline(_LINE)
        except OSError as e:
            warnings.warn(f"reading stopped: {e.strerror or e}", MailboxWarning)
            break
        if not piece:
            break
        line_start, at_start = at_start, piece.endswith(b"\n")
        if line_start and piece.startswith(b"From "):
            if started:
                yield lines
            started, lines, size = True, [], 0
            continue
        if not started:
            if piece.strip():
                raise UnsupportedFileError("not an mbox mailbox (it does not start with a 'From ' line)")
            continue
        size += len(piece)
        if lines is not None and size > limit:
            lines = None            # too large: the rest of it is read past, not kept
        if lines is not None:
            lines.append(_MBOXRD.sub(rb"\1", piece) if line_start and piece.startswith(b">") else piece)
    if started:
        yield lines
