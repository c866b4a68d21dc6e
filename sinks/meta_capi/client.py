"""HTTP client for ``POST /{version}/{pixel_id}/events`` with retries and bisection.

One ``httpx.Client`` with explicit timeouts is shared by the worker threads. The access token
travels in the JSON body (never in the URL), so no URL, log line, exception or ledger row can
carry it; ``redact`` scrubs any text that could still contain it.

``deliver`` sends one batch and returns a ``BatchOutcome``; it never raises for Meta or network
errors: it retries transient failures (timeouts, connection errors, 429, 5xx, transient Graph
codes) with exponential backoff and full jitter, bisects a batch refused with code 100 until the
bad events are isolated (the good ones are delivered), and reports credential or permission
errors (190, 10, 200-299, 3) as ``outcome.stop`` so the caller ends the run.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from sinks.meta_capi.config import SinkConfig
from sinks.meta_capi.errors import ConfigurationError, TokenExpiredError
from sinks.meta_capi.payload import PreparedEvent, request_body
from sinks.meta_capi.retry import backoff_delay, classify, full_jitter, requested_wait

__all__ = ["MetaCapiClient", "BatchOutcome", "RequestRecord", "redact"]

logger = logging.getLogger(__name__)

_TOKEN_IN_TEXT = re.compile(r"(access_token=)[^&\s\"']+")
_MAX_ERROR_CHARS = 500


def redact(text: str, secret: str | None = None) -> str:
    """Remove an access token from ``text`` (query-string form and the literal secret)."""
    text = _TOKEN_IN_TEXT.sub(r"\1<redacted>", text)
    if secret:
        text = text.replace(secret, "<redacted>")
    return text


@dataclass(slots=True)
class RequestRecord:
    """One HTTP attempt, as written to ``sync.meta_capi_requests``."""

    request_id: str
    batch_size: int
    status_code: int | None
    events_received: int | None
    fbtrace_id: str | None
    error: str | None
    duration_ms: float
    started_at: datetime
    purpose: str


@dataclass(slots=True)
class BatchOutcome:
    """What happened to one batch.

    Attributes:
        sent: ``(event_id, fbtrace_id)`` of events Meta acknowledged.
        rejected: ``(event_id, error_code, message, fbtrace_id)`` of events Meta refused.
        unsent: Event ids left pending (retries exhausted, run stopped, count mismatch).
        requests: Every HTTP attempt made for the batch (bisection and retries included).
        retries: Number of retried attempts.
        stop: Set when the run must stop (token expired, permissions, wrong endpoint).
    """

    sent: list[tuple[str, str | None]] = field(default_factory=list)
    rejected: list[tuple[str, int | None, str, str | None]] = field(default_factory=list)
    unsent: list[str] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    retries: int = 0
    stop: ConfigurationError | None = None


@dataclass(slots=True)
class _Attempt:
    status_code: int | None
    body: dict[str, Any] | None
    error: str | None
    #: Seconds the server asked us to wait (Retry-After, Business Use Case usage), if any.
    wait_hint: float | None = None


class MetaCapiClient:
    """Thread-safe sender of prepared events to one pixel.

    Args:
        config: Settings; ``pixel_id`` and ``access_token`` must be set.
        transport: Optional httpx transport (tests).
        sleep: Function used to wait between retries (tests may record delays).
    """

    def __init__(
        self,
        config: SinkConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Any = time.sleep,
    ) -> None:
        if config.is_dry_run:
            raise ConfigurationError("MetaCapiClient needs META_PIXEL_ID and META_ACCESS_TOKEN")
        self._config = config
        self._url = config.events_url
        self._sleep = sleep
        self._rng = random.Random(config.seed)
        self._rng_lock = threading.Lock()
        self._http = httpx.Client(
            timeout=httpx.Timeout(
                connect=config.connect_timeout,
                read=config.read_timeout,
                write=config.write_timeout,
                pool=config.connect_timeout + config.read_timeout,
            ),
            limits=httpx.Limits(
                max_connections=config.concurrency, max_keepalive_connections=config.concurrency
            ),
            transport=transport,
            headers={"content-type": "application/json"},
        )

    def __repr__(self) -> str:
        return f"MetaCapiClient(url={self._url!r})"

    def __enter__(self) -> MetaCapiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def deliver(self, events: Sequence[PreparedEvent], *, purpose: str = "send") -> BatchOutcome:
        """Send one batch (at most 1,000 events) with retries and bisection."""
        outcome = BatchOutcome()
        self._deliver(list(events), outcome, purpose)
        return outcome

    def _deliver(self, events: list[PreparedEvent], outcome: BatchOutcome, purpose: str) -> None:
        if outcome.stop is not None:
            outcome.unsent.extend(e.event_id for e in events)
            return
        action, attempt = self._post_with_retries(events, outcome, purpose)
        error = (attempt.body or {}).get("error") if attempt.body else None
        if action == "ok":
            fbtrace = (attempt.body or {}).get("fbtrace_id")
            received = (attempt.body or {}).get("events_received")
            if received == len(events):
                outcome.sent.extend((e.event_id, fbtrace) for e in events)
            else:
                logger.error(
                    "events_received=%s differs from batch size %d (fbtrace_id=%s); "
                    "leaving the batch pending",
                    received,
                    len(events),
                    fbtrace,
                )
                outcome.unsent.extend(e.event_id for e in events)
        elif action == "bisect":
            if len(events) == 1:
                outcome.rejected.append(
                    (
                        events[0].event_id,
                        _int(error.get("code")) if error else None,
                        _error_text(error, self._config.access_token),
                        error.get("fbtrace_id") if error else None,
                    )
                )
                return
            middle = len(events) // 2
            logger.info(
                "batch of %d events refused with code 100; bisecting into %d + %d",
                len(events),
                middle,
                len(events) - middle,
            )
            self._deliver(events[:middle], outcome, "bisect")
            self._deliver(events[middle:], outcome, "bisect")
        elif action == "stop":
            code = _int(error.get("code")) if error else None
            message = _error_text(error, self._config.access_token) or attempt.error or ""
            exc_type = TokenExpiredError if code == 190 else ConfigurationError
            outcome.stop = exc_type(
                f"{_stop_hint(code, error)} (HTTP {attempt.status_code}, Graph code {code}): "
                f"{message}",
                code=code,
            )
            outcome.unsent.extend(e.event_id for e in events)
        else:
            outcome.unsent.extend(e.event_id for e in events)

    def _post_with_retries(
        self, events: list[PreparedEvent], outcome: BatchOutcome, purpose: str
    ) -> tuple[str, _Attempt]:
        body = request_body(
            events,
            access_token=self._config.access_token,
            test_event_code=self._config.test_event_code,
        )
        attempt_number = 0
        while True:
            attempt_number += 1
            attempt = self._post_once(body, len(events), outcome, purpose)
            error = attempt.body.get("error") if attempt.body else None
            action = classify(attempt.status_code, error if isinstance(error, dict) else None)
            if action == "reject":
                # A 4xx Meta did not explain: wrong URL, version or pixel. Retrying won't help.
                action = "stop"
            if action != "retry":
                return action, attempt
            if attempt_number >= self._config.max_attempts:
                logger.error(
                    "giving up on batch of %d events after %d attempts (status %s, %s)",
                    len(events),
                    attempt_number,
                    attempt.status_code,
                    attempt.error,
                )
                return "exhausted", attempt
            ceiling = backoff_delay(
                attempt_number, base=self._config.backoff_base, cap=self._config.backoff_cap
            )
            with self._rng_lock:
                delay = full_jitter(ceiling, self._rng)
            if attempt.wait_hint is not None:
                if attempt.wait_hint > self._config.backoff_cap:
                    # Meta asks for minutes: a worker asleep that long holds the run for
                    # nothing. The batch stays pending (with this reason) for the next run.
                    logger.error(
                        "throttled: Meta asks to wait %.0fs (more than backoff_cap %.0fs); "
                        "batch of %d events left for the next run",
                        attempt.wait_hint,
                        self._config.backoff_cap,
                        len(events),
                    )
                    attempt.error = (
                        f"throttled, retry after {attempt.wait_hint:.0f}s ({attempt.error})"
                    )
                    if outcome.requests:
                        outcome.requests[-1].error = attempt.error
                    return "exhausted", attempt
                delay = max(delay, attempt.wait_hint)
            logger.warning(
                "retrying batch of %d events: attempt %d/%d failed (status %s, %s); sleeping %.3fs",
                len(events),
                attempt_number,
                self._config.max_attempts,
                attempt.status_code,
                attempt.error,
                delay,
            )
            outcome.retries += 1
            self._sleep(delay)

    def _post_once(
        self, body: bytes, batch_size: int, outcome: BatchOutcome, purpose: str
    ) -> _Attempt:
        request_id = uuid.uuid4().hex
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        status_code: int | None = None
        parsed: dict[str, Any] | None = None
        error_text: str | None = None
        wait_hint: float | None = None
        try:
            response = self._http.post(self._url, content=body)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                wait_hint = requested_wait(response.headers, now=time.time())
            try:
                loaded = response.json()
                parsed = loaded if isinstance(loaded, dict) else None
            except ValueError:
                parsed = None
            if not 200 <= status_code < 300:
                err = (parsed or {}).get("error")
                error_text = (
                    _error_text(err, self._config.access_token)
                    if isinstance(err, dict)
                    else f"HTTP {status_code}"
                )
        except httpx.TimeoutException as exc:
            error_text = f"timeout ({type(exc).__name__})"
        except httpx.TransportError as exc:
            error_text = f"connection error ({type(exc).__name__})"
        duration_ms = (time.perf_counter() - started) * 1000
        events_received = parsed.get("events_received") if parsed else None
        fbtrace_id = None
        if parsed:
            err = parsed.get("error")
            fbtrace_id = parsed.get("fbtrace_id") or (
                err.get("fbtrace_id") if isinstance(err, dict) else None
            )
        outcome.requests.append(
            RequestRecord(
                request_id=request_id,
                batch_size=batch_size,
                status_code=status_code,
                events_received=events_received if isinstance(events_received, int) else None,
                fbtrace_id=fbtrace_id,
                error=error_text,
                duration_ms=duration_ms,
                started_at=started_at,
                purpose=purpose,
            )
        )
        return _Attempt(status_code, parsed, error_text, wait_hint)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stop_hint(code: int | None, error: Any) -> str:
    if code == 190:
        return "Meta refused the access token: replace META_ACCESS_TOKEN, then run again"
    if code == 100:
        return "the pixel id does not exist or the token cannot use it: check META_PIXEL_ID"
    if code in (10, 3) or (code is not None and 200 <= code < 300):
        return "the token lacks a permission on this pixel: grant it, then run again"
    if code is None and not isinstance(error, dict):
        return (
            "Meta refused the request without a Graph error: check META_GRAPH_API_URL and "
            "META_API_VERSION"
        )
    return "Meta refused the credentials or the endpoint"


def _error_text(error: Any, secret: str | None) -> str:
    if not isinstance(error, dict):
        return ""
    parts = [str(error.get("message") or "")]
    for key in ("code", "error_subcode"):
        if error.get(key) is not None:
            parts.append(f"{key}={error[key]}")
    if error.get("error_user_title"):
        parts.append(str(error["error_user_title"]))
    if error.get("error_user_msg"):
        parts.append(str(error["error_user_msg"]))
    text = redact("; ".join(p for p in parts if p), secret)
    return text[:_MAX_ERROR_CHARS]
