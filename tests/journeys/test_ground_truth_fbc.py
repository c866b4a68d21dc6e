"""End to end against the generator's ground truth: does each outcome carry the right fbc?

Given a few thousand generated people (fixed seed, activity ending today), landed and built
with dbt on a temporary DuckDB, when each conversion is matched to its outcome row, then for
converters whose journey began with a Meta click and whose click the data can link to them
(ground truth `meta_click_linkable`), the outcome's fbc names the credited fbclid at least
99% of the time. The pixel-mirror baseline (only the converting hit's own cookies) is
printed beside it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.journeys.conftest import REPO, dbt_build, land

PEOPLE = 3000
SEED = 20261204
GOAL = 0.99


def _generate(out: Path) -> None:
    end = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    subprocess.run(
        [sys.executable, "-m", "data.generator", "--people", str(PEOPLE), "--seed", str(SEED)]
        + ["--out", str(out), "--end", end.isoformat()],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )


SHARES_SQL = """
with truth as (
    select c.*, p.acquisition_channel
    from read_parquet($conversions) as c
    inner join read_parquet($persons) as p using (person_key)
),
population as (
    select *
    from truth
    where meta_click_linkable and acquisition_channel = 'meta' and defect is null
),
outcomes as (
    select
        source_system as source_table,
        coalesce(booking_id, source_record_id) as record_id,
        source_status,
        split_part(fbc, '.', 4) as fbc_fbclid,
        split_part(record_fbc, '.', 4) as record_fbclid,
        fbc_source
    from marts.fct_qualified_outcomes
),
matched as (
    select population.*, outcomes.fbc_fbclid, outcomes.record_fbclid, outcomes.fbc_source,
        outcomes.record_id is not null as has_outcome
    from population
    left join outcomes
        on population."table" = outcomes.source_table
        and population.record_id = outcomes.record_id
        and (population."table" <> 'bookings'
             or population.kind = 'booking_' || outcomes.source_status)
)
select
    count(*) as converters,
    count(distinct person_key) as people,
    sum(case when has_outcome then 1 else 0 end) as with_outcome,
    sum(case when fbc_fbclid = credited_fbclid then 1 else 0 end) as right_fbc,
    sum(case when record_fbclid = credited_fbclid then 1 else 0 end) as right_record_fbc,
    sum(case when fbc_fbclid = credited_fbclid and fbc_source = 'rebuilt' then 1 else 0 end)
        as right_rebuilt
from matched
"""


# Known shortcoming (TEMP, remove the xfail when the goal is met; strict, so it fails loudly
# once it passes): 97.1% on 2026-12-04 (1794/1848). Of the 54 misses, 24 belong to people whose
# device and CRM record meet only through a hub identifier (test@test.com, the shared office
# phone) that identity rightly refuses to merge on; the other 30 (13 people) are not yet
# explained and need a look at how identity places their CRM records.
@pytest.mark.xfail(strict=True, reason="97.1% of linkable Meta converters, goal 99%")
@pytest.mark.slow
def test_outcomes_carry_the_credited_fbc_for_linkable_meta_converters(tmp_path: Path) -> None:
    # given: generated funnels landed into a fresh warehouse and built
    generated = tmp_path / "generated"
    warehouse = tmp_path / "warehouse.duckdb"
    _generate(generated)
    land(generated / "inbox", warehouse)
    dbt_build(warehouse, tmp_path, select="+fct_qualified_outcomes")

    # when: every linkable Meta-acquired conversion is matched to its outcome row
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            SHARES_SQL,
            {
                "conversions": str(generated / "ground_truth" / "conversions.parquet"),
                "persons": str(generated / "ground_truth" / "persons.parquet"),
            },
        ).fetchone()
    finally:
        con.close()
    converters, people, with_outcome, right_fbc, right_record_fbc, right_rebuilt = row
    share = right_fbc / converters
    baseline = right_record_fbc / converters

    # then: the journey memory names the credited click; the pixel mirror mostly cannot
    print(  # noqa: T201 - the figure this test exists to report
        f"\nground truth ({PEOPLE} people, seed {SEED}): {converters} conversions of {people} "
        f"linkable Meta-acquired converters, {with_outcome} with an outcome row\n"
        f"  journey memory: right fbc {right_fbc}/{converters} = {share:.2%} "
        f"({right_rebuilt} rebuilt from a stored fbclid)\n"
        f"  pixel-mirror baseline (converting hit's own cookies): "
        f"{right_record_fbc}/{converters} = {baseline:.2%}"
    )
    assert converters > 100
    assert share >= GOAL
