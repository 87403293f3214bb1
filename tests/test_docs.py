"""The documentation cannot drift from the code: help texts, README commands and examples."""
from __future__ import annotations

import configparser
import re
import shlex

import click
import pytest
from click.testing import CliRunner

from conftest import COMMUNIQUE, REPO, write
from search.cli import cli
from search.query.parse import parse_query

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def setup_cfg() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    return cfg


def examples(help_text: str) -> list[str]:
    """The command lines of a help text's `Example:` block."""
    block = help_text.split("Example:", 1)[1]
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


def parses(command_line: str) -> None:
    """`docsearch CMD ARGS...` parses with the real click command (nothing is run)."""
    argv = shlex.split(command_line, comments=True)
    assert argv[0] == "docsearch", command_line
    command = cli.commands[argv[1]]
    command.make_context(argv[1], argv[2:], resilient_parsing=False)


def test_commands_exist():
    assert COMMANDS == ["batch", "explain", "index", "list", "remove", "search", "serve", "show", "stats", "trend"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    command = cli.commands[name]
    assert command.help and command.get_short_help_str(limit=200).strip()
    assert re.search(r"\x08\n\s*Example:", command.help), "an Example: block kept verbatim by click's \\b"
    lines = examples(command.help)
    assert lines and all(line.startswith(f"docsearch {name}") for line in lines)
    for line in lines:
        parses(line)
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Example:" in result.stdout
    assert f"      docsearch {name}" in result.stdout


def test_group_help_has_an_example():
    assert "Example:" in cli.help
    for line in examples(cli.help):
        parses(line)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name):
    assert f"docsearch {name}" in README


def test_readme_usage_lines_parse():
    usage = re.search(r"## Usage\n\n```sh\n(.*?)```", README, re.S).group(1)
    lines = [line for line in usage.splitlines() if line.strip()]
    assert len(lines) >= 6
    for line in lines:
        parses(line)
    assert {shlex.split(line)[1] for line in lines} == set(COMMANDS)


def marked_command(marker: str) -> str:
    m = re.search(rf"<!-- {marker} -->\n```sh\n([^\n]+)\n```", README)
    assert m, f"README has no <!-- {marker} --> followed by a one-line sh block"
    return m.group(1)


def steps(command: str) -> list[list[str]]:
    return [shlex.split(step) for step in command.split("&&")]


def test_readme_marked_commands_exist_and_use_what_the_package_declares():
    cfg = setup_cfg()
    extras = set(cfg["options.extras_require"])
    scripts = dict(line.replace(" ", "").split("=") for line in
                   cfg["options.entry_points"]["console_scripts"].strip().splitlines())
    assert scripts == {"docsearch": "search.cli:main"}
    from search.cli import main
    assert callable(main)
    assert cfg["options"]["python_requires"] == ">=3.10" and "Python ≥ 3.10" in README

    run = steps(marked_command("run-command"))
    assert run[0] == ["python3", "-m", "venv", ".venv"]
    assert run[1] == [".venv/bin/pip", "install", "--quiet", "."]
    assert run[2][0] == ".venv/bin/docsearch" and run[2][1] == "search"

    test = steps(marked_command("test-command"))
    assert test[0] == ["python3", "-m", "venv", ".venv"]
    assert test[1][:3] == [".venv/bin/pip", "install", "--quiet"]
    wanted = re.fullmatch(r"\.\[(.*)\]", test[1][3]).group(1).split(",")
    assert wanted and set(wanted) <= extras
    assert test[2] == [".venv/bin/python", "-m", "pytest", "-q"]
    assert cfg["tool:pytest"]["testpaths"].strip() == "tests"


def test_readme_first_command_finds_a_passage_on_a_fresh_machine(monkeypatch, tmp_path):
    """The run-command's search, with no index anywhere yet (the default folder is empty)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "fresh"))
    args = steps(marked_command("run-command"))[2][1:]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    default = tmp_path / "fresh" / "docsearch" / "index"
    assert result.stderr == f"docsearch: no index yet; indexing the bundled seeds into {default}\n"
    assert result.stdout.startswith("1. DPRK-U.S.A. Joint Communiqué")
    assert f"{COMMUNIQUE}#2" in result.stdout and "no hostile intention" in result.stdout


def readme_query_forms() -> list[str]:
    table = re.search(r"\| you write \| it finds \|\n\|---\|---\|\n(.*?)\n\n", README, re.S).group(1)
    forms = []
    for row in table.splitlines():
        first_cell = row.split(" | ")[0]
        forms += re.findall(r"`([^`]+)`", first_cell)
    return forms


def test_readme_query_table_is_found():
    forms = readme_query_forms()
    assert len(forms) >= 20
    assert {"missile launch", '"no hostile intention"', "nucle*", "date:[1993 TO 1995-06]"} <= set(forms)


@pytest.mark.parametrize("form", readme_query_forms())
def test_every_readme_query_form_parses(form, seeds_index):
    parsed = parse_query(form, extra_fields=("country", "year"))
    assert parsed.explain()
    if not form.startswith(("country:", "year:")):      # the seeds have no manifest columns
        from search import Searcher
        with Searcher(seeds_index) as s:
            s.search(form)


def test_readme_python_example_runs(monkeypatch, tmp_path, capsys):
    code = re.search(r"### Python\n\n```python\n(.*?)```", README, re.S).group(1)
    write(tmp_path / "docs" / "note.txt", "A short note about the walrus colony on the northern shore.\n")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2 None"
    assert out[1] == f"1 DPRK-U.S.A. Joint Communiqué 2000-10-09 DPRK-U.S.A. Joint Communiqué seeds/{COMMUNIQUE}#2"
    assert out[3] == f"2 DPRK-U.S.A. Joint Communiqué 2000-10-09 DPRK-U.S.A. Joint Communiqué seeds/{COMMUNIQUE}#6"
    assert out[-1] == 'phrase "agreed framework"'
    assert (tmp_path / "idx" / "docsearch.json").exists()


def test_readme_documents_every_json_key():
    from search.results import Hit, Results
    from search.present.snippets import Snippet

    hit = Hit(rank=1, score=1.0, id="a#0", doc_id="a", passage=0, path="a", title=None, date=None,
              source=None, author=None, section=None, language=None, text="x", start=0, end=1,
              snippet=Snippet("x"))
    shape = Results("q", 1, 1, 10, (hit,)).to_dict()
    example = re.search(r"```json\n(.*?)```", README, re.S).group(1)
    assert re.findall(r'"(\w+)":', example) == list(shape) + list(shape["hits"][0])


def test_every_option_the_readme_names_exists():
    from bench.__main__ import cli as bench_cli

    options = {opt for group in (cli, bench_cli) for command in group.commands.values() for p in command.params
               if isinstance(p, click.Option) for opt in p.opts}      # docsearch's and `python -m bench`'s
    # The benchmark section is rendered from bench/results (bench's own options; tests/test_bench.py).
    prose = re.sub(r"<!-- bench:start .*?<!-- bench:end -->", "", README, flags=re.S)
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", prose))
    assert {"--index", "--or", "--from", "--to", "--format", "--context", "--query", "--rebuild"} <= named
    assert named <= options
