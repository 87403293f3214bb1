"""Document fields from text and from the user: dates, language, manifests, sidecars.

parse_date/find_date turn the many English date spellings into ISO strings;
detect_language is a cheap script + stop-word guess (it runs once per passage, so it
counts only what it needs);
read_manifest/read_sidecar read user-given metadata, and apply_overrides merges
it into a Document (known fields replace, the rest lands in `meta`).
"""
from __future__ import annotations

import csv
import datetime as _dt
import json
import re
from collections import Counter
from dataclasses import replace
from itertools import filterfalse
from pathlib import Path
from typing import Iterable, Mapping

from indexer.document import Document
from indexer.errors import InputError, UnsupportedFileError

KNOWN_FIELDS = ("title", "date", "source", "author", "url", "language")
_ALIASES = {"lang": "language", "publisher": "source", "site_name": "source", "link": "url"}

# ---------------------------------------------------------------- dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_PATTERNS = [
    re.compile(rf"(?<!\d){_YEAR}-(?P<mnum>\d{{1,2}})-{_DAY}(?!\d)", re.I),                 # 2000-10-09
    re.compile(rf"(?<!\d){_YEAR}/(?P<mnum>\d{{1,2}})/{_DAY}(?!\d)", re.I),                 # 2000/10/09
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),                             # October 9, 2000
    re.compile(rf"(?<!\d){_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b", re.I),              # 9 Oct 2000
    re.compile(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])"),     # 6/26/2008
    re.compile(r"(?<![\d.-])(?P<d>\d{1,2})([.-])(?P<m>\d{1,2})\2(?P<y>\d{4})(?![\d.-])"),     # 9.10.2000
]
_MONTH_YEAR = re.compile(rf"^{_MONTH},?\s+{_YEAR}$", re.I)
_YEAR_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<mnum>\d{1,2})$")
_ONLY_YEAR = re.compile(r"^(?P<year>1[5-9]\d\d|2[01]\d\d)$")
# Words that may surround a date on a line that is "just a date".
_DATE_NOISE = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?|\b(?:on|the|of|at|published|posted|dated?)\b"
    r"|\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?|\b(?:utc|gmt|[ecmp][sd]t|z)\b|[+-]\d{2}:?\d{2}\b|t(?=\d)|[\s,.:;|()\[\]-]",
    re.I,
)


def parse_date(text: str | None) -> str | None:
    """The ISO form of a text that is a date ("Oct. 9, 2000" -> "2000-10-09"), else None.

    US order for ambiguous numeric dates (6/7/2008 is June 7); day-first when the
    first number cannot be a month (26/6/2008). A month and year give "YYYY-MM",
    a lone year "YYYY". Text with more than a date around it is not a date.
    """
    if not text:
        return None
    text = text.strip()
    if len(text) > 60:
        return None
    for regex in (_YEAR_MONTH, _ONLY_YEAR):
        m = regex.match(text)
        if m:
            return _iso(int(m["year"]), int(m.groupdict().get("mnum") or 0) or None, None)
    m = _MONTH_YEAR.match(text)
    if m:
        return _iso(int(m["year"]), _MONTHS[m["month"].lower().rstrip(".")], None)
    found = _search(text)
    if found is None:
        return None
    iso, start, end = found
    if _DATE_NOISE.sub("", text[:start] + text[end:]):
        return None
    return iso


def search_date(text: str) -> str | None:
    """The first full date (day, month, year) anywhere in a line, as ISO."""
    found = _search(text)
    return found[0] if found else None


def find_date(lines: Iterable[str]) -> str | None:
    """The date of a header region: a line that is only a date wins, else the first dated line.

    Only lines under 120 characters are read, so a date inside body prose is not taken.
    """
    short = [line for line in lines if 0 < len(line.strip()) < 120]
    for line in short:
        iso = parse_date(line)
        if iso and len(iso) > 4:
            return iso
    for line in short:
        iso = search_date(line)
        if iso:
            return iso
    return None


def _search(text: str) -> tuple[str, int, int] | None:
    best: tuple[str, int, int] | None = None
    for regex in _DATE_PATTERNS:
        for m in regex.finditer(text):
            iso = _from_match(m)
            if iso and (best is None or m.start() < best[1]):
                best = (iso, m.start(), m.end())
                break
    return best


