"""The `docsearch` command: a thin click layer over indexer.build_index and search.Searcher.

Library errors (DocsearchError) become one line on stderr and exit 2; no results
is still exit 0. Heavy modules are imported inside the commands so that a
search pays only for what it uses.
"""
from __future__ import annotations

import errno
import gc
import sys
from pathlib import Path

import click

from search.cliutil import (FORMATS, DocsearchFailure, _alias_args, _alias_options, _Group, _index_option,
                            _QueryCommand, _show_version, _silence_stdout, _use_color)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and exit.")
def cli():
    """Full-text search for document archives: find the passage, quote it, cite it.

    \b
    Example:
        docsearch index ~/archive --index idx/
        docsearch search '"agreed framework" missile' --index idx/
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_index_option
@click.option("--rebuild", is_flag=True, help="Build the index anew (needed after a schema change).")
@click.option("--metadata", type=click.Path(dir_okay=False, path_type=Path),
              help="A .tsv or .csv manifest: one row per document keyed by its path; extra columns become fields.")
@click.option("--no-metadata", is_flag=True, help="Forget the manifest an earlier run used (it is "
              "applied again by default).")
@click.option("--max-bytes", type=click.IntRange(min=1),
              help="Skip files larger than this [default: per format: 20 MB for text, Markdown and HTML; "
                   "200 MB for PDF; 100 MB for Word, OpenDocument and EPUB; 50 MB for e-mail and images; "
                   "a mailbox is read a message at a time: the limit is each message's].")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Processes that read and index files [default: the cores, up to 4, for 100+ files].")
@click.option("--memory-mb", type=click.IntRange(min=1), default=256, show_default=True,
              help="Memory for buffered postings and the files being read, all processes together; beyond "
                   "it a segment is written early (more, smaller segments: slower searches).")
@click.option("--ocr", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="OCR with Tesseract: auto reads pages and images without a text layer; always "
                   "also re-reads pages that have one; never skips them.")
@click.option("--keep-all", is_flag=True,
              help="Index every line: leave nothing out as site chrome, page furniture or boilerplate.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings; only the summary.")
@click.option("-v", "--verbose", is_flag=True, help="Also list each file skipped for its type (README, .gz).")
def index(paths, index_dir, rebuild, metadata, no_metadata, max_bytes, jobs, memory_mb, ocr, keep_all, quiet, verbose):
    """Index documents (.txt, .md, .html, .pdf, ...; see the README) under PATHS; no PATHS: the index's
    own folders again (the bundled seeds for a new index).

    Re-running is incremental: changed files (content, sidecar, manifest row) are
    re-indexed, deleted ones removed; unchanged ones are not read. Ids are the folder's
    name and the path below it (docs/report.txt), so folders never collide.

    \b
    Example:
        docsearch index ~/archive --index idx/
        docsearch index corpus/TXT --metadata corpus/metadata.tsv --index un/
        docsearch index --index idx/
    """
    from indexer import build_index

    if metadata and no_metadata:
        raise click.UsageError("--metadata and --no-metadata contradict each other; use one")
    if no_metadata:
        metadata = False
    bar = None
    show_bar = not quiet and sys.stderr.isatty()

    def progress(done, total, path):
        # done grows inside a big file too (a mailbox: by the part read; path is then its last message)
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="indexing", file=sys.stderr, show_percent=True,
                                    item_show_func=lambda item: item, update_min_steps=0)
            bar.__enter__()
        where = "".join(c if c.isprintable() else "?" for c in (path if len(path) <= 48 else "…" + path[-47:]))
        bar.update(max(0, done - bar.pos), current_item=f"{int(done):,}/{total:,} files  {where}")

    def warn(message):
        if not quiet:
            if bar is not None:
                click.echo("", err=True)
            click.echo(f"docsearch: warning: {message}", err=True)

    try:
        summary = build_index(list(paths) or None, index_dir, rebuild=rebuild, metadata=metadata,
                              max_bytes=max_bytes, procs=jobs, memory_mb=memory_mb, ocr=ocr, keep_all=keep_all,
                              progress=progress if show_bar else None, warn=warn, verbose=verbose)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(summary.line())


@cli.command(cls=_QueryCommand)
@click.argument("query", nargs=-1, required=True)
@_index_option
@click.option("-n", "--limit", type=click.IntRange(min=1, max=1000), default=10, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--or", "any_word", is_flag=True, help="Match any word (passages matching more words rank first).")
@click.option("--per-doc", type=click.IntRange(min=1),
              help="Rank documents: at most this many passages per document, kept together.")
@click.option("--from", "date_from", metavar="DATE", help="Only documents dated on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--to", "date_to", metavar="DATE", help="Only documents dated on or before DATE.")
@click.option("--source", help="Only documents from this source (its words, as a phrase).")
@click.option("--type", "doc_type", metavar="TYPE",
              help="Only documents of this format: pdf, docx, odt, epub, email, text, markdown, html, image.")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Only documents whose FIELD (author, lang, or a manifest column) matches VALUE.")
@click.option("--facets", "facet_list", metavar="FIELD,...",
              help="Also count every match per value of these fields (year, month, source, author, language, "
                   "type, a manifest column).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@_alias_options
def search(query, index_dir, limit, page, any_word, per_doc, date_from, date_to, source, doc_type, filters, facet_list,
           fmt, alias_file, no_builtin_aliases, no_aliases):
    """Ranked keyword or "phrase" search; see the README for the query language.

    \b
    Example:
        docsearch search '"no hostile intention"'
        docsearch search 'missile NOT nuclear' --from 2000 --format json
        docsearch search 'title:communiqué "agreed framework"~2'
        docsearch search 'sanctions type:pdf page:12'
        docsearch search 'North Korea' --aliases my-aliases.txt
        docsearch search missile --facets year,source
    """
    from search import Searcher
    from search.present.render import render_html, render_json, render_text

    extra = _filters(filters, source, doc_type)
    facets = _facet_names(facet_list)
    if facets and fmt == "html":
        raise click.UsageError("--facets shows in --format text and json; the web page (docsearch serve) "
                               "shows them beside HTML results")
    with Searcher(index_dir, **_alias_args(alias_file, no_builtin_aliases, no_aliases)) as s:
        results = s.search(" ".join(query), limit=limit, page=page, per_doc=per_doc,
                           operator="or" if any_word else "and", date_from=date_from, date_to=date_to,
                           filters=extra, facets=facets)
    for note in results.notes if fmt == "text" else ():     # lenient readings ('(' ignored...): never silent
        click.echo(f"docsearch: note: {note}", err=True)
    if fmt == "json":
        click.echo(render_json(results), nl=False)
    elif fmt == "html":
        click.echo(render_html(results), nl=False)
    else:
        click.echo(render_text(results, color=_use_color()), nl=False)
        if results.facets is not None:
            from search.present.charts import render_facets

            click.echo(render_facets(results.facets), nl=False)


def _filters(filters, source, doc_type=None) -> dict:
    """--filter FIELD=VALUE, --source and --type as search()'s filters."""
    extra = {}
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(f"--filter takes FIELD=VALUE, not {item!r}")
        extra[name.strip()] = value
    if source:
        extra["source"] = source
    if doc_type:
        extra["type"] = doc_type
    return extra


