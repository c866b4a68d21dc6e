"""The mart reads the send ledger: Conversion Leads stages may follow stages already sent."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from warehouse_build import dbt

from sinks.meta_capi.ledger import Ledger


def test_sent_events_view_reads_the_sinks_ledger(sample_warehouse: Path, tmp_path: Path) -> None:
    # given a warehouse built before any sync: no ledger, so nothing counts as sent
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.meta_capi__sent_events").fetchone() == (0,)
        event_ids = [
            r[0]
            for r in con.execute(
                "select event_id from marts.meta_capi__events order by event_id limit 3"
            ).fetchall()
        ]
    finally:
        con.close()
    # when the sink's ledger marks one event sent, one pending, one sent to another pixel
    con = duckdb.connect(str(warehouse))
    try:
        Ledger(con, pixel_id="1", run_id="test").ensure_schema()
        con.executemany(
            "insert into sync.meta_capi_deliveries (pixel_id, event_id, status) values (?, ?, ?)",
            [
                ("1", event_ids[0], "sent"),
                ("1", event_ids[1], "pending"),
                ("2", event_ids[2], "sent"),
            ],
        )
    finally:
        con.close()
    dbt(["run", "--select", "meta_capi__sent_events"], warehouse, tmp_path)
    # then the mart's view of the ledger holds exactly the sent ones
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sent = {
            r[0]
            for r in con.execute("select event_id from marts.meta_capi__sent_events").fetchall()
        }
    finally:
        con.close()
    assert sent == {event_ids[0], event_ids[2]}
