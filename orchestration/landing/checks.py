"""Checks of the landing assets: share of quarantined rows, and source freshness.

Each function returns the `dg.AssetCheckResult` for one raw table; the landing multi-asset
evaluates them in its own step, right after landing, on one read-only connection.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import duckdb

from orchestration.transform.assets import FreshnessRule

__all__ = [
    "REJECTED_ROWS_CHECK",
    "FRESHNESS_CHECK",
    "REJECTS_WARN_SHARE",
    "REJECTS_ERROR_SHARE",
    "rejected_rows_result",
    "freshness_result",
]

#: Above this share of rows quarantined in the files of one run, an operator looks at
#: raw.rejected_rows (a producer started sending a bad column). The sample holds about 1%.
REJECTS_WARN_SHARE = 0.02
#: Above this share the feed itself changed (a renamed column, a new date format): ERROR.
REJECTS_ERROR_SHARE = 0.10

REJECTED_ROWS_CHECK = "rejected_rows_under_2_percent"
FRESHNESS_CHECK = "source_is_fresh"


def rejected_rows_result(
    key: dg.AssetKey, table: str, loaded: int, rejected: int, files: int
) -> dg.AssetCheckResult:
    """Rows quarantined among the rows of the files landed by this run."""
    total = loaded + rejected
    share = rejected / total if total else 0.0
    severity = (
        dg.AssetCheckSeverity.ERROR if share > REJECTS_ERROR_SHARE else dg.AssetCheckSeverity.WARN
    )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=REJECTED_ROWS_CHECK,
        passed=share <= REJECTS_WARN_SHARE,
        severity=severity,
        description=(
            f"{rejected} of {total} rows of {files} new files quarantined ({share:.1%}); "
            f"see raw.rejected_rows where table_name = '{table}'"
            if total
            else "no new files landed in this run"
        ),
        metadata={
            "rows_rejected": dg.MetadataValue.int(rejected),
            "rows_in_new_files": dg.MetadataValue.int(total),
            "rejected_share": dg.MetadataValue.float(round(share, 4)),
            "warn_above": dg.MetadataValue.float(REJECTS_WARN_SHARE),
            "error_above": dg.MetadataValue.float(REJECTS_ERROR_SHARE),
        },
    )


def freshness_result(
    con: duckdb.DuckDBPyConnection,
    key: dg.AssetKey,
    rule: FreshnessRule | None,
    now: datetime | None = None,
) -> dg.AssetCheckResult:
    """Age of the newest row by the dbt source's `loaded_at_field`, against its thresholds."""
    if rule is None or (rule.warn_after is None and rule.error_after is None):
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=FRESHNESS_CHECK,
            passed=True,
            description="no freshness declared for this source in dbt_project (nothing to check)",
        )
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    column = rule.loaded_at_field.replace('"', "")
    newest = con.execute(f'select max("{column}") from raw.{rule.table}').fetchone()[0]
    age = (now - newest) if newest is not None else None
    too_old_error = rule.error_after is not None and (age is None or age > rule.error_after)
    too_old_warn = rule.warn_after is not None and (age is None or age > rule.warn_after)
    hours = round(age.total_seconds() / 3600, 2) if age is not None else None
    metadata: dict[str, dg.MetadataValue] = {
        "newest_loaded_at": dg.MetadataValue.text(str(newest) if newest else "no rows"),
        "loaded_at_field": dg.MetadataValue.text(rule.loaded_at_field),
    }
    if hours is not None:
        metadata["age_hours"] = dg.MetadataValue.float(hours)
    if rule.warn_after is not None:
        metadata["warn_after_hours"] = dg.MetadataValue.float(
            rule.warn_after.total_seconds() / 3600
        )
    if rule.error_after is not None:
        metadata["error_after_hours"] = dg.MetadataValue.float(
            rule.error_after.total_seconds() / 3600
        )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=FRESHNESS_CHECK,
        passed=not (too_old_error or too_old_warn),
        severity=dg.AssetCheckSeverity.ERROR if too_old_error else dg.AssetCheckSeverity.WARN,
        description=(
            f"raw.{rule.table} has no rows"
            if newest is None
            else f"newest row of raw.{rule.table} landed {hours} h ago"
        ),
        metadata=metadata,
    )