def _facet_names(facet_list: str | None):
    if facet_list is None:
        return None
    names = tuple(n.strip() for n in facet_list.split(",") if n.strip())
    if not names:
        raise click.UsageError("--facets takes field names separated by commas: --facets year,source")
    return names


def _filter_options(f):
    """The filters search, trend and batch share."""
    f = click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
                     help="Only documents whose FIELD (author, lang, or a manifest column) matches VALUE.")(f)
    f = click.option("--source", help="Only documents from this source (its words, as a phrase).")(f)
    f = click.option("--to", "date_to", metavar="DATE", help="Only documents dated on or before DATE.")(f)
    f = click.option("--from", "date_from", metavar="DATE",
                     help="Only documents dated on or after DATE (YYYY[-MM[-DD]]).")(f)
    return click.option("--or", "any_word", is_flag=True,
                        help="Match any word (passages matching more words rank first).")(f)


@cli.command()
@click.argument("queries", nargs=-1, required=True)
@_index_option
@click.option("--by", type=click.Choice(["year", "month"]), default="year", show_default=True)
@click.option("--per-doc", is_flag=True, help="Count matching documents, not passages.")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(["chart", "csv", "json"]), default="chart", show_default=True)
@_alias_options
def trend(queries, index_dir, by, per_doc, any_word, date_from, date_to, source, filters, fmt,
          alias_file, no_builtin_aliases, no_aliases):
    """Matches of each QUERY per year or month, as a bar chart, CSV or JSON.

    Each argument is one query; several are drawn side by side on one time axis.

    \b
    Example:
        docsearch trend DPRK '"North Korea"'
        docsearch trend missile --by month --per-doc --format csv
    """
    from search import Searcher
    from search.collect.trend import trend as count_trend

    with Searcher(index_dir, **_alias_args(alias_file, no_builtin_aliases, no_aliases)) as s:
        found = count_trend(s, list(queries), by=by, per_doc=per_doc, operator="or" if any_word else "and",
                            date_from=date_from, date_to=date_to, filters=_filters(filters, source))
    if fmt == "csv":
        click.echo(found.to_csv(), nl=False)
    elif fmt == "json":
        import json

        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        import shutil

        from search.present.charts import render_trend

        width = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
        click.echo(render_trend(found, color=_use_color(), width=min(max(width, 40), 160)), nl=False)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_index_option
