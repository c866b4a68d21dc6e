"""The quality assets in Dagster: the Dataset Quality pull, the report, the coverage-drop check."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from quality_fixtures import build_reporting, generate_events, write_fixture

import orchestration.quality.assets as quality_assets
from orchestration.quality.assets import (
    COVERAGE_CHECK,
    REPORT_KEY,
    meta_dataset_quality,
    signal_quality_report,
)
from orchestration.quality.checks import coverage_drops
from orchestration.resources import MetaCapiResource, WarehouseResource
from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
RICH = {"em": 0.9, "ph": 0.8, "client_ip_address": 1.0, "client_user_agent": 1.0}


def test_coverage_drops_flags_only_falls_beyond_the_threshold() -> None:
    # given
    previous = {"coverage_pct/em": 80.0, "coverage_pct/ph": 50.0, "events/sent": 10}
    current = {"coverage_pct/em": 65.0, "coverage_pct/ph": 45.0}

    # when / then: em fell 15 points, ph only 5; a vanished group counts as 0
    assert coverage_drops(previous, current) == {"em": (80.0, 65.0)}
    assert coverage_drops({"coverage_pct/fbc": 30.0}, {}) == {"fbc": (30.0, 0.0)}


def test_the_pull_without_credentials_materialises_as_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: no Meta settings at all
    for name in ("META_PIXEL_ID", "META_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    # when
    result = dg.materialize(
        [meta_dataset_quality],
        resources={
            "warehouse": WarehouseResource(warehouse_path=str(tmp_path / "w.duckdb")),
            "meta_capi": MetaCapiResource(),
        },
    )

    # then
    assert result.success
    (materialisation,) = result.asset_materializations_for_node("sync__meta_dataset_quality")
    assert materialisation.metadata["skipped"].value is True


def test_the_pull_with_credentials_writes_metas_numbers(tmp_path: Path) -> None:
    # given: the fake answering in Meta's shape
    with FakeGraphApi() as fake:
        fake.dataset_quality_override = [
            {
                "event_name": "Lead",
                "event_match_quality": {"composite_score": 7.1, "match_key_feedback": []},
                "event_coverage": {"percentage": 80, "goal_percentage": 75},
            }
        ]
        warehouse = tmp_path / "w.duckdb"

        # when
        result = dg.materialize(
            [meta_dataset_quality],
            resources={
                "warehouse": WarehouseResource(warehouse_path=str(warehouse)),
                "meta_capi": MetaCapiResource(
                    pixel_id=DEFAULT_PIXEL_ID, access_token=DEFAULT_TOKEN, graph_api_url=fake.url
                ),
            },
        )

    # then
    assert result.success
    (materialisation,) = result.asset_materializations_for_node("sync__meta_dataset_quality")
    assert materialisation.metadata["meta_emq/Lead"].value == 7.1
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select event_name from sync.meta_dataset_quality").fetchall() == [("Lead",)]
    con.close()


def _png_has_many_colours(png: bytes) -> bool:
    """True when the screenshot is not blank (decodes the PNG's first rows, RGB(A) only)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    idat = b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        if kind == b"IDAT":
            idat += data
        else:
            chunks[kind] = data
        position += 12 + length
    width, height, _depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    raw = zlib.decompress(idat)
    channels = 4 if colour_type == 6 else 3
    stride = 1 + width * channels
    colours = {
        raw[row * stride + 1 + x * channels : row * stride + 1 + (x + 1) * channels]
        for row in range(0, min(height, 400), 7)
        for x in range(0, width, 5)
    }
    return len(colours) > 4


def test_report_asset_plots_metadata_writes_html_and_warns_on_a_coverage_drop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: events rich in email and phone, a stand-in mart, the report asset pointed at it
    warehouse = tmp_path / "w.duckdb"
    write_fixture(warehouse, generate_events(120, RICH, {}, seed=3))
    build_reporting(warehouse, tmp_path)  # the upstream models, as the dbt step leaves them
    monkeypatch.setattr(quality_assets, "DBT_PROJECT_DIR", tmp_path.resolve() / "dbt_project")
    out = tmp_path / "out" / "signal_report.html"
    monkeypatch.setenv("SIGNAL_REPORT_PATH", str(out))
    instance = dg.DagsterInstance.ephemeral()
    resources = {"warehouse": WarehouseResource(warehouse_path=str(warehouse))}

    # when: a first run, then a run after the phone field broke (ph on 10% of events)
    first = dg.materialize([signal_quality_report], resources=resources, instance=instance)
    write_fixture(warehouse, generate_events(120, {**RICH, "ph": 0.1}, {}, seed=3))
    second = dg.materialize([signal_quality_report], resources=resources, instance=instance)

    # then: numeric per-key metadata, a passing first check and a warning on the drop
    (materialisation,) = first.asset_materializations_for_node("reporting__signal_quality_report")
    assert materialisation.metadata["coverage_pct/em"].value == pytest.approx(90, abs=8)
    assert "pixel_mirror_pct/em" in materialisation.metadata
    (check_1,) = first.get_asset_check_evaluations()
    (check_2,) = second.get_asset_check_evaluations()
    assert check_1.check_name == COVERAGE_CHECK and check_1.passed
    assert not check_2.passed and check_2.severity == dg.AssetCheckSeverity.WARN
    assert "ph" in (check_2.description or "")
    assert check_2.asset_key == REPORT_KEY
    # and the HTML stands alone: inline SVG, no script, no external reference
    page = out.read_text()
    assert page.count("<svg") >= 3
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in page

    # and Chromium renders it to a non-blank screenshot (fresh profile, no network)
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed (make browser)")
    shot = tmp_path / "signal_report.png"
    subprocess.run(
        [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=900,1400",
            f"--screenshot={shot}",
            out.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert _png_has_many_colours(shot.read_bytes())
