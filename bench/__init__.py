"""Relevance and speed benchmarks of docsearch against the engines a user would pick instead.

`python -m bench relevance` and `python -m bench speed` (see issue 4); `python -m bench fidelity`
(fidelity.py, issue 12) audits where the words of each file went: passages, recorded removals, lost;
`python -m bench mailbox` (mbox.py, issue 14) indexes one large generated mailbox: messages/s, peak RSS. The peers (SQLite FTS5,
Tantivy, plain Whoosh) are benchmark-only dependencies: the `bench` extra.
"""
