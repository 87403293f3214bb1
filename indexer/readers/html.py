"""HTML (.html/.htm) -> Extracted: the article's headings and paragraphs plus the page's metadata.

Page chrome goes first: scripts and styles, navigation, asides, forms, footers, hidden
elements and blocks whose class or id names chrome (comments, sharing, related posts,
sidebars, menus, breadcrumbs, cookie banners). The article (<article>, else <main> or
role=main, else <body>) is then walked without recursion, so a 50,000-level page is
just slow, not a crash. Every pass is linear in the page's elements (nested chrome boxes
or headers are not re-scanned per level), and a page of more than MAX_ELEMENTS tags (an
"HTML bomb": a parse tree costs about 1 KB of memory per element) is read as tag-stripped
text instead of being parsed.
"""
from __future__ import annotations

import html as html_lib
import re
import warnings

from bs4 import (BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag,
                 XMLParsedAsHTMLWarning)

from indexer.clean import chrome
from indexer.readers.extracted import Extracted
from indexer.readers.htmltree import TEXT_TYPES as _TEXT_TYPES, decomposed as _decomposed, is_hidden as _is_hidden
from indexer.readers.htmltree import belongs_to_text as _belongs_to_text, subtree_facts as _subtree_facts
from indexer.readers.text import read_plain
from indexer.metadata import normalize_language, parse_date
from indexer.clean.normalize import normalize

DROP_TAGS = ["script", "style", "noscript", "nav", "aside", "form", "iframe", "svg", "template", "button",
             "select", "textarea", "input", "canvas", "object", "embed", "video", "audio", "map", "dialog", "footer"]
HEADINGS = {f"h{n}": n for n in range(1, 7)}
BLOCKS = frozenset(
    "p div section article main header li ul ol dl dd dt blockquote figure figcaption table thead tbody tfoot"
    " tr td th caption address hr center details summary body html fieldset legend footer aside".split()
) | frozenset(HEADINGS)
_STRUCTURAL = frozenset(["p", "div", "table", "ul", "ol", "dl", "blockquote", "pre", "section", *HEADINGS])
_KEEP = frozenset(["html", "body", "article", "main"])
_CHROME_TOKEN = re.compile(
    r"^(?:comments?|comment-(?:respond|list|form|area|section|meta)|comments-(?:area|section|list|link)|respond"
    r"|disqus_thread|sharedaddy|sharing|share(?:-\w+)?|social(?:-\w+)?|jp-relatedposts|related(?:-\w+)?"
    r"|sidebar(?:-\w+)?|widget(?:-\w+)?|menu(?:-\w+)?|\w+-menu|navbar|navigation|breadcrumbs?|cookies?(?:-\w+)?"
    r"|gdpr|consent|newsletter|subscribe|subscription|advert(?:isement)?s?|ads?|ad-\w+|banner|promo|popup|modal"
    r"|skip-link|screen-reader-text|site-(?:header|footer|nav)|masthead|header|footer|toolbar|pagination"
    r"|post-navigation|tag-links|cat-links)$",
    re.I,
)
_WHITESPACE = re.compile(r"\s+")
_BR = "\x00"
_SKIP_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00bb ")
# More opening tags than this and the page is not parsed: 200,000 elements take ~4 s and
# ~200 MB in BeautifulSoup, a million ~30 s and 1 GB. Real articles have a few thousand.
MAX_ELEMENTS = 200_000
# An XML prolog, then comments, a doctype or processing instructions, then the <html> element.
_XHTML = re.compile(r"\A\ufeff?\s*<\?xml[^>]*>(?:\s*(?:<!--.*?-->|<!DOCTYPE[^>]*>|<\?[^>]*\?>))*\s*<html[\s>]",
                    re.I | re.S)


