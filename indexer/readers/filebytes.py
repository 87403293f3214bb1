"""A file's bytes, read with bounds, and what a file with no extension is by its first bytes.

read_bytes refuses non-files, empty files and files over the limit before reading;
read_gzip gives what a .gz holds, a piece at a time, refused as soon as it passes the
limit (a bomb costs nothing); file_sha256 hashes in 1 MB pieces (a mailbox is never held
whole). unnamed_format picks the reader for README, copyright or a mail program's "Inbox",
as Recoll and Tika find a file's type by content.
"""
from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path

from indexer.errors import UnsupportedFileError
from indexer.readers.container import ZIP_MAGIC

DEFAULT_MAX_BYTES = 20_000_000         # text formats: a 20 MB text file is already a whole book shelf
# Formats a file may be, found by its first bytes: (magic, suffix of the reader to use).
MAGIC = ((b"%PDF-", ".pdf"),)
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def read_bytes(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES, head: int | None = None
               ) -> tuple[bytes, object]:
    """The file's bytes (its first `head` bytes only, if given) and stat, refusing non-files,
    empty files and files over `max_bytes` (None: any size).

    Size is checked on stat, before reading, so a huge file costs nothing.
    """
    info = _regular(path)
    if max_bytes is not None and info.st_size > max_bytes:
        raise UnsupportedFileError(f"file too large ({info.st_size:,} bytes; limit {max_bytes:,})")
    try:
        if head is not None:
            with open(path, "rb") as f:
                raw = f.read(head)
        else:
            raw = path.read_bytes()
    except OSError as e:
        raise UnsupportedFileError(f"cannot read: {e.strerror or e}") from e
    if not raw:
        raise UnsupportedFileError("empty file (0 bytes)")
    return raw, info


def read_gzip(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES, head: int | None = None,
              digest=None) -> tuple[bytes, object]:
    """What a gzip file holds (its first `head` bytes only, if given) and the file's stat, as
    read_bytes gives a file's bytes: decompressed a piece at a time and refused as soon as it
    passes `max_bytes`, so a small file that unpacks to gigabytes (a bomb) costs nothing.
    Concatenated gzip members (what `cat a.gz b.gz` makes) are read one after another.
    `digest` (a hashlib object) is fed the file's own bytes as they are read, so the index
    gets the stored file's hash without reading it a second time."""
    import zlib

    info = _regular(path)           # checked before opening: a FIFO would block
    limit = head if head is not None else max_bytes
    out, size = [], 0
    try:
        with open(path, "rb") as f:
            unpack = zlib.decompressobj(31)
            while True:
                chunk = f.read(1 << 16)
                if not chunk:
                    break
                if digest is not None:
                    digest.update(chunk)
                while chunk:
                    piece = unpack.decompress(chunk, (limit + 1 - size) if limit is not None else 0)
                    out.append(piece)
                    size += len(piece)
                    if limit is not None and size > limit:
                        if head is not None:
                            return b"".join(out)[:head], info
                        raise UnsupportedFileError(f"file too large once decompressed (over {max_bytes:,} bytes)")
                    if unpack.unconsumed_tail:
                        chunk = unpack.unconsumed_tail
                    elif unpack.eof and unpack.unused_data.strip(b"\0"):     # the next member
                        chunk = unpack.unused_data
                        unpack = zlib.decompressobj(31)
                    else:                               # (zero padding after the last member is ignored)
                        chunk = b""
            if not unpack.eof and head is None:
                raise UnsupportedFileError("damaged gzip file (truncated)")
    except OSError as e:
        raise UnsupportedFileError(f"cannot read: {e.strerror or e}") from e
    except zlib.error as e:
        if head is not None and size:
            return b"".join(out)[:head], info       # (the sniffed start stands; the whole read will say)
        raise UnsupportedFileError(f"damaged gzip file ({e})") from e
    raw = b"".join(out)
    if not raw:
        raise UnsupportedFileError("empty file (0 bytes once decompressed)")
    return raw, info


def _regular(path: Path):
    """The stat of a regular, non-empty file; UnsupportedFileError otherwise."""
    try:
        info = path.stat()
    except OSError as e:
        raise UnsupportedFileError(f"cannot read: {e.strerror or e}") from e
    if not stat.S_ISREG(info.st_mode):
        raise UnsupportedFileError("not a regular file")
    if info.st_size == 0:
        raise UnsupportedFileError("empty file (0 bytes)")
    return info


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file read in 1 MB pieces (never whole)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as e:
        raise UnsupportedFileError(f"cannot read: {e.strerror or e}") from e
    return h.hexdigest()


SNIFF_BYTES = 8192
# Headers only a mail program writes: a typed memo may begin "From: ... Subject: ...", and is text.
_MAIL_HEADER = re.compile(rb"^(received|return-path|message-id|mime-version|delivered-to|x-mailer):[ \t]",
                          re.IGNORECASE | re.MULTILINE)
_HEADER_LINE = re.compile(rb"[!-9;-~]+:[ \t]")
# An mbox's "From " line: a sender, then the date as asctime writes it ("From - Mon Jan  1
# 10:00:00 2001"), then a header. A letter that opens "From John Smith, 12 May" is text.
_MBOX_FROM = re.compile(rb"From \S+ +[^\n]*\d\d:\d\d(?::\d\d)?[^\n]* \d{4}\r?\n[!-9;-~]+:[ \t]")


def unnamed_format(head: bytes) -> str:
    """The READERS key for a file with no extension (README, copyright, a mail program's
    mailbox "Inbox"), by its first bytes, as Recoll and Tika find a file's type by content:
    a PDF, an office file or an EPUB, an image, an mbox mailbox (a "From " line and a
    header), one e-mail (a header block with a header only mail programs write), an HTML
    page; anything else is read as text, whose reader refuses binary bytes with its reason
    ("binary file (NUL bytes)"), so every such file is read or counted with why."""
    stripped = head.lstrip()
    for magic, format_suffix in MAGIC:
        if stripped.startswith(magic):
            return format_suffix
    if head.startswith(ZIP_MAGIC):
        return ".docx"                      # which container: decided on the whole file (sniff)
    for magic, image_suffix in zip(IMAGE_MAGIC, (".png", ".jpg", ".tif", ".tif")):
        if head.startswith(magic):
            return image_suffix
    if _MBOX_FROM.match(head):
        return ".mbox"
    block = head.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    if _HEADER_LINE.match(head) and b"\n\n" in head.replace(b"\r\n", b"\n") and _MAIL_HEADER.search(block):
        return ".eml"
    lower = stripped[:1024].lower()
    if lower.startswith((b"<!doctype html", b"<html")) or (lower.startswith(b"<?xml") and b"<html" in lower):
        return ".html"
    return ".txt"
