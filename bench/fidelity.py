"""The fidelity audit: of the words a reader of each file sees, how many are in its passages,
how many in lines the indexer left out (and why), and how many are lost.

Each file is read through the indexer's own pipeline (learn_boilerplate, load_document,
segment), the way `docsearch index` reads it. The words it is held to are the visible text
of the file, worked out independently of the readers (bench/visible.py): a text file's text,
an HTML page's text as a browser lays it out without the page's CSS, a Markdown file's text as
a CommonMark renderer shows it. A word counts as kept when the passages hold it as often as the
file does; the rest is matched against the removed lines, and what is left is lost.
"""
from __future__ import annotations

import os
import random
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit

from bench.visible import visible_text  # noqa: F401  (what a reader sees; tests import it from here)

_WORD = re.compile(r"[^\W_]+")
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def words(text: str) -> list[str]:
    """Case-folded runs of letters and digits: what "a word of the text" means here."""
    return _WORD.findall(text.casefold())


NORMAL_FORM_KEEPS = 0.99   # the normal form joins a word's pieces (a soft hyphen) but never drops words
REPEATED_IN = 5        # a removed line found removed in this many files or more is a site's furniture
COPY, LINK = "copy of kept text", "link to kept text"
REPEATED, OTHER = f"repeated in {REPEATED_IN}+ files", "other"
CLASSES = (COPY, LINK, REPEATED, OTHER)     # in the order removed words are matched to them


