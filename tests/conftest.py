from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
COMMUNIQUE = "000_50900fcff45a5147.txt"
REPORT = "001_ac2c5635a7d32ac0.txt"
# Ids are the root's label and the path below it (indexer/store/roots.py); the seeds' root is `seeds`.
COMMUNIQUE_ID = f"seeds/{COMMUNIQUE}"
REPORT_ID = f"seeds/{REPORT}"


# The shared corpora (bench and UN tests): beside the repo in CI, absent on a fresh clone.
CORPORA = Path(os.environ.get("DOCSEARCH_CORPORA") or SHARED / "corpora")


def pytest_collection_modifyitems(config, items):
    """Tests marked shared_corpora are skipped, saying why, where the shared corpora are absent."""
    if CORPORA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs the shared corpora at {CORPORA} (../shared beside the repo, or "
                                   "$DOCSEARCH_CORPORA); CI has them, this checkout does not")
    for item in items:
        if "shared_corpora" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_default_index(tmp_path_factory, monkeypatch):
    """No test ever touches the user's real default index."""
    # The default index is $XDG_DATA_HOME/docsearch/index; $DOCSEARCH_INDEX, when set, must name an index.
    monkeypatch.delenv("DOCSEARCH_INDEX", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("default")))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory) -> Path:
    """The bundled seeds, indexed once for the whole session (read-only for tests)."""
    from indexer import build_index

    index_dir = tmp_path_factory.mktemp("seeds") / "idx"
    build_index([SEEDS], index_dir)
    return index_dir


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A writable copy of the seeds folder."""
    dst = tmp_path / "docs"
    dst.mkdir()
    for name in (COMMUNIQUE, REPORT):
        shutil.copy(SEEDS / name, dst / name)
    return dst


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def make_index(tmp_path: Path, files: dict[str, str], meta: dict[str, dict] | None = None) -> Path:
    """Write `files` (name -> text; sidecar metadata from `meta`) under tmp_path/docs and index them
    into tmp_path/idx, as `docsearch index` does."""
    import json

    from indexer import build_index

    docs = tmp_path / "docs"
    for name, text in files.items():
        write(docs / name, text)
    for name, fields in (meta or {}).items():
        write(docs / f"{name}.meta.json", json.dumps(fields))
    build_index([docs], tmp_path / "idx")
    return tmp_path / "idx"
