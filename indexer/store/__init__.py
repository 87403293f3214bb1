"""The index format that both sides read: how passages become a Whoosh index on disk.

In (writing): Documents and their Passages from the indexer. Out: an index folder that
search/ opens. This is the only part of indexer/ that search/ imports, and the only
part that imports Whoosh.

- directory.py   the index folder: default location, marker (docsearch.json), write lock
- schema.py      the Whoosh schema and storage; opening and creating an index
- analysis.py    text -> terms with positions and offsets (stemmed and exact fields)
- writer.py      IndexWriter: passages in, one atomic commit out (the only module that
                 changes an index), incremental manifest, worker processes
- progress.py    how far into one big file (a mailbox, a long PDF) the writer is, for progress bars
- fields.py      a Document's passages -> Whoosh documents, and its manifest record (DocRecord)
- fastwriter.py  documents -> finished segments without Whoosh's per-posting machinery
- inversion.py   token streams -> each term's postings, in bounded memory
- codec.py       the storage codec Whoosh loads: Codec, Segment, zero-copy file reads
- postings.py    one term's postings as flat arrays: layout, encoding, matcher, writer
- termdir.py     the term directory (.tdx): a term's postings found by two binary searches
- arrays.py      numpy helpers shared with search/rank/evaluate.py
- moved.py       old module paths that indexes written before this layout still name
- roots.py       the index's roots and their labels: ids LABEL/PATH that never collide
- manage.py      removing documents, folders (present or gone) and roots by name, one commit
"""