@dataclass
class Audit:
    """Counts over a set of files; `removed` holds every removed line (text, reason, file), and
    `removed_facts` for each its word count, whether it is a copy of text the document keeps,
    and its key across files."""

    name: str
    files: int = 0
    documents: int = 0
    skipped: Counter = field(default_factory=Counter)          # reason -> files
    source_words: int = 0
    in_passages: int = 0
    in_removed: int = 0
    lost: int = 0
    removed_lines: Counter = field(default_factory=Counter)     # reason -> lines
    removed_words: Counter = field(default_factory=Counter)     # reason -> words
    passages: int = 0
    short_passages: int = 0          # < 80 characters
    tiny_passages: int = 0           # < 40 characters in a document longer than that
    untitled: int = 0
    lost_by_file: Counter = field(default_factory=Counter)
    lost_words: dict = field(default_factory=dict)             # file -> the words lost there, for a person to read
    removed: list = field(default_factory=list)
    removed_facts: list = field(default_factory=list)           # (words Counter, copy?, key), as `removed`
    links: dict = field(default_factory=dict)                  # file -> {anchor words: {target file}}
    kept_words: dict = field(default_factory=dict)             # HTML or Markdown file -> words it keeps
    by_folder: dict = field(default_factory=dict)              # top folder -> [source words, in passages]
    # The audit holds the readers to the text in the indexer's normal form, so a fault of the normal
    # form itself is out of its sight: file -> (words of the decoded file, markup included, and of its
    # normal form) where the normal form has fewer than NORMAL_FORM_KEEPS of them.
    normal_form_drops: dict = field(default_factory=dict)
    unmatched: list = field(default_factory=list)               # per document: (source words not in passages,
                                                                #  index of its first removed line, count)

    def removal_classes(self) -> tuple[list[str], Counter]:
        """Each removed line's class, and the source words matched in the removed lines by class.

        The classes (CLASSES): a copy of text kept in the same document (a table of contents entry);
        a link to kept text, every word of the line the text of a link in its file whose words are
        kept in the file it points to (a menu entry that names another page of the archive); a line
        removed in REPEATED_IN files or more; other. Words are matched per document in that order,
        so the classes add up to `in_removed`."""
        files_of: dict[str, set] = {}
        for (_, _, label), (_, _, key) in zip(self.removed, self.removed_facts):
            files_of.setdefault(key, set()).add(label)
        classes = [COPY if copy else LINK if self._links_to_kept(text, label)
                   else REPEATED if len(files_of[key]) >= REPEATED_IN else OTHER
                   for (text, _, label), (_, copy, key) in zip(self.removed, self.removed_facts)]
        matched: Counter = Counter()
        for rest, first, count in self.unmatched:
            rest = Counter(rest)
            for cls in CLASSES:
                pool = Counter()
                for i in range(first, first + count):
                    if classes[i] == cls:
                        pool.update(self.removed_facts[i][0])
                took = Counter({w: min(n, pool[w]) for w, n in rest.items() if pool[w]})
                matched[cls] += sum(took.values())
                rest -= took
        return classes, matched

    def _links_to_kept(self, text: str, label: str) -> bool:
        """Whether each line of a removed `text` of file `label` is made of link texts (one or more,
        end to end), each of whose words the file the link points to keeps: a search for them finds
        where the link leads, so nothing a user could look for is lost with the line."""
        anchors = self.links.get(label)
        if not anchors:
            return False
        longest = max(len(a) for a in anchors)
        for line in text.split("\n"):
            ws = tuple(words(line))
            i = 0
            while i < len(ws):
                step = next((n for n in range(min(longest, len(ws) - i), 0, -1)
                             if any(set(ws[i:i + n]) <= self.kept_words.get(t, set())
                                    for t in anchors.get(ws[i:i + n], ()))), 0)
                if not step:
                    return False
                i += step
        return True

    def figures(self, sample: int = 25, seed: int = 12) -> dict:
        pct = (lambda n: round(100 * n / self.source_words, 3) if self.source_words else 0.0)
        rng = random.Random(seed)
        picked = rng.sample(self.removed, min(sample, len(self.removed)))
        classes, matched = self.removal_classes()
        by_class: dict[str, Counter] = {}
        for (_, reason, _), cls, (ws, _, _) in zip(self.removed, classes, self.removed_facts):
            by_class.setdefault(reason, Counter())[cls] += sum(ws.values())
        others = [r for r, cls in zip(self.removed, classes) if cls == OTHER]
        picked_other = random.Random(seed).sample(others, min(sample, len(others)))
        return {
            "files": self.files, "documents": self.documents, "skipped": dict(self.skipped.most_common()),
            "source_words": self.source_words, "in_passages_pct": pct(self.in_passages),
            "in_removed_pct": pct(self.in_removed), "lost_pct": pct(self.lost),
            # The removed words split (they add up to in_removed_pct): a verbatim copy of a heading
            # or line the same document keeps (a table of contents), a link whose words are kept
            # where it points (a menu entry naming another page), a line removed in REPEATED_IN files
            # or more (a site's menu, a button label), and the rest.
            "in_removed_copy_of_kept_pct": pct(matched[COPY]),
            "in_removed_link_to_kept_pct": pct(matched[LINK]),
            "in_removed_repeated_pct": pct(matched[REPEATED]),
            "in_removed_other_pct": pct(matched[OTHER]),
            "in_passages_or_copy_pct": pct(self.in_passages + matched[COPY]),
            # what a search still finds: in passages, or removed as a copy of kept text or a link to it
            "in_passages_or_findable_pct": pct(self.in_passages + matched[COPY] + matched[LINK]),
            # the top folders with the most words not in passages: their words and share in passages
            "folders_most_removed": {
                name: {"words": n, "in_passages_pct": round(100 * kept / n, 3) if n else 0.0}
                for name, (n, kept) in sorted(self.by_folder.items(), key=lambda item: item[1][1] - item[1][0])[:5]
                if kept < n},
            "removed_lines_by_reason": dict(self.removed_lines.most_common()),
            "removed_words_by_reason": dict(self.removed_words.most_common()),
            "removed_words_by_reason_and_class": {r: dict(c) for r, c in sorted(
                by_class.items(), key=lambda item: -sum(item[1].values()))},
            "passages": self.passages, "passages_under_80": self.short_passages,
            "passages_under_40": self.tiny_passages, "documents_without_title": self.untitled,
            "most_lost": dict(self.lost_by_file.most_common(5)),
            "normal_form_drops": {k: list(v) for k, v in self.normal_form_drops.items()},
            "lost_words_by_file": {k: self.lost_words[k] for k, _ in self.lost_by_file.most_common()},
            "lost_words": self.lost,
            "removed_sample": [{"reason": r, "text": t[:200], "file": f} for t, r, f in picked],
            "removed_sample_other": [{"reason": r, "text": t[:200], "file": f} for t, r, f in picked_other],
        }


