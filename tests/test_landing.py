"""Landing: every file's rows end up loaded or rejected with a reason, exactly once."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data.generator import generate
from orchestration.landing import loader
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


# Words the reason of each generated defect must contain (besides the defect column's name).
REASON_WORDS = {
    "bad_timestamp": "is not an ISO 8601 timestamp",
    "missing_required": "missing required field",
    "wrong_type": "is not",
    "bad_enum": "is not one of",
    "bad_json": "is not valid JSON",
    "truncated": "truncated or malformed line",
}


def test_generated_inbox_lands_exactly_as_its_ground_truth_says(tmp_path: Path) -> None:
    # given a generated inbox of every table in CSV, JSONL and Parquet, with every defect kind
    generate(150, 5, tmp_path / "run")
    truth = pd.read_parquet(tmp_path / "run" / "ground_truth" / "rows.parquet")
    warehouse = tmp_path / "warehouse.duckdb"

    # when it is landed
    report = land_inbox(tmp_path / "run" / "inbox", warehouse)

    # then every file's loaded + rejected equals the records the ground truth lists for it
    expected = truth.groupby("source_file").size().to_dict()
    assert {f.source_file: f.rows_in_file for f in report.files} == expected
    assert all(f.status == "loaded" for f in report.files)
    assert all(f.rows_loaded + f.rows_rejected == f.rows_in_file for f in report.files)
    ledger = _rows(
        warehouse, "select source_file, rows_loaded + rows_rejected from raw._landed_files"
    )
    assert dict(ledger) == expected
    # and exactly the defect rows are rejected (duplicates are kept for staging to collapse),
    # each with its own reason naming the defective column
    union = " union all ".join(
        f"select _source_file, _source_row from raw.{name}" for name in RAW_TABLES
    )
    loaded = set(_rows(warehouse, union))
    rejected = {
        (file, row): reason
        for file, row, reason in _rows(
            warehouse, "select source_file, source_row, reason from raw.rejected_rows"
        )
    }
    assert set(truth.defect.dropna()) == set(REASON_WORDS) | {"duplicate"}
    for row in truth.itertuples():
        where = (row.source_file, row.source_row)
        if pd.isna(row.defect) or row.defect == "duplicate":
            assert where in loaded and where not in rejected, row
            continue
        assert where not in loaded, row
        assert REASON_WORDS[row.defect] in rejected[where], (row, rejected[where])
        if not pd.isna(row.defect_column):
            assert row.defect_column in rejected[where], (row, rejected[where])


def test_files_larger_than_one_chunk_land_whole_in_every_format(
    inbox: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given 5,000 events per format, one bad row at a known place, and chunks of 2,048 rows
    monkeypatch.setattr(loader, "_CHUNK_ROWS", 2048)
    rows = [_event(event_id=f"e{i:05d}") for i in range(1, 5001)]
    rows[4321] = _event(event_id="e04322", occurred_at="yesterday")
    _write_csv(inbox / "web_events" / "big.csv", rows)
    (inbox / "web_events" / "big.jsonl").write_text(
        "".join(json.dumps({**r, "event_id": "j" + r["event_id"]}) + "\n" for r in rows)
    )
    frame = pd.DataFrame(rows).assign(event_id=lambda f: "p" + f.event_id)
    frame.to_parquet(inbox / "web_events" / "big.parquet", index=False, row_group_size=700)

    # when they are landed
    report = land_inbox(inbox, warehouse)

    # then each file lands whole, in file order, and the bad row is rejected at its number
    assert [(f.rows_loaded, f.rows_rejected) for f in report.files] == [(4999, 1)] * 3
    assert _rows(warehouse, "select distinct source_row from raw.rejected_rows") == [(4322,)]
    mismatched = _rows(
        warehouse,
        "select count(*) from raw.web_events"
        " where cast(right(event_id, 5) as integer) <> _source_row",
    )
    assert mismatched == [(0,)]


def test_a_file_failing_midway_leaves_nothing_behind(
    inbox: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a CSV whose 7th record cannot be read, after earlier chunks were already inserted
    monkeypatch.setattr(loader, "_CHUNK_ROWS", 2)
    rows = [_event(event_id=f"e{i}") for i in range(10)]
    rows[6] = _event(event_id="e6", page_url="x" * (csv.field_size_limit() + 1))
    _write_csv(inbox / "web_events" / "midway.csv", rows)

    # when it is landed
    report = land_inbox(inbox, warehouse)

    # then the file is reported, left in place, and none of its rows are in raw.*
    assert report.files_unparseable == 1
    assert "record 7" in report.files[0].message
    assert _rows(warehouse, "select count(*) from raw.web_events") == [(0,)]
    assert _rows(warehouse, "select count(*) from raw.rejected_rows") == [(0,)]
    assert _rows(warehouse, "select count(*) from raw._landed_files") == [(0,)]
    assert (inbox / "web_events" / "midway.csv").exists()


def test_jsonl_strings_may_hold_unicode_line_separators(inbox: Path, warehouse: Path) -> None:
    # given a JSONL record whose text holds U+2028 and U+0085 unescaped, as JSON allows
    folder = inbox / "web_events"
    folder.mkdir(parents=True)
    record = _event(page_url="https://shop.example/a\u2028b\x85c")
    (folder / "u.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")

    # when it is landed
    report = land_inbox(inbox, warehouse)

    # then it is one record, loaded with its text intact
    assert (report.rows_loaded, report.rows_rejected) == (1, 0)
    assert _rows(warehouse, "select page_url from raw.web_events") == [
        ("https://shop.example/a\u2028b\x85c",)
    ]


def test_non_finite_numbers_are_rejected(inbox: Path, warehouse: Path) -> None:
    folder = inbox / "orders"
    folder.mkdir(parents=True)
    base = {"ordered_at": "2026-11-20T10:00:00", "channel": "web", "currency": "USD"}
    lines = [
        json.dumps({**base, "order_id": f"o{i}", "value": value})
        for i, value in enumerate(("12.5", "inf", "NaN", "-Infinity"))
    ]
    (folder / "o.jsonl").write_text("\n".join(lines) + "\n")

    report = land_inbox(inbox, warehouse)

    assert (report.rows_loaded, report.rows_rejected) == (1, 3)
    reasons = [r[0] for r in _rows(warehouse, "select reason from raw.rejected_rows")]
    assert all("is not a number" in r for r in reasons)


def test_columns_outside_the_contract_are_reported_not_silently_dropped(
    inbox: Path, warehouse: Path
) -> None:
    # given a CSV and a JSONL file carrying a column the raw contract does not know
    folder = inbox / "web_events"
    folder.mkdir(parents=True)
    columns = [*RAW_TABLES["web_events"].column_names, "campaign_cost"]
    with (folder / "extra.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerow({**_event(), "campaign_cost": "3.10"})
    (folder / "extra.jsonl").write_text(json.dumps({**_event(event_id="j"), "coupon": "X"}) + "\n")

    # when they are landed
    report = land_inbox(inbox, warehouse)

    # then the rows load and each file's result names the column that was not loaded
    assert report.rows_loaded == 2
    messages = {f.source_file: f.message for f in report.files}
    assert "campaign_cost" in messages["web_events/extra.csv"]
    assert "coupon" in messages["web_events/extra.jsonl"]


def test_a_header_naming_a_column_twice_is_unparseable(inbox: Path, warehouse: Path) -> None:
    folder = inbox / "web_events"
    folder.mkdir(parents=True)
    (folder / "twice.csv").write_text(
        "event_id,occurred_at,anonymous_id,event_type,event_id\n"
        "a,2026-11-20T10:00:00,x,page_view,b\n"
    )

    report = land_inbox(inbox, warehouse)

    assert report.files_unparseable == 1 and "repeats column(s) event_id" in report.files[0].message
    assert _rows(warehouse, "select count(*) from raw.web_events") == [(0,)]


def test_rejected_rows_keep_the_record_a_person_can_read(inbox: Path, warehouse: Path) -> None:
    # given a CSV with a cut-off line holding a quoted comma, and a row with a bad timestamp
    path = _write_csv(
        inbox / "web_events" / "r.csv",
        [_event(event_id="a,b", occurred_at="soon"), _event(event_id="c")],
    )
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:12]
    path.write_text("\n".join(lines) + "\n")

    land_inbox(inbox, warehouse)

    raw = dict(_rows(warehouse, "select source_row, raw_row from raw.rejected_rows"))
    # the parsed row is shown as JSON with its column names, the cut-off one as CSV
    assert json.loads(raw[1])["event_id"] == "a,b" and json.loads(raw[1])["occurred_at"] == "soon"
    assert raw[2] == lines[2]
