"""`python -m bench relevance|speed|load|fidelity|formats|facets|mailbox|readme`: run a benchmark, print its table, write its JSON."""
from __future__ import annotations

import socket
from pathlib import Path

import click

from bench import engines
from bench.corpora import DEFAULT_CORPORA, as_stories, judged_collections, load_collection
from bench.report import write_json

SMOKE_DOCS = 300        # per collection: a few hundred documents, seconds per engine
SMOKE_FILES = 100       # UN files (~1.4 MB, ~1,800 passages)


def _output(f):
    """--smoke, --out and --machine: what every command takes (see _finish)."""
    f = click.option("--smoke", is_flag=True, help="A small, quick run that proves the harness works.")(f)
    f = click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                     help="Folder for the JSON file [default: bench/results/].")(f)
    f = click.option("--machine", help="Tag in the JSON file name [default: host name].")(f)
    return f


def _common(f):
    f = click.option("--corpora", type=click.Path(exists=True, file_okay=False, path_type=Path),
                     default=DEFAULT_CORPORA, show_default=True, help="Folder holding the collections.")(f)
    f = click.option("--engine", "engine_keys", type=click.Choice(engines.ENGINES), multiple=True,
                     help="Run only these engines (repeatable); default all.")(f)
    return _output(f)


def _finish(command, figures, text, out, machine, smoke):
    """Print the table; write the JSON (a smoke run's file is named apart and git-ignored)."""
    click.echo(text)
    tag = machine or socket.gethostname()
    path = write_json(command, figures, f"{tag}-smoke" if smoke else tag, out)
    click.echo(f"\nwrote {path}")


@click.group()
def cli():
    """Relevance and speed benchmarks of docsearch against SQLite FTS5, Tantivy and plain Whoosh."""


@cli.command()
@click.argument("collections", nargs=-1)
@click.option("--docs", type=click.IntRange(min=1), help="Index only the first N documents of each collection.")
@click.option("--held-out/--no-held-out", default=True, show_default=True,
              help="Also score docsearch's settings grid per collection (bench/tuning.py) and report "
                   "each collection's nDCG@10 with the settings chosen on the other collections.")
@click.option("--stories", type=click.IntRange(min=2), help="A check on long documents: each collection re-cut "
              "into articles of N stories (bench/corpora.as_stories), relevant where a story is; no held-out grid.")
@_common
def relevance(collections, docs, held_out, stories, corpora, engine_keys, smoke, out, machine):
    """nDCG@10, MAP@100 and Recall@100 on judged collections (default: all under --corpora).

    \b
    Example:
        python -m bench relevance cranfield cisi
        python -m bench relevance --smoke --engine fts5
        python -m bench relevance --stories 6 --out /tmp/stories
    """
    from bench import tuning
    from bench.relevance import render, run_collection

    if smoke and docs:
        raise click.UsageError("--smoke sets --docs; give one or the other")
    docs = SMOKE_DOCS if smoke else docs
    known = judged_collections(corpora)
    unknown = [c for c in collections if c not in known]
    if unknown:
        raise click.UsageError(f"no judged collection {', '.join(unknown)} in {corpora} "
                               f"(have: {', '.join(known) or 'none'})")
    keys = engine_keys or engines.ENGINES
    figures, grid = {}, {}
    for name in collections or known:
        click.echo(f"{name} ...", err=True)
        coll = load_collection(name, corpora, docs)
        if stories:
            coll = as_stories(coll, stories)
        figures[coll.name] = run_collection(coll, keys)
        if held_out and not stories and engines.PROJECT in keys:
            click.echo(f"{name}: {len(tuning.GRID)} docsearch settings for leave-one-collection-out ...", err=True)
            grid[name] = tuning.grid_scores(coll)
    if grid:
        for name, h in tuning.held_out(grid).items():
            figures[name]["tuning"] = h
    # A stories run is a check beside the table, written apart (relevance-stories-HOST.json).
    _finish("relevance-stories" if stories else "relevance",
            {"docs_limit": docs, "stories": stories, "engines": list(keys), "collections": figures},
            render(figures, keys), out, machine, smoke)


