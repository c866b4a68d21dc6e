"""Landing assets: inbox files -> raw.* tables, with quarantine, a file ledger and checks."""

import dagster as dg
import duckdb

from orchestration.landing.checks import (
    FRESHNESS_CHECK,
    REJECTED_ROWS_CHECK,
    freshness_result,
    rejected_rows_result,
)
from orchestration.landing.contract import RAW_TABLES
from orchestration.landing.loader import land_inbox
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.transform.assets import source_freshness_rules

__all__ = ["raw_tables", "RAW_ASSET_KEYS"]

RAW_ASSET_KEYS = {name: dg.AssetKey(["raw", name]) for name in RAW_TABLES}


def _check_specs() -> list[dg.AssetCheckSpec]:
    specs = []
    for name, key in RAW_ASSET_KEYS.items():
        specs.append(
            dg.AssetCheckSpec(
                REJECTED_ROWS_CHECK,
                asset=key,
                description=f"At most 2% of the rows of newly landed {name} files are "
                "quarantined (WARN above, ERROR above 10%: the feed's format changed).",
            )
        )
        specs.append(
            dg.AssetCheckSpec(
                FRESHNESS_CHECK,
                asset=key,
                description=f"The newest raw.{name} row is younger than the dbt source "
                "freshness (warn_after / error_after in dbt_project/models/staging).",
            )
        )
    return specs


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            description=f"raw.{name}: rows landed from <inbox>/{name}/, bad rows quarantined "
            "in raw.rejected_rows.",
            group_name="landing",
            kinds={"duckdb", "python"},
            tags={"journey/writes_warehouse": "true"},
            skippable=True,
        )
        for name, key in RAW_ASSET_KEYS.items()
    ],
    check_specs=_check_specs(),
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def raw_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Land every new inbox file of the selected raw tables into the warehouse."""
    selected = [name for name, key in RAW_ASSET_KEYS.items() if key in context.selected_asset_keys]
    report = land_inbox(warehouse.inbox(), warehouse.warehouse(), tables=selected)
    for result in report.files:
        if result.status == "unparseable":
            context.log.warning(
                f"{result.source_file} cannot be parsed and was left in place: {result.message}"
            )
    totals = report.by_table()
    for name in selected:
        counts = totals[name]
        unparseable = sum(1 for f in report.files if f.table == name and f.status == "unparseable")
        context.log.info(
            f"raw.{name}: {counts['loaded']} rows loaded, {counts['rejected']} rejected "
            f"from {counts['files']} new files"
        )
        yield dg.MaterializeResult(
            asset_key=RAW_ASSET_KEYS[name],
            metadata={
                "rows_loaded": dg.MetadataValue.int(counts["loaded"]),
                "rows_rejected": dg.MetadataValue.int(counts["rejected"]),
                "files_landed": dg.MetadataValue.int(counts["files"]),
                "files_unparseable": dg.MetadataValue.int(unparseable),
            },
        )
    selected_checks = context.selected_asset_check_keys
    rules = source_freshness_rules()
    con = duckdb.connect(str(warehouse.warehouse()), read_only=True)
    try:
        for name in selected:
            key = RAW_ASSET_KEYS[name]
            counts = totals[name]
            if dg.AssetCheckKey(key, REJECTED_ROWS_CHECK) in selected_checks:
                yield rejected_rows_result(
                    key, name, counts["loaded"], counts["rejected"], counts["files"]
                )
            if dg.AssetCheckKey(key, FRESHNESS_CHECK) in selected_checks:
                yield freshness_result(con, key, rules.get(name))
    finally:
        con.close()
