"""A local stand-in for Meta's Graph API events edge, for tests and benchmarks.

It listens on loopback (``ThreadingHTTPServer`` in a thread), accepts
``POST /{version}/{pixel_id}/events`` with the token in the query, the form, the JSON body or
an ``Authorization: OAuth|Bearer`` header, and the events as a JSON body ``{"data": [...]}``
or as a form field ``data`` holding a JSON array (of objects or, as the official SDK sends
them, of JSON strings).

It validates like Meta documents: token (104 when missing, 190 when wrong or revoked), pixel
id (100/33), at most 1,000 events, required fields (event_name, event_time, action_source,
user_data; event_source_url and client_user_agent for website events; value and currency for
Purchase), action_source values, SHA-256 hex for hashed keys (a Parameter Builder appendix is
allowed; external_id may be clear text), fbc/fbp formats, lead_id digits, the matching
baseline, and the 7-day window (62 days for physical_store). One bad event rejects the whole
batch with code 100 (subcode 2804003 for an old event) and nothing of it is recorded. Success
answers ``{"events_received", "messages", "fbtrace_id"}``; errors answer Graph's
``{"error": {...}}`` shape.

Faults, for resilience tests: a queue (``inject``) consumed one per request, or a seeded
probability (``fault_rate``). Kinds: ``http_429``, ``http_500``, ``http_503``, ``timeout``
(sleeps ``timeout_sleep`` seconds, then closes without processing), ``drop`` (closes the
connection without an answer), ``transient_1``, ``transient_2``, ``transient_17``,
``transient_613``, ``transient_flag`` (an unlisted code with ``is_transient: true``),
``token_expired`` (190), ``permission_denied`` (200), ``accepted_then_timeout`` (the events
are accepted, then the answer is withheld past the client's timeout: the one fault after which
a retry is a duplicate), ``http_429_retry_after`` (429 with ``Retry-After: 1``) and
``throttled_buc`` (code 17 with an ``X-Business-Use-Case-Usage`` header asking for 5
minutes). Random faults (``fault_rate``) draw only from the faults that leave the request
unprocessed. ``reject_event_ids`` makes any batch holding one of those ids fail
with a permanent code 100 naming it.

CLI: ``uv run python -m sinks.fake_graph_api --port 8765 [--fast] [--fault-rate 0.3]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeGraphApi", "FAULT_KINDS", "DEFAULT_TOKEN", "DEFAULT_PIXEL_ID", "main"]

DEFAULT_TOKEN = "fake-token-0123456789"
DEFAULT_PIXEL_ID = "1234567890123456"
FAULT_KINDS: tuple[str, ...] = (
    "http_429",
    "http_500",
    "http_503",
    "timeout",
    "drop",
    "transient_1",
    "transient_2",
    "transient_17",
    "transient_613",
    "transient_flag",
    "token_expired",
    "permission_denied",
    "accepted_then_timeout",
    "http_429_retry_after",
    "throttled_buc",
)
#: Faults after which the request was not processed: a retry cannot create a duplicate.
_RETRYABLE_FAULTS: tuple[str, ...] = (
    "http_429",
    "http_500",
    "http_503",
    "timeout",
    "drop",
    "transient_1",
    "transient_2",
    "transient_17",
    "transient_613",
    "transient_flag",
)
_PATH = re.compile(r"/(v\d+\.\d+)/([^/]+)/events/?")
_QUALITY_PATH = re.compile(r"/(v\d+\.\d+)/dataset_quality/?")
# user_data key -> Dataset Quality identifier. email, ip_address, user_agent and external_id
# are Meta's documented names; the others are the fake's guesses [UNVERIFIED].
_QUALITY_IDENTIFIERS = {
    "em": "email",
    "ph": "phone",
    "fn": "first_name",
    "ln": "last_name",
    "ct": "city",
    "st": "state",
    "zp": "zip",
    "country": "country",
    "external_id": "external_id",
    "client_ip_address": "ip_address",
    "client_user_agent": "user_agent",
    "fbc": "click_id",
    "fbp": "browser_id",
    "lead_id": "lead_id",
}
_QUALITY_WEIGHTS = {"em": 3.0, "ph": 2.0, "client_ip_address": 1.5, "fbc": 2.0, "fbp": 1.0}
_APPENDIX = r"(?:\.[A-Za-z0-9_-]{8}|\.[A-Za-z0-9_-]{2})?"
_SHA256 = re.compile(r"[0-9a-f]{64}" + _APPENDIX)
_FBC = re.compile(r"fb\.\d+\.\d+\.\S+")
_FBP = re.compile(r"fb\.\d+\.\d+\.\d+" + _APPENDIX)
_ACTION_SOURCES = frozenset(
    {
        "email",
        "website",
        "app",
        "phone_call",
        "chat",
        "physical_store",
        "system_generated",
        "business_messaging",
        "other",
    }
)
# external_id: hashing is recommended, not required, so it is not checked here.
_HASHED = ("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country")
_WEAK_IDENTIFIER_SETS: tuple[frozenset[str], ...] = (
    frozenset({"ct", "country", "st", "zp", "ge", "client_user_agent"}),
    frozenset({"db", "client_user_agent"}),
    frozenset({"fn", "ge"}),
    frozenset({"ln", "ge"}),
)


class _EventProblem(Exception):
    def __init__(self, message: str, subcode: int | None = None, title: str = "") -> None:
        super().__init__(message)
        self.subcode = subcode
        self.title = title


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that vanish mid-request (killed syncs, timeouts)."""


