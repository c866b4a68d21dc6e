"""Helpers of the Spark suite: run dbt on both engines, read marts, compare them row for row.

Rows are compared as multisets of normalised tuples (ordering aside). Normalising makes the
same value look the same whichever engine produced it, and nothing more:

* timestamps become UTC ISO 8601 text (naive ones are UTC, as everywhere in the project);
* dates become ISO text; decimals and doubles are rounded to ``FLOAT_DIGITS`` places, so a
  sum added up in another order still matches; ``-0.0`` is ``0.0``;
* booleans become ``"true"``/``"false"`` so that ``True`` never equals ``1``;
* text holding a JSON list or object is parsed and dumped with sorted keys (the sink parses
  these columns; key order and spacing are the engine's business);
* lists, structs and maps are normalised element by element.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
SAMPLE_INBOX = REPO / "data" / "sample" / "inbox"
FLOAT_DIGITS = 6

SHOWN_DIFFERENCES = 5


@dataclass
class Builds:
    """Where the two builds of the sample live, and how long each step took (seconds)."""

    duckdb_path: Path
    spark_dir: Path
    manifest_path: Path
    meta_as_of: str
    seconds: dict[str, float] = field(default_factory=dict)
    spark_failures: dict[str, str] = field(default_factory=dict)


def require_spark_build(builds: Builds) -> None:
    """Raise, naming each failed node and why, unless ``dbt build`` on Spark succeeded."""
    if not builds.spark_failures:
        return
    listed = "\n".join(
        f"  {name}: {message}" for name, message in sorted(builds.spark_failures.items())
    )
    raise AssertionError(f"dbt build on spark failed:\n{listed}")


def failed_nodes(run_results_path: Path) -> dict[str, str]:
    """Nodes of a dbt run that errored or whose test failed, with the first words of why.

    A failed unit test counts against the model it tests (its id is
    ``unit_test.<project>.<model>.<test>``): it fails for the same SQL as the model."""
    results = json.loads(run_results_path.read_text(encoding="utf-8"))["results"]
    failed: dict[str, str] = {}
    for result in results:
        if result["status"] not in ("error", "fail", "runtime error"):
            continue
        parts = result["unique_id"].split(".")
        name = parts[2] if parts[0] == "unit_test" and len(parts) > 3 else parts[-1]
        message = " ".join(str(result.get("message") or "").split())[:300]
        failed[name] = f"{failed[name]} | {message}" if name in failed else message
    return failed


def dbt(
    args: Sequence[str], *, env: Mapping[str, str], target_path: Path, check: bool = True
) -> int:
    """Run one dbt command as a subprocess (what `make` does); return its exit code.

    With ``check``, a failure raises with the tail of dbt's output."""
    executable = Path(sys.executable).with_name("dbt")
    command = [
        str(executable),
        *args,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
    ]
    done = subprocess.run(
        command,
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-60:])
        raise AssertionError(f"{' '.join(command[1:3])} failed ({done.returncode}):\n{tail}")
    return done.returncode


