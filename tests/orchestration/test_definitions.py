"""The definitions load and hold the graph, checks, automation and settings operators rely on."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import dagster as dg
import pytest

from orchestration.automation import inbox_files_sensor
from orchestration.definitions import defs
from orchestration.meta_capi.assets import DELIVERIES_KEY, MART_KEY
from orchestration.resources import WAREHOUSE_POOL, MetaCapiResource
from orchestration.transform import assets as transform_assets
from orchestration.transform.assets import JourneyDbtTranslator

RAW = ["bookings", "crm_contacts", "crm_stage_changes", "form_submissions", "orders", "web_events"]


def _graph() -> dg.AssetGraph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return defs.resolve_asset_graph()


def test_definitions_load_with_landing_sink_and_their_checks() -> None:
    # given the single entry point
    # when its asset graph is resolved
    graph = _graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    # then every raw table, the mart the sink reads and the deliveries are in it
    assert {f"raw/{name}" for name in RAW} <= keys
    assert {"marts/meta_capi__events", "sync/meta_capi_deliveries"} <= keys
    # and the checks an operator acts on are attached where they belong
    for name in RAW:
        assert (f"raw/{name}", "rejected_rows_under_2_percent") in checks
        assert (f"raw/{name}", "source_is_fresh") in checks
    for check in (
        "no_ready_event_older_than_6_days_unsent",
        "rejected_share_under_5_percent",
        "ledger_reconciles_with_mart",
    ):
        assert ("sync/meta_capi_deliveries", check) in checks


def test_deliveries_depend_on_the_dbt_model_the_translator_names() -> None:
    # given the dbt model meta_capi__events configured with schema marts (dbt_project.yml)
    props = {
        "resource_type": "model",
        "name": "meta_capi__events",
        "config": {"schema": "marts", "meta": {}},
        "fqn": ["journey_memory", "marts", "meta_capi", "meta_capi__events"],
    }
    # when dagster-dbt names it
    key = JourneyDbtTranslator().get_asset_key(props)
    # then the deliveries asset waits for exactly that asset
    assert key == MART_KEY
    assert MART_KEY in _graph().get(DELIVERIES_KEY).parent_keys


def test_every_op_that_opens_the_warehouse_is_in_the_single_writer_pool() -> None:
    # given the assets of the definitions
    # when their ops are inspected
    pools = {
        assets_def.op.name: assets_def.op.pool
        for assets_def in defs.assets
        if isinstance(assets_def, dg.AssetsDefinition) and assets_def.keys
    }
    # then every one of them queues on the pool the instance limits to one op at a time
    assert pools and set(pools.values()) == {WAREHOUSE_POOL}, pools
    instance_yaml = Path("orchestration/instance/dagster.yaml").read_text()
    assert "default_limit: 1" in instance_yaml


def test_jobs_schedules_and_sensor_are_defined() -> None:
    # given the definitions
    # when jobs, schedules and sensors are looked up
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = defs.resolve_job_def("full_path_job")
        daily = defs.resolve_job_def("daily_refresh_job")
    hourly = defs.resolve_schedule_def("hourly_full_path")
    nightly = defs.resolve_schedule_def("daily_refresh")
    sensor = defs.resolve_sensor_def("inbox_files_sensor")
    # then the hourly and daily schedules and the sensor drive the whole path
    assert hourly.cron_schedule == "7 * * * *" and hourly.job_name == full.name
    assert nightly.cron_schedule == "40 3 * * *" and nightly.job_name == daily.name
    assert sensor.job_name == full.name
    assert full.run_tags.get("dagster/max_retries") == "2"


def test_sink_settings_come_from_the_environment_when_a_run_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given no Meta credentials in the environment
    for name in ("META_PIXEL_ID", "META_ACCESS_TOKEN", "META_TEST_EVENT_CODE"):
        monkeypatch.delenv(name, raising=False)
    resource = MetaCapiResource()
    # then the sink does a dry run against the documented defaults
    config = resource.sink_config()
    assert config.is_dry_run
    assert config.graph_api_url == "https://graph.facebook.com"
    assert config.api_version == "v25.0"
    # when the settings are exported (after the resource was built)
    monkeypatch.setenv("META_PIXEL_ID", "1234567890123456")
    monkeypatch.setenv("META_ACCESS_TOKEN", "secret-token")
    monkeypatch.setenv("META_GRAPH_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("META_TEST_EVENT_CODE", "TEST123")
    config = resource.sink_config()
    # then they are used, a run's test event code wins, and the token never shows in repr
    assert not config.is_dry_run
    assert config.events_url == "http://127.0.0.1:9/v25.0/1234567890123456/events"
    assert config.test_event_code == "TEST123"
    assert resource.sink_config(test_event_code="RUN42").test_event_code == "RUN42"
    assert "secret-token" not in repr(config)


def test_inbox_sensor_requests_a_run_only_for_new_files(
    sample_inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an inbox holding the sample files
    monkeypatch.setenv("JOURNEY_INBOX", str(sample_inbox))
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance)
        # when the sensor ticks for the first time
        first = inbox_files_sensor(context)
        # then it asks for one run of the full path
        assert isinstance(first, dg.RunRequest)
        assert first.tags["journey/new_inbox_files"] == "18"
        # when it ticks again with nothing new
        second = inbox_files_sensor(dg.build_sensor_context(instance, cursor=context.cursor))
        # then it skips
        assert isinstance(second, dg.SkipReason)
        # when a new file arrives
        (sample_inbox / "orders" / "late-orders.csv").write_text(
            "order_id,ordered_at,channel\nord-late-1,2026-11-29T10:00:00Z,phone\n"
        )
        third = inbox_files_sensor(dg.build_sensor_context(instance, cursor=context.cursor))
        # then exactly that file triggers a new run, with a new run key
        assert isinstance(third, dg.RunRequest)
        assert third.tags["journey/new_inbox_files"] == "1"
        assert third.run_key != first.run_key


def test_a_model_added_after_the_last_parse_is_on_the_graph_at_the_next_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a copy of the dbt project, parsed once
    project = tmp_path / "dbt_project"
    shutil.copytree(
        transform_assets.DBT_PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
    )
    monkeypatch.setattr(transform_assets, "DBT_PROJECT_DIR", project)
    first = transform_assets.manifest_path()
    assert "int_a_model_just_written" not in first.read_text()
    # when an analytics engineer writes a new model and the code location reloads
    (project / "models" / "intermediate" / "int_a_model_just_written.sql").write_text(
        "select 1 as one\n"
    )
    again = transform_assets.manifest_path()
    # then the manifest is parsed again and holds the model
    assert "model.journey_memory.int_a_model_just_written" in again.read_text()