def audit_files(name: str, root: Path, paths: Iterable[Path], *, keep_all: bool = False) -> Audit:
    """Read each file as `docsearch index` would and count where its words went."""
    from bs4 import XMLParsedAsHTMLWarning

    from bench.visible import file_content
    from indexer.clean import normalize as normal_form
    from indexer.errors import UnsupportedFileError
    from indexer.readers.boilerplate import learn_boilerplate
    from indexer.readers.load import load_document
    from indexer.segment import segment

    paths = list(paths)
    boilerplate = frozenset() if keep_all else learn_boilerplate(paths)
    out = Audit(name)
    for path in paths:
        out.files += 1
        try:
            with warnings.catch_warnings():     # (the parser's XHTML notice: `docsearch index` reports it)
                warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
                doc = load_document(path, root, boilerplate=boilerplate, keep_all=keep_all)
        except UnsupportedFileError as e:
            out.skipped[re.sub(r"\(.*?\)|[\d,]+", "…", str(e))] += 1
            continue
        out.documents += 1
        passages = list(segment(doc))
        label = str(path.relative_to(root))
        content = file_content(path)            # (read once: the visible text, the check, the links)
        account(out, doc, passages, visible_text(path, content), label)
        decoded = normal_form.decode(content[0], html=content[1] in (".html", ".htm"))
        before, after = len(words(decoded)), len(words(normal_form.normalize(decoded)))
        if after < NORMAL_FORM_KEEPS * before:
            out.normal_form_drops[label] = (before, after)
        links, page = page_links(path, root, content)
        if page:        # (a link leads to a page: its words are what a search for the link's text finds)
            out.kept_words[label] = {w for p in passages for w in words(p.text)} | set(words(doc.title or ""))
            if links:
                out.links[label] = links
    return out


PAGES = (".html", ".htm", ".md", ".markdown")


def page_links(path: Path, root: Path, content: tuple[bytes, str] | None = None) -> tuple[dict, bool]:
    """The links of an HTML or Markdown file that lead to a file under `root` (itself, for a link
    to one of its own headings): the words of each link's text -> the files it leads to; and
    whether the file is such a page at all. `content`: its file_content(), if read already."""
    from bs4 import BeautifulSoup

    from bench.visible import file_content, markdown_html
    from indexer.clean.normalize import decode, normalize

    raw, suffix = content or file_content(path)
    if suffix not in PAGES:
        return {}, False
    markup = decode(raw, html=suffix in (".html", ".htm"))
    if suffix in (".md", ".markdown"):
        markup = markdown_html(markup)
    out: dict[tuple, set] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(markup, "html.parser")
    for a in soup.find_all("a", href=True):
        ws = tuple(words(normalize(a.get_text())))
        parts = urlsplit(a["href"].strip())
        if not ws or parts.scheme or parts.netloc:
            continue
        target = Path(os.path.normpath(path.parent / unquote(parts.path))) if parts.path else path
        try:
            out.setdefault(ws, set()).add(str(target.relative_to(root)))
        except ValueError:
            continue                # (a link out of the folder)
    return out, True


