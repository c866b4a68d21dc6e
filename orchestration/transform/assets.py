"""dbt assets: every dbt model is an asset, every dbt test an asset check, grouped by layer."""

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR

__all__ = ["journey_dbt_assets", "dbt_resource", "manifest_path"]


def manifest_path() -> Path:
    """The dbt manifest, parsed on first use so a fresh clone loads without a manual step."""
    path = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not path.exists():
        subprocess.run(
            [
                str(Path(sys.executable).parent / "dbt"),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--quiet",
            ],
            check=True,
            cwd=DBT_PROJECT_DIR,
        )
    return path


class JourneyDbtTranslator(DagsterDbtTranslator):
    """Sources map onto the landing assets (raw/<table>); models group by their layer folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        layers = ("staging", "intermediate", "marts")
        return next((part for part in fqn if part in layers), "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR))


@dbt_assets(
    manifest=manifest_path(),
    dagster_dbt_translator=JourneyDbtTranslator(),
    op_tags={"journey/writes_warehouse": "true"},
)
def journey_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """`dbt build` of the selected models, their seeds and tests, in one dbt invocation."""
    warehouse.export_for_dbt()
    yield from dbt.cli(["build"], context=context).stream()
