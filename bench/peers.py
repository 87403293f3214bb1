"""The peer engines, one small class each, behind the same interface.

    engine = Fts5Peer(index_dir)           # or TantivyPeer, WhooshPeer
    engine.build(docs)                     # Doc(id, title, text) records -> an index in index_dir
    engine.search(text, k)  -> [doc id]    # natural-language text, OR of its words, best first
    engine.keywords(text, k) -> [Hit]      # every word required, top k with a snippet
    engine.phrase(text, k)   -> [Hit]      # the exact phrase, top k with a snippet
    engine.close()

Raw query text never reaches a peer's query syntax, where punctuation raises (FTS5, Tantivy)
or silently changes the query (Whoosh reads "what?" as a wildcard). `search` hands the peer's
own parser only `plain_words(text)`, as a careful user would (so Tantivy and Whoosh fold a
repeated word into one clause, FTS5 keeps each); `keywords` and `phrase` build the query
objects from the peer's analyzer. Settings are the ones issue 4 names: FTS5 porter + bm25,
Tantivy en_stem, Whoosh StemmingAnalyzer + BM25F + OrGroup; each peer's defaults otherwise.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Iterable, NamedTuple

from bench.corpora import Doc


_WORD = re.compile(r"[^\W_]+")


def plain_words(text: str) -> str:
    """Lowercase letters-and-digits words joined by spaces: text no query parser can misread.

    Lowercase because the parsers' operators (AND, OR, NOT, TO, IN) are uppercase; no
    punctuation, so no field names, wildcards ("what?"), phrases, boosts or ranges.
    """
    return " ".join(_WORD.findall(text.lower()))


class Hit(NamedTuple):
    id: str
    snippet: str


class Peer:
    """The interface, and an index folder that each engine opens for searching on first use."""

    name = "peer"

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)

    def build(self, docs: Iterable[Doc]) -> int:
        """Index `docs` into a new index; return how many records were written."""
        raise NotImplementedError

    def search(self, text: str, k: int = 100) -> list[str]:
        raise NotImplementedError

    def keywords(self, text: str, k: int = 10) -> list[Hit]:
        raise NotImplementedError

    def phrase(self, text: str, k: int = 10) -> list[Hit]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Fts5Peer(Peer):
    """SQLite FTS5 (stdlib sqlite3), `porter unicode61` tokenizer, ranked by bm25()."""

    name = "SQLite FTS5"

    def __init__(self, index_dir: Path):
        super().__init__(index_dir)
        self.path = self.index_dir / "fts5.db"
        self._db: sqlite3.Connection | None = None

    def build(self, docs: Iterable[Doc]) -> int:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        with db:
            db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, "
                       "tokenize='porter unicode61')")
            db.executemany("INSERT INTO docs(id, title, text) VALUES (?, ?, ?)", docs)
            n = db.execute("SELECT count(*) FROM docs").fetchone()[0]
            # Merge the b-trees into one, as for any index that is built once and then read.
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.close()
        return n

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(self.path)
        return self._db

    def _terms(self, text: str) -> list[str]:
        # Quoted, so that AND/OR/NOT/NEAR and column names are plain words.
        return [f'"{t}"' for t in _WORD.findall(text.lower())]

    def _run(self, match: str, k: int, snippet: bool) -> list:
        if not match:
            return []
        cols = "id, snippet(docs, 2, '[', ']', '…', 16)" if snippet else "id"
        return self.db.execute(f"SELECT {cols} FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) "
                               "LIMIT ?", (match, k)).fetchall()

    def search(self, text, k=100):
        return [r[0] for r in self._run(" OR ".join(self._terms(text)), k, snippet=False)]

    def keywords(self, text, k=10):
        return [Hit(*r) for r in self._run(" AND ".join(self._terms(text)), k, snippet=True)]

    def phrase(self, text, k=10):
        words = _WORD.findall(text.lower())
        return [Hit(*r) for r in self._run(f'"{" ".join(words)}"' if words else "", k, snippet=True)]

    def close(self):
        if self._db is not None:
            self._db.close()
            self._db = None


class TantivyPeer(Peer):
    """Tantivy via tantivy-py: title and text with the `en_stem` tokenizer, BM25."""

    name = "Tantivy"

    def __init__(self, index_dir: Path, heap_mb: int = 128, threads: int = 0):
        super().__init__(index_dir)
        self.heap_mb, self.threads = heap_mb, threads
        self._index = None

    @staticmethod
    def _new_schema():
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", tokenizer_name="en_stem")
        sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
        return sb.build()

    def build(self, docs):
        import tantivy

        self.index_dir.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self._new_schema(), path=str(self.index_dir))
        writer = index.writer(heap_size=self.heap_mb * 1_000_000, num_threads=self.threads)
        n = 0
        for d in docs:
            writer.add_document(tantivy.Document(id=d.id, title=d.title, text=d.text))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return n

    def _ensure_open(self):
        if self._index is None:
            import tantivy

            self._index = tantivy.Index.open(str(self.index_dir))
            self._schema = self._index.schema
            self._searcher = self._index.searcher()
            # en_stem rebuilt for query text: SimpleTokenizer, RemoveLong(40), LowerCaser, Stemmer.
            self._analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                              .filter(tantivy.Filter.remove_long(40))
                              .filter(tantivy.Filter.lowercase())
                              .filter(tantivy.Filter.stemmer("english")).build())
        return self._index

    def _terms(self, text):
        self._ensure_open()
        return self._analyzer.analyze(text)

    def _ids(self, query, k):
        hits = self._searcher.search(query, k).hits
        return [(self._searcher.doc(addr), addr) for _, addr in hits]

    def search(self, text, k=100):
        self._ensure_open()
        words = plain_words(text)
        if not words:
            return []
        query = self._index.parse_query(words, ["title", "text"])
        return [doc["id"][0] for doc, _ in self._ids(query, k)]

    def _with_snippets(self, query, k):
        import tantivy

        gen = tantivy.SnippetGenerator.create(self._searcher, query, self._schema, "text")
        return [Hit(doc["id"][0], gen.snippet_from_doc(doc).to_html()) for doc, _ in self._ids(query, k)]

    def keywords(self, text, k=10):
        import tantivy

        Q, must = tantivy.Query, tantivy.Occur.Must
        terms = self._terms(text)
        if not terms:
            return []
        query = Q.boolean_query([(must, Q.term_query(self._schema, "text", t)) for t in terms])
        return self._with_snippets(query, k)

    def phrase(self, text, k=10):
        import tantivy

        terms = self._terms(text)
        if not terms:
            return []
        if len(terms) == 1:
            query = tantivy.Query.term_query(self._schema, "text", terms[0])
        else:
            query = tantivy.Query.phrase_query(self._schema, "text", terms)
        return self._with_snippets(query, k)

    def close(self):
        self._index = self._searcher = None


class WhooshPeer(Peer):
    """Plain Whoosh: StemmingAnalyzer on title and text, BM25F, OR of the query words.

    `procs` > 1 uses Whoosh's own multi-process writer (the issue's "2 processes").
    """

    name = "plain Whoosh"

    def __init__(self, index_dir: Path, procs: int = 1, limitmb: int = 256):
        super().__init__(index_dir)
        self.procs, self.limitmb = procs, limitmb
        self._ix = None

    @staticmethod
    def _new_schema():
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        return Schema(id=ID(stored=True), title=TEXT(analyzer=StemmingAnalyzer()),
                      text=TEXT(analyzer=StemmingAnalyzer(), stored=True))

    def build(self, docs):
        from whoosh import index

        self.index_dir.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(self.index_dir), self._new_schema())
        n = 0
        with ix.writer(procs=self.procs, limitmb=self.limitmb) as w:
            for d in docs:
                w.add_document(id=d.id, title=d.title, text=d.text)
                n += 1
        ix.close()
        return n

    def _searcher(self):
        if self._ix is None:
            from whoosh import index, scoring

            self._ix = index.open_dir(str(self.index_dir))
            self._s = self._ix.searcher(weighting=scoring.BM25F())
            self._analyzer = self._ix.schema["text"].analyzer
            from whoosh.qparser import MultifieldParser, OrGroup

            self._parser = MultifieldParser(["title", "text"], self._ix.schema, group=OrGroup)
        return self._s

    def _terms(self, text):
        self._searcher()
        return [t.text for t in self._analyzer(text)]

    def search(self, text, k=100):
        searcher = self._searcher()
        words = plain_words(text)
        if not words:
            return []
        return [hit["id"] for hit in searcher.search(self._parser.parse(words), limit=k)]

    def _with_snippets(self, query, k):
        return [Hit(hit["id"], hit.highlights("text")) for hit in self._s.search(query, limit=k)]

    def keywords(self, text, k=10):
        from whoosh.query import And, Term

        terms = self._terms(text)
        return self._with_snippets(And([Term("text", t) for t in terms]), k) if terms else []

    def phrase(self, text, k=10):
        from whoosh.query import Phrase, Term

        terms = self._terms(text)
        if not terms:
            return []
        query = Term("text", terms[0]) if len(terms) == 1 else Phrase("text", terms)
        return self._with_snippets(query, k)

    def close(self):
        if self._ix is not None:
            self._s.close()
            self._ix.close()
            self._ix = None


PEERS: dict[str, type[Peer]] = {"fts5": Fts5Peer, "tantivy": TantivyPeer, "whoosh": WhooshPeer}
