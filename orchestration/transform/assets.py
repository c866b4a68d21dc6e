"""dbt assets: every dbt model is an asset, every dbt test an asset check, grouped by layer."""

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)
from pydantic import Field

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, Settings

__all__ = [
    "DbtBuildConfig",
    "FreshnessRule",
    "JourneyDbtTranslator",
    "dbt_resource",
    "journey_dbt_assets",
    "manifest_path",
    "source_freshness_rules",
]


#: What `dbt parse` reads: a manifest older than any of these misses a model or a test.
_PROJECT_INPUTS = ("dbt_project.yml", "models", "macros", "seeds", "tests", "snapshots")


def _newest_project_input() -> float:
    newest = 0.0
    for name in _PROJECT_INPUTS:
        root = DBT_PROJECT_DIR / name
        if root.is_file():
            newest = max(newest, root.stat().st_mtime)
        elif root.is_dir():
            newest = max([newest, *(p.stat().st_mtime for p in root.rglob("*") if p.is_file())])
    return newest


def manifest_path() -> Path:
    """The dbt manifest, parsed when missing (a fresh clone) or older than a project file (an
    analytics engineer just added a model), so the asset graph never lags the SQL."""
    path = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not path.exists() or path.stat().st_mtime < _newest_project_input():
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
    """Sources map onto `<schema>/<table>` (raw/<table>: the landing assets); models group by
    their layer folder.

    A model's key is `<schema>/<model>` (dagster-dbt's default with `+schema` set), e.g.
    `marts/meta_capi__events`.
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # raw/<table> is the landing asset that writes the table.
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        layers = ("staging", "intermediate", "marts")
        return next((part for part in fqn if part in layers), "dbt")


def dbt_resource() -> DbtCliResource:
    """dbt of this interpreter's environment: `dagster dev` started outside `uv run` (so no
    venv `bin/` on PATH) still finds it."""
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )


class DbtBuildConfig(dg.Config):
    """Run options of the dbt step."""

    full_refresh: bool = Field(
        default=False,
        description="Rebuild incremental models from scratch (the daily refresh sets it).",
    )


@dbt_assets(
    manifest=manifest_path(),
    # the reporting models read the send ledger, so they build after the sync, inside the
    # signal_quality_report asset (orchestration/quality); here they would split this step
    exclude="fqn:journey_memory.marts.reporting",
    # source tests (not_null, accepted_values on raw.*) show as checks of the landing assets;
    # without this dbt still runs them and dagster-dbt logs a warning for each
    dagster_dbt_translator=JourneyDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
    ),
    op_tags={"journey/writes_warehouse": "true"},
    pool=WAREHOUSE_POOL,
)
def journey_dbt_assets(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    """`dbt build` of the selected models, their seeds and tests, in one dbt invocation.

    dbt runs as a subprocess, so no DuckDB handle stays open in the run worker afterwards.
    A failing dbt test of severity error fails this step, so nothing downstream (the Meta
    sync) runs on a broken model.
    """
    warehouse.export_for_dbt()
    args = ["build", *(["--full-refresh"] if config.full_refresh else [])]
    pinned = Settings.from_env().dbt_vars()
    if pinned:
        context.log.info(f"dbt vars pinned by the environment: {pinned}")
        args += ["--vars", json.dumps(pinned)]
    yield from dbt.cli(args, context=context).stream()


@dataclass(frozen=True)
class FreshnessRule:
    """dbt source freshness of one raw table, as declared in the sources YAML."""

    table: str
    loaded_at_field: str
    warn_after: timedelta | None
    error_after: timedelta | None


_PERIODS = {"minute": "minutes", "hour": "hours", "day": "days"}


def _period(spec: Mapping[str, Any] | None) -> timedelta | None:
    if not spec or not spec.get("count") or spec.get("period") not in _PERIODS:
        return None
    return timedelta(**{_PERIODS[spec["period"]]: int(spec["count"])})


def source_freshness_rules() -> dict[str, FreshnessRule]:
    """Freshness of every dbt source in schema raw, keyed by table (analytics engineers own it)."""
    manifest = json.loads(manifest_path().read_text())
    rules: dict[str, FreshnessRule] = {}
    for source in manifest.get("sources", {}).values():
        freshness = source.get("freshness") or {}
        loaded_at = source.get("loaded_at_field")
        if source.get("schema") != "raw" or not loaded_at:
            continue
        rules[source["name"]] = FreshnessRule(
            table=source["name"],
            loaded_at_field=loaded_at,
            warn_after=_period(freshness.get("warn_after")),
            error_after=_period(freshness.get("error_after")),
        )
    return rules
