"""The README's benchmark section, rendered from the committed result files.

`python -m bench readme` rewrites the part of README.md between the markers
`<!-- bench:start TAG -->` and `<!-- bench:end -->` from bench/results/*-TAG.json,
with the same tables the commands print; tests/test_bench.py fails when the README
no longer shows what the result files hold.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from bench.report import RESULTS

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"(<!-- bench:start (?P<tag>[\w.-]+) -->\n)(?P<body>.*?)(<!-- bench:end -->)", re.S)


def _load(command: str, tag: str, results: Path) -> dict | None:
    path = results / f"{command}-{tag}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def section(tag: str, results: Path = RESULTS) -> str:
    """The tables of the latest relevance, speed, load, facets, formats and mailbox runs on machine `tag`."""
    from bench.facets import render as render_facets
    from bench.formats import render as render_formats
    from bench.mbox import render as render_mailbox
    from bench.relevance import render as render_relevance
    from bench.speed import render as render_speed

    out = []
    rel, speed, load, facets, formats, mailbox = (_load(c, tag, results) for c in ("relevance", "speed", "load",
                                                                                    "facets", "formats", "mailbox"))
    for name, doc in (("relevance", rel), ("speed", speed), ("load", load), ("facets", facets),
                      ("formats", formats), ("mailbox", mailbox)):
        if doc is None:
            continue
        m = doc["machine"]
        out.append(f"**{name}** — `python -m bench {' '.join(doc['argv'])}`, {doc['date'][:10]}, "
                   f"{m['cores']} cores, {m['ram_gb']} GB RAM, Python {m['versions']['python']}\n")
        if name == "relevance":
            out.append(render_relevance(doc["collections"], doc["engines"]))
        elif name == "speed":
            out.append(render_speed(doc))
        elif name == "facets":
            out.append(render_facets(doc))
        elif name == "formats":
            out.append("Reading speed per format (files to Documents, one process; pages/s for PDFs and OCR)\n")
            out.append(render_formats(doc))
        elif name == "mailbox":
            out.append("One generated mailbox indexed (one process; peak RSS of the indexing process)\n")
            out.append(render_mailbox(doc))
        else:
            lib, cli = doc["library"], doc["cli"]
            out.append(f"{lib['searches']:,} library searches: RSS {lib['rss_kb_warm']:,} → {lib['rss_kb_end']:,} KiB, "
                       f"open files {lib['fds_warm']} → {lib['fds_end']}; {cli['searches']:,} CLI searches: peak RSS "
                       f"{cli['peak_rss_kb_first']:,} → {cli['peak_rss_kb_last']:,} KiB, {cli['failed']} failed.")
        out.append("")
    return "\n".join(out)


def current(text: str, results: Path = RESULTS) -> tuple[str, str]:
    """(the README's benchmark block, what it should be)."""
    m = _BLOCK.search(text)
    if m is None:
        raise ValueError("README.md has no '<!-- bench:start TAG -->' ... '<!-- bench:end -->' block")
    return m.group("body"), section(m.group("tag"), results)


def update(readme: Path = README, results: Path = RESULTS) -> bool:
    """Rewrite the block; True if it changed."""
    text = readme.read_text(encoding="utf-8")
    body, fresh = current(text, results)
    if body == fresh:
        return False
    m = _BLOCK.search(text)
    readme.write_text(text[:m.start("body")] + fresh + text[m.end("body"):], encoding="utf-8")
    return True
