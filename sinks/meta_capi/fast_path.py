"""Vectorised payload building in DuckDB for rows that are plainly valid.

Building and validating events in Python costs tens of microseconds per row, which caps a
sync far below what Meta accepts. When the mart lives in DuckDB, this module renders the
request fragment of every *plainly valid* row in SQL, in the same query that reads the mart
and joins the ledger, so Python only joins strings and sends them.

The SQL is conservative by construction: it renders a row only when every value is in a form
for which ``payload.prepare_event`` is known to accept the row and to produce the very same
bytes (printable ASCII text without quotes or backslashes, IPv4 addresses, compact JSON lists
of such strings, no ``contents`` or ``custom_properties``, ...). Every other row (invalid ones,
IPv6 addresses, non-ASCII text, custom properties) comes back as a struct of its columns and
goes through ``prepare_event``, which gives the verdict and the reason. So the Python rules in
``payload`` stay the single statement of what Meta accepts; ``tests/sinks`` checks row by row
that both paths agree byte for byte and that SQL never renders a row Python would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sinks.meta_capi.contract import EVENT_COLUMNS, HASHED_USER_DATA_COLUMNS
from sinks.meta_capi.payload import (
    ACTION_SOURCES,
    DAY_SECONDS,
    DEFAULT_WINDOW_DAYS,
    PHYSICAL_STORE_WINDOW_DAYS,
)

__all__ = ["ready_events_sql", "sent_ready_events_sql", "unsupported_columns", "RESULT_COLUMNS"]

_INTEGER_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}
)
_FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT", "REAL"})
_EXPECTED: dict[str, frozenset[str]] = {
    "event_time": _INTEGER_TYPES,
    "opt_out": frozenset({"BOOLEAN"}),
    "num_items": _INTEGER_TYPES,
    "data_processing_options_country": _INTEGER_TYPES,
    "data_processing_options_state": _INTEGER_TYPES,
    "lead_id": frozenset({"VARCHAR"}) | _INTEGER_TYPES,
}
_DECIMAL = re.compile(r"DECIMAL\(\d+,\d+\)")

# Printable ASCII without '"' and '\': such text is its own JSON string body.
_SAFE = r"[ !#-\[\]-~]*"
_SAFE_NONEMPTY = r"[!#-\[\]-~][ !#-\[\]-~]*"
_APPENDIX = r"(\.[A-Za-z0-9_-]{8}|\.[A-Za-z0-9_-]{2})?"
_SHA256 = r"[0-9a-f]{64}" + _APPENDIX
_FBC = r"fb\.[0-9]+\.[0-9]+\.[!#-\[\]-~]+"
_FBP = r"fb\.[0-9]+\.[0-9]+\.[0-9]+" + _APPENDIX
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = _OCTET + r"(\." + _OCTET + r"){3}"
_LEAD_ID = r"[1-9][0-9]{14,16}"
_STRING_LIST = r'\[("' + _SAFE + r'"(,"' + _SAFE + r'")*)?\]'
_CURRENCY = r"[A-Za-z]{3}"
# Identifiers outside every weak set of Meta's matching baseline: one of them suffices.
_STRONG_KEYS = ("em", "ph", "external_id", "client_ip_address", "fbc", "fbp", "lead_id")
_CLEAR_STRINGS = ("client_user_agent",)
_CUSTOM_STRINGS = ("content_type", "order_id", "lead_event_source", "event_source")

#: Columns of each result row, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_name",
    "fast_body",
    "fast_hash",
    "ledger_status",
    "ledger_payload_hash",
    "ledger_error_code",
    "row",
)


def unsupported_columns(types: Mapping[str, str]) -> list[str]:
    """Columns whose DuckDB type the SQL renderer does not handle (then use Python only).

    Args:
        types: Column name to DuckDB type name, for the columns the mart has.
    """
    problems = []
    for column, type_name in types.items():
        if column not in EVENT_COLUMNS:
            continue
        upper = type_name.upper()
        if column == "value":
            if upper not in _FLOAT_TYPES and not _DECIMAL.fullmatch(upper):
                problems.append(column)
        elif column in _EXPECTED:
            if upper not in _EXPECTED[column]:
                problems.append(column)
        elif upper != "VARCHAR":
            problems.append(column)
    return problems


def ready_events_sql(table: str, types: Mapping[str, str], *, skip_sent: bool = False) -> str:
    """The query reading ``ready`` rows with their fragment (or their columns) and ledger state.

    Parameters, in order: ``now`` (unix seconds), ``future_skew_seconds``, ``pixel_id``, and
    with ``skip_sent`` a fourth: the list of event ids asked for resend.
    Rows come ordered by ``event_time, event_id``, as the Python path reads them.

    Args:
        table: Mart, ``[catalog.]schema.table`` (validated by the caller).
        types: Column name to DuckDB type name (``unsupported_columns`` must be empty).
        skip_sent: Leave out, before rendering, rows whose delivery is already ``sent``
            (except those asked for resend): an hourly run then reads and renders only what
            is new instead of the whole history (``sent_ready_events_sql`` counts them).
    """
    present = set(types)
    source_columns = []
    for column in EVENT_COLUMNS:
        if column not in present:
            source_columns.append(f"cast(null as {_missing_type(column)}) as {column}")
        elif column == "value" and _DECIMAL.fullmatch(types[column].upper()):
            # Python turns a Decimal into the nearest double; parsing its text does the same.
            source_columns.append("cast(cast(value as varchar) as double) as value")
        elif column == "value" and types[column].upper() != "DOUBLE":
            # A float32 reaches Python widened to double; print the widened value, too.
            source_columns.append("cast(value as double) as value")
        elif column == "lead_id" and types[column].upper() != "VARCHAR":
            source_columns.append("cast(lead_id as varchar) as lead_id")
        else:
            source_columns.append(column)
    text_columns = [
        c
        for c in EVENT_COLUMNS
        if c not in _EXPECTED and c != "value" and c not in ("send_status", "status_reason")
    ]
    normalised = ", ".join(
        f"nullif({c}, '') as {c}" if c in text_columns else c
        for c in EVENT_COLUMNS
        if c not in ("send_status", "status_reason")
    )
    # Python receives '' as NULL; prepare_event treats both alike.
    packed = ", ".join(f"{c} := rendered.{c}" for c in EVENT_COLUMNS)
    return f"""
