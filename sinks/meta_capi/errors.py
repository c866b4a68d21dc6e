"""Exceptions raised by the Meta CAPI sink.

::

    MetaCapiError
    ├── ConfigurationError      bad settings; Meta refused the token or permissions (stop)
    │   └── TokenExpiredError   Graph error 190: replace the token, then rerun
    ├── TransportError          timeout, connection error, 429/5xx, transient Graph codes
    └── RejectedError           Meta refused the payload permanently (e.g. code 100)

No message or repr carries the access token: URLs are redacted before they reach an exception.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MetaCapiError",
    "ConfigurationError",
    "TokenExpiredError",
    "TransportError",
    "RejectedError",
]


class MetaCapiError(Exception):
    """Base class of every error raised by ``sinks.meta_capi``."""


class ConfigurationError(MetaCapiError):
    """Settings are wrong or Meta refused the credentials; retrying will not help.

    Attributes:
        report: The partial ``SyncReport`` of the run that stopped, when raised by a sync.
    """

    def __init__(self, message: str, *, code: int | None = None, report: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.report = report


class TokenExpiredError(ConfigurationError):
    """Graph error 190: the access token is expired or invalid."""


class TransportError(MetaCapiError):
    """The request may not have reached Meta, or Meta asked to retry later.

    Attributes:
        status_code: HTTP status, or ``None`` when no response arrived.
        code: Graph error code, when the body carried one.
    """

    def __init__(
        self, message: str, *, status_code: int | None = None, code: int | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code


class RejectedError(MetaCapiError):
    """Meta refused the request permanently (bad payload).

    Attributes:
        status_code: HTTP status.
        code: Graph error code (100 for invalid parameters).
        subcode: Graph error subcode (e.g. 2804003: event too old).
        fbtrace_id: Meta's trace id, for support cases.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None,
        subcode: int | None = None,
        fbtrace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