@cli.command()
@click.option("--files", "n_files", type=click.IntRange(min=1), help="Index an evenly spread subset of N files.")
@click.option("--max-passage-chars", type=click.IntRange(min=100), default=1000, show_default=True,
              help="Peers' passages: blank-line paragraphs, long ones cut at line ends near this size.")
@click.option("--whoosh-procs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Processes for plain Whoosh's writer (issue 4 measured 2).")
@click.option("--seed", type=int, default=4, show_default=True, help="Seed for the sampled phrases.")
@_common
def speed(n_files, max_passage_chars, whoosh_procs, seed, corpora, engine_keys, smoke, out, machine):
    """Index the UN General Debates with every engine; time keyword and phrase queries.

    \b
    Example:
        python -m bench speed --files 500
        python -m bench speed --smoke
    """
    from bench.speed import render, run_speed

    if smoke and n_files:
        raise click.UsageError("--smoke sets --files; give one or the other")
    keys = engine_keys or engines.ENGINES
    figures = run_speed(SMOKE_FILES if smoke else n_files, corpora, keys, max_passage_chars,
                        whoosh_procs, seed, cli_runs=1 if smoke else 5)
    _finish("speed", figures, render(figures, keys), out, machine, smoke)


@cli.command()
@click.option("--files", "n_files", type=click.IntRange(min=1), default=300, show_default=True,
              help="Index an evenly spread subset of N UN files to search.")
