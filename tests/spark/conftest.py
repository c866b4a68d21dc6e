"""Fixtures of the Spark suite: the sample built on DuckDB and on Spark, and a Spark session.

Building is the slow part (a JVM, a Derby metastore, about fifty models), so it happens once
per test session in a temporary folder: land the sample into DuckDB with the landing code,
`dbt build` on DuckDB, a sync of some ready events to the local Graph API fake (so the send
ledger and the marts that read it have rows to compare), `dbt build` again of what reads the
ledger, copy the raw and ledger tables into Spark through Parquet files, `dbt build --target
spark`. Every dbt step runs as a subprocess, exactly as `make spark-build` runs it.

Both builds measure eligibility windows as of the sample's last landed web event, so the
comparison covers ready events too (against today every event of the sample has expired).

The Spark build leaves out dbt unit tests (they run on DuckDB in `make dbt-check`). TEMP:
a unit test whose input is a whole seed compiles to one `union all` branch per seed row,
which Spark plans as one partition each: the ~800-row phone seed made one staging unit
test run 14 minutes without finishing. Remove `--exclude-resource-type unit_test` when the
Spark fixtures render as one VALUES list (an override of dbt's get_fixture_sql for Spark).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from spark_parity import SAMPLE_INBOX, Builds, dbt, failed_nodes

from orchestration.landing.loader import land_inbox
from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi
from sinks.meta_capi import SinkConfig, sync_events

logger = logging.getLogger(__name__)

#: Ready events sent before the ledger-reading marts build (the sample has about 15 ready).
SENT_EVENTS = 10


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """The committed sample built by dbt on DuckDB and on Spark (same models, same data)."""
    root = tmp_path_factory.mktemp("spark_suite")
    spark_dir = root / "spark"
    parquet_dir = root / "raw_parquet"
    parquet_dir.mkdir(parents=True)
    started = time.perf_counter()
    land_inbox(SAMPLE_INBOX, root / "warehouse.duckdb")
    landing_seconds = round(time.perf_counter() - started, 1)
    result = Builds(
        duckdb_path=root / "warehouse.duckdb",
        spark_dir=spark_dir,
        manifest_path=root / "target_duckdb" / "manifest.json",
        meta_as_of=_sample_end(root / "warehouse.duckdb"),
    )
    env = {
        "JOURNEY_WAREHOUSE": str(result.duckdb_path),
        "JOURNEY_SPARK_DIR": str(spark_dir),
    }
    dbt_vars = ["--vars", f"{{meta_as_of: '{result.meta_as_of}'}}"]
    raw_args = f"{{path: '{parquet_dir}'}}"
    steps = [
        (
            "dbt build on duckdb",
            lambda: dbt(["build", *dbt_vars], env=env, target_path=root / "target_duckdb"),
        ),
        (
            "sync some ready events into the ledger",
            lambda: _sync_some(result.duckdb_path, result.meta_as_of),
        ),
        (
            "dbt build on duckdb of what reads the ledger",
            lambda: dbt(
                ["build", *dbt_vars, "--select", "meta_capi__sent_events+", "source:sync+"],
                env=env,
                target_path=root / "target_duckdb_ledger",
            ),
        ),
        (
            "export raw.* to parquet",
            lambda: dbt(
                ["run-operation", "export_raw_parquet", "--args", raw_args],
                env=env,
                target_path=root / "target_export",
            ),
        ),
        (
            "import raw.* into spark",
            lambda: dbt(
                ["run-operation", "import_raw_parquet", "--args", raw_args, "--target", "spark"],
                env=env,
                target_path=root / "target_import",
            ),
        ),
        (
            "dbt build on spark",
            lambda: dbt(
                [
                    "build",
                    *dbt_vars,
                    "--target",
                    "spark",
                    "--exclude-resource-type",
                    "unit_test",
                ],
                env=env,
                target_path=root / "target_spark",
                check=False,  # the tests say which nodes failed (require_spark_build)
            ),
        ),
    ]
    result.seconds["land sample into duckdb"] = landing_seconds
    exit_codes = {}
    for name, step in steps:
        started = time.perf_counter()
        exit_codes[name] = step()
        result.seconds[name] = round(time.perf_counter() - started, 1)
        logger.info("%s: %.1f s", name, result.seconds[name])
    run_results = root / "target_spark" / "run_results.json"
    result.spark_failures = failed_nodes(run_results) if run_results.exists() else {}
    if exit_codes["dbt build on spark"] and not result.spark_failures:
        result.spark_failures = {"dbt build": f"exited {exit_codes['dbt build on spark']}"}
    return result


def _sample_end(warehouse: Path) -> str:
    """The last landed web event of the sample (naive UTC, ISO 8601): the builds' as-of."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (last,) = con.execute("select max(occurred_at) from raw.web_events").fetchone()
    return last.replace(microsecond=0, tzinfo=None).isoformat()


def _sync_some(warehouse: Path, as_of: str) -> int:
    """Send up to ``SENT_EVENTS`` ready events of the DuckDB mart to the local Graph API fake
    (its clock at the as-of), so the ledger holds sent events and some stay ready."""
    now = datetime.fromisoformat(as_of).replace(tzinfo=UTC)
    with FakeGraphApi(clock=now.timestamp) as fake:
        config = SinkConfig(
            pixel_id=DEFAULT_PIXEL_ID,
            access_token=DEFAULT_TOKEN,
            graph_api_url=fake.url,
            batch_size=50,
        )
        report = sync_events(warehouse, config, max_events=SENT_EVENTS, now=now)
    logger.info("sync to the fake: %s", report.as_dict())
    assert report.sent > 0, f"the sample sent nothing, so the ledger marts stay empty: {report}"
    return 0


@pytest.fixture(scope="session")
def spark(builds: Builds) -> Iterator[object]:
    """A local Spark session on the metastore the Spark build wrote (opened after dbt exits)."""
    from pyspark.sql import SparkSession

    spark_dir = builds.spark_dir
    session = (
        SparkSession.builder.master("local[2]")
        .appName("journey-memory-spark-suite")
        .config("spark.sql.warehouse.dir", str(spark_dir / "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .enableHiveSupport()
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()
