"""Assets of the signal-quality domain.

- ``sync/meta_dataset_quality``: Meta's own numbers (Dataset Quality API) into the warehouse,
  skipped cleanly without credentials.
- ``reporting/signal_quality_report``: rebuilds the reporting models after the sync (they
  read the send ledger, which the sync has just written), publishes their headline figures as
  numeric metadata the UI plots over time, and writes the self-contained HTML report.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.meta_capi.assets import DELIVERIES_KEY
from orchestration.quality.checks import COVERAGE_DROP_POINTS, coverage_drops, coverage_metadata_key
from orchestration.report.signal_report import read_summary, render_html
from orchestration.resources import WAREHOUSE_POOL, MetaCapiResource, WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings
from sinks.meta_capi import ConfigurationError
from sinks.meta_capi.dataset_quality import pull_dataset_quality

__all__ = [
    "DATASET_QUALITY_KEY",
    "REPORT_KEY",
    "REPORT_PATH",
    "COVERAGE_CHECK",
    "meta_dataset_quality",
    "signal_quality_report",
]

DATASET_QUALITY_KEY = dg.AssetKey(["sync", "meta_dataset_quality"])
REPORT_KEY = dg.AssetKey(["reporting", "signal_quality_report"])
#: Where the HTML lands (gitignored data/out), unless SIGNAL_REPORT_PATH says otherwise.
REPORT_PATH = REPO_ROOT / "data" / "out" / "signal_report.html"


@dg.asset(
    key=DATASET_QUALITY_KEY,
    deps=[DELIVERIES_KEY],
    group_name="quality",
    kinds={"python", "duckdb", "meta"},
    pool=WAREHOUSE_POOL,
)
def meta_dataset_quality(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, meta_capi: MetaCapiResource
) -> dg.MaterializeResult:
    """Meta's Event Match Quality, event coverage and freshness per event name, appended to
    sync.meta_dataset_quality (one pull per run, stamped pulled_at). Skipped without
    META_PIXEL_ID / META_ACCESS_TOKEN."""
    config = meta_capi.sink_config()
    if config.is_dry_run:
        context.log.info("Dataset Quality pull skipped: no META_PIXEL_ID / META_ACCESS_TOKEN")
        return dg.MaterializeResult(metadata={"skipped": True, "event_names": 0})
    try:
        report = pull_dataset_quality(str(warehouse.warehouse()), config)
    except ConfigurationError as exc:
        # wrong dataset or missing ads_read permission: the sync itself may still be fine
        context.log.warning(f"Dataset Quality pull refused: {exc}")
        return dg.MaterializeResult(metadata={"skipped": True, "event_names": 0})
    metadata: dict[str, Any] = {
        "skipped": False,
        "event_names": report.event_names,
    }
    for event in report.events:
        if event.composite_score is not None:
            metadata[f"meta_emq/{event.event_name}"] = event.composite_score
        if event.event_coverage_percentage is not None:
            metadata[f"meta_event_coverage_pct/{event.event_name}"] = (
                event.event_coverage_percentage
            )
    context.log.info(f"pulled Dataset Quality for {report.event_names} event names")
    return dg.MaterializeResult(metadata=metadata)


def _build_reporting_models(context: dg.AssetExecutionContext, warehouse: Path) -> None:
    pinned = Settings.from_env().dbt_vars()
    vars_args = ["--vars", json.dumps(pinned)] if pinned else []
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--select",
            "path:models/marts/reporting",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
            *vars_args,
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "JOURNEY_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise dg.Failure(
            "dbt build of the reporting models failed",
            metadata={"dbt": result.stdout[-4000:] + result.stderr[-2000:]},
        )
    context.log.info("rebuilt the reporting models on the current send ledger")


COVERAGE_CHECK = "key_coverage_did_not_drop_sharply"


@dg.asset(
    key=REPORT_KEY,
    deps=[DELIVERIES_KEY, DATASET_QUALITY_KEY],
    group_name="quality",
    kinds={"dbt", "duckdb", "html"},
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            COVERAGE_CHECK,
            asset=REPORT_KEY,
            description=f"No key group's coverage fell by more than {COVERAGE_DROP_POINTS:.0f} "
            "percentage points from the previous materialisation (warns).",
        )
    ],
)
def signal_quality_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Signal quality of the events Meta received: per-key coverage as sent and for a pixel
    mirror (keys on the converting record alone), our predicted match score (not Meta's
    EMQ), freshness, delivery health and dedup coverage; written as HTML to
    data/out/signal_report.html (SIGNAL_REPORT_PATH)."""
    path = warehouse.warehouse()
    _build_reporting_models(context, path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        summary = read_summary(con)
    finally:
        con.close()
    out = Path(os.environ.get("SIGNAL_REPORT_PATH") or REPORT_PATH)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(summary), encoding="utf-8")
    metadata: dict[str, Any] = {"report": dg.MetadataValue.path(str(out))}
    for row in summary.overall_coverage():
        metadata[coverage_metadata_key(row.key_group)] = round(100 * row.key_share, 2)
        metadata[f"pixel_mirror_pct/{row.key_group}"] = round(100 * row.pixel_mirror_key_share, 2)
        metadata[f"uplift_points/{row.key_group}"] = round(row.uplift_points, 2)
    for event_name, (predicted, mirror) in summary.scores.items():
        metadata[f"predicted_score/{event_name}"] = round(predicted, 2)
        metadata[f"pixel_mirror_score/{event_name}"] = round(mirror, 2)
    for state, events in summary.health.items():
        metadata[f"events/{state}"] = events
    context.log.info(f"signal report written to {out}")
    return dg.MaterializeResult(
        metadata=metadata, check_results=[_coverage_check(context, metadata)]
    )


def _coverage_check(
    context: dg.AssetExecutionContext, current: dict[str, Any]
) -> dg.AssetCheckResult:
    """Compare this run's coverage_pct/<group> with the previous materialisation's."""
    records = context.instance.fetch_materializations(REPORT_KEY, limit=1).records
    if not records or records[0].asset_materialization is None:
        return dg.AssetCheckResult(
            check_name=COVERAGE_CHECK, passed=True, metadata={"compared_with": "no previous run"}
        )
    previous = {
        name: value.value
        for name, value in records[0].asset_materialization.metadata.items()
        if isinstance(value.value, int | float)
    }
    numeric = {k: float(v) for k, v in current.items() if isinstance(v, int | float)}
    drops = coverage_drops(previous, numeric)
    return dg.AssetCheckResult(
        check_name=COVERAGE_CHECK,
        passed=not drops,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "coverage fell: "
            + ", ".join(f"{g} {b:.0f}% -> {n:.0f}%" for g, (b, n) in drops.items())
            if drops
            else None
        ),
        metadata={"dropped_groups": len(drops)},
    )
