"""Errors that reach staff as clear one-line messages."""


class ReaderError(Exception):
    """An error whose message tells staff what went wrong and what to do."""


class ContentError(ReaderError):
    """A content document cannot be used: empty, no title, undecodable, too large."""


class EngineError(ReaderError):
    """The speech engine is missing, misconfigured or failed."""


class PublishError(ReaderError):
    """Published files could not be written; what was published before is intact."""
