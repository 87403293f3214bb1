"""Text -> query: what the user typed, as a Whoosh query tree plus what highlighting needs.

In: a query string (and, once an index is open, its vocabulary and the alias table).
Out: a ParsedQuery (parse.py): the Whoosh query that rank/ scores, the MatchSpec that
present/ highlights, the positive words for proximity and did-you-mean, and notes on
any lenient reading; or a QueryError that says what to write instead.

- parse.py      the query language: lexer, parser, compiler, limits, dates
- aliases.py    alias sets (search/query/aliases.txt and the user's files)
- match.py      MatchSpec: what a query matched, for highlighting; edit distance
- termtable.py  one field's terms in an open index (frequencies, prefixes)
- spelling.py   did-you-mean from the index's own vocabulary
"""
