"""Zip containers (.docx, .odt, .epub): opened with bounds, and told apart by their content.

A zip bomb unpacks a few kilobytes into gigabytes; every member is read through
read_member, which refuses a container whose declared sizes pass the budget or whose
compression ratio no document has, and stops reading a member at its declared size
(a member that lies about its size is cut there, never read on without end).
"""
from __future__ import annotations

import io
import zipfile
import zlib

from indexer.errors import UnsupportedFileError
from indexer.readers.extracted import ReadOptions

MAX_RATIO = 200             # text compresses ~10:1, XML ~20:1; 200:1 is a bomb
ZIP_MAGIC = b"PK\x03\x04"


def open_zip(raw: bytes, kind: str, options: ReadOptions) -> zipfile.ZipFile:
    """The container, checked against options.max_unpacked and MAX_RATIO; a damaged one is a skip."""
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        raise UnsupportedFileError(f"damaged {kind} file (not a readable zip container: {e})") from e
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnsupportedFileError(f"encrypted {kind} file (it needs a password to open)")
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if total > options.max_unpacked:
        raise UnsupportedFileError(f"{kind} file would unpack to {total:,} bytes (limit {options.max_unpacked:,}); "
                                   "a zip bomb or far larger than a document")
    if total > 1_000_000 and total / packed > MAX_RATIO:
        raise UnsupportedFileError(f"{kind} file compresses {total / packed:,.0f}:1 (a zip bomb); not read")
    return z


def read_member(z: zipfile.ZipFile, name: str, kind: str) -> bytes:
    """One member's bytes, never more than it declares; a missing member is a damaged file."""
    try:
        info = z.getinfo(name)
        with z.open(info) as f:
            return f.read(info.file_size + 1)[: info.file_size]
    except KeyError as e:
        raise UnsupportedFileError(f"damaged {kind} file (no {name} inside)") from e
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as e:
        raise UnsupportedFileError(f"damaged {kind} file ({name}: {e})") from e


def zip_format(raw: bytes) -> str | None:
    """The reader suffix for a zip container by what it holds: .docx, .odt, .epub; None if neither."""
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        names = set(z.namelist())
        mimetype = z.read("mimetype")[:100].strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    if mimetype == b"application/epub+zip":
        return ".epub"
    if mimetype == b"application/vnd.oasis.opendocument.text":
        return ".odt"
    if "word/document.xml" in names:
        return ".docx"
    return None