def read_html(text: str, boilerplate: frozenset[str] = frozenset()) -> Extracted:
    """Extract the article; pages too deep or too big for the parser fall back to tag-stripped text."""
    if text.count("<") - text.count("</") > MAX_ELEMENTS:
        return read_plain(strip_tags(text), boilerplate)
    try:
        with warnings.catch_warnings():
            if _XHTML.match(text):
                # XHTML is HTML written as XML: the HTML parser reads it right, and bs4's warning
                # that an XML document is parsed as HTML would be noise on every such page. Other
                # XML (an RSS feed named .html) keeps the warning, one line by the indexer.
                warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            return _read(BeautifulSoup(text, "lxml"), boilerplate)
    except RecursionError:
        return read_plain(strip_tags(text), boilerplate)


def strip_tags(text: str) -> str:
    """Last-resort text of an HTML page: scripts and styles out, block tags to line breaks."""
    text = re.sub(r"(?is)<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", " ", text)
    text = re.sub(r"(?i)</?(?:p|div|br|li|h[1-6]|tr|section|article|blockquote|pre)\b[^>]*>", "\n\n", text)
    return html_lib.unescape(re.sub(r"<[^>]*>", " ", text))


def _read(soup: BeautifulSoup, boilerplate: frozenset[str]) -> Extracted:
    out = Extracted()
    meta = _meta_tags(soup)
    _remove_chrome(soup)
    root = _choose_root(soup)
    _read_fields(soup, root, meta, out)
    _trim_headers(soup, root)
    top = soup.body or soup
    walked = _walk(top, root)
    if not any(reason is None for _, _, reason in walked) and root is not top:
        walked = _walk(top, top)
    # Entities (&rsquo; &mdash; &nbsp;) are decoded by the parser, after the page was normalised.
    walked = [(normalize(text), level, reason) for text, level, reason in walked]
    out.fields = {key: normalize(value).strip() for key, value in out.fields.items()}
    _drop_chrome_blocks(walked, boilerplate, out)
    if not out.fields.get("title"):
        out.set_default("title", next((t for t, level in out.parts if level == 1), None))
    redirect = _redirect_target(meta, out)
    if redirect:
        out.fields["redirect"] = redirect
    return out


def _redirect_target(meta: dict[str, str], out: Extracted) -> str | None:
    """Where a redirect stub points: a page with an immediate meta refresh (or one that says only
    "Redirecting...") and next to no text of its own."""
    words = sum(len(text.split()) for text, _ in out.parts)
    if words > 40:
        return None
    m = re.match(r"\s*0*\s*[;,]\s*url\s*=\s*['\"]?([^'\"]+)", meta.get("refresh", ""), re.I)
    if m:
        return m.group(1).strip()
    first = out.parts[0][0] if out.parts else ""
    if re.match(r"(?i)redirecting\b(?:\s+to\b[^.!?]*)?\s*(?:\.\.\.|…)?$", first):
        return "another page"
    return None


def _trim_headers(soup: BeautifulSoup, root: Tag) -> None:
    """An article's <header> keeps its headings (the post title); the page's header goes."""
    page_level = root is soup.body or root is soup
    if not page_level:      # the page's own headers, outside the article: chrome, said as such
        inside = {id(h) for h in root.find_all("header")} | {id(p) for p in root.parents}
        for header in soup.find_all("header"):
            if id(header) not in inside and not _decomposed(header):
                _take_out(soup, header, "page header")
    for header in (soup if page_level else root).find_all("header"):
        if _decomposed(header):
            continue
        kept = [] if page_level else [h.extract() for h in header.find_all(list(HEADINGS))]
        anchor = soup.new_tag(REMOVED)
        anchor.removed_lines = []
        header.insert_before(anchor)
        if kept:
            anchor.insert_after(*kept)
        # Decomposing marks the headers nested in this one, so they are not scanned again.
        _take_out(soup, header, "page header" if page_level else "article header")
        anchor.decompose()


def _meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    """<meta> content by lower-cased name/property/itemprop; the first of each wins."""
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = (tag.get("content") or "").strip()
        key = tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv")
        if content and isinstance(key, str):
            found.setdefault(key.strip().lower(), content)
    return found