def account(out: Audit, doc, passages, source: str, label: str) -> None:
    """Add one document's figures to `out`."""
    have = Counter(w for p in passages for w in words(p.text))
    # Words a hyphen joins in the passages ("inter-Korean" -> "interkorean"), each as often as the
    # passages hold a hyphenated word that spells it: for a source word hyphenated at a line end,
    # which the audit rejoins and the reader rightly kept ("peace-/keeping" where the speech writes
    # "peace-keeping" seven times and "peacekeeping" twice).
    joined = Counter(w for p in passages for w in _hyphen_joins(p.text, each=True))
    removed = Counter()
    kept_lines, heading_starts = _kept_forms(doc)
    first = len(out.removed)
    for r in doc.removed:
        ws = words(r.text)
        removed.update(ws)
        out.removed_lines[r.reason] += 1
        out.removed_words[r.reason] += len(ws)
        out.removed.append((r.text, r.reason, label))
        lines = [tuple(words(line)) for line in r.text.split("\n") if words(line)]
        copy = bool(lines) and all(line in kept_lines or line in heading_starts for line in lines)
        out.removed_facts.append((Counter(ws), copy, " ".join(ws)))
    need = Counter(words(source))
    total = sum(need.values())
    kept = sum(min(n, have[w]) for w, n in need.items())
    rest = Counter({w: n - have[w] for w, n in need.items() if n > have[w]})
    in_removed = sum(min(n, removed[w]) for w, n in rest.items())
    if doc.removed:
        out.unmatched.append((dict(rest), first, len(doc.removed)))
    rest = Counter({w: n - removed[w] for w, n in rest.items() if n > removed[w]})
    took = Counter({w: min(n, joined[w]) for w, n in rest.items() if joined[w]})  # "inter-Korean" read as "interkorean"
    rejoined = sum(took.values())
    rest -= took
    # A copied "X- Y" inside a line that the reader joined ("reflect- ing": "reflecting"): both words are
    # in the passages as one, where they hold that word more often than the source does.
    surplus = Counter({w: have[w] - need[w] for w in have if have[w] > need[w]})
    for m in _COPIED_PAIR.finditer(source.casefold()):
        x, y = m.group(1), m.group(2)
        if rest[x] and rest[y] and surplus[x + y]:
            rest[x] -= 1
            rest[y] -= 1
            surplus[x + y] -= 1
            rejoined += 2
    rest = +rest
    lost = sum(rest.values())
    out.source_words += total
    out.in_passages += kept + rejoined
    folder = out.by_folder.setdefault(label.split("/")[0] if "/" in label else ".", [0, 0])
    folder[0] += total
    folder[1] += kept + rejoined
    out.in_removed += in_removed
    out.lost += lost
    if lost:
        out.lost_by_file[label] = lost
        out.lost_words[label] = sorted(rest.elements())[:40]
    out.passages += len(passages)
    out.short_passages += sum(len(p.text) < 80 for p in passages)
    if len(doc.text) >= 40:
        out.tiny_passages += sum(len(p.text) < 40 for p in passages)
    out.untitled += not doc.title


_HYPHENATED = re.compile(r"[^\W_]+(?:-\s{0,2}[^\W_]+)+")   # (a kept line end: "with no-\n\nparse-options", two items)
_COPIED_PAIR = re.compile(r"([^\W_]+)- ([^\W_]+)")


def _hyphen_joins(text: str, each: bool = False) -> set[str] | list[str]:
    """The words a source could spell by joining consecutive parts of a hyphenated word of `text`
    across a line end: "nuclear-weapon-free" -> nuclearweapon, weaponfree, nuclearweaponfree (the
    reader joins "nuclear-" at a line end and "weapon-free"; the indexer, rightly, keeps it).
    `each`: a list, with each form once for every hyphenated word of `text` that spells it."""
    out: list[str] = []
    for m in _HYPHENATED.finditer(text.casefold()):
        parts = re.sub(r"\s", "", m.group()).split("-")
        out += {"".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 2, len(parts) + 1)}
    return out if each else set(out)


def _kept_forms(doc) -> tuple[set, set]:
    """The word sequences of every line the document keeps, and the words of each of its headings,
    with or without its section number, less its last word at most (a table of contents entry
    leaves out a heading's "7.2" or its trailing "[src]" link)."""
    lines, starts = set(), set()
    for block in doc.blocks:
        for line in block.text.split("\n"):
            lines.add(tuple(words(line)))
        if block.heading:
            ws = words(block.text)
            unnumbered = ws[next((i for i, w in enumerate(ws) if not w.isdigit()), len(ws)):]
            for form in (ws, unnumbered):
                starts.update(tuple(form[:n]) for n in range(max(1, len(form) - 1), len(form) + 1))
    return lines, starts


def debian_docs(root: Path = Path("/usr/share/doc"), n: int | None = None) -> list[Path]:
    """The HTML, text and Markdown files of a Debian machine's documentation folder, sorted;
    `n` takes an evenly spread subset."""
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    if n is not None and n < len(files):
        step = len(files) / n
        files = [files[int(i * step)] for i in range(n)]
    return files


