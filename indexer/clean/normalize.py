"""Raw bytes -> clean Unicode text: encoding detection, binary sniffing, the few normalisations.

Everything downstream (chrome rules, reflow, the analyzer) sees one normal form:
NFC, plain spaces, LF line ends, no invisible or control characters, so that a soft
hyphen or a zero-width space never splits or hides a word. Nothing else is changed:
quotes (curly or straight), dashes, "--", ellipses and minus signs are the document's own
characters (the analyzer reads a curly apostrophe as an apostrophe), and a quotation copied from a passage must be the source's (README,
"What the index changes in a text").
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from bs4 import UnicodeDammit
from bs4.dammit import EncodingDetector

from indexer.errors import UnsupportedFileError

SNIFF_BYTES = 8192

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")

# Single characters mapped to their plain form (or deleted when mapped to None).
_CHAR_MAP = {
    **dict.fromkeys(map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                             "\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"), " "),
    **dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\ufffd"), None),
    **dict.fromkeys(map(ord, "\u2010\u2011"), "-"),
    ord("\r"): "\n", ord("\f"): "\n", ord("\v"): "\n",
    ord("\u2028"): "\n", ord("\u2029"): "\n\n", ord("\x85"): "\n",
    0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st",
}
# What normalize does with _CHAR_MAP is _MAPPED.sub(_map_char, text); it does it faster (str.replace
# for the few mapped characters a text holds), and tests hold it to this pattern.
_MAPPED = re.compile("[" + "".join(re.escape(chr(c)) for c in _CHAR_MAP) + "]")


def _map_char(m: re.Match) -> str:
    return _CHAR_MAP[ord(m.group())] or ""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# The same characters found in a text's UTF-8 bytes, several times faster than trying a character
# class at every position: a C0 control (or DEL) is a byte of its own, which bytes.translate
# deletes in one pass, and a C1 control (U+0080-U+009F) is \xc2 then \x80-\x9f, which no other
# character encodes to.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0b, 0x20), 0x7f])
_BINARY_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0e, 0x20), 0x7f])
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_ASCII_BYTES = bytes(range(0x80))
_ASCII_MAPPED = [chr(c) for c in _CHAR_MAP if c < 0x80]
_MAPPED_CHARS = frozenset(chr(c) for c in _CHAR_MAP if c >= 0x80)
_C1_KEPT = frozenset(chr(c) for c in range(0x80, 0xa0) if c not in _CHAR_MAP)     # C1 controls normalize drops


def decode(raw: bytes, *, html: bool = False) -> str:
    """Decode bytes with bs4's UnicodeDammit; raise UnsupportedFileError for binary data.

    A BOM is trusted: data that does not decode under it is undecodable, not guessed at.
    """
    head = raw[:SNIFF_BYTES]
    bom_encoding = _bom_encoding(head)
    user = [bom_encoding] if bom_encoding else []
    if not bom_encoding and b"\x00" in head:      # (BOM-less UTF-16 has NUL bytes too)
        bomless = _bomless_utf16(head)
        if bomless:
            user = [bomless]
        else:
            raise UnsupportedFileError("binary file (NUL bytes)")
    if bom_encoding:
        try:
            return _check_text(raw.decode("utf-8-sig" if bom_encoding == "utf-8" else bom_encoding))
        except UnicodeDecodeError as e:
            if bom_encoding != "utf-8":
                raise UnsupportedFileError(f"undecodable: invalid {bom_encoding} data after its byte-order mark") from e
            raw = raw[3:]
    # The order bs4 tries without a character-set detector, made definite: with chardet or
    # charset-normalizer installed (many packages pull one in) bs4 asks it before UTF-8 and
    # cp1252, and its guess for short Western text is often wrong (cp1252 read as cp1250:
    # "crème" -> "crčme"). What a file decodes to must not depend on what else is installed.
    declared = EncodingDetector.find_declared_encoding(raw, is_html=html)
    definite = [*(e.lower() for e in user), *([declared.lower()] if declared else []), "utf-8", "windows-1252"]
    dammit = UnicodeDammit(raw, known_definite_encodings=definite, is_html=html)
    text = dammit.unicode_markup
    if text is None:
        raise UnsupportedFileError("undecodable: no encoding fits")
    if dammit.contains_replacement_characters or (dammit.original_encoding or "").lower() not in definite:
        text = _lenient_cp1252(raw)     # (not a detector's guess: what bs4 gives when none is installed)
    if not user and not declared and dammit.original_encoding != "utf-8" and not _western(text):
        text = _detected(raw) or text
    return _check_text(text.lstrip("\ufeff"))


NOT_WESTERN = 0.25      # this share of a cp1252 reading's visible characters outside ASCII: not its encoding
DETECT_BYTES = 65536    # what the detector reads of a file


def _western(text: str) -> bool:
    """Whether a cp1252 reading of a file is Western European text: mostly ASCII, as French,
    German or Portuguese are (a few percent of accented letters). Cyrillic in cp1251, Greek in
    cp1253, Shift-JIS or GB18030 read as cp1252 are mostly accented letters and symbols
    ("Çàìåòêè î ãàâàíè" for "Заметки о гавани")."""
    sample = "".join(text[:SNIFF_BYTES].split())
    return not sample or sum(map(str.isascii, sample)) > (1 - NOT_WESTERN) * len(sample)


def _detected(raw: bytes) -> str | None:
    """The file decoded in the encoding charset-normalizer finds for it, or None when it finds
    none or a Western one, or the file does not decode strictly in it (the cp1252 reading stays).
    Asked only when the cp1252 reading is not Western text (_western), so that what a Western
    file decodes to never depends on a guess."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:DETECT_BYTES]).best()
    if best is None or best.encoding in _WESTERN_ENCODINGS:
        return None
    try:
        return raw.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None