@click.option("--searches", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Library searches in this process.")
@click.option("--cli-searches", type=click.IntRange(min=1), default=500, show_default=True,
              help="Sequential `docsearch search` processes.")
@_common
def load(n_files, searches, cli_searches, corpora, engine_keys, smoke, out, machine):
    """Many searches on one index: memory (RSS) and file descriptors at start and end.

    \b
    Example:
        python -m bench load
        python -m bench load --smoke
    """
    import tempfile

    from bench.corpora import un_files
    from bench.load import run_load
    from bench.speed import FIXED_PHRASES, KEYWORDS
    from indexer import build_index

    if engine_keys:
        raise click.UsageError("load measures docsearch alone; --engine does not apply")
    if smoke:
        n_files, searches, cli_searches = SMOKE_FILES, 600, 10
    queries = [*KEYWORDS, *(f'"{p}"' for p in FIXED_PHRASES), "nuclear*", "disarmament~1", "nosuchword"]
    with tempfile.TemporaryDirectory(prefix="docsearch-load-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for f in un_files(corpora, n_files):       # one folder of links: the indexer sees only these
            (docs / f.name).symlink_to(f.resolve())
        summary = build_index([docs], Path(tmp) / "idx")
        click.echo(summary.line(), err=True)
        tag = machine or socket.gethostname()
        _, path = run_load(Path(tmp) / "idx", queries, library_searches=searches, cli_searches=cli_searches,
                           out=out, tag=f"{tag}-smoke" if smoke else tag)
    click.echo(f"\nwrote {path}")


@cli.command()
@click.option("--files", "n_files", type=click.IntRange(min=1),
              help="Audit an evenly spread subset of N files of each corpus [default: all].")
@click.option("--docs-root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("/usr/share/doc"), show_default=True,
              help="A folder of real HTML, text and Markdown files (a Debian machine's documentation).")
@click.option("--keep-all", is_flag=True, help="Read as `docsearch index --keep-all` does.")
@click.option("--sample", type=click.IntRange(min=0), default=25, show_default=True,
              help="Removed lines to print, at random, for a person to read.")
@_common
def fidelity(n_files, docs_root, keep_all, sample, corpora, engine_keys, smoke, out, machine):
    """Where the words of each file went: passages, removed lines (by reason) or lost.

    Over the UN General Debates and a folder of real documentation files; also passages
    under 80 characters and documents without a title.

    \b
    Example:
        python -m bench fidelity --files 1000
        python -m bench fidelity --smoke
    """
    from bench.corpora import UN_TXT, un_files
    from bench.fidelity import audit_files, debian_docs, debian_readable, render, render_sample

    if engine_keys:
        raise click.UsageError("fidelity audits docsearch's reading alone; --engine does not apply")
    if smoke and n_files:
        raise click.UsageError("--smoke sets --files; give one or the other")
    n_files = SMOKE_FILES if smoke else n_files
    results = {}
    if (corpora / UN_TXT).is_dir():
        click.echo("un-general-debates ...", err=True)
        results["un-general-debates"] = audit_files("un", corpora / UN_TXT, un_files(corpora, n_files),
                                                    keep_all=keep_all).figures(sample)
    click.echo(f"{docs_root} ...", err=True)
    results[str(docs_root)] = audit_files("docs", docs_root, debian_docs(docs_root, n_files),
                                          keep_all=keep_all).figures(sample)
    # Read since .gz files and names without a type are read by content: apart, so that the row
    # above keeps its meaning across runs.
    click.echo(f"{docs_root}: .gz and names without a type ...", err=True)
    results[f"{docs_root} (.gz, no type)"] = audit_files("docs", docs_root, debian_readable(docs_root, n_files),
                                                         keep_all=keep_all).figures(sample)
    figures = {"files_limit": n_files, "keep_all": keep_all, "corpora": results}
    _finish("fidelity", figures, render(results) + "\n" + render_sample(results), out, machine, smoke)


@cli.command()
@click.option("--pages", type=click.IntRange(min=1), default=40, show_default=True,
              help="Pages of the generated text PDF (the other formats get the same text).")
@click.option("--ocr-pages", type=click.IntRange(min=0), default=2, show_default=True,
              help="A4 scans to OCR (needs Tesseract; 0: none).")
@_output
def formats(pages, ocr_pages, smoke, out, machine):
    """Reading speed per format: pages/s for PDFs and OCR, MB/s for the others.

    \b
    Example:
        python -m bench formats
        python -m bench formats --smoke
    """
    from bench.formats import render, run

    figures = run(pages=4 if smoke else pages, ocr_pages=min(ocr_pages, 1) if smoke else ocr_pages)
    _finish("formats", figures, render(figures), out, machine, smoke)


@cli.command()
@click.option("--files", "n_files", type=click.IntRange(min=1), help="Index an evenly spread subset of N UN files.")
@click.option("--corpora", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=DEFAULT_CORPORA, show_default=True, help="Folder holding the collections.")
@_output
def facets(n_files, corpora, smoke, out, machine):
    """What facets add to a search (as a ratio), and the web page's server time, on the UN corpus.

    \b
    Example:
        python -m bench facets
        python -m bench facets --smoke
    """
    from bench.facets import render, run_facets

    if smoke and n_files:
        raise click.UsageError("--smoke sets --files; give one or the other")
    figures = run_facets(SMOKE_FILES if smoke else n_files, corpora)
    _finish("facets", figures, render(figures), out, machine, smoke)


@cli.command()
@click.option("--messages", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Messages in the generated mailbox (about 2 KB each).")
@click.option("--memory-mb", type=click.IntRange(min=1), default=256, show_default=True,
              help="The indexer's --memory-mb.")
@_output
def mailbox(messages, memory_mb, smoke, out, machine):
    """Indexing one large mailbox: messages per second and the indexer's peak RSS (--smoke: 2,000 messages).

    \b
    Example:
        python -m bench mailbox
        python -m bench mailbox --messages 20000 --memory-mb 64
    """
    from bench.mbox import render, run

    figures = run(2_000 if smoke else messages, memory_mb)
    _finish("mailbox", figures, render(figures), out, machine, smoke)


@cli.command()
def readme():
    """Rewrite README.md's benchmark section from the result files under bench/results/."""
    from bench.readme import README, update

    click.echo(f"{README}: {'updated' if update() else 'already current'}")


if __name__ == "__main__":
    cli(prog_name="python -m bench")
