"""Meta Conversions API sink: payloads, validation, client, send ledger and sync.

Public entry point: ``sync_events(warehouse_path, config)``; the engine-agnostic core is
``send_rows(rows, ledger_con, config)``.
"""

from sinks.meta_capi.client import BatchOutcome, MetaCapiClient, RequestRecord, redact
from sinks.meta_capi.config import SinkConfig
from sinks.meta_capi.contract import EVENT_COLUMNS
from sinks.meta_capi.errors import (
    ConfigurationError,
    MetaCapiError,
    RejectedError,
    TokenExpiredError,
    TransportError,
)
from sinks.meta_capi.ledger import Ledger
from sinks.meta_capi.payload import PreparedEvent, build_event, prepare_event, validate_event
from sinks.meta_capi.retry import backoff_delay, classify, full_jitter, should_retry
from sinks.meta_capi.sync import DEFAULT_TABLE, SyncReport, send_rows, sync_events

__all__ = [
    "BatchOutcome",
    "ConfigurationError",
    "DEFAULT_TABLE",
    "EVENT_COLUMNS",
    "Ledger",
    "MetaCapiClient",
    "MetaCapiError",
    "PreparedEvent",
    "RejectedError",
    "RequestRecord",
    "SinkConfig",
    "SyncReport",
    "TokenExpiredError",
    "TransportError",
    "backoff_delay",
    "build_event",
    "classify",
    "full_jitter",
    "prepare_event",
    "redact",
    "send_rows",
    "should_retry",
    "sync_events",
    "validate_event",
]
