"""Load inbox files into the raw schema, quarantining every row that fails validation.

The inbox holds one folder per raw table (`<inbox>/<table>/*.csv|jsonl|parquet`). For each
file the loader:

1. hashes the bytes; a hash already in `raw._landed_files` means the file was landed before,
   so landing it again (under any name) is a no-op;
2. parses it into text records numbered from 1 (CSV header excluded). A record that cannot
   be parsed on its own (a truncated CSV line, a broken JSON line) becomes a rejected row;
   a file that cannot be parsed at all (not UTF-8, unreadable Parquet, a header without a
   required column) is reported in `raw._landing_file_errors` and left in place;
3. validates every record in SQL (required fields, types, timestamps, allowed values, JSON)
   and, in one transaction, appends the good rows to `raw.<table>` with lineage columns,
   the bad ones to `raw.rejected_rows` with a reason a person can act on, and the file to
   the ledger. A crash before the commit leaves nothing behind, so no file is half-loaded.

Invariant (tested): for every landed file, rows loaded + rows rejected = records in the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.landing.contract import LINEAGE_COLUMNS, RAW_TABLES, Column, RawTable

__all__ = ["FileResult", "LandingReport", "land_inbox", "ensure_raw_schema", "SUPPORTED_SUFFIXES"]

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".parquet")
_CHUNK_ROWS = 250_000


class UnparseableFileError(Exception):
    """The file as a whole cannot be read; nothing from it is loaded."""


@dataclass
class FileResult:
    """What happened to one inbox file."""

    table: str
    source_file: str
    file_hash: str
    status: str  # loaded | skipped | unparseable
    rows_in_file: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""


@dataclass
class LandingReport:
    """Totals of one landing run, with a result per file."""

    files: list[FileResult] = field(default_factory=list)

    def _sum(self, attribute: str, status: str = "loaded") -> int:
        return sum(getattr(f, attribute) for f in self.files if f.status == status)

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    @property
    def rows_rejected(self) -> int:
        return self._sum("rows_rejected")

    @property
    def files_loaded(self) -> int:
        return sum(1 for f in self.files if f.status == "loaded")

    @property
    def files_skipped(self) -> int:
        return sum(1 for f in self.files if f.status == "skipped")

    @property
    def files_unparseable(self) -> int:
        return sum(1 for f in self.files if f.status == "unparseable")

    def by_table(self) -> dict[str, dict[str, int]]:
        """Rows loaded and rejected per raw table in this run."""
        totals: dict[str, dict[str, int]] = {
            name: {"loaded": 0, "rejected": 0, "files": 0} for name in RAW_TABLES
        }
        for result in self.files:
            if result.status == "loaded":
                totals[result.table]["loaded"] += result.rows_loaded
                totals[result.table]["rejected"] += result.rows_rejected
                totals[result.table]["files"] += 1
        return totals


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, the quarantine and the ledgers if they are missing."""
    con.execute("create schema if not exists raw")
    for table in RAW_TABLES.values():
        columns = [f'"{c.name}" {c.sql_type}' for c in table.columns]
        columns += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
        con.execute(f"create table if not exists raw.{table.name} ({', '.join(columns)})")
    con.execute(
        """
        create table if not exists raw.rejected_rows (
            table_name varchar not null,
            source_file varchar not null,
            source_row bigint not null,
            raw_row varchar,
            reason varchar not null,
            file_hash varchar not null,
            rejected_at timestamp not null
        )
        """
    )
    con.execute(
        """
        create table if not exists raw._landed_files (
            file_hash varchar primary key,
            table_name varchar not null,
            source_file varchar not null,
            rows_in_file bigint not null,
            rows_loaded bigint not null,
            rows_rejected bigint not null,
            landed_at timestamp not null
        )
        """
    )
    con.execute(
        """
        create table if not exists raw._landing_file_errors (
            file_hash varchar not null,
            table_name varchar not null,
            source_file varchar not null,
            error varchar not null,
            seen_at timestamp not null
        )
        """
    )