_WESTERN_ENCODINGS = frozenset(["ascii", "utf_8", "cp1252", "latin_1", "iso8859_15", "cp850", "cp437"])


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(_UTF32_BOMS):
        return "utf-32"
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    return None


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL in every other byte of ASCII-range text."""
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    return None


def _lenient_cp1252(raw: bytes) -> str:
    """Neither UTF-8 nor strict cp1252: cp1252 where defined, latin-1 for the 5 holes."""
    return raw.decode("cp1252", errors="latin1_fallback")


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    bad = err.object[err.start:err.end]
    return bad.decode("latin-1"), err.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def _check_text(text: str) -> str:
    """Reject decoded text that is mostly control characters (a binary file in disguise)."""
    sample = text[:SNIFF_BYTES]
    if sample and _count_controls(sample, _BINARY_CONTROL_BYTES) > 0.1 * len(sample):
        raise UnsupportedFileError("binary file (mostly control characters)")
    return text


def normalize(text: str) -> str:
    """NFC plus plain spaces, hyphens and line ends; invisible and control characters dropped.

    Dashes are left as written: the analyzer splits "war\u2014and" and "1990\u20131995" into
    words without spaces around the dash, and "pip install --upgrade" must stay that.
    """
    text = text.replace("\r\n", "\n")
    if text.isascii():
        for char in _ASCII_MAPPED:
            if char in text:
                text = text.replace(char, _CHAR_MAP[ord(char)])
        controls = _count_controls(text, _CONTROL_BYTES)
    else:
        # Which characters to map, which dashes to space and whether any control character
        # is left over, from the set of the text's non-ASCII characters: its UTF-8 bytes with
        # the ASCII bytes deleted, decoded. A page has a few dozen; scanning all of its
        # characters with a character class cost more than everything else here.
        text = unicodedata.normalize("NFC", text)
        data = text.encode("utf-8", "surrogatepass")
        chars = set(data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))
        for char in chars & _MAPPED_CHARS:
            text = text.replace(char, _CHAR_MAP[ord(char)] or "")
        for char in _ASCII_MAPPED:
            if char.encode("ascii") in data:
                text = text.replace(char, _CHAR_MAP[ord(char)])
        # Mapping turns \x0b, \x0c, \r and \x85 into line ends and adds no control character.
        controls = len(data.translate(None, _BINARY_CONTROL_BYTES)) < len(data) or not chars.isdisjoint(_C1_KEPT)
    return _CONTROL.sub("", _terminal_marks(text)) if controls else text


# A character, a backspace and another (nroff's bold "N\bN" and underline "_\bN", in a manual page
# formatted without `col -b`): a terminal or a printer shows the last one written at that place.
_OVERSTRIKE = re.compile("[^\x08\n]\x08(?=[^\x08\n ])")          # (a space strikes nothing out)
# A terminal's escape sequence ("\x1b[1m": bold on) shows nothing; dropping only its ESC left "[1m".
# (CSI "\x1b[...m"; a window title "\x1b]0;...\x07", only with its end; a character set "\x1b(B";
# a one-letter one.) Only the 7-bit forms, which start with ESC: in decoded text, U+009B and
# U+009D are mojibake far more often than a terminal's 8-bit CSI and OSC ("â€\x9d", a closing
# quote's UTF-8 read as cp1252 and saved again: 25 UN speeches of 1998), and an OSC open to the
# end of the file took all the text after it.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]{0,512}(?:\x07|\x1b\\)"
                              r"|\x1b(?:[ -/]+[0-~]|[@-Z\\-_])")


def _terminal_marks(text: str) -> str:
    """Overstrikes read as what they show and escape sequences dropped whole, before the
    control characters go: "N\bNA\bAM\bME\bE" is "NAME", not "NNAAMMEE"."""
    if "\x08" in text:
        while True:
            struck = _OVERSTRIKE.sub("", text)
            if struck == text:
                break
            text = struck
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE.sub("", text)
    return text


def _count_controls(text: str, c0: bytes) -> int:
    """How many characters of `text` are C0 controls in `c0` or C1 controls: len(_CONTROL.findall(text))
    for _CONTROL_BYTES, len(_BINARY_CONTROL.findall(text)) for _BINARY_CONTROL_BYTES."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, c0)) + len(_C1_UTF8.findall(data))


# Two or more spaces; "  +" rather than "[ ]{2,}": a pattern that starts with a literal is searched
# for with a fast string search, not tried at every position (four times faster on a page).
SPACES = re.compile("  +")


def tidy_line(line: str) -> str:
    """Collapse runs of spaces and trim: the form a line has inside a block."""
    return SPACES.sub(" ", line).strip() if "  " in line else line.strip()