def _from_match(m: re.Match) -> str | None:
    groups = m.groupdict()
    if groups.get("d"):
        return _iso(int(m["y"]), int(m["m"]), int(m["d"]))
    if groups.get("a"):
        a, b, year = int(m["a"]), int(m["b"]), int(m["y"])
        if len(m["y"]) == 2:
            year += 2000 if year < 50 else 1900
        month, day = (a, b) if a <= 12 else (b, a)
        return _iso(year, month, day)
    month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS[m["month"].lower().rstrip(".")]
    return _iso(int(m["year"]), month, int(m["day"]))


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    try:
        if day is not None:
            return _dt.date(year, month or 0, day).isoformat()
        if month is not None:
            return _dt.date(year, month, 1).isoformat()[:7]
        return f"{year:04d}"
    except ValueError:
        return None


# ---------------------------------------------------------------- language

_SCRIPTS = [  # (language, letters of its script); checked on a sample, in order
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
]
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
_STOPWORDS = {
    "en": "the and of to is in that it for with as was this are be by on not",
    "fr": "le la les des et est une du que pour dans pas qui sur au aux ce nous sont",
    "es": "el los las del y que en por una con para es se lo al su como",
    "de": "der die das und ist nicht ein eine zu den von mit sich dem des auf für",
    "it": "il di che della per non gli sono una del nel alla anche è",
    "pt": "não os das uma com para que do da em no na ao pelo são",
    "nl": "het een van en niet zijn dat ik met voor op ook",
}
_STOP_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
# Stop word -> the languages whose list holds it, so counting reads only the stop words a text has.
_STOP_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _stops in _STOP_SETS.items():
    for _w in _stops:
        _STOP_LANGS[_w] = _STOP_LANGS.get(_w, ()) + (_lang,)
# The ASCII words of a text are its runs of letters: bytes.translate folds case and turns every
# other byte into a space, and split() takes the runs: re.findall("[a-z]+", text.lower()), faster.
_ASCII_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))
_ASCII_LETTERS_AND_HIGH = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or c >= 128 else 32
                                for c in range(256))
_ASCII_STOP_LANGS = {w.encode("ascii"): langs for w, langs in _STOP_LANGS.items() if w.isascii()}
_ANY_SCRIPT = re.compile("|".join(regex.pattern for _, regex in _SCRIPTS))
LANGUAGE_SAMPLE = 2000


def detect_language(text: str) -> str:
    """A cheap ISO 639-1 guess: script share first, then stop words; "en" by default.

    A script language needs half of the letters (Japanese: any kana among CJK);
    another Latin language needs three times as many stop-word hits as English.
    """
    sample = text[:LANGUAGE_SAMPLE]
    is_ascii = sample.isascii()
    if not is_ascii and _ANY_SCRIPT.search(sample):
        letters = len(_LETTER.findall(sample)) or 1
        counts = {lang: len(regex.findall(sample)) for lang, regex in _SCRIPTS}
        cjk = counts["ja"] + counts["zh"]
        if counts["ko"] >= 0.5 * letters:
            return "ko"
        if cjk >= 0.5 * letters:
            return "ja" if counts["ja"] >= 0.1 * cjk else "zh"
        for lang, count in counts.items():
            if lang not in ("ko", "ja", "zh") and count >= 0.5 * letters:
                return lang
    hits = dict.fromkeys(_STOP_SETS, 0)          # in _STOPWORDS order: ties go to the first, English
    ascii_counts, other_counts = _stop_word_counts(sample, is_ascii)
    for word, count in ascii_counts.items():
        for lang in _ASCII_STOP_LANGS[word]:
            hits[lang] += count
    for word, count in other_counts.items():
        for lang in _STOP_LANGS[word]:
            hits[lang] += count
    best = max(hits, key=hits.__getitem__)
    if best != "en" and hits[best] >= 3 and hits[best] >= 3 * hits["en"]:
        return best
    return "en"