class FakeGraphApi:
    """The fake server. Use as a context manager or call ``start``/``stop``.

    Args:
        access_token: The only token accepted.
        pixel_id: The only pixel id accepted.
        host: Interface to bind (loopback).
        port: Port (0 picks a free one).
        record: Keep per-event-id counts and batches (off for benchmarks: counts only).
        validate: Validate events (off in fast benchmark mode).
        fault_rate: Probability of a random retryable fault per request.
        fault_kinds: Kinds drawn when ``fault_rate`` fires.
        seed: Seed of the fault generator.
        timeout_sleep: Seconds a ``timeout`` fault sleeps (longer than the client's timeout).
        latency: Seconds added to every request.
        clock: Unix-seconds clock used for the time window.
    """

    def __init__(
        self,
        *,
        access_token: str = DEFAULT_TOKEN,
        pixel_id: str = DEFAULT_PIXEL_ID,
        host: str = "127.0.0.1",
        port: int = 0,
        record: bool = True,
        validate: bool = True,
        fault_rate: float = 0.0,
        fault_kinds: Iterable[str] = _RETRYABLE_FAULTS,
        seed: int = 0,
        timeout_sleep: float = 1.0,
        latency: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.access_token = access_token
        self.pixel_id = pixel_id
        self.record = record
        self.validate = validate
        self.fault_rate = fault_rate
        self.fault_kinds = tuple(fault_kinds)
        self.timeout_sleep = timeout_sleep
        self.latency = latency
        self.clock = clock
        self.reject_event_ids: set[str] = set()
        self.token_revoked = False
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._faults: list[str] = []
        self.accepted: Counter[str] = Counter()
        self.accepted_batches: list[list[str]] = []
        #: Every distinct event body accepted per event id (canonical JSON), when recording.
        self.payloads: dict[str, set[str]] = {}
        self.test_event_codes: Counter[str] = Counter()
        #: When set, ``GET /{v}/dataset_quality`` answers ``{"web": <this list>}``.
        self.dataset_quality_override: list[dict[str, Any]] | None = None
        self.requests: list[dict[str, Any]] = []
        self.request_count = 0
        self.events_accepted = 0
        self._server = _QuietServer((host, port), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL to use as META_GRAPH_API_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGraphApi:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-graph-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGraphApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def inject(self, *kinds: str) -> None:
        """Queue faults, one consumed per request, before any random fault."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        with self._lock:
            self._faults.extend(kinds)

    def reset(self) -> None:
        """Forget what was received and queued."""
        with self._lock:
            self._faults.clear()
            self.accepted.clear()
            self.accepted_batches.clear()
            self.payloads.clear()
            self.test_event_codes.clear()
            self.requests.clear()
            self.request_count = 0
            self.events_accepted = 0

    def stats(self) -> dict[str, Any]:
        """Totals, as served on ``GET /__fake/stats``."""
        with self._lock:
            return {
                "requests": self.request_count,
                "events_accepted": self.events_accepted,
                "distinct_event_ids": len(self.accepted),
                "duplicate_events": sum(c - 1 for c in self.accepted.values() if c > 1),
            }

    def _next_fault(self) -> str | None:
        with self._lock:
            self.request_count += 1
            if self._faults:
                return self._faults.pop(0)
            if self.fault_rate and self._rng.random() < self.fault_rate:
                return self._rng.choice(self.fault_kinds)
        return None

    def _log_request(self, status: int, size: int, fault: str | None) -> None:
        if self.record:
            with self._lock:
                self.requests.append({"status": status, "size": size, "fault": fault})

    def handle_events(
        self, pixel_id: str, token: str | None, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Validate one request and return ``(status, body)``."""
        trace = secrets.token_hex(8)
        if not token:
            return 400, _error(
                "An access token is required to request this resource.",
                "OAuthException",
                104,
                None,
                trace,
            )
        if token != self.access_token or self.token_revoked:
            return 400, _error(
                "Error validating access token: Session has expired.",
                "OAuthException",
                190,
                463,
                trace,
            )
        if pixel_id != self.pixel_id:
            return 400, _error(
                f"Unsupported post request. Object with ID '{pixel_id}' does not exist.",
                "GraphMethodException",
                100,
                33,
                trace,
            )
        data = params.get("data")
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                return 400, _error("Invalid parameter: data", "OAuthException", 100, None, trace)
        if not isinstance(data, list) or not data:
            return 400, _error("The parameter data is required", "OAuthException", 100, None, trace)
        if len(data) > 1000:
            return 400, _error(
                "Invalid parameter: too many events (max 1000)", "OAuthException", 100, None, trace
            )
        events: list[dict[str, Any]] = []
        for item in data:
            if isinstance(item, str):
                try:
                    item = json.loads(item)
                except ValueError:
                    item = None
            if not isinstance(item, dict):
                return 400, _error("Invalid parameter: event", "OAuthException", 100, None, trace)
            events.append(item)
        if self.validate:
            now = self.clock()
            for index, event in enumerate(events):
                try:
                    self._check_event(event, now)
                except _EventProblem as problem:
                    return 400, _error(
                        "Invalid parameter",
                        "OAuthException",
                        100,
                        problem.subcode,
                        trace,
                        title=problem.title or "Invalid parameter",
                        user_msg=f"event {index}: {problem}",
                    )
        ids = [str(e.get("event_id")) for e in events]
        with self._lock:
            self.events_accepted += len(events)
            if self.record:
                self.accepted.update(ids)
                self.accepted_batches.append(ids)
                for event_id, event in zip(ids, events, strict=True):
                    text = json.dumps(event, sort_keys=True, separators=(",", ":"))
                    self.payloads.setdefault(event_id, set()).add(text)
                code = params.get("test_event_code")
                if code:
                    self.test_event_codes[str(code)] += len(events)
        return 200, {"events_received": len(events), "messages": [], "fbtrace_id": trace}

    def handle_dataset_quality(
        self, token: str | None, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Answer ``GET /{v}/dataset_quality`` from the events accepted so far.

        The shape is Meta's (reference/meta-capi.md section 9): ``{"web": [{event_name,
        event_match_quality{composite_score, match_key_feedback[{identifier,
        coverage{percentage}}], diagnostics}, event_coverage{percentage, goal_percentage},
        data_freshness{upload_frequency}, dedupe_key_feedback[...]}]}``. The numbers are the
        fake's own: coverage is the share of accepted events carrying the key; the composite
        score is 10 times the mean share of the keys in ``_QUALITY_WEIGHTS`` weighted by them
        (Meta's real formula is unpublished); event_coverage is the share of server events
        carrying an event_id (the fake sees no browser events). ``dataset_quality_override``
        replaces the answer's ``web`` list when a test needs exact values. Needs recording.
        """
        trace = secrets.token_hex(8)
        if not token:
            return 400, _error(
                "An access token is required to request this resource.",
                "OAuthException",
                104,
                None,
                trace,
            )
        if token != self.access_token or self.token_revoked:
            return 400, _error(
                "Error validating access token: Session has expired.",
                "OAuthException",
                190,
                463,
                trace,
            )
        dataset_id = params.get("dataset_id")
        if not dataset_id:
            return 400, _error(
                "(#100) The parameter dataset_id is required", "OAuthException", 100, None, trace
            )
        if dataset_id != self.pixel_id:
            return 400, _error(
                f"Unsupported get request. Object with ID '{dataset_id}' does not exist.",
                "GraphMethodException",
                100,
                33,
                trace,
            )
        if not str(params.get("fields") or "").startswith("web"):
            return 400, _error(
                "(#100) fields must request web{...}", "OAuthException", 100, None, trace
            )
        if self.dataset_quality_override is not None:
            return 200, {"web": self.dataset_quality_override}
        with self._lock:
            bodies = [json.loads(next(iter(texts))) for texts in self.payloads.values() if texts]
        by_name: dict[str, list[dict[str, Any]]] = {}
        for body in bodies:
            by_name.setdefault(str(body.get("event_name")), []).append(body)
        web = []
        for event_name, events in sorted(by_name.items()):
            feedback = []
            weighted = 0.0
            for key, identifier in _QUALITY_IDENTIFIERS.items():
                carried = sum(1 for e in events if (e.get("user_data") or {}).get(key))
                share = carried / len(events)
                weighted += share * _QUALITY_WEIGHTS.get(key, 0.0)
                if carried:
                    feedback.append(
                        {
                            "identifier": identifier,
                            "coverage": {"percentage": round(100 * share, 2)},
                        }
                    )
            with_id = sum(1 for e in events if e.get("event_id"))
            with_fbp = sum(1 for e in events if (e.get("user_data") or {}).get("fbp"))
            score = 10 * weighted / sum(_QUALITY_WEIGHTS.values())
            web.append(
                {
                    "event_name": event_name,
                    "event_match_quality": {
                        "composite_score": round(score, 1),
                        "match_key_feedback": feedback,
                        "diagnostics": [],
                    },
                    "event_coverage": {
                        "percentage": round(100 * with_id / len(events), 2),
                        "goal_percentage": 75,
                    },
                    "data_freshness": {"upload_frequency": "real_time"},
                    "dedupe_key_feedback": [
                        {
                            "dedupe_key": "event_id",
                            "server_events_with_dedupe_key": {
                                "percentage": round(100 * with_id / len(events), 2)
                            },
                        },
                        {
                            "dedupe_key": "fbp",
                            "server_events_with_dedupe_key": {
                                "percentage": round(100 * with_fbp / len(events), 2)
                            },
                        },
                    ],
                }
            )
        return 200, {"web": web}

    def _check_event(self, event: dict[str, Any], now: float) -> None:
        event_id = event.get("event_id")
        if event_id is not None and str(event_id) in self.reject_event_ids:
            raise _EventProblem(f"event_id {event_id} refused (injected)", 2804019)
        for key in ("event_name", "event_time", "action_source", "user_data"):
            if key not in event:
                raise _EventProblem(f"missing {key}")
        if not isinstance(event["event_name"], str) or not event["event_name"]:
            raise _EventProblem("event_name must be a non-empty string")
        action_source = event["action_source"]
        if action_source not in _ACTION_SOURCES:
            raise _EventProblem("invalid action_source")
        event_time = event["event_time"]
        if not isinstance(event_time, int):
            raise _EventProblem("event_time must be an integer")
        days = 62 if action_source == "physical_store" else 7
        if event_time < now - days * 86_400:
            raise _EventProblem(
                f"The timestamp for this event is more than {days} days old.",
                2804003,
                "Event Timestamp Too Old",
            )
        user_data = event["user_data"]
        if not isinstance(user_data, dict) or not user_data:
            raise _EventProblem("user_data needs at least one key")
        if action_source == "website" and not (
            event.get("event_source_url") and user_data.get("client_user_agent")
        ):
            raise _EventProblem("website events need event_source_url and client_user_agent")
        for key in _HASHED:
            if key in user_data:
                values = user_data[key]
                values = values if isinstance(values, list) else [values]
                if not all(isinstance(v, str) and _SHA256.fullmatch(v) for v in values):
                    raise _EventProblem(f"user_data.{key} is not hashed")
        fbc = user_data.get("fbc")
        if fbc is not None and not (isinstance(fbc, str) and _FBC.fullmatch(fbc)):
            raise _EventProblem("malformed fbc")
        fbp = user_data.get("fbp")
        if fbp is not None and not (isinstance(fbp, str) and _FBP.fullmatch(fbp)):
            raise _EventProblem("malformed fbp")
        lead_id = user_data.get("lead_id")
        if lead_id is not None and not re.fullmatch(r"\d{15,17}", str(lead_id)):
            raise _EventProblem("invalid lead_id")
        keys = frozenset(user_data)
        if any(keys <= weak for weak in _WEAK_IDENTIFIER_SETS):
            raise _EventProblem("user_data does not meet the matching baseline")
        custom_data = event.get("custom_data") or {}
        if event["event_name"] == "Purchase" and not (
            isinstance(custom_data, dict) and "value" in custom_data and "currency" in custom_data
        ):
            raise _EventProblem("Purchase events need custom_data.value and currency")


def _error(
    message: str,
    kind: str,
    code: int,
    subcode: int | None,
    trace: str,
    *,
    transient: bool = False,
    title: str = "",
    user_msg: str = "",
) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": kind,
            "code": code,
            "error_subcode": subcode,
            "is_transient": transient,
            "error_user_title": title,
            "error_user_msg": user_msg,
            "fbtrace_id": trace,
        }
    }


_FAULT_RESPONSES: dict[str, tuple[int, dict[str, Any]]] = {
    "http_429": (
        429,
        _error("Too many requests", "OAuthException", 80003, None, "f", transient=True),
    ),
    "http_500": (500, {"error": {"message": "An unknown error occurred", "code": 1}}),
    "http_503": (503, {}),
    "transient_1": (
        500,
        _error("An unknown error occurred", "OAuthException", 1, None, "f", transient=True),
    ),
    "transient_2": (
        503,
        _error("Service temporarily unavailable", "OAuthException", 2, None, "f", transient=True),
    ),
    "transient_17": (
        400,
        _error("User request limit reached", "OAuthException", 17, 2446079, "f", transient=True),
    ),
    "transient_613": (
        400,
        _error(
            "Calls within one hour exceeded", "OAuthException", 613, 1487742, "f", transient=True
        ),
    ),
    "transient_flag": (
        400,
        _error(
            "Please retry your request later.", "OAuthException", 9007, None, "f", transient=True
        ),
    ),
    "token_expired": (
        400,
        _error(
            "Error validating access token: Session has expired.", "OAuthException", 190, 463, "f"
        ),
    ),
    "permission_denied": (
        403,
        _error(
            "(#200) Permissions error: the user does not have permission on this pixel",
            "OAuthException",
            200,
            None,
            "f",
        ),
    ),
}


_FAULT_RESPONSES["http_429_retry_after"] = _FAULT_RESPONSES["http_429"]
_FAULT_RESPONSES["throttled_buc"] = _FAULT_RESPONSES["transient_17"]
#: Headers of the throttling faults (the rest answer with none).
_FAULT_HEADERS: dict[str, dict[str, str]] = {
    "http_429_retry_after": {"retry-after": "1"},
    "throttled_buc": {
        "x-business-use-case-usage": json.dumps(
            {
                "1234567890": [
                    {
                        "type": "ads_management",
                        "call_count": 100,
                        "total_cputime": 40,
                        "total_time": 40,
                        "estimated_time_to_regain_access": 5,
                    }
                ]
            }
        )
    },
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeGraphApi/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet (the default writes every request to stderr)."""

    @property
    def fake(self) -> FakeGraphApi:
        return self.server.fake  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path == "/__fake/stats":
            self._send(200, self.fake.stats())
        elif _QUALITY_PATH.fullmatch(parts.path):
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            token = params.pop("access_token", None)
            auth = self.headers.get("authorization") or ""
            if token is None and auth.split(" ")[0].lower() in ("oauth", "bearer"):
                token = auth.split(" ", 1)[1].strip()
            status, body = self.fake.handle_dataset_quality(token, params)
            self.fake._log_request(status, -1, None)
            self._send(status, body)
        else:
            self._send(404, _error("Unknown path", "GraphMethodException", 100, None, "g"))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        if parts.path == "/__fake/reset":
            self.fake.reset()
            self._send(200, {"ok": True})
            return
        fake = self.fake
        if fake.latency:
            time.sleep(fake.latency)
        fault = fake._next_fault()
        if fault == "drop":
            fake._log_request(0, 0, fault)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "timeout":
            fake._log_request(0, 0, fault)
            time.sleep(fake.timeout_sleep)
            self.close_connection = True
            return
        if fault is not None and fault in _FAULT_RESPONSES:
            status, body = _FAULT_RESPONSES[fault]
            fake._log_request(status, 0, fault)
            self._send(status, body, _FAULT_HEADERS.get(fault))
            return
        match = _PATH.fullmatch(parts.path)
        if match is None:
            self._send(400, _error("Unknown path components", "OAuthException", 2500, None, "p"))
            return
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        content_type = (self.headers.get("content-type") or "").split(";")[0].strip()
        try:
            if content_type == "application/json":
                loaded = json.loads(raw or b"{}")
                if isinstance(loaded, dict):
                    params.update(loaded)
            else:
                params.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
        except ValueError:
            self._send(400, _error("Malformed body", "OAuthException", 100, None, "b"))
            return
        token = params.pop("access_token", None)
        auth = self.headers.get("authorization") or ""
        if token is None and auth.split(" ")[0].lower() in ("oauth", "bearer"):
            token = auth.split(" ", 1)[1].strip()
        status, body = fake.handle_events(match.group(2), token, params)
        data = params.get("data")
        fake._log_request(status, len(data) if isinstance(data, list) else -1, fault)
        if fault == "accepted_then_timeout":
            # Meta processed the events but the answer never arrives (the client times out).
            time.sleep(fake.timeout_sleep)
            self.close_connection = True
            return
        self._send(status, body)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def main(argv: list[str] | None = None) -> None:
    """Run the fake in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--pixel-id", default=DEFAULT_PIXEL_ID)
    parser.add_argument("--fast", action="store_true", help="count only: no validation/record")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    fake = FakeGraphApi(
        access_token=args.token,
        pixel_id=args.pixel_id,
        host=args.host,
        port=args.port,
        record=not args.fast,
        validate=not args.fast,
        fault_rate=args.fault_rate,
        seed=args.seed,
        latency=args.latency,
    )
    print(f"fake Graph API on {fake.url} (pixel {args.pixel_id})", flush=True)  # noqa: T201
    try:
        fake._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    main()