REMOVED = "docsearch-removed"       # stands where chrome was taken out; carries its lines and why
_UNSEEN = frozenset("script style noscript template svg canvas object embed video audio map iframe".split())
_TAG_REASONS = {"nav": "navigation", "aside": "aside", "footer": "footer", "form": "form", "dialog": "dialog",
                "button": "form control", "select": "form control", "textarea": "form control",
                "input": "form control"}
_INLINE = frozenset("a span em strong b i u code small abbr sup sub cite q mark time kbd var label".split())


def _take_out(soup: BeautifulSoup, tag: Tag, reason: str) -> None:
    """Replace `tag` by a REMOVED placeholder holding its text lines (with their own reasons when
    chrome was taken out inside it), so the reader can record them where they stood. What is
    never shown (scripts, styles, hidden elements) is not text of the page: it just goes."""
    if tag.name not in _UNSEEN and reason != "hidden":
        lines = [(text, inner or reason) for text, _, inner in _walk(tag, tag)]
        if lines:
            placeholder = soup.new_tag(REMOVED)
            placeholder.removed_lines = lines
            tag.insert_before(placeholder)
    tag.decompose()


def _chrome_reason(tag: Tag) -> str:
    if _is_hidden(tag):
        return "hidden"
    role = str(tag.get("role", "")).lower()
    if role:
        return {"navigation": "navigation", "banner": "page header", "contentinfo": "footer",
                "complementary": "aside", "search": "search box"}.get(role, "site chrome")
    names = list(tag.get("class") or []) + str(tag.get("id") or "").split()
    token = next((name for name in names if _CHROME_TOKEN.match(name)), "chrome")
    return f"site chrome ({token.lower()})"


def _remove_chrome(soup: BeautifulSoup) -> None:
    for tag in soup.find_all(DROP_TAGS):
        if not _decomposed(tag) and not _belongs_to_text(tag):
            _take_out(soup, tag, _TAG_REASONS.get(tag.name, tag.name))
    in_headings: set[int] = set()
    for heading in soup.find_all(list(HEADINGS)):
        if id(heading) not in in_headings:      # (a heading nested in one already seen is not re-scanned)
            in_headings.update(id(inner) for inner in heading.find_all(True))
    doomed = [tag for tag in soup.find_all(True) if tag.name not in _KEEP and id(tag) not in in_headings
              and (_is_hidden(tag) or _is_chrome_box(tag))]
    if not doomed:
        return
    # A doomed tag's subtree is unchanged until it is checked (its doomed descendants come
    # after it in document order), so text sizes and content markers are counted once, up front.
    text_len, has_content = _subtree_facts(soup)
    total = text_len.get(id(soup), 0) or 1
    for tag in doomed:
        if _decomposed(tag):
            continue
        if has_content.get(id(tag)):
            continue        # a wrapper with a chrome-ish class ("comments-open") around the content
        if not _is_hidden(tag) and text_len.get(id(tag), 0) > 0.5 * total:
            continue
        reason = _chrome_reason(tag)
        if _MENU_REASON.match(reason) and _written_words(tag):
            continue        # a "menu" that says more than its links: a Texinfo menu's descriptions
        _take_out(soup, tag, reason)


_MENU_TOKENS = ("menu", "sidebar", "navbar", "navigation")      # and their parts: "sidebar-title", "menu-item"
_MENU_REASON = re.compile(rf"^site chrome \((?:{'|'.join(_MENU_TOKENS)})(?:-\w+)?\)$")
_WORD = re.compile(r"[^\W_]+")


def _written_words(box: Tag) -> bool:
    """Whether a third or more of a menu's words stand outside its links: a site's menu, sidebar or
    nav bar is links; a Texinfo menu ("Linking: Linking with libnettle and libhogweed.") says
    what each section holds in words found nowhere else in the document."""
    linked = sum(len(_WORD.findall(a.get_text())) for a in box.find_all("a"))
    total = len(_WORD.findall(box.get_text()))
    return total > 0 and total - linked >= total / 3


