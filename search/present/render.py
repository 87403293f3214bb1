"""Results -> text for a terminal, JSON for programs, a standalone HTML page for people.

Everything that comes from a document is escaped for its medium: HTML-escaped in
the page, control characters and escape sequences neutralised on the terminal; bidi
override and isolate controls are removed from text and HTML output.
"""
from __future__ import annotations

import html
import json
import os
import re

from search.results import DocumentInfo, IndexStats, PassageContext, Results

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates reorder what follows them on screen (a "Trojan Source"
# title can make a path or id read differently). Our own output never holds them: strip them all.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BOLD, _DIM, _CYAN, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[0m"


def _clean(text: str | None) -> str:
    """A metadata value made safe and single-line for the terminal."""
    return _CONTROL.sub(" ", " ".join(str(text).split())) if text else ""


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _style(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and text else text


def render_text(results: Results, *, color: bool = False) -> str:
    return _BIDI.sub("", _render_text(results, color=color))


def _render_text(results: Results, *, color: bool = False) -> str:
    if not results.hits:
        lines = ["no results" if results.total == 0 else f"no results on page {results.page} "
                 f"(there are {_count(results.total, 'result')}, {_count(results.pages, 'page')})"]
        if results.suggestion:
            lines.append(f"did you mean: {_clean(results.suggestion)}")
        return "\n".join(lines) + "\n"
    out = []
    for hit in results.hits:
        head = [_style(f"{hit.rank}.", _BOLD, color), _style(_clean(hit.title) or _clean(hit.path), _BOLD, color)]
        facts = [_clean(x) for x in (hit.date, hit.source) if x]
        if hit.section:
            facts.append(f"§ {_clean(hit.section)}")
        if hit.pages:
            facts.append(_clean(hit.pages))
        if hit.quoted:                  # an e-mail's quoted reply, not the words of the message's writer
            facts.append("quoted")
        facts.append(_style(_clean(hit.id), _CYAN, color))
        sep = _style(" · ", _DIM, color)
        out.append(" ".join(head) + sep + sep.join(facts))
        out.append("   " + hit.snippet.to_ansi(color=color))
        out.append("")
    first = results.hits[0].rank
    footer = f"{first}–{results.hits[-1].rank} of {_count(results.total, 'result')}"
    if results.pages > 1:
        footer += f" (page {results.page} of {results.pages})"
    out.append(_style(footer, _DIM, color))
    if results.suggestion:
        out.append(f"did you mean: {_clean(results.suggestion)}")
    return "\n".join(out) + "\n"


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def render_json(obj: Results | PassageContext | IndexStats) -> str:
    """Readable UTF-8 JSON; C1 controls (which some terminals obey as escapes) are \\u-escaped."""
    text = json.dumps(obj.to_dict(), ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }}
.hit {{ margin: 1.5rem 0; }}
.hit h2 {{ font-size: 1.05rem; margin: 0; }}
.meta {{ color: #666; font-size: .85rem; }}
.snippet {{ margin: .3rem 0 0; }}
mark {{ background: #ffe58a; padding: 0 .1em; }}
code {{ font-size: .85rem; }}
</style>
</head>
<body>
<h1>{heading}</h1>
{summary}
{hits}
</body>
</html>
"""


_LINKABLE = re.compile(r"https?://", re.IGNORECASE)


def display_path(abs_path: str | None) -> str:
    """A file's path as a terminal user can open it: relative to the current folder when below it, else absolute."""
    if not abs_path:
        return ""
    try:
        rel = os.path.relpath(abs_path)
    except ValueError:
        return abs_path
    return abs_path if rel == ".." or rel.startswith("../") else rel


def _file_uri(abs_path: str | None) -> str | None:
    """A file:// URL for a document's file (absolute paths only: an index older than roots has none)."""
    if not abs_path or not os.path.isabs(abs_path):
        return None
    from pathlib import Path

    return Path(abs_path).as_uri()


def render_html(results: Results) -> str:
    return _BIDI.sub("", _render_html(results))


def _render_html(results: Results) -> str:
    esc = html.escape
    hits = []
    for hit in results.hits:
        facts = [esc(x) for x in (hit.date, hit.source) if x]
        if hit.section:
            facts.append("§ " + esc(hit.section))
        if hit.pages:
            facts.append(esc(hit.pages))
        if hit.quoted:
            facts.append("quoted")
        facts.append(f"<code>{esc(hit.id)}</code>")
        title = esc(hit.title or hit.path)
        uri = _file_uri(hit.abs_path)
        if uri:
            facts.append(f'<a class="file" href="{esc(uri)}">{esc(display_path(hit.abs_path))}</a>')
        if hit.url and _LINKABLE.match(hit.url):      # never a javascript: or data: link from a document
            title = f'<a href="{esc(hit.url)}">{title}</a>'
        hits.append(f'<div class="hit">\n<h2>{hit.rank}. {title}</h2>\n'
                    f'<div class="meta">{" · ".join(facts)}</div>\n'
                    f'<p class="snippet">{hit.snippet.to_html()}</p>\n</div>')
    pages = f", page {results.page} of {results.pages}" if results.pages > 1 else ""
    summary = f"<p>{_count(results.total, 'result')}{pages}</p>"
    if results.suggestion:
        summary += f"\n<p>Did you mean: <em>{esc(results.suggestion)}</em>?</p>"
    if not results.hits:
        summary += "\n<p>No results.</p>"
    return _PAGE.format(title=esc(f"docsearch: {results.query}"), heading=esc(results.query),
                        summary=summary, hits="\n".join(hits))


def render_context(ctx: PassageContext, *, color: bool = False) -> str:
    return _BIDI.sub("", _render_context(ctx, color=color))


def _render_context(ctx: PassageContext, *, color: bool = False) -> str:
    head = _style(_clean(ctx.title) or _clean(ctx.path), _BOLD, color)
    where = display_path(ctx.abs_path) if ctx.abs_path else ctx.path
    facts = " · ".join(_clean(x) for x in (ctx.date, ctx.author, ctx.source, where, ctx.url) if x)
    out = [head, _style(facts, _DIM, color), ""]
    section = None
    for i, p in enumerate(ctx.passages):
        if p.section and p.section != section:
            out.append(_style(f"§ {_clean(p.section)}", _BOLD, color))
        section = p.section
        marker = ">" if i == ctx.focus else " "
        out.append(_style(f"{marker} [{p.id}]" + (f" {_clean(p.pages)}" if p.pages else "")
                          + (" quoted" if p.quoted else ""), _CYAN, color))
        out.append(p.snippet.to_ansi(color=color))
        out.append("")
    return "\n".join(out)


def render_removed(removed) -> str:
    """`docsearch show DOC --removed`: each line left out, with its reason, in document order."""
    head = f"{_clean(removed.title) or _clean(removed.path)}: {len(removed.lines):,} line" \
           f"{'s' * (len(removed.lines) != 1)} left out of the passages"
    out = [head]
    width = max((len(r.reason) for r in removed.lines), default=0)
    out += [f"  {_clean(r.reason):<{width}}  {_clean(r.text)}" for r in removed.lines]
    return _BIDI.sub("", "\n".join(out) + "\n")


def render_stats(stats: IndexStats) -> str:
    return _BIDI.sub("", _render_stats(stats))


def _render_stats(stats: IndexStats) -> str:
    lines = [f"index:     {stats.index_dir}",
             f"documents: {stats.documents:,}",
             f"passages:  {stats.passages:,}",
             f"size:      {stats.size_bytes / 1e6:.1f} MB",
             f"dates:     {stats.date_from or '-'} to {stats.date_to or '-'}",
             "languages: " + ", ".join(f"{k} {v:,}" for k, v in stats.languages.items()),
             "formats:   " + ", ".join(f"{k} {v:,}" for k, v in stats.types.items()),
             "sources:"]
    lines += [f"  {v:>6,}  {_clean(k)}" for k, v in list(stats.sources.items())[:20]]
    if len(stats.sources) > 20:
        lines.append(f"  … and {len(stats.sources) - 20} more")
    return "\n".join(lines) + "\n"


def render_documents(docs: tuple[DocumentInfo, ...], roots: dict[str, str], fmt: str = "text") -> str:
    """`docsearch list`: the index's roots and documents as text, JSON or CSV."""
    if fmt == "json":
        return json.dumps({"roots": roots, "documents": [d.to_dict() for d in docs]},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        names = list(DocumentInfo.__dataclass_fields__)
        writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for d in docs:
            writer.writerow(d.to_dict())
        return out.getvalue()
    lines = [f"root {_clean(label)}: {_clean(path)}" for label, path in roots.items()]
    for d in docs:
        facts = [_clean(x) for x in (d.title, d.date) if x]
        facts += [_count(d.passages, "passage"), f"{d.size:,} bytes"]
        if not d.exists:
            facts.append("file gone")
        lines.append(f"{_clean(d.doc_id)} · " + " · ".join(facts))
    lines.append(f"{_count(len(docs), 'document')} in {_count(len(roots), 'root')}")
    return _BIDI.sub("", "\n".join(lines)) + "\n"
