"""Fixtures of the staging tests: the Meta normalisation macros compiled by dbt and run on
a temporary DuckDB file, and the committed sample landed and staged.

dbt runs as a subprocess with its own DuckDB file and ``--target-path`` under pytest's
temporary directory, so these tests can run beside others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from orchestration.landing.loader import land_inbox
from tests import warehouse_runs

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_INBOX = ROOT / "data" / "sample" / "inbox"
KEYS = ("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id")
KEYS_WITH_COUNTRY = ("ph", "st", "zp")
REFERENCE_SEEDS = "meta_country_codes meta_state_codes meta_phone_prefixes meta_phone_regions"


def run_dbt(args: list[str], warehouse: Path, target: Path) -> str:
    """Run dbt on `warehouse` with its files beside `target`; return stdout, fail loudly."""
    return warehouse_runs.run_dbt(args, warehouse, target.parent).stdout


def _inline_sql() -> str:
    """One query: every key's normalise macro, then the hash and the issue from that column."""
    normalise, issue = [], []
    for key in KEYS:
        country = ", 'cases.country'" if key in KEYS_WITH_COUNTRY else ""
        value = "'cases.input_value'"
        normalise.append(f"when '{key}' then {{{{ meta_normalize('{key}', {value}{country}) }}}}")
        issue.append(
            f"when '{key}' then {{{{ meta_issue('{key}', {value}, 'cases.normalised'{country}) }}}}"
        )
    return (
        "with normalised as (select cases.*, case cases.key_name "
        + " ".join(normalise)
        + " end as normalised from cases) "
        "select cases.case_id, cases.normalised, "
        "{{ hash_normalised('cases.normalised') }} as hashed, "
        "case cases.key_name " + " ".join(issue) + " end as issue from normalised as cases"
    )


@dataclass
class MetaMacros:
    """The per-key macros compiled once, run on any inputs with DuckDB directly."""

    warehouse: Path
    sql: str
    cache: dict = field(default_factory=dict)

    def prime(self, cases: Iterable[tuple[str, str | None, str | None]]) -> None:
        """Run many cases in one query (each query costs seconds of planning) and keep them."""
        cases = [case for case in dict.fromkeys(cases) if case not in self.cache]
        if cases:
            self.cache.update(zip(cases, self.run(cases), strict=True))

    def run(self, cases: Iterable[tuple[str, str | None, str | None]]) -> list[dict]:
        """Normalise, hash and explain each (key, input, country) case, in order.

        country is a normalised lowercase alpha-2 or None (then the default country applies).
        """
        cases = list(cases)
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            con.execute(
                "create temp table cases (case_id integer, key_name varchar,"
                " input_value varchar, country varchar)"
            )
            con.executemany(
                "insert into temp.cases values (?, ?, ?, ?)",
                [(i, key, value, country) for i, (key, value, country) in enumerate(cases)],
            )
            rows = con.execute(self.sql.replace(" from cases)", " from temp.cases)")).fetchall()
        finally:
            con.close()
        by_id = {row[0]: row for row in rows}
        return [
            {"normalised": by_id[i][1], "hash": by_id[i][2], "issue": by_id[i][3]}
            for i in range(len(cases))
        ]

    def one(self, key: str, value: str | None, country: str | None = None) -> dict:
        self.prime([(key, value, country)])
        return self.cache[(key, value, country)]


@pytest.fixture(scope="session")
def meta_macros(tmp_path_factory: pytest.TempPathFactory) -> MetaMacros:
    """The reference seeds loaded into a fresh DuckDB file and the macros compiled for it."""
    workdir = tmp_path_factory.mktemp("meta_macros")
    warehouse = workdir / "macros.duckdb"
    target = workdir / "target"
    run_dbt(["seed", "--select", *REFERENCE_SEEDS.split()], warehouse, target)
    output = run_dbt(
        ["compile", "--inline", _inline_sql(), "--output", "json", "--quiet"], warehouse, target
    )
    compiled = json.loads(output[output.index("{") :])["compiled"]
    return MetaMacros(warehouse=warehouse, sql=compiled)


@pytest.fixture(scope="session")
def staged_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample landed into a fresh DuckDB file, then `dbt build -s staging`."""
    workdir = tmp_path_factory.mktemp("staged_sample")
    warehouse = workdir / "sample.duckdb"
    land_inbox(SAMPLE_INBOX, warehouse)
    selection = ["staging", *REFERENCE_SEEDS.split()]
    run_dbt(["build", "--select", *selection], warehouse, workdir / "target")
    return warehouse