def _is_chrome_box(tag: Tag) -> bool:
    """A block whose role, class or id names chrome; never an inline element (a heading's
    <a class="header"> permalink wrapper is the heading's text) nor anything inside a heading."""
    if tag.attrs is None or tag.name in _INLINE:
        return False
    names = list(tag.get("class") or []) + str(tag.get("id") or "").split()
    if str(tag.get("role", "")).lower() in ("navigation", "banner", "contentinfo", "complementary", "search"):
        return True
    return any(_CHROME_TOKEN.match(name) for name in names)


def _choose_root(soup: BeautifulSoup) -> Tag:
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    mains = soup.find_all("main") or soup.find_all(attrs={"role": "main"})
    if mains:
        return mains[0]
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.body or soup


def _read_fields(soup: BeautifulSoup, root: Tag, meta: dict[str, str], out: Extracted) -> None:
    title_tag = soup.find("title")
    page_title = _collapse(title_tag.get_text()) if title_tag else ""
    site = meta.get("og:site_name") or meta.get("application-name")
    out.set_default("title", meta.get("og:title") or _strip_site(page_title, site) or None)
    out.set_default("source", site or meta.get("dc.publisher") or meta.get("citation_publisher"))
    for key in ("article:published_time", "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created",
                "citation_date", "citation_publication_date", "datepublished", "pubdate"):
        out.set_default("date", parse_date(meta.get(key)))
    for scope in (root, soup):
        for time in scope.find_all("time", limit=5):
            out.set_default("date", parse_date(time.get("datetime")) or parse_date(_collapse(time.get_text())))
    author = meta.get("author") or meta.get("citation_author") or meta.get("dc.creator") or meta.get("article:author")
    if author and not author.startswith("http"):
        out.set_default("author", author)
    canonical = soup.find("link", rel="canonical")
    out.set_default("url", (canonical.get("href") if canonical else None) or meta.get("og:url"))
    html_tag = soup.find("html")
    lang = (html_tag.get("lang") or html_tag.get("xml:lang")) if html_tag else None
    lang = lang or meta.get("content-language") or meta.get("og:locale")
    out.set_default("language", normalize_language(lang) if lang else None)


def _strip_site(title: str, site: str | None) -> str:
    """'Post title | Site Name' -> 'Post title' when the site's name is known."""
    if site:
        for sep in _TITLE_SEPARATORS:
            if title.endswith(sep + site):
                return title[: -len(sep + site)].strip()
            if title.startswith(site + sep):
                return title[len(site + sep):].strip()
    return title


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


_PERMALINK = re.compile(r"(?:\s+#|\s*[\u00b6\U0001f517])+\s*$|^\s*[\u00b6\U0001f517]\s*")


_MARK = frozenset(["#", "\u00b6", "\U0001f517"])
_BRACKETED = re.compile(r"\[\w[\w ]{0,15}\]")          # "[src]", "[edit]": a link of a heading's own


def inline_text(node: Tag) -> str:
    """The text of a heading or table cell as shown: inline elements run on ("<acronym>AES</acronym>128"
    is "AES128", "<code>Buffer</code>s" is "Buffers"), a <br> or a block inside is a space, and a
    permalink mark that is a link of its own ("Title<a>#</a>") stands apart, so it can be dropped,
    as does a bracketed link ("Stream<a>[src]</a>" is "Stream [src]", "History [edit]")."""
    out: list[str] = []
    for child in node.descendants:
        if type(child) in _TEXT_TYPES:
            text = str(child)
            alone = child.parent is not node and child.parent.get_text().strip() == text.strip()
            if alone and (text.strip() in _MARK or _BRACKETED.fullmatch(text.strip())):
                text = " " + text
            out.append(text)
        elif isinstance(child, Tag) and (child.name == "br" or child.name in BLOCKS
                                         or (child.name in _INLINE and phrases_apart(child))):
            out.append(" ")
    return _collapse("".join(out))