def land_inbox(
    inbox: Path | str,
    warehouse: Path | str,
    *,
    tables: list[str] | None = None,
) -> LandingReport:
    """Land every new file under `inbox` into the DuckDB file `warehouse`.

    Args:
        inbox: folder with one sub-folder per raw table.
        warehouse: DuckDB file; created if missing.
        tables: restrict to these raw tables (default: all six).

    Returns:
        A report with one result per file seen.
    """
    inbox = Path(inbox)
    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    report = LandingReport()
    wanted = tables or list(RAW_TABLES)
    unknown = [name for name in wanted if name not in RAW_TABLES]
    if unknown:
        raise ValueError(f"unknown raw table(s): {', '.join(unknown)}")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")
        ensure_raw_schema(con)
        landed = {
            row[0] for row in con.execute("select file_hash from raw._landed_files").fetchall()
        }
        files = [
            (name, path)
            for name in wanted
            for path in sorted((inbox / name).glob("*"))
            if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES
        ]
        logger.info("landing: %d candidate files under %s", len(files), inbox)
        for position, (name, path) in enumerate(files, start=1):
            result = _land_file(con, RAW_TABLES[name], path, inbox, landed)
            report.files.append(result)
            logger.info(
                "landing [%d/%d] %s: %s (%d loaded, %d rejected)%s",
                position,
                len(files),
                result.source_file,
                result.status,
                result.rows_loaded,
                result.rows_rejected,
                f" - {result.message}" if result.message else "",
            )
    finally:
        con.close()
    return report


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _land_file(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    path: Path,
    inbox: Path,
    landed: set[str],
) -> FileResult:
    source_file = path.relative_to(inbox).as_posix()
    file_hash = _file_hash(path)
    result = FileResult(table.name, source_file, file_hash, "skipped")
    if file_hash in landed:
        result.message = "already landed (same content hash)"
        return result
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        notes: list[str] = []
        for chunk in _parse(table, path, con, notes):
            loaded, rejected = _validate_and_insert(con, table, chunk, source_file, file_hash, now)
            result.rows_loaded += loaded
            result.rows_rejected += rejected
            result.rows_in_file += len(chunk)
        result.message = "; ".join(notes)
        con.execute(
            "insert into raw._landed_files values (?, ?, ?, ?, ?, ?, ?)",
            [
                file_hash,
                table.name,
                source_file,
                result.rows_in_file,
                result.rows_loaded,
                result.rows_rejected,
                now,
            ],
        )
        con.execute("commit")
    except UnparseableFileError as error:
        con.execute("rollback")
        result = FileResult(table.name, source_file, file_hash, "unparseable", message=str(error))
        con.execute(
            "insert into raw._landing_file_errors values (?, ?, ?, ?, ?)",
            [file_hash, table.name, source_file, str(error), now],
        )
        logger.warning("landing: %s cannot be parsed and was left in place: %s", source_file, error)
        return result
    except Exception:
        con.execute("rollback")
        raise
    landed.add(file_hash)
    result.status = "loaded"
    if result.message:
        logger.warning("landing: %s: %s", source_file, result.message)
    return result


# --- parsing: every format becomes frames of text columns plus _source_row and _parse_error ---


def _empty_frame(table: RawTable) -> dict[str, list]:
    frame: dict[str, list] = {name: [] for name in table.column_names}
    frame["_source_row"] = []
    frame["_parse_error"] = []
    frame["_raw_row"] = []
    return frame


