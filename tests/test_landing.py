"""Landing: every file's rows end up loaded or rejected with a reason, exactly once."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.landing.contract import RAW_TABLES
from orchestration.landing.loader import land_inbox

GOOD_EVENT = {
    "event_id": "ev-1",
    "occurred_at": "2026-11-20T10:00:00",
    "anonymous_id": "anon-1",
    "event_type": "page_view",
    "page_url": "https://shop.example/?fbclid=IwAR0AbC",
    "consent_ads": "true",
    "properties": '{"a": 1}',
}


def _event(**overrides: str) -> dict[str, str]:
    return {**GOOD_EVENT, **overrides}


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = RAW_TABLES["web_events"].column_names
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


# Each defect and the words its reason must contain.
DEFECTS = [
    ({"occurred_at": "yesterday"}, "occurred_at 'yesterday' is not an ISO 8601 timestamp"),
    ({"occurred_at": "2026-13-45T25:61:00"}, "is not an ISO 8601 timestamp"),
    ({"occurred_at": "infinity"}, "is not an ISO 8601 timestamp"),
    ({"event_id": ""}, "missing required field event_id"),
    ({"anonymous_id": "   "}, "missing required field anonymous_id"),
    ({"consent_ads": "maybe"}, "consent_ads 'maybe' is not true or false"),
    ({"event_type": "pageview2"}, "event_type 'pageview2' is not one of page_view"),
    ({"properties": "{broken"}, "properties is not valid JSON"),
]


def test_each_defect_is_rejected_with_its_own_reason(inbox: Path, warehouse: Path) -> None:
    # given a CSV with one good row and one row per defect
    rows = [_event()] + [
        _event(**{"event_id": f"bad-{i}", **d}) for i, (d, _) in enumerate(DEFECTS)
    ]
    _write_csv(inbox / "web_events" / "part-0.csv", rows)

    # when it is landed
    report = land_inbox(inbox, warehouse)

    # then the good row loads and each bad row carries its specific reason, at its row number
    assert report.rows_loaded == 1
    assert report.rows_rejected == len(DEFECTS)
    rejected = dict(
        _rows(warehouse, "select source_row, reason from raw.rejected_rows order by source_row")
    )
    for number, (_, expected) in enumerate(DEFECTS, start=2):
        assert expected in rejected[number], (number, rejected[number])


def test_a_row_with_two_defects_lists_both(inbox: Path, warehouse: Path) -> None:
    _write_csv(inbox / "web_events" / "a.csv", [_event(occurred_at="soon", event_type="x")])
    land_inbox(inbox, warehouse)
    (reason,) = _rows(warehouse, "select reason from raw.rejected_rows")[0]
    assert "occurred_at 'soon'" in reason and "event_type 'x'" in reason


def test_truncated_csv_line_is_rejected_and_later_rows_still_load(
    inbox: Path, warehouse: Path
) -> None:
    path = _write_csv(inbox / "web_events" / "t.csv", [_event(event_id=f"e{i}") for i in range(3)])
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:15]  # cut the second data row mid-way
    path.write_text("\n".join(lines) + "\n")

    report = land_inbox(inbox, warehouse)

    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    (row, reason) = _rows(warehouse, "select source_row, reason from raw.rejected_rows")[0]
    assert row == 2 and "truncated" in reason
    assert _rows(warehouse, "select _source_row from raw.web_events order by 1") == [(1,), (3,)]


def test_jsonl_native_types_and_broken_lines(inbox: Path, warehouse: Path) -> None:
    # given JSONL with native booleans, numbers and nested JSON, plus a cut-off line
    folder = inbox / "orders"
    folder.mkdir(parents=True)
    good = {
        "order_id": "o1",
        "ordered_at": "2026-11-20T10:00:00+02:00",
        "channel": "store",
        "value": 12.5,
        "currency": "EUR",
        "items": [{"sku": "A", "quantity": 1, "price": 12.5}],
    }
    wrong_type = {**good, "order_id": "o2", "value": "12,5O"}
    not_a_list = {**good, "order_id": "o3", "items": {"sku": "A"}}
    lines = [json.dumps(good), json.dumps(wrong_type), json.dumps(not_a_list), '{"order_id": "o4"']
    (folder / "orders.jsonl").write_text("\n".join(lines) + "\n")

    report = land_inbox(inbox, warehouse)

    assert (report.rows_loaded, report.rows_rejected) == (1, 3)
    loaded = _rows(warehouse, "select order_id, ordered_at, value, items from raw.orders")
    # the +02:00 offset is converted to UTC
    assert str(loaded[0][1]) == "2026-11-20 08:00:00"
    assert loaded[0][2] == 12.5 and json.loads(loaded[0][3])[0]["sku"] == "A"
    reasons = [r[0] for r in _rows(warehouse, "select reason from raw.rejected_rows order by 1")]
    assert any("value '12,5O' is not a number" in r for r in reasons)
    assert any("items is not a JSON list" in r for r in reasons)
    assert any("not valid JSON" in r and "truncated" in r for r in reasons)


def test_parquet_file_lands_with_row_numbers(inbox: Path, warehouse: Path) -> None:
    folder = inbox / "bookings"
    folder.mkdir(parents=True)
    frame = pd.DataFrame(
        {
            "booking_id": ["b1", "b2", "b3"],
            "status": ["booked", "showed", "lost"],
            "updated_at": ["2026-11-20 10:00:00", "2026-11-21T10:00:00Z", "2026-11-22"],
            "email": ["A@Example.com", None, None],
        }
    )
    frame.to_parquet(folder / "b.parquet", index=False)

    report = land_inbox(inbox, warehouse)

    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    assert _rows(warehouse, "select source_row from raw.rejected_rows") == [(3,)]
    assert _rows(warehouse, "select _source_file from raw.bookings limit 1") == [
        ("bookings/b.parquet",)
    ]


def test_relanding_is_a_no_op_even_under_another_name(inbox: Path, warehouse: Path) -> None:
    path = _write_csv(inbox / "web_events" / "one.csv", [_event(), _event(event_id="x")])
    first = land_inbox(inbox, warehouse)
    (inbox / "web_events" / "copy.csv").write_bytes(path.read_bytes())

    second = land_inbox(inbox, warehouse)

    assert first.rows_loaded == 2
    assert second.rows_loaded == 0 and second.files_skipped == 2
    assert _rows(warehouse, "select count(*) from raw.web_events") == [(2,)]


def test_unparseable_file_is_reported_and_nothing_is_half_loaded(
    inbox: Path, warehouse: Path
) -> None:
    folder = inbox / "web_events"
    folder.mkdir(parents=True)
    (folder / "garbage.parquet").write_bytes(b"PAR1 this is not parquet")
    (folder / "latin1.csv").write_bytes("event_id,occurred_at\nx,\xe9\n".encode("latin-1"))
    (folder / "noheader.csv").write_text("a,b\n1,2\n")

    report = land_inbox(inbox, warehouse)

    assert report.files_unparseable == 3 and report.rows_loaded == 0
    errors = dict(_rows(warehouse, "select source_file, error from raw._landing_file_errors"))
    assert "Parquet" in errors["web_events/garbage.parquet"]
    assert "UTF-8" in errors["web_events/latin1.csv"]
    assert "required" in errors["web_events/noheader.csv"]
    assert _rows(warehouse, "select count(*) from raw._landed_files") == [(0,)]
    assert all(p.exists() for p in folder.iterdir())
