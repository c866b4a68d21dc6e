"""The SQL renderer agrees with ``prepare_event`` byte for byte, and defers when unsure."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sink_fixtures import NOW, event_row, sha, write_mart

from sinks.fake_graph_api import FakeGraphApi
from sinks.meta_capi import SinkConfig, prepare_event, sync_events
from sinks.meta_capi.fast_path import RESULT_COLUMNS, ready_events_sql, unsupported_columns
from sinks.meta_capi.ledger import Ledger

TABLE = "marts.meta_capi__events"

# Values that are valid for Python but awkward in SQL (escaping, formats), or plainly invalid.
TRICKY: list[dict[str, Any]] = [
    {"client_user_agent": 'Mozilla "quoted" \\ backslash'},
    {"client_user_agent": "Mozilla/5.0 (Linux; Android 14) é ü 中文"},
    {"client_user_agent": "tab\tand\nnewline\x01control"},
    {"event_source_url": "https://shop.example/p?q=a&b=ü"},
    {"referrer_url": "https://ref.example/"},
    {"referrer_url": ""},
    {"client_ip_address": "2001:db8::1"},
    {"client_ip_address": "010.1.1.1"},
    {"client_ip_address": "203.0.113.255"},
    {"client_ip_address": ""},
    {"em": ""},
    {"em": sha("x") + ".AQIAAQEC"},
    {"em": sha("x").upper()},
    {"fbc": "fb.1.1779990000000.IwAR\u00a0x"},
    {"fbc": 'fb.1.1779990000000.Iw"AR'},
    {"fbp": "fb.1.1779990000000.12.AQ"},
    {"lead_id": "012345678901234"},
    {"lead_id": "123456789012345"},
    {"lead_id": "12345678901234567890"},
    {"opt_out": True},
    {"opt_out": False},
    {"value": 12.5, "currency": "EUR"},
    {"value": 1e16, "currency": "usd"},
    {"value": 0.1 + 0.2, "currency": "usd"},
    {"value": float("nan"), "currency": "usd"},
    {"value": 3.0, "currency": "us1"},
    {"event_name": "Purchase", "value": 19.99, "currency": "USD"},
    {"event_name": "Purchase", "value": 19.99},
    {"event_name": 'Say "hi"'},
    {"event_name": "Lead ✓"},
    {"content_ids": '["sku-1","sku-2"]'},
    {"content_ids": '["sku-1", "sku-2"]'},
    {"content_ids": "[1,2]"},
    {"content_ids": "[]"},
    {"content_ids": '["é"]'},
    {"content_type": "product", "order_id": "ord-1", "num_items": 3},
    {"contents": '[{"id": "a", "quantity": 1}]'},
    {"custom_properties": '{"plan": "pro"}'},
    {"custom_properties": "{}"},
    {"data_processing_options": '["LDU"]'},
    {
        "data_processing_options": '["LDU"]',
        "data_processing_options_country": 1,
        "data_processing_options_state": 1000,
    },
    {"data_processing_options": "[]", "data_processing_options_country": 0},
    {"data_processing_options": '[ "LDU" ]'},
    {"data_processing_options": None, "data_processing_options_country": 1},
    {"event_source": "crm", "lead_event_source": "Hubspot"},
    {
        "event_source": "crm",
        "lead_event_source": "Hubspot",
        "action_source": "system_generated",
        "event_source_url": None,
    },
    {"action_source": "physical_store", "event_time": NOW - 30 * 86_400},
    {"action_source": "physical_store", "event_time": NOW - 63 * 86_400},
    {"event_time": NOW - 7 * 86_400},
    {"event_time": NOW - 7 * 86_400 - 1},
    {"event_time": NOW + 300},
    {"event_time": NOW + 301},
    {"action_source": "web"},
    {"action_source": "other", "event_source_url": None, "client_user_agent": None},
    {
        "action_source": "other",
        **dict.fromkeys(("em", "ph", "external_id", "fbc", "fbp", "client_ip_address")),
        "fn": sha("mary"),
        "ln": sha("smith"),
    },
    {
        "action_source": "other",
        **dict.fromkeys(("em", "ph", "external_id", "fbc", "fbp", "client_ip_address")),
        "fn": sha("mary"),
        "ge": sha("f"),
    },
    {"event_id": ""},
    {"event_id": 'evt-"quoted"'},
]


def tricky_rows(count: int, seed: int) -> list[dict[str, Any]]:
    """Rows mixing up to three tricky values each, plus untouched valid rows."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        row = event_row(index)
        for overrides in rng.sample(TRICKY, rng.choice((0, 1, 1, 2, 3))):
            row.update(overrides)
        if row["event_id"] != "":
            row["event_id"] = f"{row['event_id']}-{index}"
        rows.append(row)
    return rows


