"""Generated Meta events with known key availability, and a dbt build of the reporting models.

The reporting models read three models of the Meta mart (meta_capi__events,
meta_capi__event_user_data, meta_capi__outcomes_mapped) and the send ledger. The tests write
generated rows for those three into schema ``fixture`` of a fresh DuckDB file, write the
ledger with the sink's own ``Ledger`` DDL, and build the reporting models with dbt on a copy of
the dbt project whose Meta mart models are replaced by ``select * from fixture.<model>``.

The stand-ins give exact expectations (known key availability per event); the reporting
models on the real mart are built by the whole-graph test (tests/orchestration/test_pipeline.py)
and by `make demo`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from sinks.meta_capi import Ledger

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
STAND_INS = ("meta_capi__events", "meta_capi__event_user_data", "meta_capi__outcomes_mapped")
KEYS = (
    "em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id",
    "client_ip_address", "client_user_agent", "fbc", "fbp", "lead_id",
)  # fmt: skip
PIXEL_ID = "1234567890123456"
DAY = datetime(2026, 11, 20, tzinfo=UTC)


@dataclass
class GeneratedEvent:
    """One candidate event and where each of its keys came from."""

    event_id: str
    event_name: str
    event_at: datetime
    action_source: str
    send_status: str
    status_reason: str | None
    event_id_source: str
    keys: dict[str, str] = field(default_factory=dict)  # key_name -> key_source
    ledger_status: str | None = None
    sent_after: timedelta | None = None
    error_code: int | None = None


def generate_events(
    count: int,
    converting_share: dict[str, float],
    memory_share: dict[str, float],
    *,
    event_name: str = "Lead",
    seed: int = 7,
    ledger_status: str = "sent",
) -> list[GeneratedEvent]:
    """``count`` delivered website events; key k is on the converting record with probability
    ``converting_share[k]``, else filled from journey memory with ``memory_share[k]``."""
    rng = random.Random(seed)
    events = []
    for number in range(count):
        keys: dict[str, str] = {}
        for key in KEYS:
            if rng.random() < converting_share.get(key, 0.0):
                keys[key] = "converting_record"
            elif rng.random() < memory_share.get(key, 0.0):
                keys[key] = "journey_memory"
        events.append(
            GeneratedEvent(
                event_id=f"{event_name.lower()}-{seed}-{number}",
                event_name=event_name,
                event_at=DAY + timedelta(minutes=number),
                action_source="website",
                send_status="ready",
                status_reason=None,
                event_id_source="pixel" if number % 4 else "source_record",
                keys=keys,
                ledger_status=ledger_status,
                sent_after=timedelta(minutes=5 + number % 60),
            )
        )
    return events


def write_fixture(
    warehouse: Path, events: Iterable[GeneratedEvent], *, with_ledger: bool = True
) -> None:
    """Write the three mart stand-ins and (unless not ``with_ledger``) the send ledger."""
    events = list(events)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists fixture")
        con.execute(
            """
            create or replace table fixture.meta_capi__events (
                event_id varchar, event_name varchar, event_time bigint,
                action_source varchar, send_status varchar, status_reason varchar
            )
            """
        )
        con.execute(
            """
            create or replace table fixture.meta_capi__event_user_data (
                event_id varchar, key_name varchar, key_value varchar, key_source varchar
            )
            """
        )
        con.execute(
            """
            create or replace table fixture.meta_capi__outcomes_mapped (
                outcome_id varchar, event_id varchar, event_id_source varchar,
                is_candidate boolean
            )
            """
        )
        con.executemany(
            "insert into fixture.meta_capi__events values (?, ?, ?, ?, ?, ?)",
            [
                (
                    e.event_id,
                    e.event_name,
                    int(e.event_at.timestamp()),
                    e.action_source,
                    e.send_status,
                    e.status_reason,
                )
                for e in events
            ],
        )
        user_data = [
            (e.event_id, key, "0" * 64, source) for e in events for key, source in e.keys.items()
        ]
        if user_data:
            con.executemany(
                "insert into fixture.meta_capi__event_user_data values (?, ?, ?, ?)", user_data
            )
        con.executemany(
            "insert into fixture.meta_capi__outcomes_mapped values (?, ?, ?, true)",
            [(f"outcome-{e.event_id}", e.event_id, e.event_id_source) for e in events],
        )
        if not with_ledger:
            return
        Ledger(con, PIXEL_ID, "fixture-run").ensure_schema()
        con.execute("delete from sync.meta_capi_deliveries")  # a rewrite replaces the ledger
        rows = []
        for e in events:
            if e.ledger_status is None:
                continue
            attempt_at = (e.event_at + (e.sent_after or timedelta())).replace(tzinfo=None)
            rows.append(
                (
                    PIXEL_ID,
                    e.event_id,
                    e.event_name,
                    e.ledger_status,
                    attempt_at,
                    attempt_at if e.ledger_status == "sent" else None,
                    e.error_code,
                )
            )
        if rows:
            con.executemany(
                """
                insert into sync.meta_capi_deliveries
                    (pixel_id, event_id, event_name, status, attempts, first_attempt_at,
                     last_attempt_at, sent_at, error_code)
                values ($1, $2, $3, $4, 1, $5, $5, $6, $7)
                """,
                rows,
            )
    finally:
        con.close()


def reporting_project(scratch: Path) -> Path:
    """A copy of dbt_project whose Meta mart models read schema ``fixture``."""
    project = scratch.resolve() / "dbt_project"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    mart = project / "models" / "marts" / "meta_capi"
    shutil.rmtree(mart)
    mart.mkdir()
    for model in STAND_INS:
        (mart / f"{model}.sql").write_text(
            f"{{{{ config(materialized='view') }}}}\nselect * from fixture.{model}\n"
        )
    return project


def build_reporting(warehouse: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    """``dbt build`` the reporting models (and their seed and stand-ins) on ``warehouse``."""
    project = reporting_project(scratch)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--select",
            "+path:models/marts/reporting",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--vars",
            json.dumps({"meta_as_of": "2026-11-30T00:00:00"}),
        ],
        cwd=project,
        env={
            **os.environ,
            "JOURNEY_WAREHOUSE": str(warehouse.resolve()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
        },
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise AssertionError(
            "dbt build of the reporting models failed:\n"
            f"{result.stdout[-6000:]}{result.stderr[-3000:]}"
        )
    return result
