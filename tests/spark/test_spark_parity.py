"""The same dbt project on Apache Spark: every mart equals the DuckDB build, row for row."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from spark_parity import (
    Builds,
    compare_rows,
    mart_models,
    person_labels,
    relabel_persons,
    require_spark_build,
)

RECORD_PERSONS = "select source_table, record_id, person_id from intermediate.int_record_persons"


@pytest.mark.spark
def test_every_mart_built_on_spark_equals_the_duckdb_build(builds: Builds, spark: Any) -> None:
    # given the committed sample built by the same models on DuckDB and on Spark
    marts = mart_models(builds.manifest_path)
    if not marts:
        pytest.skip("the project has no models in schema marts yet: nothing to compare")
    require_spark_build(builds)

    # when every mart is read from both engines, person ids relabelled by their smallest record
    # (each engine's hash names the same person differently, spark_parity.PERSON_ID_COLUMNS)
    differences = []
    empty = []
    spark_labels = person_labels(tuple(row) for row in spark.sql(RECORD_PERSONS).collect())
    with duckdb.connect(str(builds.duckdb_path), read_only=True) as con:
        duckdb_labels = person_labels(con.execute(RECORD_PERSONS).fetchall())
        for mart in marts:
            duck = con.sql(f"select * from marts.{mart}").to_arrow_table()
            on_spark = spark.table(f"marts.{mart}").toArrow()
            if duck.num_rows == 0:
                empty.append(mart)
            differences.append(
                compare_rows(
                    mart,
                    duck.column_names,
                    relabel_persons(duck.to_pylist(), duckdb_labels),
                    on_spark.column_names,
                    relabel_persons(on_spark.to_pylist(), spark_labels),
                )
            )

    # then they hold the same rows, ordering aside, and the sample gave each mart rows to compare
    failing = [d for d in differences if not d.matches]
    assert not failing, "marts differ between duckdb and spark:\n" + "\n".join(
        d.describe() for d in failing
    )
    assert not empty, f"marts empty on the sample, so their comparison proves nothing: {empty}"
