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
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_INLINE = [
    (re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)"), ""),                 # [![badge](img)](url)
    (re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])"), ""),           # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),                       # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),                      # [text][ref]
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),               # <http://...>
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),                              # inline HTML tags
    (re.compile(r"(`+)(.+?)\1"), r"\2"),                                 # `code`
    (re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),            # **strong**, __strong__, ~~del~~
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),   # *em*
    (re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),         # _em_ (not snake_case)
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])"), r"\1"),                 # backslash escapes
]


def read_markdown(text: str) -> Extracted:
    fields, body = front_matter(_HTML_COMMENT.sub("", text))
    parts = _blocks(body.split("\n"))
    out = Extracted(parts=parts)
    out.fields.update(fields)
    out.set_default("title", next((t for t, level in parts if level == 1), None)
                    or next((t for t, level in parts if level), None))
    return out


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


def clean_inline(text: str) -> str:
    """Markup out, words in: links keep their text, images go, emphasis markers go."""
    for regex, replacement in _INLINE:
        text = regex.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def _blocks(lines: list[str]) -> list[tuple[str, int]]:
    parts: list[tuple[str, int]] = []
    paragraph: list[str] = []
    fence: str | None = None
    code: list[str] = []
    marker: str | None = None       # the list marker of the item the paragraph holds ("-", "2.")
    in_list = False                 # the last part is a list: its items are its lines

    def flush() -> None:
        nonlocal marker, in_list
        if paragraph:
            text = clean_inline(" ".join(paragraph))
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
            if line.strip().startswith(fence):
                parts.append(("\n".join(code).strip("\n"), 0))
                fence, code = None, []
            else:
                code.append(line.rstrip())
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            in_list = False
            fence = opening.group(1)[0] * 3
            continue
        setext = _SETEXT.match(line)
        if setext and len(paragraph) == 1 and marker is None:    # (before the table rule: "---" is both)
            parts.append((clean_inline(paragraph.pop()), 1 if setext.group(1)[0] == "=" else 2))
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
            parts.append((clean_inline(atx.group(2) or ""), len(atx.group(1))))
            continue
        line = _QUOTE.sub("", line)
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
        paragraph.append(line.strip())
    flush()
    if code:
        parts.append(("\n".join(code).strip("\n"), 0))
    return [(text, level) for text, level in parts if text]
