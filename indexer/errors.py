"""The project's exception hierarchy: the CLI catches DocsearchError and nothing else.

Lives in indexer/ because both sides raise these; `search` re-exports them.
"""


class DocsearchError(Exception):
    """Base class; its message is one line that says what to do next."""


class IndexNotFoundError(DocsearchError):
    pass


class PassageNotFoundError(DocsearchError, LookupError):
    """No passage or document of that id in the index (the index itself is there)."""


class IndexLockedError(DocsearchError):
    pass


class IndexVersionError(DocsearchError):
    """The index was written by another schema version: rebuild it."""


class NotAnIndexError(DocsearchError):
    """The folder exists and holds something that is not a docsearch index."""


class IndexWriteError(DocsearchError):
    """Writing failed (disk full, read-only folder); the previous index is intact."""


class QueryError(DocsearchError):
    pass


class UnsupportedFileError(DocsearchError):
    """One file cannot be indexed; the run skips it with this message as the reason."""


class InputError(DocsearchError):
    """A path or manifest given by the user is unusable (fatal, exit 2)."""


class ArgumentError(DocsearchError, ValueError):
    """A library call's argument has a bad value (a limit of 0, an unknown operator); names the argument."""


class ArgumentTypeError(DocsearchError, TypeError):
    """A library call's argument has the wrong type (bytes or None for a query); names the argument."""