@click.option("--top", type=click.IntRange(min=0, max=100), default=3, show_default=True,
              help="Best hits to keep per query.")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of standard output.")
@_alias_options
def batch(file, index_dir, top, any_word, date_from, date_to, source, filters, fmt, output,
          alias_file, no_builtin_aliases, no_aliases):
    """Run every query in FILE: one per line, or CSV with `id,query` columns.

    Per query: total passages, documents, first and last date, top hits. A query
    that cannot run is reported on its row (`error`) and the batch goes on.

    \b
    Example:
        docsearch batch names.txt -o counts.csv
        docsearch batch queries.csv --format json --top 5 -o results.json
    """
    import json

    from search import Searcher
    from search.collect.batch import read_queries, rows_to_csv, run_batch

    queries = read_queries(file)
    extra = _filters(filters, source)
    show_bar = sys.stderr.isatty()
    failed = 0
    with Searcher(index_dir, **_alias_args(alias_file, no_builtin_aliases, no_aliases)) as s, \
            _progress(len(queries), show_bar) as advance, \
            (output.open("w", encoding="utf-8", newline="") if output else _stdout()) as out:
        def progress(done, row):
            nonlocal failed
            failed += row.error is not None
            advance()

        rows = run_batch(s, queries, top=top, operator="or" if any_word else "and", date_from=date_from,
                         date_to=date_to, filters=extra, progress=progress)
        if fmt == "csv":
            rows_to_csv(rows, out)
        else:
            out.write("[")
            for i, row in enumerate(rows):
                out.write(("," if i else "") + "\n" + json.dumps(row.to_dict(), ensure_ascii=False))
            out.write("\n]\n")
    click.echo(f"{len(queries):,} queries: {len(queries) - failed:,} ran, {failed:,} with errors", err=True)


