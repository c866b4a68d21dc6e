"""Input contract of the Meta CAPI sink: the columns of the mart ``meta_capi__events``.

One row per candidate Meta server event. Column names follow Meta's field names so a row maps
onto the payload without renaming. The dbt mart ``meta_capi__events`` follows this list; any
other engine may feed the sink an iterable of dicts with these keys (missing keys are nulls).

Column groups:

* event: ``event_id`` (text, required, stable across runs: it is the ledger key and Meta's
  dedup key), ``event_name`` (text, required), ``event_time`` (unix seconds, int, required),
  ``action_source`` (one of Meta's nine values), ``event_source_url``, ``referrer_url``,
  ``opt_out`` (bool).
* user_data, hashed: ``em, ph, fn, ln, ge, db, ct, st, zp, country, external_id``: lowercase
  SHA-256 hex (64 chars) of the value normalised by Meta's rules, or null.
* user_data, clear text: ``client_ip_address``, ``client_user_agent``, ``fbc``
  (``fb.<int>.<ms>.<fbclid>``), ``fbp`` (``fb.<int>.<ms>.<digits>``), ``lead_id`` (15-17 digits
  as text; sent as an integer).
* custom_data: ``value`` (double), ``currency`` (ISO 4217), ``content_ids`` (JSON text list),
  ``contents`` (JSON text list of ``{id, quantity, item_price}``), ``content_type``,
  ``order_id``, ``num_items`` (int), ``lead_event_source``, ``event_source`` (``crm`` for
  Conversion Leads), ``custom_properties`` (JSON text object merged into custom_data).
* processing: ``data_processing_options`` (JSON text list, ``'["LDU"]'`` or ``'[]'``),
  ``data_processing_options_country`` (int), ``data_processing_options_state`` (int).
* eligibility: ``send_status`` (``ready|expired|no_consent|no_match_keys|invalid``) and
  ``status_reason``. Only ``ready`` rows are sent.
"""

from __future__ import annotations

__all__ = [
    "EVENT_COLUMNS",
    "HASHED_USER_DATA_COLUMNS",
    "CLEAR_USER_DATA_COLUMNS",
    "SEND_STATUSES",
]

HASHED_USER_DATA_COLUMNS: tuple[str, ...] = (
    "em",
    "ph",
    "fn",
    "ln",
    "ge",
    "db",
    "ct",
    "st",
    "zp",
    "country",
    "external_id",
)
CLEAR_USER_DATA_COLUMNS: tuple[str, ...] = (
    "client_ip_address",
    "client_user_agent",
    "fbc",
    "fbp",
    "lead_id",
)

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_name",
    "event_time",
    "action_source",
    "event_source_url",
    "referrer_url",
    "opt_out",
    *HASHED_USER_DATA_COLUMNS,
    *CLEAR_USER_DATA_COLUMNS,
    "value",
    "currency",
    "content_ids",
    "contents",
    "content_type",
    "order_id",
    "num_items",
    "lead_event_source",
    "event_source",
    "custom_properties",
    "data_processing_options",
    "data_processing_options_country",
    "data_processing_options_state",
    "send_status",
    "status_reason",
)

SEND_STATUSES: tuple[str, ...] = ("ready", "expired", "no_consent", "no_match_keys", "invalid")
