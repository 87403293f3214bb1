"""What a person reading a file sees, worked out independently of docsearch's readers, for
the fidelity audit to hold the readers to.

- A text file: its text.
- An HTML page: its text outside <head>, scripts, styles, templates, SVG, comments and hidden
  elements, laid out as a browser without the page's style sheet lays it out: block elements
  (paragraphs, headings, list items, table cells, <pre>...) start on a line of their own, form
  controls (a "copy" button) are boxes of their own, so are the <code> blocks of a <pre> that
  holds several (alternatives a page's script shows one at a time: Node.js's ES-module and
  CommonJS versions of an example), so are two phrases in inline elements side by side that
  would otherwise run into one word ("Added in: v10.5.0" "Removed in: v12.5.0": the page's
  style sheet sets them apart; the reader follows the same rule, outside <pre>), and other
  inline elements (<code>, <a>, <span>...) run on in their line, so `<code>Buffer</code>s` is
  the word "Buffers", as it is on the screen, not "Buffer" and "s".
- A Markdown file: the text of its rendering by a CommonMark renderer (markdown-it-py, with
  GitHub's tables and strikethrough), read as that HTML page. A fence's info string ("```mjs"),
  link targets, reference definitions, HTML comments and front matter are not shown to a reader
  of the rendered file, so they are not words it is held to.

Everything is in the indexer's character normal form (indexer.clean.normalize), and in a text
file a word hyphenated at a line end is rejoined.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[^\W\d_])")
_MD_FRONT = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# Laid out as blocks by a browser's default style sheet (the HTML standard's "display: block",
# list-item, table parts), plus <br> and <hr>: each starts a new line.
BLOCK = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption figure"
    " footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main menu nav ol optgroup"
    " option p plaintext pre search section summary table tbody td tfoot th thead tr ul xmp caption br"
    " colgroup".split())
# Form controls are boxes of their own (inline-block): their label never runs into the text beside them.
BOXES = frozenset("button input select textarea".split())
NEVER_SHOWN = ["head", "script", "style", "noscript", "template", "svg", "title"]


def _hidden(tag) -> bool:
    style = str(tag.get("style", "")).replace(" ", "").lower()
    return ("hidden" in tag.attrs or str(tag.get("aria-hidden", "")).lower() == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _phrases_apart(node, tag_type) -> bool:
    """Two inline elements side by side, each a phrase with a space in it, whose junction would
    make one word of two: the page's style sheet sets them apart (Node.js's "Added in: v10.5.0" and
    "Removed in: v12.5.0" spans, a margin between them); a word in parts ("<b>W</b>ord") has none."""
    before = node.previous_sibling
    if node.name in BLOCK or node.name in BOXES or not isinstance(before, tag_type) \
            or before.name in BLOCK or before.name in BOXES:
        return False
    left, right = before.get_text(), node.get_text()
    return (left[-1:].isalnum() and right[:1].isalnum() and " " in left.strip() and " " in right.strip()
            and node.find_parent("pre") is None)


def html_text(markup: str) -> str:
    """The text of an HTML page as a browser lays it out without the page's CSS (see above)."""
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning
    from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(NEVER_SHOWN):
        if not tag.__dict__.get("_decomposed"):
            tag.decompose()
    for tag in soup.find_all(_hidden):          # never shown: not words a reader sees
        if not tag.__dict__.get("_decomposed"):
            tag.decompose()
    skip = (Comment, Declaration, Doctype, ProcessingInstruction)
    out: list[str] = []
    stack: list[tuple[object, bool]] = [(soup, False)]     # (node, leaving); no recursion on deep pages
    while stack:
        node, leaving = stack.pop()
        if leaving:
            out.append(" " if node.name in BOXES else "\n")
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, skip) or isinstance(node, CData):
                out.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        if node.name in BLOCK or (node.name == "code" and node.parent is not None and node.parent.name == "pre"
                                  and len(node.parent.find_all("code", recursive=False)) > 1):
            out.append("\n")
            stack.append((node, True))
        elif node.name in BOXES:
            out.append(" ")
            stack.append((node, True))
        elif _phrases_apart(node, Tag):
            out.append(" ")
        stack.extend((child, False) for child in reversed(node.contents))
    return "".join(out)


def markdown_html(text: str) -> str:
    """A Markdown file rendered by markdown-it-py (CommonMark, GitHub's tables and strikethrough)."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return renderer.render(_MD_FRONT.sub("", text))


def visible_text(path: Path, content: tuple[bytes, str] | None = None) -> str:
    """The text a person reading the file sees, in the indexer's character normal form.
    `content`: the file's file_content(), when the caller has read it already."""
    from indexer.clean.normalize import decode, normalize

    raw, suffix = content or file_content(path)
    text = normalize(decode(raw, html=suffix in (".html", ".htm")))
    if suffix in (".html", ".htm"):
        text = normalize(html_text(text))
    elif suffix in (".md", ".markdown"):
        text = normalize(html_text(markdown_html(text)))
    else:       # a line break in HTML or Markdown source is a space on the screen, not a line end
        text = _LINE_END_HYPHEN.sub("", text)
    return text


def file_content(path: Path, head: int | None = None) -> tuple[bytes, str]:
    """A file's bytes (a .gz: what it holds) and the suffix of the format the indexer reads it
    as: its type suffix, or for a name without one, what its first bytes say (".txt",
    ".html", ".pdf", ...), as indexer/readers/load.py decides."""
    from indexer.files import COMPRESSED, inner_name, type_suffix
    from indexer.readers.filebytes import SNIFF_BYTES, read_bytes, read_gzip, unnamed_format

    read = read_gzip if type_suffix(path.name) == COMPRESSED else read_bytes
    raw = read(path, None, head=head)[0]
    suffix = type_suffix(inner_name(path.name))
    if not suffix:
        suffix = unnamed_format(raw[:SNIFF_BYTES] if head is None else read(path, None, head=SNIFF_BYTES)[0])
    return raw, suffix
