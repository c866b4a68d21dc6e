"""Landing assets: inbox files -> raw.* tables, with quarantine and a file ledger."""

import dagster as dg

from orchestration.landing.contract import RAW_TABLES
from orchestration.landing.loader import land_inbox
from orchestration.resources import WarehouseResource

__all__ = ["raw_tables", "RAW_ASSET_KEYS"]

RAW_ASSET_KEYS = {name: dg.AssetKey(["raw", name]) for name in RAW_TABLES}


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
    can_subset=True,
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
