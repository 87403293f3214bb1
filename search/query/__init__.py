"""Text -> query: what the user typed, as a Whoosh query tree plus what highlighting needs.

In: a query string (and, once an index is open, its vocabulary and the alias table).
Out: a ParsedQuery (parse.py): the Whoosh query that rank/ scores, the MatchSpec that
present/ highlights, the positive words for proximity and did-you-mean, and notes on
any lenient reading; or a QueryError that says what to write instead.

- parse.py      the one door: parse_query, word_spans, ParsedQuery; the grammar and the
                readings in its docstring. The stages behind it, in order:
  - lexer.py      text -> tokens: input hygiene, field names, errors that point at a column
  - parser.py     tokens -> tree (Leaf, Group, Not, Required, Run), parenthesis balance
  - case.py       a query written in capitals read in lower case (and as acronyms)
  - compiler.py   tree -> Whoosh query + MatchSpec: fields, weights, phrases, prefixes, dates
  - variants.py   the compiler's aliases and spelling variants (a mixin)
  - parts.py      compiled pieces (Part) and how they combine into AND, OR, exclusions
  - limits.py     bounds: length, clauses, depth, fuzzy terms, index terms (check_expansion)
  - vocabulary.py what the compiler may ask an open index about its words
- aliases.py    alias sets (search/query/aliases.txt and the user's files)
- match.py      MatchSpec: what a query matched, for highlighting; edit distance
- termtable.py  one field's terms in an open index (frequencies, prefixes)
- spelling.py   did-you-mean from the index's own vocabulary
"""
