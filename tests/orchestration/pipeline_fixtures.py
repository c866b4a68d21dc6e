"""Paths and helpers shared by the orchestration tests."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.settings import REPO_ROOT
from sinks.meta_capi import EVENT_COLUMNS

SAMPLE_INBOX = REPO_ROOT / "data" / "sample" / "inbox"
#: Screenshots of the UI test (gitignored: data/out/).
SCREENSHOT_DIR = REPO_ROOT / "data" / "out" / "ui"
MART = "marts.meta_capi__events"

_COLUMN_TYPES = {
    "event_time": "bigint",
    "opt_out": "boolean",
    "value": "double",
    "num_items": "integer",
    "data_processing_options_country": "integer",
    "data_processing_options_state": "integer",
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def contract_row(index: int, **overrides: Any) -> dict[str, Any]:
    """A valid `ready` website Lead of the sink contract, an hour old, numbered `index`."""
    row: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
    row.update(
        event_id=f"seeded-{index:05d}",
        event_name="Lead",
        event_time=int(time.time()) - 3600,
        action_source="website",
        event_source_url="https://shop.example/thanks",
        client_user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        client_ip_address="203.0.113.7",
        em=_sha(f"person{index}@example.com"),
        external_id=_sha(f"crm-{index}"),
        data_processing_options="[]",
        send_status="ready",
    )
    row.update(overrides)
    return row


def seed_mart(warehouse: Path, rows: list[Mapping[str, Any]], *, replace: bool = True) -> None:
    """Write rows as marts.meta_capi__events (the sink's input contract), for tests of the
    sink and its asset that need exact rows rather than a dbt build."""
    columns = ", ".join(f"{c} {_COLUMN_TYPES.get(c, 'varchar')}" for c in EVENT_COLUMNS)
    frame = pd.DataFrame([{c: r.get(c) for c in EVENT_COLUMNS} for r in rows])
    frame = frame.astype(object).where(frame.notna(), None)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        if replace:
            con.execute(f"create or replace table {MART} ({columns})")
        con.register("incoming", frame)
        con.execute(f"insert into {MART} select * from incoming")


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run one query on a closed warehouse file and close it again."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def ready_event_ids(warehouse: Path) -> set[str]:
    return {
        row[0]
        for row in query(warehouse, f"select event_id from {MART} where send_status = 'ready'")
    }
