"""Exception classes raised by geobatch; each also derives from the closest
built-in exception so that ordinary ``except`` clauses keep working."""


class Error(Exception):
    """Base class of every error geobatch raises."""


class InvalidArgumentError(Error, ValueError):
    """The request was malformed (bad region, bad key, bad metadata value)."""


class NotFoundError(Error, KeyError):
    """An array, group, key or variable does not exist."""

    def __str__(self):  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class CorruptError(Error):
    """Stored bytes or metadata are damaged or inconsistent."""


class TransientError(Error, OSError):
    """A failure that may go away when retried."""


class UnsupportedError(Error, NotImplementedError):
    """Valid input that geobatch does not implement (codec, dtype, ...)."""


class PermissionDeniedError(Error, PermissionError):
    """Access was refused."""


class InternalError(Error, RuntimeError):
    """A bug in geobatch."""
