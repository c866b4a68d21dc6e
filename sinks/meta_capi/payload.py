"""Rows of ``meta_capi__events`` to Meta server events, validated before sending.

Choices where Meta allows several forms:

* Hashed user_data keys (em, ph, ...) are sent as single strings, not one-element lists.
* ``lead_id`` is sent as an integer (Meta types it so; Python's json keeps 17 digits exact).
* Null fields are dropped; ``custom_data`` is omitted when empty; ``currency`` is lowercased.
* Each event is serialised once (compact JSON, sorted keys). The text is both the request body
  fragment and the input of ``payload_hash`` (SHA-256), so a retry or resend sends the exact
  same bytes and a changed row gets a new hash.

Validation mirrors what Meta enforces (reference/meta-capi.md sections 2, 3, 4, 7): an event
that fails is never sent and never poisons a batch; it becomes ``rejected`` (or ``expired``
when only its age is wrong) with the reason.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sinks.meta_capi.contract import HASHED_USER_DATA_COLUMNS

__all__ = [
    "ACTION_SOURCES",
    "PreparedEvent",
    "RowError",
    "prepare_event",
    "build_event",
    "validate_event",
    "request_body",
]

ACTION_SOURCES: frozenset[str] = frozenset(
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
DAY_SECONDS = 86_400
DEFAULT_WINDOW_DAYS = 7
PHYSICAL_STORE_WINDOW_DAYS = 62
DEFAULT_FUTURE_SKEW_SECONDS = 300

_HASHED_KEYS = frozenset(HASHED_USER_DATA_COLUMNS)
# The Parameter Builder appends ".{appendix}" (8 characters, or a legacy 2) to hashes, fbc and
# fbp; Meta accepts both forms (reference/meta-capi.md section 4).
_APPENDIX = r"(?:\.[A-Za-z0-9_-]{8}|\.[A-Za-z0-9_-]{2})?"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}" + _APPENDIX)
_FBC = re.compile(r"fb\.\d+\.\d+\.\S+")
_FBP = re.compile(r"fb\.\d+\.\d+\.\d+" + _APPENDIX)
_LEAD_ID = re.compile(r"\d{15,17}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_STANDARD_CUSTOM_KEYS = frozenset(
    {
        "value",
        "currency",
        "content_ids",
        "contents",
        "content_type",
        "order_id",
        "num_items",
        "lead_event_source",
        "event_source",
    }
)
# Meta's matching baseline: an event whose only identifiers are a subset of one of these
# sets is invalid (reference/meta-capi.md section 3).
_WEAK_IDENTIFIER_SETS: tuple[frozenset[str], ...] = (
    frozenset({"ct", "country", "st", "zp", "ge", "client_user_agent"}),
    frozenset({"db", "client_user_agent"}),
    frozenset({"fn", "ge"}),
    frozenset({"ln", "ge"}),
)


class RowError(ValueError):
    """A contract row cannot be mapped onto an event; the message names columns, not values."""


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """One row after building and validation.

    Attributes:
        event_id: Meta ``event_id`` (ledger key).
        event_name: Meta ``event_name``.
        status: ``ok``, ``rejected`` (invalid) or ``expired`` (outside the time window).
        reason: Why the event is not ``ok``; never contains field values.
        body: Compact JSON text of the event when ``ok``.
        payload_hash: SHA-256 hex of ``body`` (empty when not built).
    """

    event_id: str
    event_name: str
    status: str
    reason: str | None
    body: str | None
    payload_hash: str


def build_event(row: Mapping[str, Any]) -> dict[str, Any]:
    """Map one contract row onto Meta's server-event object (no validation, nulls dropped).

    Raises:
        RowError: A JSON text column does not parse, an integer column holds something else,
            or a custom property clashes with a standard custom_data key. The message names
            the column, never its value.
    """
    user_data: dict[str, Any] = {}
    for key in HASHED_USER_DATA_COLUMNS:
        value = row.get(key)
        if value is not None and value != "":
            user_data[key] = value
    for key in ("client_ip_address", "client_user_agent", "fbc", "fbp"):
        value = row.get(key)
        if value is not None and value != "":
            user_data[key] = value
    lead_id = row.get("lead_id")
    if lead_id is not None and lead_id != "":
        lead_text = str(lead_id)
        is_digits = lead_text.isascii() and lead_text.isdigit()
        user_data["lead_id"] = int(lead_text) if is_digits else lead_text

    custom_data: dict[str, Any] = {}
    value = row.get("value")
    if value is not None:
        custom_data["value"] = float(value) if isinstance(value, Decimal) else value
    currency = row.get("currency")
    if currency:
        custom_data["currency"] = str(currency).lower()
    for key in ("content_type", "order_id", "lead_event_source", "event_source"):
        field = row.get(key)
        if field is not None and field != "":
            custom_data[key] = field
    num_items = _int_column(row, "num_items")
    if num_items is not None:
        custom_data["num_items"] = num_items
    for key in ("content_ids", "contents"):
        parsed = _json_column(row, key, list)
        if parsed is not None:
            custom_data[key] = parsed
    custom_properties = _json_column(row, "custom_properties", dict)
    if custom_properties:
        clash = _STANDARD_CUSTOM_KEYS.intersection(custom_properties)
        if clash:
            raise RowError(f"custom_properties repeats standard keys: {sorted(clash)}")
        custom_data.update({k: v for k, v in custom_properties.items() if v is not None})

    event: dict[str, Any] = {
        "event_name": row.get("event_name"),
        "event_time": row.get("event_time"),
        "event_id": row.get("event_id"),
        "action_source": row.get("action_source"),
        "user_data": user_data,
    }
    for key in ("event_source_url", "referrer_url"):
        field = row.get(key)
        if field:
            event[key] = field
    opt_out = row.get("opt_out")
    if opt_out is not None:
        event["opt_out"] = bool(opt_out)
    if custom_data:
        event["custom_data"] = custom_data
    options = _json_column(row, "data_processing_options", list)
    if options is not None:
        event["data_processing_options"] = options
        for key in ("data_processing_options_country", "data_processing_options_state"):
            field = _int_column(row, key)
            if field is not None:
                event[key] = field
    return event


def validate_event(
    event: Mapping[str, Any],
    *,
    now: int,
    future_skew_seconds: int = DEFAULT_FUTURE_SKEW_SECONDS,
) -> tuple[str, str] | None:
    """Check one built event against Meta's rules at send time ``now`` (unix seconds).

    Returns:
        ``None`` when valid, else ``(status, reason)`` with status ``expired`` or ``rejected``.
        Reasons name fields, never their values (they may be PII).
    """
    event_id = event.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return "rejected", "event_id missing"
    if not isinstance(event.get("event_name"), str) or not event["event_name"]:
        return "rejected", "event_name missing"
    action_source = event.get("action_source")
    if action_source not in ACTION_SOURCES:
        return "rejected", "action_source not one of Meta's values"
    event_time = event.get("event_time")
    if not isinstance(event_time, int) or isinstance(event_time, bool):
        return "rejected", "event_time is not unix seconds (int)"
    if event_time > now + future_skew_seconds:
        return "rejected", "event_time is in the future"
    window_days = (
        PHYSICAL_STORE_WINDOW_DAYS if action_source == "physical_store" else DEFAULT_WINDOW_DAYS
    )
    if event_time < now - window_days * DAY_SECONDS:
        return "expired", f"event_time older than {window_days} days at send time"

    user_data = event.get("user_data") or {}
    if action_source == "website":
        if not event.get("event_source_url"):
            return "rejected", "website event needs event_source_url"
        if not user_data.get("client_user_agent"):
            return "rejected", "website event needs client_user_agent"
    if not user_data:
        return "rejected", "no user_data key"
    for key, value in user_data.items():
        if key in _HASHED_KEYS and not _is_sha256_hex(value):
            return "rejected", f"user_data.{key} is not lowercase sha256 hex"
    fbc = user_data.get("fbc")
    if fbc is not None and not (isinstance(fbc, str) and _FBC.fullmatch(fbc)):
        return "rejected", "user_data.fbc is not fb.<int>.<ms>.<fbclid>"
    fbp = user_data.get("fbp")
    if fbp is not None and not (isinstance(fbp, str) and _FBP.fullmatch(fbp)):
        return "rejected", "user_data.fbp is not fb.<int>.<ms>.<digits>"
    lead_id = user_data.get("lead_id")
    if lead_id is not None and not _LEAD_ID.fullmatch(str(lead_id)):
        return "rejected", "user_data.lead_id is not 15-17 digits"
    ip = user_data.get("client_ip_address")
    if ip is not None and not _is_ip_address(ip):
        return "rejected", "user_data.client_ip_address is not an IP address"
    keys = frozenset(user_data)
    if any(keys <= weak for weak in _WEAK_IDENTIFIER_SETS):
        return "rejected", "user_data below Meta's matching baseline"

    options = event.get("data_processing_options")
    if options is not None:
        if not isinstance(options, list) or any(o != "LDU" for o in options):
            return "rejected", 'data_processing_options is not [] or ["LDU"]'
        country = event.get("data_processing_options_country")
        state = event.get("data_processing_options_state")
        if options and country is None:
            return "rejected", "LDU needs data_processing_options_country"
        if country is not None and state is None:
            return "rejected", "data_processing_options_country needs a state (0 to geolocate)"

    custom_data = event.get("custom_data") or {}
    if custom_data.get("event_source") == "crm":
        if action_source != "system_generated":
            return "rejected", "CRM events (event_source crm) need action_source system_generated"
        if not custom_data.get("lead_event_source"):
            return "rejected", "CRM events need custom_data.lead_event_source"
    value = custom_data.get("value")
    if value is not None and (
        not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value)
    ):
        return "rejected", "custom_data.value is not a finite number"
    currency = custom_data.get("currency")
    if currency is not None and not _CURRENCY.fullmatch(currency):
        return "rejected", "custom_data.currency is not a 3-letter code"
    if event["event_name"] == "Purchase" and (value is None or currency is None):
        return "rejected", "Purchase needs custom_data.value and currency"
    return None


def prepare_event(
    row: Mapping[str, Any],
    *,
    now: int,
    future_skew_seconds: int = DEFAULT_FUTURE_SKEW_SECONDS,
) -> PreparedEvent:
    """Build, validate and serialise one row."""
    event_id = str(row.get("event_id") or "")
    event_name = str(row.get("event_name") or "")
    try:
        event = build_event(row)
    except RowError as exc:
        return PreparedEvent(event_id, event_name, "rejected", str(exc), None, "")
    except (TypeError, ValueError) as exc:
        # Built-in messages may quote the offending value; keep only the exception type.
        reason = f"row could not be built ({type(exc).__name__})"
        return PreparedEvent(event_id, event_name, "rejected", reason, None, "")
    problem = validate_event(event, now=now, future_skew_seconds=future_skew_seconds)
    if problem is not None:
        return PreparedEvent(event_id, event_name, problem[0], problem[1], None, "")
    body = json.dumps(event, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    payload_hash = hashlib.sha256(body.encode()).hexdigest()
    return PreparedEvent(event_id, event_name, "ok", None, body, payload_hash)


def request_body(
    events: list[PreparedEvent],
    *,
    access_token: str | None = None,
    test_event_code: str | None = None,
) -> bytes:
    """Assemble the JSON request body from already-serialised events.

    The access token, when given, travels in the body (never in the URL, so it cannot leak
    through logged URLs).
    """
    parts = ['{"data":[', ",".join(e.body for e in events if e.body is not None), "]"]
    if test_event_code:
        parts.append(',"test_event_code":' + json.dumps(test_event_code))
    if access_token:
        parts.append(',"access_token":' + json.dumps(access_token))
    parts.append("}")
    return "".join(parts).encode()


@functools.lru_cache(maxsize=65_536)
def _is_ip_address(value: Any) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_sha256_hex(value: Any) -> bool:
    if isinstance(value, str):
        return _SHA256_HEX.fullmatch(value) is not None
    if isinstance(value, list) and value:
        return all(isinstance(v, str) and _SHA256_HEX.fullmatch(v) for v in value)
    return False


def _json_column(row: Mapping[str, Any], key: str, kind: type) -> Any:
    raw = row.get(key)
    if raw is None or raw == "":
        return None
    if raw == "[]" and kind is list:
        return []
    try:
        parsed = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        raise RowError(f"{key} is not JSON text") from None
    if not isinstance(parsed, kind):
        raise RowError(f"{key} is not a JSON {kind.__name__}")
    return parsed


def _int_column(row: Mapping[str, Any], key: str) -> int | None:
    raw = row.get(key)
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise RowError(f"{key} is not an integer") from None
    if number != raw and not (isinstance(raw, str) and raw.strip().lstrip("+-").isdigit()):
        raise RowError(f"{key} is not an integer")
    return number