def _stop_word_counts(sample: str, is_ascii: bool) -> tuple[Counter[bytes], Counter[str]]:
    """The stop words among _WORD.findall(sample.lower()), counted: ASCII ones as bytes, others as str.

    ASCII text: its words are the runs of letters that _ASCII_LETTERS leaves. Other text:
    the same in its UTF-8 bytes with the non-ASCII bytes kept, which cuts it into chunks at
    ASCII non-letters (never inside a word); a chunk of ASCII letters is a word, and only
    the few chunks with other characters are read with _WORD.
    """
    if is_ascii:
        words = sample.encode("ascii").translate(_ASCII_LETTERS).split()
        return Counter(filter(_ASCII_STOP_LANGS.__contains__, words)), _NO_COUNTS
    chunks = sample.lower().encode("utf-8", "surrogatepass").translate(_ASCII_LETTERS_AND_HIGH).split()
    others = Counter(word for chunk in filterfalse(bytes.isascii, chunks)
                     for word in _WORD.findall(chunk.decode("utf-8", "surrogatepass")) if word in _STOP_LANGS)
    return Counter(filter(_ASCII_STOP_LANGS.__contains__, chunks)), others


_NO_COUNTS: Counter[str] = Counter()


def normalize_language(code: str) -> str | None:
    """'en-US' / 'EN_gb' -> 'en'."""
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


# ---------------------------------------------------------------- user metadata

def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Rows of a .tsv/.csv manifest keyed by posix relative path (column `path`; none is an InputError).

    Empty cells are left out, so they never blank a field the document has.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in sample.split("\n", 1)[0] else ","
            reader = csv.DictReader(f, delimiter=delimiter)
            header = reader.fieldnames
            if not header:
                raise InputError(f"Manifest {path} is empty; it needs a header row with a 'path' column")
            if "path" not in header:
                raise InputError(f"Manifest {path} has no 'path' column (its columns: {', '.join(map(str, header))}); "
                                 "name the column of document paths 'path'")
            key = "path"
            rows: dict[str, dict[str, str]] = {}
            for row in reader:
                name = (row.get(key) or "").strip().replace("\\", "/")
                if not name:
                    continue
                name = name[2:] if name.startswith("./") else name
                rows[name] = {k: v.strip() for k, v in row.items()
                              if k and k != key and isinstance(v, str) and v.strip()}
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"Cannot read manifest {path}: {e}") from e
    return rows


SIDECAR_SUFFIX = ".meta.json"


def sidecar_for(path: Path) -> Path | None:
    """The sidecar of a document: NAME.EXT.meta.json, else NAME.meta.json."""
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, str]:
    """Fields from a sidecar JSON object (the sidecar's own path); values become strings.

    A broken sidecar makes its document unsupported rather than silently unlabeled.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UnsupportedFileError(f"bad sidecar {Path(path).name}: {e}") from e
    if not isinstance(data, dict):
        raise UnsupportedFileError(f"bad sidecar {Path(path).name}: expected a JSON object")
    return {str(k): _as_text(v) for k, v in data.items() if v is not None}


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "; ".join(_as_text(v) for v in value)
    if isinstance(value, (dict, bool)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def apply_overrides(doc: Document, fields: Mapping[str, str]) -> Document:
    """A copy of `doc` with known fields replaced and the rest merged into `meta`.

    Dates are normalised with parse_date (an unparseable date is kept in meta as
    given); a `year` column sets the date only when the document has no date of that year.
    """
    known: dict[str, str | None] = {}
    extra: dict[str, str] = {}
    for raw_key, value in fields.items():
        key = _ALIASES.get(raw_key.strip().lower(), raw_key.strip().lower())
        value = str(value).strip()
        if not value:
            continue
        if key == "date":
            iso = parse_date(value) or search_date(value)
            if iso:
                known["date"] = iso
            else:
                extra["date"] = value
        elif key == "language":
            known["language"] = normalize_language(value) or doc.language
        elif key in KNOWN_FIELDS:
            known[key] = value
        else:
            extra[raw_key] = value
    year = next((v for k, v in extra.items() if k.lower() == "year"), "")
    if "date" not in known and _ONLY_YEAR.match(year) and not (doc.date or "").startswith(year):
        known["date"] = year
    if extra:
        known_meta = {**doc.meta, **extra}
        return replace(doc, meta=known_meta, **known)
    return replace(doc, **known)


def bad_dates(manifest: dict, path: Path | None) -> list[str]:
    """Warnings for manifest dates that read as no date (kept as text in the document's fields)."""
    out = []
    for name, row in manifest.items():
        for column, value in row.items():
            if column.strip().lower() == "date" and not (parse_date(value) or search_date(value)):
                out.append(f"manifest {path}: row '{name}', column '{column}': {value!r} is not a date "
                           "(kept as text)")
    return out[:5] + ([f"manifest {path}: {len(out) - 5:,} more bad dates"] if len(out) > 5 else [])
