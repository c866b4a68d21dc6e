"""Helpers of the Meta CAPI sink tests: rows, mart files and ledger queries."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from sinks.meta_capi import EVENT_COLUMNS

#: The fixed "send time" of every test (2026-05-28T20:26:40Z), shared by sink and fake.
NOW = 1_780_000_000

_COLUMN_TYPES = {
    "event_time": "bigint",
    "opt_out": "boolean",
    "value": "double",
    "num_items": "integer",
    "data_processing_options_country": "integer",
    "data_processing_options_state": "integer",
}


def sha(text: str) -> str:
    """Lowercase SHA-256 hex, as the mart stores hashed identifiers."""
    return hashlib.sha256(text.encode()).hexdigest()


def event_row(index: int, **overrides: Any) -> dict[str, Any]:
    """A valid ``ready`` website Lead row, numbered ``index``."""
    row: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
    row.update(
        event_id=f"evt-{index:06d}",
        event_name="Lead",
        event_time=NOW - 3600,
        action_source="website",
        event_source_url="https://shop.example/thanks",
        client_user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        client_ip_address="203.0.113.7",
        em=sha(f"person{index}@example.com"),
        ph=sha(f"1650555{index:04d}"),
        external_id=sha(f"crm-{index}"),
        fbc=f"fb.1.1779990000000.IwAR{index}xYz",
        fbp=f"fb.1.1779990000000.{1000000 + index}",
        data_processing_options="[]",
        send_status="ready",
    )
    row.update(overrides)
    return row


def write_mart(path: Path, rows: list[Mapping[str, Any]]) -> Path:
    """Write rows as ``marts.meta_capi__events`` in a DuckDB file; return the file."""
    columns = ", ".join(f"{c} {_COLUMN_TYPES.get(c, 'varchar')}" for c in EVENT_COLUMNS)
    frame = pd.DataFrame([{c: r.get(c) for c in EVENT_COLUMNS} for r in rows])
    frame = frame.astype(object).where(frame.notna(), None)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table marts.meta_capi__events ({columns})")
        con.register("incoming", frame)
        con.execute("insert into marts.meta_capi__events select * from incoming")
    return path


def ledger_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run a query against a closed warehouse file and close it again."""
    with duckdb.connect(str(path)) as con:
        return con.execute(sql).fetchall()
