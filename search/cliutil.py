"""The plumbing every `docsearch` command shares (search/cli.py holds the commands).

Library errors become one line on stderr and exit 2; a closed pipe ends quietly; a query word
that click would read as an option gets an error that says how to pass it; the shared options.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click


FORMATS = click.Choice(["text", "json", "html"])


class DocsearchFailure(click.ClickException):
    exit_code = 2

    def show(self, file=None):
        # One line: query errors carry a caret diagram below their first line, for library users.
        first = (self.format_message().splitlines() or [""])[0]
        click.echo(f"docsearch: error: {first}", err=True)


def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _index_option(f):
    return click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Index folder [default: $DOCSEARCH_INDEX or ~/.local/share/docsearch/index].")(f)


def _alias_options(f):
    f = click.option("--no-aliases", is_flag=True, help="Search only what was typed: no alias expansion.")(f)
    f = click.option("--no-builtin-aliases", is_flag=True,
                     help="Leave out the built-in alias table (with --aliases: only FILE's sets).")(f)
    return click.option("--aliases", "alias_file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
                        help="Also expand the alias sets in FILE, one per line: DPRK | North Korea.")(f)


def _alias_args(alias_file, no_builtin_aliases, no_aliases) -> dict:
    """Searcher keyword arguments for the alias options."""
    if no_aliases and (alias_file or no_builtin_aliases):
        raise click.UsageError("--no-aliases turns alias expansion off; drop it to use --aliases "
                               "or --no-builtin-aliases")
    return {"aliases": alias_file, "builtin_aliases": not no_builtin_aliases, "use_aliases": not no_aliases}


class _Group(click.Group):
    """Turns library errors into one-line usage errors (exit 2) for every command."""

    def parse_args(self, ctx, args):
        ctx.meta["docsearch.args"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        from indexer.errors import DocsearchError

        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            args = ctx.meta.get("docsearch.args") or []
            command = self.commands.get(args[0]) if args else None
            if isinstance(command, _QueryCommand):
                raise command.reword(e, args[1:]) from e
            raise
        except (DocsearchError, ValueError) as e:
            raise DocsearchFailure(str(e)) from e
        except KeyboardInterrupt:
            click.echo("docsearch: interrupted; the index is as it was before this run", err=True)
            ctx.exit(130)
        except BrokenPipeError:         # `docsearch search x | head`: the reader has all it wanted
            _silence_stdout()
            ctx.exit(0)


class _QueryCommand(click.Command):
    """A command whose QUERY may hold `-word` (exclude): when click reads such a word as an
    option and fails, say how to pass it as part of the query instead of "Invalid value for '-n'"."""

    def option_like(self, args: list[str]) -> str | None:
        """The first argument that reads as an option this command does not have."""
        if "--" in args:
            return None
        known = {name for p in self.params for name in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))}
        return next((a for a in args if a.startswith("-") and len(a) > 1 and a.split("=")[0] not in known), None)

    def reword(self, error: click.UsageError, args: list[str]) -> click.UsageError:
        word = self.option_like(args)
        if word is None:
            return error
        return click.UsageError(f"{word!r} reads as an option; to search for it, quote the whole query and put "
                                f"-- before it: docsearch {self.name} [OPTIONS] -- 'missile {word}'", error.ctx)


def _show_version(ctx, param, value):
    """--version; a source checkout that was never pip-installed has no package metadata."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("docsearch")
    except PackageNotFoundError:
        found = "(not installed; running from a source checkout)"
    click.echo(f"docsearch {found}")
    ctx.exit()


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