def stored_rows(path: Path) -> dict[str, dict[str, Any]]:
    """The mart rows as DuckDB hands them to Python (the Python path's input)."""
    with duckdb.connect(str(path)) as con:
        cursor = con.execute(f"select * from {TABLE}")
        names = [d[0] for d in cursor.description]
        return {row[0] or "": dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def rendered(path: Path) -> list[dict[str, Any]]:
    with duckdb.connect(str(path)) as con:
        Ledger(con, "p", "r").ensure_schema()
        types = {r[0]: r[1] for r in con.execute(f"describe select * from {TABLE}").fetchall()}
        assert unsupported_columns(types) == []
        result = con.execute(ready_events_sql(TABLE, types), [NOW, 300, "p"]).fetchall()
    return [dict(zip(RESULT_COLUMNS, values, strict=True)) for values in result]


def test_sql_renders_only_what_python_accepts_and_with_the_same_bytes(tmp_path: Path) -> None:
    # given 1,500 rows mixing valid rows with escaping traps and defects
    rows = tricky_rows(1500, seed=11)
    path = write_mart(tmp_path / "warehouse.duckdb", rows)
    by_id = stored_rows(path)

    # when the SQL renderer reads them
    results = rendered(path)

    # then every row comes back once
    assert len(results) == len(rows)
    rendered_count = 0
    for result in results:
        original = by_id[result["event_id"] if result["event_id"] is not None else ""]
        python = prepare_event(original, now=NOW)
        if result["fast_body"] is not None:
            # and a row SQL rendered is one Python accepts, with identical bytes and hash
            rendered_count += 1
            assert python.status == "ok", (python.reason, original)
            assert result["fast_body"] == python.body
            assert result["fast_hash"] == python.payload_hash
        else:
            # and a row SQL left alone reaches Python with the same verdict
            assert result["row"] is not None
            deferred = prepare_event(result["row"], now=NOW)
            assert (deferred.status, deferred.reason, deferred.body) == (
                python.status,
                python.reason,
                python.body,
            )
    # and the plain rows, most of the input, took the fast path
    plain = sum(1 for row in by_id.values() if prepare_event(row, now=NOW).status == "ok")
    assert rendered_count >= 0.6 * plain


def test_marts_with_other_column_types_are_prepared_in_python(
    tmp_path: Path, fake: FakeGraphApi, live_config: SinkConfig
) -> None:
    # given a mart whose event_time is a double and value a decimal
    path = write_mart(tmp_path / "warehouse.duckdb", [event_row(i, value=2.5) for i in range(12)])
    with duckdb.connect(str(path)) as con:
        con.execute(f"alter table {TABLE} alter event_time type double")
        con.execute(f"alter table {TABLE} alter value type decimal(12, 2)")
        types = {r[0]: r[1] for r in con.execute(f"describe select * from {TABLE}").fetchall()}
    assert unsupported_columns(types) == ["event_time"]

    # when the sync runs, then Python refuses the non-integer event_time, nothing is sent
    report = sync_events(path, live_config, now=NOW)
    assert report.rejected == 12 and fake.request_count == 0


@pytest.mark.parametrize("type_name", ["DECIMAL(12,2)", "FLOAT"])
def test_decimal_and_float_values_render_like_python(type_name: str, tmp_path: Path) -> None:
    rows = [event_row(i, value=v) for i, v in enumerate((0.1, 12.34, 499.99, 1.0, 1234567.89))]
    path = write_mart(tmp_path / "warehouse.duckdb", rows)
    with duckdb.connect(str(path)) as con:
        con.execute(f"alter table {TABLE} alter value type {type_name}")
    originals = stored_rows(path)
    for result in rendered(path):
        assert result["fast_body"] is not None
        python = prepare_event(originals[result["event_id"]], now=NOW)
        assert result["fast_body"] == python.body
