"""README command (a): run the whole asset graph on the committed sample and summarise it.

`python -m orchestration.demo [--inbox DIR] [--warehouse FILE] [--fresh] [--as-of WHEN]`

The committed sample ends on the generator's end date, so on the sample the demo measures
Meta's 7-day window against that date (``JOURNEY_AS_OF``), not against today: otherwise every
event of a sample older than a week would be `expired` and the report would have no base.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import REPO_ROOT, Settings, parse_as_of

SAMPLE_INBOX = REPO_ROOT / "data" / "sample" / "inbox"


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int | None:
    try:
        return int(con.execute(sql).fetchall()[0][0])
    except duckdb.Error:
        return None


def summarise(warehouse: Path) -> list[str]:
    """Short lines describing what the warehouse now holds."""
    from orchestration.landing.contract import RAW_TABLES

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        lines = ["rows landed / rejected per raw table:"]
        rejected = dict(
            con.execute("select table_name, count(*) from raw.rejected_rows group by 1").fetchall()
        )
        for name in RAW_TABLES:
            loaded = _count(con, f"select count(*) from raw.{name}")
            lines.append(f"  {name:<18} {loaded:>8} landed {rejected.get(name, 0):>6} rejected")
        unparseable = _count(con, "select count(*) from raw._landing_file_errors")
        lines.append(f"files that could not be parsed: {unparseable}")
        for label, sql in (
            ("persons", "select count(*) from marts.dim_persons"),
            ("sessions", "select count(*) from marts.fct_sessions"),
            ("outcomes", "select count(*) from marts.fct_qualified_outcomes"),
        ):
            value = _count(con, sql)
            if value is not None:
                lines.append(f"{label}: {value}")
        statuses = _rows(
            con,
            "select send_status, count(*) from marts.meta_capi__events group by 1 order by 2 desc",
        )
        if statuses:
            total = sum(count for _, count in statuses)
            shares = ", ".join(f"{s} {c} ({c / total:.0%})" for s, c in statuses)
            lines.append(f"Meta events by status: {shares}")
        deliveries = _rows(
            con, "select status, count(*) from sync.meta_capi_deliveries group by 1 order by 2 desc"
        )
        if deliveries:
            lines.append("deliveries by status: " + ", ".join(f"{s} {c}" for s, c in deliveries))
        lines += signal_lines(con)
        return lines
    finally:
        con.close()


def signal_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Key coverage of delivered events, journey memory vs a pixel mirror (the signal report)."""
    from orchestration.quality.assets import REPORT_PATH
    from orchestration.report.signal_report import read_summary

    overall = read_summary(con).overall_coverage()
    if not overall:
        return []
    lines = [
        f"match keys of {overall[0].delivered_events} delivered events (as sent / pixel mirror):"
    ]
    for row in overall:
        lines.append(
            f"  {row.key_group:<18} {row.key_share:>5.0%} / {row.pixel_mirror_key_share:>5.0%}"
            f"  uplift {row.uplift_points:+.1f} pts"
        )
    report = os.environ.get("SIGNAL_REPORT_PATH") or str(REPORT_PATH)
    lines.append(f"signal report: {report}")
    return lines


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error:
        return []


def demo_as_of(requested: str | None, inbox: Path) -> str | None:
    """The JOURNEY_AS_OF the demo runs with (None: leave the environment as it is)."""
    if requested is not None:
        parse_as_of(requested)  # a clear error before anything runs
        return requested
    if inbox.resolve() == SAMPLE_INBOX.resolve() and not os.environ.get("JOURNEY_AS_OF"):
        from data.generator.core import DEFAULT_END

        return f"{DEFAULT_END.isoformat()}T00:00:00"
    return None


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", default=str(SAMPLE_INBOX))
    parser.add_argument("--warehouse", default=str(settings.warehouse))
    parser.add_argument("--fresh", action="store_true", help="delete the warehouse first")
    parser.add_argument(
        "--as-of",
        default=None,
        help="the moment eligibility windows are measured against (ISO 8601, or `now`); "
        "default: the sample's end date for the committed sample, else JOURNEY_AS_OF or now",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    warehouse = Path(args.warehouse).resolve()
    if args.fresh and warehouse.exists():
        warehouse.unlink()
    os.environ["JOURNEY_WAREHOUSE"] = str(warehouse)
    os.environ["JOURNEY_INBOX"] = str(Path(args.inbox).resolve())
    as_of = demo_as_of(args.as_of, Path(args.inbox))
    if as_of is not None:
        os.environ["JOURNEY_AS_OF"] = as_of

    from orchestration.definitions import defs

    out = sys.stdout
    log_path = warehouse.parent / "out" / "demo_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    out.write(f"running the asset graph; dbt's own output goes to {log_path}\n")
    out.flush()
    # Dagster's console logger shows each asset's INFO lines (progress) on stderr; the
    # step-by-step DEBUG events and dbt's line per node go to the log file.
    logging.getLogger("dagster").propagate = False
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = dg.materialize(
            list(defs.assets),
            resources=defs.resources,
            selection="*",
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    elapsed = time.monotonic() - started
    out.write(f"journey-memory demo: inbox {args.inbox} -> {warehouse}\n")
    clock = os.environ.get("JOURNEY_AS_OF") or "now"
    out.write(f"eligibility windows measured as of {clock} (JOURNEY_AS_OF)\n")
    out.write(
        f"materialised the asset graph in {elapsed:.1f}s: "
        f"{'success' if result.success else 'FAILED'}\n"
    )
    for line in summarise(warehouse):
        out.write(line + "\n")
    for line in check_lines(result):
        out.write(line + "\n")
    return 0 if result.success else 1


def check_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per failed asset check, after a count of those that passed."""
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    lines = [f"asset checks: {len(evaluations) - len(failed)} of {len(evaluations)} passed"]
    for evaluation in failed:
        lines.append(
            f"  {evaluation.severity.value:<5} {evaluation.asset_key.to_user_string()}: "
            f"{evaluation.check_name}: {evaluation.description or ''}"
        )
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
