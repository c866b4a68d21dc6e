"""meta_capi__events is the sink's input contract: its columns, and what `ready` promises."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
from warehouse_build import SAMPLE_AS_OF

from sinks.meta_capi.contract import EVENT_COLUMNS, SEND_STATUSES
from sinks.meta_capi.payload import prepare_event


def test_the_mart_has_exactly_the_sinks_columns_in_order(sample_warehouse: Path) -> None:
    # given the sample built
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        # when the mart's columns are read
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'meta_capi__events' "
                "order by ordinal_position"
            ).fetchall()
        ]
        statuses = {
            row[0]
            for row in con.execute(
                "select distinct send_status from marts.meta_capi__events"
            ).fetchall()
        }
    finally:
        con.close()
    # then they are the contract's, and every status is one the sink knows
    assert tuple(columns) == EVENT_COLUMNS
    assert statuses <= set(SEND_STATUSES)
    assert "ready" in statuses


def test_every_ready_event_passes_the_sinks_validation(sample_warehouse: Path) -> None:
    # given the sample built as of 2026-11-30
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        rows = con.execute(
            f"select {', '.join(EVENT_COLUMNS)} from marts.meta_capi__events "
            "where send_status = 'ready'"
        ).fetchall()
    finally:
        con.close()
    now = int(datetime.fromisoformat(SAMPLE_AS_OF).replace(tzinfo=UTC).timestamp())
    # when the sink builds and validates each ready row at that moment
    prepared = [prepare_event(dict(zip(EVENT_COLUMNS, row, strict=True)), now=now) for row in rows]
    # then Meta's rules as the sink knows them accept every one
    assert len(prepared) > 5
    assert [(p.event_id, p.reason) for p in prepared if p.status != "ok"] == []
