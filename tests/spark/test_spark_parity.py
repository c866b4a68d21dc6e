"""The same dbt project on Apache Spark: every mart equals the DuckDB build, row for row."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from spark_parity import Builds, compare_rows, mart_models, require_spark_build


@pytest.mark.spark
def test_every_mart_built_on_spark_equals_the_duckdb_build(builds: Builds, spark: Any) -> None:
    # given the committed sample built by the same models on DuckDB and on Spark
    marts = mart_models(builds.manifest_path)
    if not marts:
        pytest.skip("the project has no models in schema marts yet: nothing to compare")
    require_spark_build(builds)

    # when every mart is read from both engines
    differences = []
    empty = []
    with duckdb.connect(str(builds.duckdb_path), read_only=True) as con:
        for mart in marts:
            duck = con.sql(f"select * from marts.{mart}").to_arrow_table()
            on_spark = spark.table(f"marts.{mart}").toArrow()
            if duck.num_rows == 0:
                empty.append(mart)
            differences.append(
                compare_rows(
                    mart,
                    duck.column_names,
                    duck.to_pylist(),
                    on_spark.column_names,
                    on_spark.to_pylist(),
                )
            )

    # then they hold the same rows, ordering aside, and the sample gave each mart rows to compare
    failing = [d for d in differences if not d.matches]
    assert not failing, "marts differ between duckdb and spark:\n" + "\n".join(
        d.describe() for d in failing
    )
    assert not empty, f"marts empty on the sample, so their comparison proves nothing: {empty}"