@cli.command()
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but this machine's loopback prints a warning.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8080, show_default=True)
@click.option("--rate", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Requests per second allowed to each client (bursts of three seconds' worth).")
@_alias_options
def serve(index_dir, host, port, rate, alias_file, no_builtin_aliases, no_aliases):
    """Serve a local, read-only web page (and JSON API) over the index.

    \b
    Example:
        docsearch serve --index idx/
        docsearch serve --port 8765
    """
    import ipaddress

    import uvicorn

    from search import Searcher
    from search.web.app import create_app

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo(f"docsearch: warning: listening on {host}: anyone who can reach this machine on port {port} "
                   "can read the whole archive (there is no login)", err=True)
    import socket

    try:                       # a taken port is one line here, not uvicorn's log and exit 1
        with socket.create_server((host, port)):
            pass
    except OSError as e:
        raise DocsearchFailure(f"cannot listen on {host}:{port} ({e.strerror or e}); choose another --port")
    with Searcher(index_dir, **_alias_args(alias_file, no_builtin_aliases, no_aliases)) as s:
        from search.web.guard import LOOPBACK_NAMES

        hosts = LOOPBACK_NAMES | {host.lower()} if loopback else None    # see guard.Guard: DNS rebinding
        app = create_app(s, rate=rate, burst=max(1, int(rate * 3)), hosts=hosts)
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"docsearch: serving {s.index_dir} at http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)


class _stdout:
    """sys.stdout as a context manager that is not closed at the end."""

    def __enter__(self):
        return sys.stdout

    def __exit__(self, *exc):
        sys.stdout.flush()


def _progress(total: int, show: bool):
    """A context manager giving advance(): a rich progress bar on stderr when it is a terminal."""
    import contextlib

    if not show:
        return contextlib.nullcontext(lambda: None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("batch", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True) as p:
            task = p.add_task("batch", total=total)
            yield lambda: p.advance(task)
    return bar()


@cli.command()
@click.argument("passage_id", metavar="ID")
@_index_option
@click.option("-C", "--context", type=click.IntRange(min=0), default=1, show_default=True,
              help="Passages to show before and after.")
@click.option("--query", help="Highlight what this query matches.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--removed", is_flag=True,
              help="List the lines of the document (ID is DOC_ID or DOC_ID#N) left out of its passages, and why.")
def show(passage_id, index_dir, context, query, fmt, removed):
    """Show passage ID (DOC_ID#N, from search results) in its context.

    \b
    Example:
        docsearch show 'seeds/000_50900fcff45a5147.txt#3' --context 2 --query missile
        docsearch show seeds/000_50900fcff45a5147.txt --removed
    """
    from search import Searcher
    from search.present.render import render_context, render_json, render_removed

    if removed:
        with Searcher(index_dir) as s:
            lines = s.removed(passage_id)
        click.echo(render_json(lines) if fmt == "json" else render_removed(lines), nl=False)
        return
    with Searcher(index_dir) as s:
        ctx = s.passage(passage_id, context=context, query=query)
    click.echo(render_json(ctx) if fmt == "json" else render_context(ctx, color=_use_color()), nl=False)


@cli.command()
@_index_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats(index_dir, fmt):
    """Documents, passages, size, sources and date range of an index.

    \b
    Example:
        docsearch stats --index idx/
    """
    from search import Searcher
    from search.present.render import render_json, render_stats

    with Searcher(index_dir) as s:
        st = s.stats()
    click.echo(render_json(st) if fmt == "json" else render_stats(st), nl=False)


@cli.command("list")
@_index_option
@click.option("--path", "prefix", metavar="PREFIX", help="Only documents whose id starts with PREFIX or whose "
              "file is under the folder PREFIX.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def list_(index_dir, prefix, fmt):
    """List the documents in the index: id, title, date, passages, size; and its roots.

    \b
    Example:
        docsearch list --index idx/
        docsearch list --path reports/ --format csv --index idx/
    """
    from search import Searcher
    from search.present.render import render_documents

    with Searcher(index_dir) as s:
        docs, roots = s.documents(prefix), s.roots()
    click.echo(render_documents(docs, roots, fmt), nl=False)


@cli.command()
@click.argument("names", nargs=-1, required=True, metavar="PATH...")
@_index_option
def remove(names, index_dir):
    """Remove documents from the index: a file or folder (present or gone), a root or an id.

    All in one commit; a PATH that matches nothing is an error and nothing is removed.

    \b
    Example:
        docsearch remove ~/archive/old-drafts --index idx/
    """
    from indexer.store.manage import remove_paths
    from indexer.store.directory import default_index_dir

    summary = remove_paths(list(names), index_dir if index_dir is not None else default_index_dir())
    click.echo(summary.line())


@cli.command(cls=_QueryCommand)
@click.argument("query", nargs=-1, required=True)
@_index_option
@click.option("--or", "any_word", is_flag=True, help="Read plain words as alternatives.")
@_alias_options
def explain(query, index_dir, any_word, alias_file, no_builtin_aliases, no_aliases):
    """Show how QUERY is read: its parts, fields and any lenient readings.

    \b
    Example:
        docsearch explain '"Kim Jong Il" -missile date:[1999 TO 2001]'
    """
    from search import Searcher

    with Searcher(index_dir, **_alias_args(alias_file, no_builtin_aliases, no_aliases)) as s:
        click.echo(s.explain(" ".join(query), operator="or" if any_word else "and"))


def _load_library() -> None:
    """Import the library every command but `index` runs, with the cyclic collector paused, and
    freeze what it made. Importing numpy, Whoosh and the search modules makes a few hundred
    thousand objects and no garbage, yet sets the collector off again and again, and its last
    pass at exit walks them all: about 30 ms of a 0.25 s `docsearch search`. Garbage made later
    (parsed HTML while indexing, say) is collected as usual."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        import search.searcher  # noqa: F401
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def main(argv=None):
    """Console entry point. A closed pipe (`docsearch search x | head`) is not an error (exit 0);
    output that cannot be written (`> /dev/full`) is one line on stderr and exit 1, no traceback."""
    _load_library()
    try:
        cli.main(args=argv, prog_name="docsearch")
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except OSError as e:
        if e.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
            raise
        _silence_stdout()
        click.echo(f"docsearch: error: cannot write the output: {e.strerror or e}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
