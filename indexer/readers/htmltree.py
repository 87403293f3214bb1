"""Facts about a parsed HTML tree that the HTML reader asks of its tags, each in O(1) or one pass.

Whether a tag was taken out already, the text length under each tag, whether a tag is hidden,
and whether a <footer> or <aside> belongs to the text (a quotation's, a figure's, the article's)
rather than to the page.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, CData, NavigableString, Tag

TEXT_TYPES = (NavigableString, CData)      # what Tag.get_text() counts by default
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def decomposed(tag: Tag) -> bool:
    """Tag.decomposed, in O(1): bs4 reads it with getattr(tag, "_decomposed"), which on a live
    tag falls through to Tag.__getattr__, i.e. find("_decomposed"): a search of the whole subtree."""
    return bool(tag.__dict__.get("_decomposed", False))


def subtree_facts(soup: BeautifulSoup) -> tuple[dict[int, int], dict[int, bool]]:
    """Per tag (by id): len(tag.get_text()), and whether a descendant is <article>, <main> or role=main.

    One pass over the tree: a page of nested chrome boxes costs O(n), not O(n^2).
    """
    text_len: dict[int, int] = {}
    has_content: dict[int, bool] = {}
    stack: list[tuple[Tag, bool]] = [(soup, False)]
    while stack:
        tag, leaving = stack.pop()
        if not leaving:
            stack.append((tag, True))
            stack.extend((child, False) for child in tag.contents if isinstance(child, Tag))
            continue
        length, content = 0, False
        for child in tag.contents:
            if isinstance(child, Tag):
                length += text_len[id(child)]
                content = content or has_content[id(child)] or child.name in ("article", "main") \
                    or (child.attrs is not None and child.get("role") == "main")
            elif type(child) in TEXT_TYPES:
                length += len(child)
        text_len[id(tag)] = length
        has_content[id(tag)] = content
    return text_len, has_content


def is_hidden(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    return ("hidden" in tag.attrs or str(tag.get("aria-hidden", "")).lower() == "true"
            or bool(HIDDEN_STYLE.search(str(tag.get("style", "")))))


# HTML's sectioning roots other than <body>: a <footer> belongs to the nearest one around it, so in
# a block quote it names who is quoted, in a figure whose picture it is, in a cell the cell's text.
_OWNING_ROOTS = frozenset(["blockquote", "figure", "td", "th", "details", "fieldset"])
_SECTIONING = frozenset(["article", "section", "aside", "nav", "body"])


def belongs_to_text(tag: Tag) -> bool:
    """A <footer> or <aside> that is part of the text, not the page's chrome: a footer whose
    nearest sectioning root is a quotation, figure, cell, details or fieldset (see
    _OWNING_ROOTS); an aside inside the page's <main> or <article> (a note, a warning, a
    sidebar or a footnote of the article: docutils writes its admonitions and footnotes so).
    Such an aside whose class names chrome ("related", "share") is still a chrome box."""
    if tag.name == "aside":
        return any(parent.name in ("main", "article") or (parent.attrs is not None and parent.get("role") == "main")
                   for parent in tag.parents)
    if tag.name != "footer":
        return False
    for parent in tag.parents:
        if parent.name in _OWNING_ROOTS:
            return True
        if parent.name in _SECTIONING:
            return False
    return False