with
source as (
    select {", ".join(source_columns)}
    from {table} as mart
    where send_status = 'ready'{f" and not {_sent('$3', '$4')}" if skip_sent else ""}
),

normalised as (
    select {normalised}, send_status, status_reason
    from source
),

checked as (
    select *, ({_is_plain_sql()}) as is_plain
    from normalised
),

rendered as (
    select
        *,
        case when is_plain then {_body_sql()} end as fast_body
    from checked
),

ledger as (
    select event_id, status, payload_hash, error_code
    from sync.meta_capi_deliveries
    where pixel_id = $3
)

select
    rendered.event_id,
    rendered.event_name,
    rendered.fast_body,
    sha256(rendered.fast_body) as fast_hash,
    ledger.status,
    ledger.payload_hash,
    ledger.error_code,
    case when rendered.fast_body is null then struct_pack({packed}) end as row
from rendered
left join ledger on rendered.event_id = ledger.event_id
order by rendered.event_time, rendered.event_id
"""


def _sent(pixel: str, resend: str) -> str:
    """A mart row (alias ``mart``) whose delivery is ``sent`` and not asked for resend."""
    return f"""exists (
        select 1
        from sync.meta_capi_deliveries as delivery
        where
            delivery.pixel_id = {pixel}
            and delivery.event_id = mart.event_id
            and delivery.status = 'sent'
            and not list_contains(cast({resend} as varchar[]), mart.event_id)
    )"""


def sent_ready_events_sql(table: str) -> str:
    """Count of the ``ready`` rows ``skip_sent`` leaves out; parameters pixel id, resend ids."""
    sent = _sent("$1", "$2")
    return f"select count(*) from {table} as mart where send_status = 'ready' and {sent}"


def _missing_type(column: str) -> str:
    if column == "value":
        return "double"
    if column == "opt_out":
        return "boolean"
    if column in _EXPECTED and column != "lead_id":
        return "bigint"
    return "varchar"


def _match(column: str, pattern: str) -> str:
    return f"regexp_full_match({column}, '{pattern}')"


def _optional(column: str, pattern: str) -> str:
    return f"({column} is null or {_match(column, pattern)})"


def _is_plain_sql() -> str:
    sources = ", ".join(f"'{s}'" for s in sorted(ACTION_SOURCES))
    window = (
        f"(case when action_source = 'physical_store' then {PHYSICAL_STORE_WINDOW_DAYS} "
        f"else {DEFAULT_WINDOW_DAYS} end) * {DAY_SECONDS}"
    )
    conditions = [
        f"event_id is not null and {_match('event_id', _SAFE_NONEMPTY)}",
        f"event_name is not null and {_match('event_name', _SAFE_NONEMPTY)}",
        f"action_source in ({sources})",
        "event_time is not null",
        "event_time <= $1 + $2",
        f"event_time >= $1 - {window}",
        "(action_source <> 'website' or "
        "(event_source_url is not null and client_user_agent is not null))",
        _optional("event_source_url", _SAFE),
        _optional("referrer_url", _SAFE),
        "(" + " or ".join(f"{k} is not null" for k in _STRONG_KEYS) + ")",
        *(_optional(k, _SHA256) for k in HASHED_USER_DATA_COLUMNS),
        *(_optional(k, _SAFE) for k in _CLEAR_STRINGS),
        _optional("client_ip_address", _IPV4),
        _optional("fbc", _FBC),
        _optional("fbp", _FBP),
        _optional("lead_id", _LEAD_ID),
        "(value is null or isfinite(value))",
        _optional("currency", _CURRENCY),
        "(event_name <> 'Purchase' or (value is not null and currency is not null))",
        *(_optional(k, _SAFE) for k in _CUSTOM_STRINGS),
        _optional("content_ids", _STRING_LIST),
        "contents is null",
        "custom_properties is null",
        "(data_processing_options is null"
        " or (data_processing_options = '[]'"
        " and (data_processing_options_country is null"
        " or data_processing_options_state is not null))"
        " or (data_processing_options = '[\"LDU\"]'"
        " and data_processing_options_country is not null"
        " and data_processing_options_state is not null))",
        "(event_source is null or event_source <> 'crm'"
        " or (action_source = 'system_generated' and lead_event_source is not null))",
    ]
    return "\n        and ".join(f"coalesce({c}, false)" for c in conditions)


def _string(key: str, column: str) -> str:
    return f"""'"{key}":"' || {column} || '"'"""


def _raw(key: str, expression: str) -> str:
    return f"""'"{key}":' || {expression}"""


def _integer(key: str) -> str:
    return _raw(key, f"cast({key} as varchar)")


def _when(condition: str, expression: str) -> str:
    return f"case when {condition} then {expression} end"


def _object(key: str, members: dict[str, str]) -> str:
    # Keys in Python's sort order; concat_ws skips the NULL (absent) members.
    parts = ", ".join(members[k] for k in sorted(members))
    return f"""'"{key}":{{' || concat_ws(',', {parts}) || '}}'"""


def _body_sql() -> str:
    user_data = {k: _string(k, k) for k in HASHED_USER_DATA_COLUMNS}
    user_data.update({k: _string(k, k) for k in ("client_ip_address", "client_user_agent")})
    user_data.update({k: _string(k, k) for k in ("fbc", "fbp")})
    user_data["lead_id"] = _raw("lead_id", "lead_id")
    custom = {k: _string(k, k) for k in _CUSTOM_STRINGS}
    custom.update(
        value=_raw("value", "cast(value as varchar)"),
        currency=_string("currency", "lower(currency)"),
        num_items=_raw("num_items", "cast(num_items as varchar)"),
        content_ids=_raw("content_ids", "content_ids"),
    )
    has_custom = " or ".join(f"{k} is not null" for k in sorted(custom))
    options = "data_processing_options is not null"
    top = {
        "action_source": _string("action_source", "action_source"),
        "custom_data": f"case when {has_custom} then {_object('custom_data', custom)} end",
        "data_processing_options": _raw("data_processing_options", "data_processing_options"),
        "data_processing_options_country": _when(
            options, _integer("data_processing_options_country")
        ),
        "data_processing_options_state": _when(options, _integer("data_processing_options_state")),
        "event_id": _string("event_id", "event_id"),
        "event_name": _string("event_name", "event_name"),
        "event_source_url": _string("event_source_url", "event_source_url"),
        "event_time": _raw("event_time", "cast(event_time as varchar)"),
        "opt_out": _raw(
            "opt_out", "case when opt_out then 'true' when not opt_out then 'false' end"
        ),
        "referrer_url": _string("referrer_url", "referrer_url"),
        "user_data": _object("user_data", user_data),
    }
    parts = ", ".join(top[k] for k in sorted(top))
    return f"'{{' || concat_ws(',', {parts}) || '}}'"
