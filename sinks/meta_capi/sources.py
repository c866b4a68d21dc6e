"""Read the ready rows of ``meta_capi__events`` from whichever engine dbt built it in.

``send_rows`` takes any iterable of row dicts; this module supplies those iterables in bounded
batches, so the sync works the same when the marts live in DuckDB, Spark or any engine with a
Python DB-API driver. The send ledger stays a DuckDB file owned by the sink (it is the sink's
state, small, written one transaction per batch), wherever the marts are.

* ``dbapi_ready_rows``: any PEP 249 connection (DuckDB, Spark's Thrift server through PyHive,
  Trino, Databricks SQL). One ordered query, fetched ``chunk_rows`` at a time.
* ``spark_ready_rows``: a ``pyspark.sql.SparkSession`` (local, on a cluster, or Spark Connect).
  The ready rows are range-partitioned into slices of about ``chunk_rows`` rows in send order
  and pulled to the driver one slice at a time, so the driver never holds the whole mart.
* ``sync_from_rows``: opens the ledger file, runs ``send_rows`` on such an iterable, closes it.

Rows come out in ``event_time, event_id`` order with the contract's columns (those the table
has); a table lacking a required contract column raises ``ConfigurationError``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb

from sinks.meta_capi.config import SinkConfig
from sinks.meta_capi.contract import EVENT_COLUMNS
from sinks.meta_capi.errors import ConfigurationError
from sinks.meta_capi.sync import DEFAULT_CHUNK_ROWS, DEFAULT_TABLE, SyncReport, send_rows

__all__ = ["REQUIRED_COLUMNS", "dbapi_ready_rows", "spark_ready_rows", "sync_from_rows"]

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS: frozenset[str] = frozenset(
    {"event_id", "event_name", "event_time", "send_status"}
)
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")


def _contract_columns(table: str, available: Iterable[str]) -> list[str]:
    # Engines differ in case and some (Hive) prefix result columns with the table name.
    names = {name.rsplit(".", 1)[-1].lower() for name in available}
    missing = REQUIRED_COLUMNS - names
    if missing:
        raise ConfigurationError(f"{table} lacks contract columns: {sorted(missing)}")
    return [column for column in EVENT_COLUMNS if column in names]


def _checked_table(table: str) -> str:
    if not _TABLE_NAME.fullmatch(table):
        raise ConfigurationError(f"not a table name: {table!r}")
    return table


def dbapi_ready_rows(
    connection: Any, table: str = DEFAULT_TABLE, *, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[dict[str, Any]]:
    """Yield the ready rows of ``table`` through a DB-API connection, ``chunk_rows`` at a time.

    Args:
        connection: An open PEP 249 connection; a cursor is opened and closed here.
        table: ``[catalog.]schema.table`` holding the contract columns.
        chunk_rows: Rows fetched per ``fetchmany``.

    Raises:
        ConfigurationError: Not a table name, or the table lacks required contract columns.
    """
    table = _checked_table(table)
    cursor = connection.cursor()
    try:
        cursor.execute(f"select * from {table} limit 0")
        columns = _contract_columns(table, (d[0] for d in cursor.description))
        cursor.execute(
            f"select {', '.join(columns)} from {table} "
            "where send_status = 'ready' order by event_time, event_id"
        )
        while True:
            chunk = cursor.fetchmany(chunk_rows)
            if not chunk:
                return
            for values in chunk:
                yield dict(zip(columns, values, strict=True))
    finally:
        cursor.close()


def spark_ready_rows(
    spark: Any, table: str = DEFAULT_TABLE, *, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[dict[str, Any]]:
    """Yield the ready rows of a Spark table in send order, one slice of the table at a time.

    The ready rows are counted, range-partitioned by ``event_time, event_id`` into
    ``ceil(count / chunk_rows)`` partitions, sorted within each, and fetched with
    ``toLocalIterator`` one partition at a time: the driver holds about ``chunk_rows`` rows.

    Args:
        spark: A ``pyspark.sql.SparkSession`` that sees ``table``.
        table: ``[catalog.]schema.table`` holding the contract columns.
        chunk_rows: Target rows per slice pulled to the driver.

    Raises:
        ConfigurationError: Not a table name, or the table lacks required contract columns.
    """
    table = _checked_table(table)
    frame = spark.table(table)
    columns = _contract_columns(table, frame.columns)
    ready = frame.where(frame["send_status"] == "ready").select(*columns)
    count = ready.count()
    if count == 0:
        return
    slices = max(1, math.ceil(count / chunk_rows))
    ordered = ready.repartitionByRange(slices, "event_time", "event_id").sortWithinPartitions(
        "event_time", "event_id"
    )
    logger.info("reading %d ready events from %s in %d slices", count, table, slices)
    for row in ordered.toLocalIterator(prefetchPartitions=False):
        yield row.asDict()


def sync_from_rows(
    rows: Iterable[Mapping[str, Any]],
    ledger_path: str | Path,
    config: SinkConfig | None = None,
    **send_options: Any,
) -> SyncReport:
    """Send contract rows from any reader, keeping the ledger in the DuckDB file ``ledger_path``.

    Args:
        rows: Contract rows, e.g. from ``spark_ready_rows`` or ``dbapi_ready_rows``.
        ledger_path: DuckDB file holding (or receiving) ``sync.*``.
        config: Settings; default ``SinkConfig.from_env()``.
        **send_options: Passed to ``send_rows`` (``max_events``, ``dry_run``, ``now``,
            ``sample_path``, ``chunk_rows``, ``resend_event_ids``, ``client``).
    """
    config = config if config is not None else SinkConfig.from_env()
    ledger = Path(ledger_path)
    ledger.parent.mkdir(parents=True, exist_ok=True)
    send_options.setdefault("sample_path", ledger.with_name("meta_capi_dry_run_sample.json"))
    with duckdb.connect(str(ledger)) as con:
        return send_rows(rows, con, config, **send_options)
