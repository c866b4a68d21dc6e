"""Settings of the Meta CAPI sink, read from the environment only when asked."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sinks.meta_capi.errors import ConfigurationError

__all__ = ["SinkConfig", "MAX_BATCH_SIZE", "DEFAULT_GRAPH_API_URL", "DEFAULT_API_VERSION"]

MAX_BATCH_SIZE = 1000
DEFAULT_GRAPH_API_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v25.0"


@dataclass(frozen=True)
class SinkConfig:
    """Everything the sink needs; no field is read at import time.

    Attributes:
        pixel_id: Pixel / dataset id. ``None`` means dry run.
        access_token: System-user token. ``None`` means dry run. Never shown in ``repr``.
        test_event_code: Routes events to Events Manager's Test Events tab (still counted).
        graph_api_url: Base URL (tests point it at the local fake).
        api_version: Graph API version, e.g. ``v25.0``.
        batch_size: Events per request, 1..1000.
        concurrency: Requests in flight at once (threads).
        connect_timeout: Seconds to open a connection.
        read_timeout: Seconds to wait for the response.
        write_timeout: Seconds to send the body.
        max_attempts: Attempts per request, first included, for transient failures.
        backoff_base: First backoff ceiling in seconds (doubles per retry).
        backoff_cap: Largest backoff ceiling in seconds.
        future_skew_seconds: How far in the future an ``event_time`` may be.
        seed: Seed of the jitter generator (tests); ``None`` for system randomness.
    """

    pixel_id: str | None = None
    access_token: str | None = field(default=None, repr=False)
    test_event_code: str | None = None
    graph_api_url: str = DEFAULT_GRAPH_API_URL
    api_version: str = DEFAULT_API_VERSION
    batch_size: int = MAX_BATCH_SIZE
    concurrency: int = 4
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    write_timeout: float = 10.0
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    future_skew_seconds: int = 300
    seed: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ConfigurationError(f"batch_size must be 1..{MAX_BATCH_SIZE}")
        if self.concurrency < 1:
            raise ConfigurationError("concurrency must be >= 1")
        if self.max_attempts < 1:
            raise ConfigurationError("max_attempts must be >= 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> SinkConfig:
        """Read ``META_*`` settings (see DESIGN.md); keyword overrides win.

        Args:
            environ: Mapping to read instead of ``os.environ``.
            **overrides: Any field of ``SinkConfig``.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {
            "pixel_id": env.get("META_PIXEL_ID") or None,
            "access_token": env.get("META_ACCESS_TOKEN") or None,
            "test_event_code": env.get("META_TEST_EVENT_CODE") or None,
            "graph_api_url": env.get("META_GRAPH_API_URL") or DEFAULT_GRAPH_API_URL,
            "api_version": env.get("META_API_VERSION") or DEFAULT_API_VERSION,
        }
        values.update(overrides)
        return cls(**values)

    @property
    def is_dry_run(self) -> bool:
        """True when no pixel id or no token is configured."""
        return not (self.pixel_id and self.access_token)

    @property
    def events_url(self) -> str:
        """The events edge, without any credential."""
        return f"{self.graph_api_url.rstrip('/')}/{self.api_version}/{self.pixel_id}/events"

    def with_options(self, **changes: Any) -> SinkConfig:
        """Return a copy with some fields changed."""
        return replace(self, **changes)

    def __repr__(self) -> str:
        token = "<set>" if self.access_token else None
        return (
            f"SinkConfig(pixel_id={self.pixel_id!r}, access_token={token!r}, "
            f"test_event_code={self.test_event_code!r}, graph_api_url={self.graph_api_url!r}, "
            f"api_version={self.api_version!r}, batch_size={self.batch_size})"
        )
