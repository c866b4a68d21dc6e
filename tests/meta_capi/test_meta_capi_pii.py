"""No plaintext email, phone, name, address or birth date leaves the raw schema.

Every text column of every table and view outside `raw` is scanned for the plaintext
identifiers of the landed input: whole-cell matches for every value, and substring matches
for emails and phone digits (long enough never to occur by chance). The `seeds` schema is not
scanned: seeds are hand-written configuration in git, not data derived from the input (the
identity blocklist, for one, names test@test.com in a note).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

_PII_COLUMNS: dict[str, tuple[str, ...]] = {
    "form_submissions": (
        "email",
        "phone",
        "first_name",
        "last_name",
        "date_of_birth",
        "city",
        "zip",
    ),
    "crm_contacts": ("email", "phone", "first_name", "last_name", "city", "zip"),
    "bookings": ("email", "phone"),
    "orders": ("email", "phone"),
}
_SUBSTRING_COLUMNS = frozenset({"email", "phone"})


def _plaintext_identifiers(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str]]:
    whole: set[str] = set()
    substrings: set[str] = set()
    for table, columns in _PII_COLUMNS.items():
        for column in columns:
            values = con.execute(
                f"select distinct lower(trim(cast({column} as varchar))) from raw.{table} "
                f"where {column} is not null"
            ).fetchall()
            for (value,) in values:
                if not value:
                    continue
                whole.add(value)
                if column == "email" and "@" in value:
                    substrings.add(value)
                if column == "phone":
                    digits = re.sub(r"\D", "", value)
                    if len(digits) >= 10:
                        substrings.add(digits)
    return whole, substrings


def test_no_plaintext_identifier_appears_outside_raw(sample_warehouse: Path) -> None:
    # given the sample landed and built, and every plaintext identifier its raw tables hold
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        whole, substrings = _plaintext_identifiers(con)
        assert len(whole) > 100 and len(substrings) > 50
        text_columns = con.execute(
            """
            select table_schema, table_name, column_name
            from information_schema.columns
            where table_schema not in ('raw', 'seeds', 'information_schema', 'pg_catalog')
                and (data_type = 'VARCHAR' or data_type = 'JSON')
            order by 1, 2, 3
            """
        ).fetchall()
        scanned_schemas = {schema for schema, _, _ in text_columns}
        # when every text column of every table outside raw is scanned
        leaks: list[str] = []
        for schema, table, column in text_columns:
            values = con.execute(
                f'select distinct lower(cast("{column}" as varchar)) '
                f'from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            for (value,) in values:
                text = value.strip()
                if text in whole or any(token in text for token in substrings):
                    leaks.append(f"{schema}.{table}.{column}")
                    break
    finally:
        con.close()
    # then the marts, intermediate and staging layers were scanned and none holds any
    assert {"marts", "staging", "intermediate"} <= scanned_schemas
    assert leaks == []
