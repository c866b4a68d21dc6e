"""The comparison the Spark suite relies on: equal marts match, any difference is reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from spark_parity import compare_rows, person_labels, relabel_persons

COLUMNS = ["event_id", "event_time", "value", "is_ready", "contents"]


def _row(event_id: str, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "event_id": event_id,
        "event_time": datetime(2026, 11, 20, 10, 0, 0),
        "value": 0.1 + 0.2,
        "is_ready": True,
        "contents": '[{"id":"KIT","quantity":2}]',
    }
    return {**row, **overrides}


def test_the_same_rows_in_another_order_and_engine_spelling_match() -> None:
    # given duckdb rows (naive UTC timestamps, doubles, compact JSON) and the same rows from spark
    # (aware timestamps in another zone, decimals, spaced JSON with keys in another order)
    duckdb_rows = [_row("a"), _row("b")]
    spark_rows = [
        _row(
            "b",
            event_time=datetime(2026, 11, 20, 11, 0, 0, tzinfo=timezone(timedelta(hours=1))),
            value=Decimal("0.3"),
            contents='[{"quantity": 2, "id": "KIT"}]',
        ),
        _row("a", event_time=datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC)),
    ]

    # when compared
    difference = compare_rows("m", COLUMNS, duckdb_rows, COLUMNS, spark_rows)

    # then they match
    assert difference.matches, difference.describe()


def test_a_changed_value_is_reported_with_both_rows() -> None:
    # given one row whose value differs beyond rounding
    duckdb_rows = [_row("a"), _row("b")]
    spark_rows = [_row("a"), _row("b", value=0.31)]

    # when compared
    difference = compare_rows("m", COLUMNS, duckdb_rows, COLUMNS, spark_rows)

    # then the mart does not match and both versions of the row are shown
    assert not difference.matches
    assert (difference.only_duckdb_count, difference.only_spark_count) == (1, 1)
    assert difference.only_spark[0]["value"] == 0.31
    assert "1 rows only in spark" in difference.describe()


def test_a_boolean_never_equals_an_integer() -> None:
    # given a flag that one engine returns as a boolean and the other as 1
    difference = compare_rows("m", COLUMNS, [_row("a")], COLUMNS, [_row("a", is_ready=1)])

    # then that is a difference
    assert not difference.matches


def test_a_duplicated_row_is_a_difference() -> None:
    # given the same row once in duckdb and twice in spark
    difference = compare_rows("m", COLUMNS, [_row("a")], COLUMNS, [_row("a"), _row("a")])

    # then the extra row is reported
    assert not difference.matches
    assert difference.only_spark_count == 1


def test_different_columns_are_reported() -> None:
    # given a column missing on one side
    spark_columns = COLUMNS[:-1]
    spark_rows = [{k: v for k, v in _row("a").items() if k in spark_columns}]

    # when compared
    difference = compare_rows("m", COLUMNS, [_row("a")], spark_columns, spark_rows)

    # then the column lists are named
    assert not difference.matches
    assert "contents" in (difference.column_problem or "")


def test_the_same_people_under_other_person_ids_match_after_relabelling() -> None:
    # given two engines that grouped the same records into the same two people, each under
    # ids of its own hash, and a mart row per person
    duckdb_labels = person_labels(
        [("crm", "c1", "p_aa"), ("web", "w1", "p_aa"), ("crm", "c2", "p_bb")]
    )
    spark_labels = person_labels(
        [("crm", "c1", "p_11"), ("web", "w1", "p_11"), ("crm", "c2", "p_22")]
    )
    duckdb_rows = [{"person_id": "p_aa", "records": 2}, {"person_id": "p_bb", "records": 1}]
    spark_rows = [{"person_id": "p_22", "records": 1}, {"person_id": "p_11", "records": 2}]

    # when compared after relabelling
    difference = compare_rows(
        "dim_persons",
        ["person_id", "records"],
        relabel_persons(duckdb_rows, duckdb_labels),
        ["person_id", "records"],
        relabel_persons(spark_rows, spark_labels),
    )

    # then they match
    assert difference.matches, difference.describe()


def test_people_grouped_differently_still_differ_after_relabelling() -> None:
    # given spark put record w1 with c2's person instead of c1's
    duckdb_labels = person_labels(
        [("crm", "c1", "p_aa"), ("web", "w1", "p_aa"), ("crm", "c2", "p_bb")]
    )
    spark_labels = person_labels(
        [("crm", "c1", "p_11"), ("web", "w1", "p_22"), ("crm", "c2", "p_22")]
    )
    duckdb_rows = [{"record": "w1", "person_id": "p_aa"}]
    spark_rows = [{"record": "w1", "person_id": "p_22"}]

    # when compared after relabelling
    difference = compare_rows(
        "m",
        ["record", "person_id"],
        relabel_persons(duckdb_rows, duckdb_labels),
        ["record", "person_id"],
        relabel_persons(spark_rows, spark_labels),
    )

    # then the row differs
    assert not difference.matches
