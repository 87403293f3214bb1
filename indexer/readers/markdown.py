"""Markdown (.md) -> Extracted: front-matter fields, '#' headings, paragraphs without markup.

A small line-based reader, not a full CommonMark parser: the index needs the words
and the section structure, not the rendering. Front matter is read as simple
`key: value` lines (no YAML dependency) and overrides what the body suggests.
"""
from __future__ import annotations

import re

from indexer.readers.extracted import Extracted

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:\s*(.*)$")
_FRONT_ITEM = re.compile(r"^\s+-\s+(.*)$")
_COMMENT_OR_CODE = re.compile(r"(`+)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)|<!--.*?-->", re.S)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")        # (indented too: a fence in a list item)
_RULE = re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_QUOTE_MARK = re.compile(r"^ {0,3}>(?: ?)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:\s*\S+")    # (not a footnote: "[^1]: text" is text)
_HARD_BREAK = re.compile(r"(?:(?<!\\)\\| {2,})$")      # a line end that renders as <br>
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_ESCAPE = re.compile(r"()\\([!-/:-@\[-`{-~])")      # \<, \*, \[: the character itself, never markup
_AUTOLINK = re.compile(r"<()([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*"                 # <http://...>, any scheme
                       r"|[\w.!#$%&'*+/=?^{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)>")   # <a@b.org>
_HELD = re.compile("\ue000(\\d+)\ue001")           # a code span held out of the inline rules
_REFERENCE = re.compile(r"\[([^\]]+)\]\[([^\]]*)\]")
# An inline HTML tag as CommonMark defines one (raw HTML, spec 6.6): a tag name of letters, digits
# and hyphens, then attributes each after a space. "<sys/wait.h>" and "<country_code>" are no tags:
# a reader of the rendered file sees them as written.
_HTML_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9-]*\s*>|<[A-Za-z][A-Za-z0-9-]*"
                       r"(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>")
_INLINE = [
    (re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)"), ""),                 # [![badge](img)](url)
    (re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])"), ""),           # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),                       # [text](url)
    (_HTML_TAG, ""),                                                     # inline HTML tags
    (re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),            # **strong**, __strong__, ~~del~~
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),   # *em*
    (re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),         # _em_ (not snake_case)
]


def read_markdown(text: str) -> Extracted:
    fields, body = front_matter(_outside_fences(text, _drop_comments))
    lines = body.split("\n")
    references = {_label(m.group(1)) for m in map(_LINK_DEFINITION.match, lines) if m}
    parts = _blocks(lines, references)
    out = Extracted(parts=parts)
    out.fields.update(fields)
    out.set_default("title", next((t for t, level in parts if level == 1), None)
                    or next((t for t, level in parts if level), None))
    return out


def _drop_comments(text: str) -> str:
    """HTML comments out, except in a code span ("`<!-- something -->` is an HTML node")."""
    return _COMMENT_OR_CODE.sub(lambda m: m.group(0) if m.group(1) else "", text)


def _outside_fences(text: str, change) -> str:
    """`change` applied to the text outside fenced code blocks: an HTML comment in a code example
    ("<!-- YAML" in a diff) is code a reader sees, not a comment."""
    out, prose, fence = [], [], None
    for line in text.split("\n"):
        opening = _FENCE.match(_QUOTE.sub("", line))
        if fence is None and opening:
            fence = opening.group(1)[0] * 3
            if prose:
                out.append(change("\n".join(prose)))
            prose = []
            out.append(line)
        elif fence is not None:
            out.append(line)
            if _QUOTE.sub("", line).strip().startswith(fence):
                fence = None
        else:
            prose.append(line)
    if prose or not out:
        out.append(change("\n".join(prose)))
    return "\n".join(out)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split `---` front matter from the body; list values are joined with '; '."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    key = None
    for line in m.group(1).split("\n"):
        item = _FRONT_ITEM.match(line)
        if item and key:
            value = _unquote(item.group(1))
            fields[key] = f"{fields[key]}; {value}" if fields.get(key) else value
            continue
        pair = _FRONT_KEY.match(line)
        if pair:
            key = pair.group(1).lower()
            value = pair.group(2).strip()
            if value.startswith("[") and value.endswith("]"):
                value = "; ".join(_unquote(v) for v in value[1:-1].split(",") if v.strip())
            fields[key] = _unquote(value)
    return {k: v for k, v in fields.items() if v}, text[m.end():]


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def clean_inline(text: str, references: frozenset[str] | set[str] | None = None) -> str:
    """Markup out, words in: links keep their text, images go, emphasis markers go. A code span's
    text is the code as written (`-j<n>`, `Local<String>`: no markup rule touches it), so is an
    autolink's address (<a@b.org>, <https://...>: not an HTML tag) and an escaped character
    ("MaybeLocal\\<T>" shows "MaybeLocal<T>"); `[a][b]`
    is a link only when `b` (or `a`, for `[a][]`) is defined in `references` (None: any is), else
    it is the text it shows ("suite([name][, options])")."""
    held: list[tuple[str, str]] = []          # (the span as written, its code)

    def hold(m: re.Match) -> str:
        code = m.group(2)
        if len(code) > 2 and code[0] == code[-1] == " " and code.strip():
            code = code[1:-1]           # (CommonMark: one space off each side, only when both have one)
        held.append((m.group(0), code))
        return f"\ue000{len(held) - 1}\ue001"

    def reference(m: re.Match) -> str:
        label = _label(_HELD.sub(lambda h: held[int(h.group(1))][0], m.group(2) or m.group(1)))
        return m.group(1) if references is None or label in references else m.group(0)

    text = _AUTOLINK.sub(hold, _ESCAPE.sub(hold, _CODE_SPAN.sub(hold, text)))
    text = _REFERENCE.sub(reference, text)
    for regex, replacement in _INLINE:
        text = regex.sub(replacement, text)
    text = _HELD.sub(lambda m: held[int(m.group(1))][1], text)
    return re.sub(r"\s+", " ", text).strip()