def phrases_apart(node: Tag) -> bool:
    """Whether an inline element and the one just before it (no text between) are two phrases a
    page's style sheet sets apart: each holds a space, and together they would make one word of
    the last of one and the first of the other (Node.js's <span>Added in: v10.5.0</span><span>Removed
    in: v12.5.0</span> is "v10.5.0 Removed", not "v10.5.0Removed"). A word in parts
    ("<b>W</b>ord", "<span>Hel</span><span>lo</span>") has no space in a part and stays one."""
    before = node.previous_sibling
    if not isinstance(before, Tag) or before.name not in _INLINE:
        return False
    left, right = before.get_text(), node.get_text()
    return (left[-1:].isalnum() and right[:1].isalnum() and " " in left.strip() and " " in right.strip())


def heading_text(node: Tag) -> str:
    """A heading's words: inline wrappers (links, spans) read through, permalink marks dropped."""
    return _PERMALINK.sub("", inline_text(node))


def pre_text(pre: Tag) -> str:
    """The text of a <pre> as shown: a <br> is a line break, and each <code> block of several side
    by side (Node.js's ES-module and CommonJS versions of an example) starts on a line of its own,
    so the last word of one never runs into the first of the next ("16const")."""
    out: list[str] = []
    for node in pre.descendants:
        if type(node) in _TEXT_TYPES:
            out.append(str(node))
        elif isinstance(node, Tag):
            if node.name == "br" or (node.name == "code" and node.parent is pre and out
                                     and not out[-1].endswith("\n") and "".join(out).strip()):
                out.append("\n")
    return "".join(out)


def _removed_within(node: Tag, parts: list) -> None:
    """The lines of chrome taken out inside a block read whole (a copy button in a <pre>)."""
    for placeholder in node.find_all(REMOVED):
        parts.extend((text, 0, why) for text, why in getattr(placeholder, "removed_lines", ()))


def html_blocks(markup: str) -> list[tuple[str, int]]:
    """Headings, paragraphs and table rows of an (X)HTML document that is all content (an EPUB
    chapter): the same walk as a web page, without the page's chrome heuristics."""
    with warnings.catch_warnings():
        # XHTML read as HTML on purpose: HTML parsing is lenient with the broken markup books have.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    root = soup.body or soup
    return [(normalize(text), level) for text, level, _ in _walk(root, root)]


def _walk(top: Tag, root: Tag) -> list[tuple[str, int, str | None]]:
    """Blocks in document order as (text, heading level, None), with an explicit stack (no
    recursion on deep pages); text outside `root`, and text taken out as chrome (REMOVED
    placeholders), comes as (text, 0, reason)."""
    parts: list[tuple[str, int, str | None]] = []
    buffer: list[str] = []
    outside = "outside the main content"
    reason: str | None = None           # of the text in the buffer

    def flush() -> None:
        text = _WHITESPACE.sub(" ", "".join(buffer)).replace(_BR, "\n")
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
        if text:
            parts.append((text, 0, reason))
        buffer.clear()

    stack: list[tuple[object, bool, bool]] = [(top, False, top is root)]
    while stack:
        node, leaving, inside = stack.pop()
        if leaving:
            flush()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIP_STRINGS):
                if str(node).strip() and (None if inside else outside) != reason:
                    flush()
                    reason = None if inside else outside
                buffer.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == REMOVED:
            flush()
            parts.extend((text, 0, why) for text, why in getattr(node, "removed_lines", ()))
            continue
        if node is root and not inside:
            flush()
            inside = True
        if name in HEADINGS:
            flush()
            parts.append((heading_text(node), HEADINGS[name], None) if inside
                         else (inline_text(node), 0, outside))
            _removed_within(node, parts)
            continue
        if name == "pre":
            flush()
            parts.append(("\n".join(line.rstrip() for line in pre_text(node).split("\n")).strip("\n"), 0,
                          None if inside else outside))
            _removed_within(node, parts)
            continue
        if name == "tr" and _one_line_row(node):
            flush()
            cells = [inline_text(c) for c in node.find_all(["td", "th"], recursive=False)]
            parts.append((" | ".join(c for c in cells if c), 0, None if inside else outside))
            _removed_within(node, parts)
            continue
        if name == "br":
            buffer.append(_BR)
            continue
        if name == "a" and str(node.get("href", "")).startswith("#") and node.get_text().strip() in _MARK:
            continue            # a permalink ("Berth¶": Sphinx's glossary terms, signatures), as in headings
        if name in BLOCKS or name == "li":
            flush()
            stack.append((node, True, inside))
        elif name in _INLINE and phrases_apart(node):
            buffer.append(" ")
        stack.extend((child, False, inside) for child in reversed(node.contents))
    flush()
    return [(text, level, why) for text, level, why in parts if text.strip()]