def debian_readable(root: Path = Path("/usr/share/doc"), n: int | None = None) -> list[Path]:
    """The files of the folder beyond debian_docs that the indexer reads as text, Markdown or HTML:
    gzip-compressed ones (changelog.gz, README.md.gz) and names without a type (copyright,
    README.Debian), told by content as the indexer tells them; `n` an evenly spread subset."""
    from bench.visible import file_content
    from indexer.errors import UnsupportedFileError
    from indexer.files import COMPRESSED, inner_name, is_document_name, type_suffix

    files = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(root).parts) \
                or not is_document_name(p.name):
            continue
        if type_suffix(p.name) != COMPRESSED and type_suffix(p.name):
            continue                        # a named file: debian_docs
        try:
            if file_content(p, head=64)[1] in SUFFIXES and type_suffix(inner_name(p.name)) in SUFFIXES + ("",):
                files.append(p)
        except UnsupportedFileError:
            continue                        # (empty, damaged: the audit counts what it reads)
    if n is not None and n < len(files):
        step = len(files) / n
        files = [files[int(i * step)] for i in range(n)]
    return files


def render(results: dict) -> str:
    lines = ["| corpus | files | docs | words | in passages | in removed lines | lost | passages < 80 ch "
             "| passages < 40 ch | no title |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, f in results.items():
        lines.append(f"| {name} | {f['files']:,} | {f['documents']:,} | {f['source_words']:,} "
                     f"| {f['in_passages_pct']:.3f}% | {f['in_removed_pct']:.3f}% | {f['lost_pct']:.3f}% "
                     f"| {f['passages_under_80']:,} of {f['passages']:,} | {f['passages_under_40']:,} "
                     f"| {f['documents_without_title']:,} |")
    lines += ["", f"| corpus | in passages | removed: {COPY} | removed: {LINK} | removed: {REPEATED} "
              "| removed: other | lost | in passages or copied there | in passages, or copied or linked there |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, f in results.items():
        lines.append(f"| {name} | {f['in_passages_pct']:.3f}% | {f['in_removed_copy_of_kept_pct']:.3f}% "
                     f"| {f['in_removed_link_to_kept_pct']:.3f}% "
                     f"| {f['in_removed_repeated_pct']:.3f}% | {f['in_removed_other_pct']:.3f}% "
                     f"| {f['lost_pct']:.3f}% | {f['in_passages_or_copy_pct']:.3f}% "
                     f"| {f['in_passages_or_findable_pct']:.3f}% |")
    for name, f in results.items():
        lines.append(f"\n{name}: removed lines by reason (lines / words): " + ", ".join(
            f"{reason} {n:,} / {f['removed_words_by_reason'].get(reason, 0):,}"
            for reason, n in f["removed_lines_by_reason"].items()) or "none")
        split = f.get("removed_words_by_reason_and_class", {})
        if split:
            lines.append(f"{name}: removed words by reason ({' / '.join(CLASSES)}): " + ", ".join(
                f"{reason} " + " / ".join(f"{c.get(cls, 0):,}" for cls in CLASSES) for reason, c in split.items()))
        if f.get("folders_most_removed"):
            lines.append(f"{name}: folders with the most words not in passages (words, in passages): " + ", ".join(
                f"{k} {v['words']:,} {v['in_passages_pct']:.3f}%" for k, v in f["folders_most_removed"].items()))
        drops = f.get("normal_form_drops", {})
        lines.append(f"{name}: files whose normal form drops words (decoded / normal): " + (", ".join(
            f"{k} {a:,} / {b:,}" for k, (a, b) in list(drops.items())[:10]) or "none"))
        if f["skipped"]:
            lines.append(f"{name}: skipped: " + ", ".join(f"{r} {n:,}" for r, n in f["skipped"].items()))
        if f["most_lost"]:
            lines.append(f"{name}: {f.get('lost_words', 0):,} words lost, in {len(f.get('lost_words_by_file', {})):,} "
                         "files; the most: " + ", ".join(f"{k} {v:,}" for k, v in f["most_lost"].items()))
            lines += [f"  {k}: {' '.join(ws)}" for k, ws in list(f.get("lost_words_by_file", {}).items())[:30]]
    return "\n".join(lines)


def render_sample(results: dict) -> str:
    out = []
    for name, f in results.items():
        out.append(f"\n{name}: a random sample of removed lines")
        out += [f"  [{s['reason']}] {s['text']!r}  ({s['file']})" for s in f["removed_sample"]]
        out.append(f"{name}: a random sample of removed lines that are neither a copy of kept text, nor a link "
                   f"to kept text, nor repeated in {REPEATED_IN}+ files")
        out += [f"  [{s['reason']}] {s['text']!r}  ({s['file']})" for s in f["removed_sample_other"]]
    return "\n".join(out)