def _blocks(lines: list[str], references: set[str] | None = None) -> list[tuple[str, int]]:
    parts: list[tuple[str, int]] = []
    paragraph: list[str] = []
    fence: str | None = None
    quoted = False                  # the open fence is inside a block quote ("> ```")
    code: list[str] = []
    marker: str | None = None       # the list marker of the item the paragraph holds ("-", "2.")
    in_list = False                 # the last part is a list: its items are its lines

    def flush() -> None:
        nonlocal marker, in_list
        if paragraph:
            # A hard line break (a line ending in two spaces or a backslash, not the paragraph's last)
            # is a line of its own in the rendering (an address, a verse): the lines stay lines,
            # the backslash goes.
            paragraph[-1] = paragraph[-1].rstrip("\n")
            pieces = [piece[:-2] + "\n" if piece.endswith("\\\n") else piece for piece in paragraph]
            text = "\n".join(filter(None, (clean_inline(line, references) for line in " ".join(pieces).split("\n"))))
            if marker is not None:
                text = f"{marker} {text}"
                if in_list and parts and parts[-1][1] == 0:
                    parts[-1] = (f"{parts[-1][0]}\n{text}", 0)
                else:
                    parts.append((text, 0))
                in_list = True
            else:
                parts.append((text, 0))
                in_list = False
            paragraph.clear()
        marker = None

    for line in lines:
        if fence:
            if quoted:
                line = _QUOTE_MARK.sub("", line, count=1)
            if line.strip().startswith(fence):
                parts.append(("\n".join(code).strip("\n"), 0))
                fence, code = None, []
            else:
                code.append(line.rstrip())
            continue
        unquoted = _QUOTE.sub("", line)
        opening = _FENCE.match(unquoted)
        if opening:
            flush()
            in_list = False
            fence = opening.group(1)[0] * 3
            quoted = unquoted != line
            continue
        setext = _SETEXT.match(line)
        if setext and len(paragraph) == 1 and marker is None:    # (before the table rule: "---" is both)
            parts.append((clean_inline(paragraph.pop().rstrip("\n"), references), 1 if setext.group(1)[0] == "=" else 2))
            in_list = False
            continue
        if not line.strip() or _LINK_DEFINITION.match(line) or _TABLE_RULE.match(line):
            flush()
            continue
        if _RULE.match(line):
            flush()
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            in_list = False
            parts.append((clean_inline(atx.group(2) or "", references), len(atx.group(1))))
            continue
        line = _QUOTE.sub("", line)
        if not line.strip():            # ">" alone: a blank line inside a block quote ends its paragraph
            flush()
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            marker = item.group().split()[0]
            line = line[item.end():]
        if line.strip().startswith("|") and line.strip().endswith("|"):
            flush()
            paragraph.append(" | ".join(c.strip() for c in line.strip().strip("|").split("|")))
            flush()
            continue
        hard = _HARD_BREAK.search(line)       # (kept as a line end: "\\\n" or "\n"; see flush)
        paragraph.append(line.strip() + "\n" if hard else line.strip())
    flush()
    if code:
        parts.append(("\n".join(code).strip("\n"), 0))
    return [(text, level) for text, level in parts if text]
