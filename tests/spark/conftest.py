"""Fixtures of the Spark suite: the sample built on DuckDB and on Spark, and a Spark session.

Building is the slow part (a JVM, a Derby metastore, about thirty models), so it happens once
per test session in a temporary folder: land the sample into DuckDB with the landing code,
`dbt build` on DuckDB, copy the raw tables into Spark through Parquet files, `dbt build
--target spark`. Every dbt step runs as a subprocess, exactly as `make spark-build` runs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from spark_parity import SAMPLE_INBOX, Builds, dbt, failed_nodes

from orchestration.landing.loader import land_inbox

logger = logging.getLogger(__name__)


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """The committed sample built by dbt on DuckDB and on Spark (same models, same data)."""
    root = tmp_path_factory.mktemp("spark_suite")
    spark_dir = root / "spark"
    parquet_dir = root / "raw_parquet"
    parquet_dir.mkdir(parents=True)
    # Both builds judge eligibility windows against the same instant.
    as_of = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    result = Builds(
        duckdb_path=root / "warehouse.duckdb",
        spark_dir=spark_dir,
        manifest_path=root / "target_duckdb" / "manifest.json",
        meta_as_of=as_of,
    )
    env = {
        "JOURNEY_WAREHOUSE": str(result.duckdb_path),
        "JOURNEY_SPARK_DIR": str(spark_dir),
    }
    dbt_vars = ["--vars", f"{{meta_as_of: '{as_of}'}}"]
    raw_args = f"{{path: '{parquet_dir}'}}"
    steps = [
        ("land sample into duckdb", lambda: land_inbox(SAMPLE_INBOX, result.duckdb_path)),
        (
            "dbt build on duckdb",
            lambda: dbt(["build", *dbt_vars], env=env, target_path=root / "target_duckdb"),
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
                ["build", *dbt_vars, "--target", "spark"],
                env=env,
                target_path=root / "target_spark",
                check=False,  # the tests say which nodes failed (require_spark_build)
            ),
        ),
    ]
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