def _one_line_row(tr: Tag) -> bool:
    """A table row read as one line of cells: no cell holds more than one paragraph (docutils and
    Sphinx put each cell's text in a <p>) and none holds a list, a table or a heading."""
    for cell in tr.find_all(["td", "th"], recursive=False):
        blocks = cell.find_all(_STRUCTURAL)
        if len(blocks) > 1 or (blocks and blocks[0].name != "p"):
            return False
    return True


def _drop_chrome_blocks(walked: list[tuple[str, int, str | None]], boilerplate: frozenset[str],
                        out: Extracted) -> None:
    """Parts and removals into `out`, in page order, with the line-level chrome that survives the
    markup (bylines, notices) recorded as removed. Learned boilerplate goes only before the first
    body paragraph (not the line just before it: a heading) or after the last and the text that
    follows it, never a heading."""
    reasons: list[str | None] = []
    for text, level, reason in walked:
        if reason is None and level == 0 and len(text) <= chrome.MAX_CHROME_LINE:
            if chrome.parse_byline(text):
                reason = "byline"
            elif chrome.is_notice(text):
                reason = "notice"
        reasons.append(reason)
    body = [i for i, (text, level, _) in enumerate(walked)
            if reasons[i] is None and level == 0 and (len(text) >= 200 or (len(text) >= 80 and chrome.ends_sentence(text)))]
    # Line-level chrome stands at the edges: before the page's first heading or body paragraph, or
    # after its last body paragraph ("related" and "search" in an index of words are entries).
    first = min([i for i, (_, level, _) in enumerate(walked) if level][:1] + body[:1], default=None)
    for i, (text, _, _) in enumerate(walked):
        if reasons[i] and walked[i][2] is None:             # (line-level chrome only: markup's stays)
            where = "body" if not body else "head" if i < first else "foot" if i > body[-1] else "body"
            reasons[i] = chrome.placed(reasons[i], text, where)
            if reasons[i] == "byline":                      # (author and date from a byline that goes)
                byline = chrome.parse_byline(text)
                out.set_default("author", byline.author)
                out.set_default("date", byline.date)
    if boilerplate:
        if body:
            # After the last body paragraph, only what no line of text follows (more than three
            # words, kept, not learned itself): a page's foot. A section title with its entries
            # under it is the page's.
            last_text = max((i for i, (text, _, _) in enumerate(walked)
                             if reasons[i] is None and len(text.split()) > 3
                             and chrome.line_key(text) not in boilerplate), default=-1)
            for i in [*range(0, body[0] - 1), *range(max(body[-1], last_text) + 1, len(walked))]:
                text, level, _ = walked[i]
                if reasons[i] is None and level == 0 and "\n" not in text and chrome.line_key(text) in boilerplate:
                    reasons[i] = "learned boilerplate"
    for (text, level, _), reason in zip(walked, reasons):
        if reason:
            out.remove(text, reason)
        else:
            out.parts.append((text, level))
