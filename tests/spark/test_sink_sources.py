"""The sink reads ready events from any engine in bounded batches (sinks.meta_capi.sources)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from spark_parity import Builds, require_spark_build

from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi
from sinks.meta_capi import EVENT_COLUMNS, SinkConfig
from sinks.meta_capi.errors import ConfigurationError
from sinks.meta_capi.sources import dbapi_ready_rows, spark_ready_rows, sync_from_rows

NOW = 1_780_000_000
SHA = "a" * 64


def _rows(count: int, *, not_ready: int = 0) -> list[dict[str, Any]]:
    """``count`` ready Lead rows with shuffled times, then ``not_ready`` expired ones."""
    rows = []
    for index in range(count + not_ready):
        row: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
        row.update(
            event_id=f"evt-{index:04d}",
            event_name="Lead",
            event_time=NOW - 3600 - (index * 7919) % 1000,
            action_source="website",
            em=SHA,
            client_ip_address="203.0.113.7",
            client_user_agent="Mozilla/5.0",
            data_processing_options="[]",
            send_status="ready" if index < count else "expired",
        )
        rows.append(row)
    return rows


def _duckdb_mart(path: Path, rows: list[dict[str, Any]]) -> Path:
    types = {"event_time": "bigint", "opt_out": "boolean", "value": "double"}
    columns = ", ".join(f"{c} {types.get(c, 'varchar')}" for c in EVENT_COLUMNS)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.meta_capi__events ({columns})")
        con.executemany(
            f"insert into marts.meta_capi__events values ({', '.join('?' * len(EVENT_COLUMNS))})",
            [[row[c] for c in EVENT_COLUMNS] for row in rows],
        )
    return path


class _RecordingConnection:
    """A real DB-API connection whose cursors note how many rows each fetch returned."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.fetched: list[int] = []

    def cursor(self) -> Any:
        outer = self
        cursor = self.connection.cursor()

        class Recording:
            description = property(lambda _: cursor.description)

            def execute(self, sql: str) -> None:
                cursor.execute(sql)

            def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
                chunk = cursor.fetchmany(size)
                outer.fetched.append(len(chunk))
                return chunk

            def close(self) -> None:
                cursor.close()

        return Recording()


def _send_order(rows: list[dict[str, Any]]) -> list[str]:
    ready = [r for r in rows if r["send_status"] == "ready"]
    return [r["event_id"] for r in sorted(ready, key=lambda r: (r["event_time"], r["event_id"]))]


def test_dbapi_reader_yields_ready_rows_in_send_order_in_bounded_fetches(tmp_path: Path) -> None:
    # given a mart of 23 ready and 4 expired events, written out of order
    rows = _rows(23, not_ready=4)
    mart = _duckdb_mart(tmp_path / "mart.duckdb", rows)

    # when read through a plain DB-API connection, 5 rows a fetch
    with duckdb.connect(str(mart), read_only=True) as con:
        recording = _RecordingConnection(con)
        read = list(dbapi_ready_rows(recording, chunk_rows=5))

    # then only the ready rows come out, in send order, never more than 5 at a time
    assert [r["event_id"] for r in read] == _send_order(rows)
    assert set(read[0]) == set(EVENT_COLUMNS)
    assert recording.fetched == [5, 5, 5, 5, 3, 0]


def test_dbapi_reader_names_missing_contract_columns(tmp_path: Path) -> None:
    # given a table without event_time
    with duckdb.connect(str(tmp_path / "bad.duckdb")) as con:
        con.execute("create table events (event_id varchar, event_name varchar, send_status text)")

        # when read, then the error names the missing column
        with pytest.raises(ConfigurationError, match="event_time"):
            list(dbapi_ready_rows(con, "events"))


def test_dbapi_reader_refuses_what_is_not_a_table_name(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "x.duckdb")) as con:
        with pytest.raises(ConfigurationError, match="not a table name"):
            list(dbapi_ready_rows(con, "marts.events; drop table x"))


@pytest.fixture
def fake_at_as_of(builds: Builds) -> Iterator[FakeGraphApi]:
    """A fake Graph API whose clock is the builds' as-of (the sample's end), as Meta's would
    be when the events were fresh; the sample's events are older than 7 days by now."""
    as_of = datetime.fromisoformat(builds.meta_as_of).replace(tzinfo=UTC)
    with FakeGraphApi(clock=as_of.timestamp) as server:
        yield server


def _live_config(fake: FakeGraphApi) -> SinkConfig:
    return SinkConfig(
        pixel_id=DEFAULT_PIXEL_ID,
        access_token=DEFAULT_TOKEN,
        graph_api_url=fake.url,
        batch_size=50,
        concurrency=2,
    )


@pytest.mark.spark
def test_spark_reader_pulls_ready_rows_in_send_order_one_slice_at_a_time(spark: Any) -> None:
    # given 23 ready and 4 expired events in a Spark view
    rows = _rows(23, not_ready=4)
    frame = spark.createDataFrame(
        [[r[c] for c in EVENT_COLUMNS] for r in rows],
        ", ".join(f"{c} {'bigint' if c == 'event_time' else 'string'}" for c in EVENT_COLUMNS),
    )
    frame.createOrReplaceTempView("ready_rows_probe")

    # when read in slices of about 5 rows
    read = list(spark_ready_rows(spark, "ready_rows_probe", chunk_rows=5))

    # then only ready rows come out, in send order, with the contract's columns
    assert [r["event_id"] for r in read] == _send_order(rows)
    assert set(read[0]) == set(EVENT_COLUMNS)


@pytest.mark.spark
def test_the_sink_sends_every_ready_event_of_the_spark_mart_once(
    builds: Builds, spark: Any, fake_at_as_of: FakeGraphApi, tmp_path: Path
) -> None:
    # given the Meta event mart built on Spark (and the same mart built on DuckDB)
    require_spark_build(builds)
    tables = {t.name for t in spark.catalog.listTables("marts")}
    if "meta_capi__events" not in tables:
        pytest.skip("the project has no meta_capi__events mart yet")
    with duckdb.connect(str(builds.duckdb_path), read_only=True) as con:
        expected = {
            row[0]
            for row in con.execute(
                "select event_id from marts.meta_capi__events where send_status = 'ready'"
            ).fetchall()
        }
    assert expected, "the sample yields no ready events: nothing would be sent"

    # when the sink syncs from Spark, 40 rows per slice, into its own ledger file
    ledger = tmp_path / "ledger.duckdb"
    rows = spark_ready_rows(spark, "marts.meta_capi__events", chunk_rows=40)
    now = datetime.fromisoformat(builds.meta_as_of).replace(tzinfo=UTC)
    report = sync_from_rows(rows, ledger, _live_config(fake_at_as_of), chunk_rows=40, now=now)

    # then each ready event reached Meta once, and the ledger says so
    with duckdb.connect(str(ledger), read_only=True) as con:
        delivered = dict(
            con.execute("select event_id, status from sync.meta_capi_deliveries").fetchall()
        )
    assert set(delivered) == expected
    assert report.sent == sum(1 for s in delivered.values() if s == "sent") == len(expected)
    assert sorted(set(fake_at_as_of.accepted.values())) == [1]
