"""Compare warehouses for the incremental equivalence test (landing and dbt runs come from
tests/warehouse_runs.py).

``mart_differences`` compares every table and view of the ``marts`` schema (dim_/fct_, the
Meta CAPI models and reporting all live there) of two DuckDB files row for row, ordering
aside (``except all`` both ways, so duplicates count). Run bookkeeping is left out of the
comparison: ``_loaded_at`` (the landing time differs between the two warehouses by
construction) and ``_refreshed_at`` (when an incremental model last re-derived a row).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

__all__ = ["BOOKKEEPING_COLUMNS", "MartDifference", "mart_differences"]

BOOKKEEPING_COLUMNS = frozenset({"_loaded_at", "_refreshed_at"})
COMPARED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class MartDifference:
    """How one relation differs: rows only in ``left``, rows only in ``right``."""

    relation: str
    only_left: int
    only_right: int
    note: str = ""


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    rows = con.execute(
        """
        select table_schema || '.' || table_name, column_name
        from information_schema.columns
        where table_catalog = ? and table_schema in ?
        order by table_schema, table_name, ordinal_position
        """,
        [catalog, list(COMPARED_SCHEMAS)],
    ).fetchall()
    relations: dict[str, list[str]] = {}
    for relation, column in rows:
        relations.setdefault(relation, []).append(column)
    return relations


def mart_differences(left: Path, right: Path) -> list[MartDifference]:
    """Every mart relation whose rows differ between two warehouse files (empty: equal)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as left_wh (read_only)")
        con.execute(f"attach '{right}' as right_wh (read_only)")
        left_relations = _relations(con, "left_wh")
        right_relations = _relations(con, "right_wh")
        differences = []
        for relation in sorted(set(left_relations) | set(right_relations)):
            left_columns = left_relations.get(relation)
            right_columns = right_relations.get(relation)
            if left_columns is None or right_columns is None:
                side = "left" if right_columns is None else "right"
                differences.append(MartDifference(relation, 0, 0, f"only in {side}"))
                continue
            if sorted(left_columns) != sorted(right_columns):
                differences.append(MartDifference(relation, 0, 0, "columns differ"))
                continue
            columns = ", ".join(
                f'"{c}"' for c in sorted(left_columns) if c not in BOOKKEEPING_COLUMNS
            )
            left_rows = f"select {columns} from left_wh.{relation}"
            right_rows = f"select {columns} from right_wh.{relation}"
            only_left = con.execute(
                f"select count(*) from ({left_rows} except all {right_rows})"
            ).fetchone()[0]
            only_right = con.execute(
                f"select count(*) from ({right_rows} except all {left_rows})"
            ).fetchone()[0]
            if only_left or only_right:
                differences.append(MartDifference(relation, only_left, only_right))
        return differences
    finally:
        con.close()


def mart_row_counts(warehouse: Path) -> dict[str, int]:
    """Rows per mart relation (to show the comparison compared something)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ? order by 1",
            [list(COMPARED_SCHEMAS)],
        ).fetchall()
        return {
            name: con.execute(f"select count(*) from {name}").fetchone()[0] for (name,) in names
        }
    finally:
        con.close()
