"""Plaintext PII stays in raw: after landing the sample and building staging, no relation
outside the raw schema has a plaintext PII column or holds a raw e-mail, phone, name, birth
date or city as a value."""

from __future__ import annotations

import re

import duckdb
import pytest

PII_COLUMNS = {
    "email",
    "phone",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "city",
    "state",
    "zip",
    "address",
    "street",
}
# helper columns of the staging steps that must not reach the final select
HELPER_COLUMN = re.compile(r".*_normalised$|^ph_candidate$|^db_iso_text$")


@pytest.fixture(scope="module")
def warehouse(staged_sample):
    con = duckdb.connect(str(staged_sample), read_only=True)
    yield con
    con.close()


def _relations(con) -> list[tuple[str, str]]:
    return con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema not in ('raw', 'seeds') and table_catalog = current_database()"
    ).fetchall()


def _raw_pii_values(con) -> set[str]:
    values: set[str] = set()
    for table, columns in {
        "form_submissions": ("email", "phone", "first_name", "last_name", "date_of_birth", "city"),
        "crm_contacts": ("email", "phone", "first_name", "last_name", "city"),
        "bookings": ("email", "phone"),
        "orders": ("email", "phone"),
    }.items():
        for column in columns:
            for (value,) in con.execute(f"select distinct {column} from raw.{table}").fetchall():
                if value and len(value.strip()) >= 3:
                    values.add(value.strip().lower())
                    digits = re.sub(r"\D", "", value)
                    if column == "phone" and len(digits) >= 7:
                        values.add(digits)
    return values


def test_staging_exists_to_be_checked(warehouse):
    assert ("staging", "stg_forms__submissions") in _relations(warehouse)


def test_no_plaintext_pii_column_after_raw(warehouse):
    offending = []
    for schema, table in _relations(warehouse):
        for (column,) in warehouse.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall():
            if column in PII_COLUMNS or HELPER_COLUMN.match(column):
                offending.append(f"{schema}.{table}.{column}")
    assert offending == []


def test_no_raw_pii_value_appears_after_raw(warehouse):
    # given every plaintext e-mail, phone, name, birth date and city of the raw tables
    values = sorted(_raw_pii_values(warehouse))
    assert len(values) > 100
    warehouse.execute("create temp table pii_values (value varchar)")
    warehouse.executemany("insert into temp.pii_values values (?)", [(v,) for v in values])
    # when every text column of every relation outside raw is searched for them
    leaks = []
    for schema, table in _relations(warehouse):
        text_columns = [
            column
            for (column,) in warehouse.execute(
                "select column_name from information_schema.columns where table_schema = ?"
                " and table_name = ? and data_type = 'VARCHAR'",
                [schema, table],
            ).fetchall()
        ]
        for column in text_columns:
            found = warehouse.execute(
                f'select count(*) from "{schema}"."{table}"'
                f' where lower(trim("{column}")) in (select value from temp.pii_values)'
            ).fetchone()[0]
            if found:
                leaks.append(f"{schema}.{table}.{column}: {found} rows")
    # then none is found
    assert leaks == []
