"""Retry policy for Graph API calls, as small pure functions.

``classify`` maps one HTTP outcome to an action, ``should_retry`` answers yes or no,
``backoff_delay`` gives the capped exponential ceiling and ``full_jitter`` draws the actual
sleep uniformly below it (AWS "full jitter"). ``requested_wait`` reads how long the server
asks a throttled caller to wait.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Literal

__all__ = [
    "TRANSIENT_CODES",
    "PERMANENT_CODES",
    "STOP_CODES",
    "Action",
    "classify",
    "should_retry",
    "backoff_delay",
    "full_jitter",
    "requested_wait",
]

#: Graph codes Meta documents as temporary or throttling (reference/meta-capi.md section 1).
TRANSIENT_CODES: frozenset[int] = frozenset({1, 2, 4, 17, 32, 341, 368, 613, 80003, 80004})
#: Graph codes that never succeed when repeated as-is.
PERMANENT_CODES: frozenset[int] = frozenset({3, 10, 100, 102, 190, *range(200, 300)})
#: Permanent codes about credentials or permissions: no later batch can succeed either.
STOP_CODES: frozenset[int] = frozenset({3, 10, 102, 104, 190})
#: Subcode of code 100 for "object does not exist" (a wrong pixel id).
UNKNOWN_OBJECT_SUBCODE = 33

Action = Literal["ok", "retry", "bisect", "stop", "reject"]


def classify(status_code: int | None, error: Mapping[str, Any] | None) -> Action:
    """Decide what to do with one HTTP outcome.

    Args:
        status_code: HTTP status, or ``None`` for a timeout or connection error.
        error: The ``error`` object of a Graph error body, if any.

    Returns:
        ``ok`` (2xx), ``retry`` (transient: ``is_transient``, a throttling or temporary code,
        429, 408 or 5xx), ``bisect`` (code 100 or HTTP 413: some events of the batch are bad),
        ``stop`` (credentials, permissions or a pixel that does not exist: the whole run must
        stop) or ``reject`` (permanent, but not attributable to single events).
    """
    if status_code is None:
        return "retry"
    if 200 <= status_code < 300:
        return "ok"
    if error and error.get("is_transient") is True:
        return "retry"
    code = _int_or_none(error.get("code")) if error else None
    if code is not None:
        if code == 100:
            subcode = _int_or_none(error.get("error_subcode")) if error else None
            # 100/33: the pixel id does not exist or the token cannot see it. Bisecting would
            # mark every event rejected for a configuration mistake.
            return "stop" if subcode == UNKNOWN_OBJECT_SUBCODE else "bisect"
        if code in STOP_CODES or 200 <= code < 300:
            return "stop"
        if code in TRANSIENT_CODES:
            return "retry"
    if status_code == 413:
        return "bisect"
    if status_code == 429 or status_code >= 500 or status_code == 408:
        return "retry"
    return "reject"


def should_retry(status_code: int | None, error: Mapping[str, Any] | None = None) -> bool:
    """Return True when the same request may succeed if sent again later."""
    return classify(status_code, error) == "retry"


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff ceiling before retry number ``attempt`` (1-based), capped."""
    return min(cap, base * (2 ** max(0, attempt - 1)))


def full_jitter(delay: float, rng: random.Random) -> float:
    """Draw the actual sleep uniformly in ``[0, delay]``."""
    return rng.uniform(0.0, delay)


def requested_wait(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds the server asks us to wait before the next call, or None when it says nothing.

    Reads ``Retry-After`` (RFC 9110: seconds, or an HTTP date) and the Graph API's
    ``X-Business-Use-Case-Usage`` (a JSON object of business id -> list of usage entries, each
    with ``estimated_time_to_regain_access`` in minutes; Meta's rate-limiting page, not one of
    the sources verified in reference/meta-capi.md). The longest wait wins; a malformed
    header counts as silent, never as an error.

    Args:
        headers: Response headers (case-insensitive mapping, e.g. ``httpx.Headers``).
        now: Current unix time, to turn an HTTP date into seconds.
    """
    waits: list[float] = []
    retry_after = (headers.get("retry-after") or "").strip()
    if retry_after:
        try:
            waits.append(max(0.0, float(retry_after)))
        except ValueError:
            try:
                waits.append(max(0.0, parsedate_to_datetime(retry_after).timestamp() - now))
            except (TypeError, ValueError, IndexError):
                pass
    usage = headers.get("x-business-use-case-usage")
    if usage:
        try:
            parsed = json.loads(usage)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            for entries in parsed.values():
                for entry in entries if isinstance(entries, list) else []:
                    minutes = (
                        entry.get("estimated_time_to_regain_access")
                        if isinstance(entry, dict)
                        else None
                    )
                    if isinstance(minutes, int | float) and not isinstance(minutes, bool):
                        waits.append(max(0.0, float(minutes) * 60))
    positive = [w for w in waits if w > 0]
    return max(positive) if positive else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