def mart_models(manifest_path: Path) -> list[str]:
    """Names of the models dbt builds into the schema ``marts`` (ephemeral ones excluded)."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return sorted(
        node["alias"] or node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] == "marts"
        and node["config"].get("materialized") != "ephemeral"
        and node["config"].get("enabled", True)
    )


def normalise(value: Any) -> Any:
    """One value as both engines should agree on it (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return repr(number)
        rounded = round(number, FLOAT_DIGITS)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _normalise_text(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), normalise(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        items = [normalise(v) for v in value]
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return tuple(sorted(items, key=repr))  # an Arrow map: (key, value) pairs
        return tuple(items)
    return repr(value)


def _normalise_text(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return text
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return text
    return "json:" + json.dumps(_json_normal(parsed), sort_keys=True, separators=(",", ":"))


def _json_normal(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS)
    if isinstance(value, dict):
        return {k: _json_normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_normal(v) for v in value]
    return value


@dataclass
class MartDifference:
    """How one mart differs between the two engines (empty when it matches)."""

    mart: str
    duckdb_rows: int
    spark_rows: int
    column_problem: str | None = None
    only_duckdb: list[dict[str, Any]] = field(default_factory=list)
    only_spark: list[dict[str, Any]] = field(default_factory=list)
    only_duckdb_count: int = 0
    only_spark_count: int = 0

    @property
    def matches(self) -> bool:
        return (
            self.column_problem is None and not self.only_duckdb_count and not self.only_spark_count
        )

    def describe(self) -> str:
        lines = [f"{self.mart}: duckdb {self.duckdb_rows} rows, spark {self.spark_rows} rows"]
        if self.column_problem:
            lines.append(f"  columns: {self.column_problem}")
        if self.only_duckdb_count:
            lines.append(f"  {self.only_duckdb_count} rows only in duckdb, e.g.:")
            lines += [f"    {row}" for row in self.only_duckdb]
        if self.only_spark_count:
            lines.append(f"  {self.only_spark_count} rows only in spark, e.g.:")
            lines += [f"    {row}" for row in self.only_spark]
        return "\n".join(lines)


def compare_rows(
    mart: str,
    duckdb_columns: Sequence[str],
    duckdb_rows: Iterable[Mapping[str, Any]],
    spark_columns: Sequence[str],
    spark_rows: Iterable[Mapping[str, Any]],
) -> MartDifference:
    """Compare two engines' rows of one mart as multisets of normalised rows."""
    left = [tuple(normalise(row[c]) for c in duckdb_columns) for row in duckdb_rows]
    right = [tuple(normalise(row[c]) for c in spark_columns) for row in spark_rows]
    difference = MartDifference(mart, len(left), len(right))
    if [c.lower() for c in duckdb_columns] != [c.lower() for c in spark_columns]:
        difference.column_problem = f"duckdb {list(duckdb_columns)} != spark {list(spark_columns)}"
        return difference
    only_left = Counter(left) - Counter(right)
    only_right = Counter(right) - Counter(left)
    difference.only_duckdb_count = sum(only_left.values())
    difference.only_spark_count = sum(only_right.values())
    difference.only_duckdb = [
        dict(zip(duckdb_columns, row, strict=True)) for row in _first(only_left)
    ]
    difference.only_spark = [
        dict(zip(spark_columns, row, strict=True)) for row in _first(only_right)
    ]
    return difference


def _first(rows: Counter[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)[:SHOWN_DIFFERENCES]


#: Columns holding a person id. A person id names the person by one of its identifiers,
#: chosen through the graph's node ids, and node ids are engine-specific hashes
#: (identity_node_id: DuckDB's hash, Spark's MD5 prefix), so the same person can get another
#: id on each engine.
PERSON_ID_COLUMNS = frozenset({"person_id", "previous_person_id"})


def person_labels(record_persons: Iterable[tuple[str, str, str | None]]) -> dict[str, str]:
    """An engine-independent label per person id: the smallest of its records.

    ``record_persons`` are (source_table, record_id, person_id) rows of int_record_persons.
    Two engines that group the same records into the same people give each person the same
    label, whatever id each engine's hash chose."""
    smallest: dict[str, str] = {}
    for source_table, record_id, person_id in record_persons:
        if person_id is None:
            continue
        record = f"{source_table}/{record_id}"
        if person_id not in smallest or record < smallest[person_id]:
            smallest[person_id] = record
    return {person_id: f"person of {record}" for person_id, record in smallest.items()}


def relabel_persons(
    rows: Iterable[Mapping[str, Any]], labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Rows with each person id column replaced by its label (an unknown id stays as it is,
    so it shows up as a difference)."""
    return [
        {
            column: labels.get(value, value) if column in PERSON_ID_COLUMNS else value
            for column, value in row.items()
        }
        for row in rows
    ]