def _to_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _parse(
    table: RawTable, path: Path, con: duckdb.DuckDBPyConnection, notes: list[str]
) -> Iterator[pd.DataFrame]:
    """Frames of text records; what the file holds beyond the contract is added to `notes`."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from _parse_parquet(table, path, con, notes)
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnparseableFileError(f"file is not UTF-8 text ({error.reason})") from error
    if suffix == ".csv":
        yield from _parse_csv(table, text, notes)
    else:
        yield from _parse_jsonl(table, text, notes)


def _check_columns(table: RawTable, columns: list[str], notes: list[str]) -> None:
    missing = [c.name for c in table.columns if c.required and c.name not in columns]
    if missing:
        raise UnparseableFileError(
            f"header has no column(s) {', '.join(missing)} required by raw.{table.name}"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise UnparseableFileError(f"header repeats column(s) {', '.join(repeated)}")
    _note_extra(table, columns, notes)


def _note_extra(table: RawTable, columns: Iterable[str], notes: list[str]) -> None:
    extra = sorted(set(columns) - set(table.column_names))
    if extra:
        notes.append(f"column(s) not in raw.{table.name} were not loaded: {', '.join(extra)}")


def _csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def _parse_csv(table: RawTable, text: str, notes: list[str]) -> Iterator[pd.DataFrame]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration as error:
        raise UnparseableFileError("file is empty: no CSV header") from error
    except csv.Error as error:
        raise UnparseableFileError(f"CSV header cannot be read ({error})") from error
    _check_columns(table, header, notes)
    positions = [(name, header.index(name)) for name in table.column_names if name in header]
    absent = [name for name in table.column_names if name not in header]
    frame = _empty_frame(table)
    number = 0
    try:
        for fields in reader:
            if not fields:
                continue
            number += 1
            frame["_source_row"].append(number)
            if len(fields) != len(header):
                # the record as CSV; a parsed record is shown as JSON with its column names
                frame["_raw_row"].append(_csv_line(fields))
                frame["_parse_error"].append(
                    f"row has {len(fields)} of {len(header)} fields (truncated or malformed line)"
                )
                for name in table.column_names:
                    frame[name].append(None)
            else:
                frame["_raw_row"].append(None)
                frame["_parse_error"].append(None)
                for name, index in positions:
                    frame[name].append(fields[index])
                for name in absent:
                    frame[name].append(None)
            if number % _CHUNK_ROWS == 0:
                yield pd.DataFrame(frame)
                frame = _empty_frame(table)
    except csv.Error as error:
        raise UnparseableFileError(f"CSV record {number + 1} cannot be read ({error})") from error
    if frame["_source_row"]:
        yield pd.DataFrame(frame)


def _parse_jsonl(table: RawTable, text: str, notes: list[str]) -> Iterator[pd.DataFrame]:
    frame = _empty_frame(table)
    number = 0
    known = set(table.column_names)
    extra: set[str] = set()
    # split on newlines only: str.splitlines() also splits on U+2028, U+0085 and friends,
    # which JSON allows unescaped inside strings
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        number += 1
        frame["_source_row"].append(number)
        frame["_raw_row"].append(line)
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except ValueError as error:
            kind = "not a JSON object" if "not a JSON object" in str(error) else "not valid JSON"
            frame["_parse_error"].append(f"line is {kind} (truncated or malformed line)")
            for name in table.column_names:
                frame[name].append(None)
        else:
            frame["_parse_error"].append(None)
            for name in table.column_names:
                frame[name].append(_to_text(record.get(name)))
            if not known.issuperset(record):
                extra.update(record.keys() - known)
        if number % _CHUNK_ROWS == 0:
            yield pd.DataFrame(frame)
            frame = _empty_frame(table)
    if frame["_source_row"]:
        yield pd.DataFrame(frame)
    _note_extra(table, extra, notes)


def _parse_parquet(
    table: RawTable, path: Path, con: duckdb.DuckDBPyConnection, notes: list[str]
) -> Iterator[pd.DataFrame]:
    # A cursor of its own: the caller inserts on `con` between chunks, which would end a
    # result still open on `con`. It only reads the file, so it needs no transaction.
    reader = con.cursor()
    try:
        try:
            described = reader.execute(
                "describe select * from read_parquet(?)", [str(path)]
            ).fetchall()
            columns = [row[0] for row in described]
            _check_columns(table, columns, notes)
            selected = ", ".join(
                f'cast("{name}" as varchar) as "{name}"' if name in columns else f'null as "{name}"'
                for name in table.column_names
            )
            reader.execute(
                f"""
                select
                    {selected},
                    cast(file_row_number + 1 as bigint) as _source_row,
                    cast(null as varchar) as _parse_error,
                    cast(null as varchar) as _raw_row
                from read_parquet(?, file_row_number = true)
                order by file_row_number
                """,
                [str(path)],
            )
        except duckdb.Error as error:
            raise UnparseableFileError(f"Parquet file cannot be read ({error})") from error
        while True:
            try:
                frame = reader.fetch_df_chunk(_CHUNK_ROWS // 2048)
            except duckdb.Error as error:
                raise UnparseableFileError(f"Parquet file cannot be read ({error})") from error
            if frame.empty:
                return
            yield frame
    finally:
        reader.close()


# --- validation: one SQL pass per chunk decides loaded or rejected, with every reason ---


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _checks(column: Column) -> list[str]:
    """SQL expressions, each yielding a reason or null, for one text column `t.<name>`."""
    value = f't."{column.name}"'
    present = f"nullif(trim({value}), '')"
    checks = []
    if column.required:
        checks.append(
            f"case when {present} is null then 'missing required field {column.name}' end"
        )
    shown = f"'''' || left({value}, 40) || ''''"
    if column.kind == "timestamp":
        checks.append(
            f"case when {present} is not null and ("
            f"try_cast({value} as timestamptz) is null"
            f" or not isfinite(try_cast({value} as timestamptz))"
            f" or year(try_cast({value} as timestamptz)) not between 1970 and 2100)"
            f" then '{column.name} ' || {shown} || ' is not an ISO 8601 timestamp' end"
        )
    elif column.kind == "integer":
        checks.append(
            f"case when {present} is not null and try_cast({value} as bigint) is null"
            f" then '{column.name} ' || {shown} || ' is not a whole number' end"
        )
    elif column.kind == "number":
        checks.append(
            f"case when {present} is not null and (try_cast({value} as double) is null"
            f" or not isfinite(try_cast({value} as double)))"
            f" then '{column.name} ' || {shown} || ' is not a number' end"
        )
    elif column.kind == "boolean":
        checks.append(
            f"case when {present} is not null and try_cast({value} as boolean) is null"
            f" then '{column.name} ' || {shown} || ' is not true or false' end"
        )
    elif column.kind == "json":
        checks.append(
            f"case when {present} is not null and not coalesce(json_valid({value}), false)"
            f" then '{column.name} is not valid JSON' end"
        )
    elif column.kind == "json_list":
        checks.append(
            f"case when {present} is not null and not coalesce(json_valid({value}), false)"
            f" then '{column.name} is not valid JSON'"
            f" when {present} is not null and json_type({value}) <> 'ARRAY'"
            f" then '{column.name} is not a JSON list' end"
        )
    if column.allowed:
        allowed = ", ".join(_quote(v) for v in column.allowed)
        checks.append(
            f"case when {present} is not null and trim({value}) not in ({allowed})"
            f" then '{column.name} ' || {shown} || ' is not one of {', '.join(column.allowed)}' end"
        )
    return checks


def _typed(column: Column) -> str:
    value = f't."{column.name}"'
    present = f"nullif(trim({value}), '')"
    if column.kind == "timestamp":
        return f"cast(cast({present} as timestamptz) as timestamp)"
    if column.kind in ("integer", "number", "boolean"):
        return f"cast({present} as {column.sql_type})"
    if column.allowed:
        return f"trim({value})"
    return value


def _validate_and_insert(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    chunk: pd.DataFrame,
    source_file: str,
    file_hash: str,
    now: datetime,
) -> tuple[int, int]:
    checks = [check for column in table.columns for check in _checks(column)]
    reasons = ", ".join(["t._parse_error"] + checks)
    con.register("_landing_chunk", chunk)
    try:
        con.execute(
            f"""
            create or replace temp table _landing_checked as
            select t.*, concat_ws('; ', {reasons}) as _reason
            from _landing_chunk as t
            """
        )
        columns = ", ".join(f'"{name}"' for name in table.column_names)
        typed = ", ".join(_typed(column) for column in table.columns)
        con.execute(
            f"""
            insert into raw.{table.name} ({columns}, _source_file, _source_row, _loaded_at)
            select {typed}, ?, t._source_row, ?
            from _landing_checked as t
            where t._reason = ''
            order by t._source_row
            """,
            [source_file, now],
        )
        raw_row = "coalesce(t._raw_row, cast(to_json(struct_pack({})) as varchar))".format(
            ", ".join(f'"{name}" := t."{name}"' for name in table.column_names)
        )
        con.execute(
            f"""
            insert into raw.rejected_rows
            select ?, ?, t._source_row, {raw_row}, t._reason, ?, ?
            from _landing_checked as t
            where t._reason <> ''
            order by t._source_row
            """,
            [table.name, source_file, file_hash, now],
        )
        counts = con.execute(
            "select count(*) filter (where _reason = ''), count(*) filter (where _reason <> '')"
            " from _landing_checked"
        ).fetchall()[0]
    finally:
        con.unregister("_landing_chunk")
    return int(counts[0]), int(counts[1])
