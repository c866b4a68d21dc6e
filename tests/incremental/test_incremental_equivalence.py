"""After any sequence of incremental runs the marts equal a full refresh on the same data.

Given the committed sample inbox split by event time into a first load and three later
batches, with late rows (hits delivered a batch after they happened, forms delivered two
batches late that stitch a cookie seen earlier to a person), when each batch is landed and
`dbt build` runs incrementally after it, then every relation of the marts schema equals a
fresh `dbt build --full-refresh` of the same landed files, row for row.

The comparison must be able to fail: a second warehouse repeats the last batch with one late
hit whose landing time is set back before the previous run (what an event-time high-water
mark does to a late row), and the comparison must report the marts that lost it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.incremental.batches import BatchPlan, split_inbox
from tests.incremental.equivalence import MartDifference, mart_differences, mart_row_counts
from tests.warehouse_runs import REPO, land
from tests.warehouse_runs import run_dbt as dbt

pytestmark = pytest.mark.slow

SAMPLE_INBOX = REPO / "data" / "sample" / "inbox"
# eligibility windows (send_status) are judged against one pinned instant in every build
DBT_VARS = {"meta_as_of": "2026-11-30T12:00:00"}
NO_TESTS = ["--exclude-resource-type", "test", "unit_test"]


@dataclass
class Warehouses:
    plan: BatchPlan
    incremental: Path
    full: Path
    missed_late_hit: Path
    missed_event_id: str
    batch_runs: list[str]


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> Warehouses:
    root = tmp_path_factory.mktemp("incremental")
    plan = split_inbox(
        SAMPLE_INBOX,
        root / "batches",
        base_share=0.6,
        increments=3,
        late_hit_share=0.02,
        late_form_share=0.1,
    )
    incremental = root / "incremental.duckdb"
    before_last = root / "before_last.duckdb"
    batch_runs = []
    for index, inbox in enumerate(plan.inboxes):
        if index == len(plan.inboxes) - 1:
            shutil.copy(incremental, before_last)
        land(inbox, incremental)
        args = ["build", "--full-refresh"] if index == 0 else ["build"]
        result = dbt(args, incremental, root / "scratch", DBT_VARS)
        batch_runs.append(result.stdout.splitlines()[-1])

    full = root / "full.duckdb"
    for inbox in plan.inboxes:
        land(inbox, full)
    # the reference and the negative case skip dbt's tests: the batches ran them already
    dbt(["build", "--full-refresh", *NO_TESTS], full, root / "scratch", DBT_VARS)

    # the negative case: the last batch again, with one late hit the watermark cannot see
    last_late = _late_hits_in(before_last, plan, plan.inboxes[-1])
    missed = root / "missed_late_hit.duckdb"
    shutil.copy(before_last, missed)
    land(plan.inboxes[-1], missed)
    con = duckdb.connect(str(missed))
    try:
        con.execute(
            "update raw.web_events set _loaded_at = timestamp '2000-01-01' where event_id = ?",
            [last_late],
        )
    finally:
        con.close()
    dbt(["build", *NO_TESTS], missed, root / "scratch", DBT_VARS)
    return Warehouses(plan, incremental, full, missed, last_late, batch_runs)


def _late_hits_in(warehouse: Path, plan: BatchPlan, inbox: Path) -> str:
    """A late hit of the last batch whose device already had sessions before it."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        seen = {
            row[0]
            for row in con.execute("select distinct anonymous_id from raw.web_events").fetchall()
        }
    finally:
        con.close()
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"""
            select event_id, anonymous_id
            from read_csv('{inbox}/web_events/*.csv', all_varchar = true)
            order by event_id
            """
        ).fetchall()
    finally:
        con.close()
    late = set(plan.late_hits)
    for event_id, anonymous_id in rows:
        if event_id in late and anonymous_id in seen:
            return event_id
    pytest.fail("the split put no late hit of a known device into a CSV file of the last batch")


def test_split_has_late_hits_and_stitching_forms(warehouses: Warehouses) -> None:
    # given the split, then it exercises what incremental runs get wrong most often
    plan = warehouses.plan
    assert len(plan.inboxes) == 4
    assert plan.late_hits, "no hit arrives late"
    assert plan.stitching_forms, "no late form stitches a cookie seen in an earlier batch"
    assert all(sum(rows.values()) > 0 for rows in plan.rows)


def test_incremental_marts_equal_a_full_refresh(warehouses: Warehouses) -> None:
    # when every batch was built incrementally, then the marts equal a fresh full build
    counts = mart_row_counts(warehouses.full)
    assert counts["marts.fct_sessions"] > 0 and counts["marts.meta_capi__events"] > 0
    assert mart_differences(warehouses.incremental, warehouses.full) == []


def test_the_comparison_catches_a_missed_late_row(warehouses: Warehouses) -> None:
    # given a run that never saw one late hit, then the comparison names the marts it changes
    differences = mart_differences(warehouses.missed_late_hit, warehouses.full)
    relations = {difference.relation for difference in differences}
    assert "marts.fct_sessions" in relations, differences
    assert all(isinstance(d, MartDifference) for d in differences)
