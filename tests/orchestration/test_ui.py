"""The Dagster UI as operators use it: the real webserver and daemon (`dagster dev`), runs
launched through GraphQL, and the pages checked in Debian's headless Chromium.

One `dagster dev` serves the whole module (its start-up is the slow part). Chromium and
everything else come from the project's set-up (`make setup` installs chromium with apt).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from chromium_cdp import Chromium, Page, chromium_binary
from dagster_graphql import DagsterGraphQLClient
from pipeline_fixtures import (
    SAMPLE_INBOX,
    SCREENSHOT_DIR,
)

from orchestration.landing.contract import RAW_TABLES
from orchestration.settings import REPO_ROOT
from sinks.fake_graph_api import DEFAULT_PIXEL_ID, DEFAULT_TOKEN, FakeGraphApi

# the real `dagster dev`, two whole-graph runs and a browser: about six minutes on 2 cores
pytestmark = pytest.mark.slow

LOCATION = "orchestration.definitions"
STARTUP_TIMEOUT = 300.0
RUN_TIMEOUT = 420.0
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass
class DagsterUi:
    url: str
    port: int
    client: DagsterGraphQLClient
    warehouse: Path
    inbox: Path
    fake: FakeGraphApi
    log: Path

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        if answer.get("errors"):
            raise AssertionError(f"GraphQL errors: {answer['errors']}")
        return answer["data"]

    def run(self, run_id: str) -> dict:
        return self.graphql(
            """
            query ($runId: ID!) {
              runOrError(runId: $runId) {
                ... on Run {
                  runId status tags { key value }
                  stepStats { stepKey status startTime endTime }
                }
              }
            }
            """,
            {"runId": run_id},
        )["runOrError"]

    def wait_for_runs(self, run_ids: list[str], timeout: float = RUN_TIMEOUT) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = [self.run(run_id) for run_id in run_ids]
            if all(run["status"] in FINISHED for run in runs):
                return runs
            time.sleep(2)
        raise AssertionError(f"runs did not finish in {timeout}s: {self.tail_log()}")

    def tail_log(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _location_loaded(url: str) -> bool:
    query = (
        "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
        "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
    )
    body = json.dumps({"query": query}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            entries = json.loads(response.read())["data"]["workspaceOrError"]["locationEntries"]
    except OSError:
        return False
    for entry in entries:
        if entry["name"] == LOCATION and entry["loadStatus"] == "LOADED":
            error = entry["locationOrLoadError"]
            if error and error["__typename"] == "PythonError":
                raise AssertionError(f"the code location failed to load: {error['message']}")
            return True
    return False


@pytest.fixture(scope="module")
def dagster_ui() -> Iterator[DagsterUi]:
    """`dagster dev` on a free port with a fresh instance, warehouse and sample inbox; the
    sink points at a local Graph API fake."""
    if chromium_binary() is None:
        pytest.fail("chromium is missing: `make setup` installs it (target browser)")
    # Not pytest's tmp_path: pytest prunes old base temp folders of the same user, and this
    # one must live for the whole module.
    with tempfile.TemporaryDirectory(prefix="journey-ui-") as folder:
        yield from _serve(Path(folder))


def _serve(root: Path) -> Iterator[DagsterUi]:
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "instance" / "dagster.yaml", home / "dagster.yaml")
    inbox = root / "inbox"
    inbox.mkdir()  # empty: the sample arrives once the daemon runs (see two_runs)
    warehouse = root / "warehouse.duckdb"
    port = _free_port()
    log = root / "dagster_dev.log"
    with FakeGraphApi() as fake, log.open("wb") as log_file:
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "JOURNEY_WAREHOUSE": str(warehouse),
            "JOURNEY_INBOX": str(inbox),
            "META_PIXEL_ID": DEFAULT_PIXEL_ID,
            "META_ACCESS_TOKEN": DEFAULT_TOKEN,
            "META_GRAPH_API_URL": fake.url,
            "SIGNAL_REPORT_PATH": str(warehouse.parent / "signal_report.html"),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "dagster", "dev", "-m", LOCATION]
            + ["-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _location_loaded(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"dagster dev did not start: {log.read_text()[-4000:]}")
                time.sleep(1)
            client = DagsterGraphQLClient("127.0.0.1", port_number=port)
            yield DagsterUi(url, port, client, warehouse, inbox, fake, log)
        finally:
            _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    """Stop `dagster dev` and everything it spawned (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    finally:
        # Code servers outlive their parent on SIGTERM: end what is left of the group.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


@pytest.fixture(scope="module")
def two_runs(dagster_ui: DagsterUi) -> list[dict]:
    """The sample lands in the inbox; then two runs that write the warehouse are launched
    through GraphQL at the same moment (the full path, and the landing assets alone, so the
    slow dbt build runs once), and waited for."""
    shutil.copytree(SAMPLE_INBOX, dagster_ui.inbox, dirs_exist_ok=True)
    full = dagster_ui.client.submit_job_execution(
        "full_path_job",
        repository_location_name=LOCATION,
        repository_name="__repository__",
        run_config={},
        tags={"journey/test": "concurrent-full"},
    )
    landing = dagster_ui.graphql(
        """
        mutation ($params: ExecutionParams!) {
          launchRun(executionParams: $params) {
            __typename
            ... on LaunchRunSuccess { run { runId } }
            ... on PythonError { message }
          }
        }
        """,
        {
            "params": {
                "selector": {
                    "repositoryLocationName": LOCATION,
                    "repositoryName": "__repository__",
                    "jobName": "full_path_job",
                    "assetSelection": [{"path": ["raw", name]} for name in RAW_TABLES],
                },
                "executionMetadata": {"tags": [{"key": "journey/test", "value": "landing"}]},
            }
        },
    )["launchRun"]
    assert landing["__typename"] == "LaunchRunSuccess", landing
    return dagster_ui.wait_for_runs([full, landing["run"]["runId"]])


def test_two_runs_started_at_once_both_succeed_one_warehouse_step_at_a_time(
    dagster_ui: DagsterUi, two_runs: list[dict]
) -> None:
    # given two runs that write the warehouse launched together (and the sensor's run)
    # when both have finished
    # then neither failed on the DuckDB lock, and their warehouse steps never overlapped
    assert [run["status"] for run in two_runs] == ["SUCCESS", "SUCCESS"], dagster_ui.tail_log()
    steps = [
        (step["startTime"], step["endTime"], run["runId"][:8], step["stepKey"])
        for run in two_runs
        for step in run["stepStats"]
        if step["startTime"] is not None
    ]
    assert [step["stepKey"] for step in two_runs[1]["stepStats"]] == ["raw_tables"]
    assert {step[3] for step in steps} >= {"raw_tables", "sync__meta_capi_deliveries"}
    steps.sort()
    for earlier, later in zip(steps, steps[1:], strict=False):
        assert earlier[1] <= later[0], f"{earlier} overlaps {later}"


def test_sensor_starts_a_run_for_new_inbox_files(dagster_ui: DagsterUi, two_runs: list[dict]):
    # given sample files dropped into the inbox of a running instance
    # when the daemon has ticked the sensor (every 60 s)
    # then the sensor launched a run of the full path for them
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        runs = dagster_ui.graphql(
            """
            { runsOrError(filter: {tags: [{key: "dagster/sensor_name",
                                           value: "inbox_files_sensor"}]}) {
                ... on Runs { results { runId jobName status } } } }
            """
        )["runsOrError"]["results"]
        if runs:
            break
        time.sleep(2)
    assert runs and runs[-1]["jobName"] == "full_path_job"


def test_browser_shows_the_asset_graph_the_run_and_the_checks(
    dagster_ui: DagsterUi, two_runs: list[dict], tmp_path: Path
) -> None:
    # given a materialised graph
    run_id = two_runs[0]["runId"]
    screenshots = []
    with Chromium(tmp_path / "chromium-profile", width=1600, height=1400) as browser:
        page = browser.new_page()
        # when an operator opens the global asset graph and expands every group (Alt+E)
        page.goto(f"{dagster_ui.url}/asset-groups")
        expanded = _expand_every_group(page)
        screenshots.append(page.screenshot(SCREENSHOT_DIR / "asset_graph.png"))
        if expanded:
            # then our assets are on it, with their checks (the graph renders the nodes in view)
            wanted = (*RAW_TABLES, "meta_capi_deliveries", "2 / 2 Passed", "3 / 3 Passed")
            seen = page.text_while_panning(1000, 700)
            for name in wanted:
                assert name in seen, f"{name} is not on the asset graph"
        else:
            # TEMP: with the reporting and quality groups the whole graph is too large for
            # Alt+E to show node labels at the fitted zoom; the groups are checked here and
            # each landing asset's checks on its own page. Remove when the graph test opens
            # one group's lineage instead.
            seen = page.text()
            for group in ("landing", "staging", "intermediate", "marts", "meta_capi"):
                assert group in seen, f"group {group} is not on the asset graph"
            for table in RAW_TABLES:
                page.goto(f"{dagster_ui.url}/assets/raw/{table}?view=checks")
                page.wait_for_text(["rejected_rows_under_2_percent", "source_is_fresh"], timeout=90)

        # when they open the run
        page.goto(f"{dagster_ui.url}/runs/{run_id}")
        # then it succeeded, and its steps and check evaluations are listed
        page.wait_for_text(
            ["Success", "full_path_job", "raw_tables", "sync__meta_capi_deliveries"],
            timeout=90,
        )
        screenshots.append(page.screenshot(SCREENSHOT_DIR / "run.png"))

        # when they open the checks of the deliveries asset
        page.goto(f"{dagster_ui.url}/assets/sync/meta_capi_deliveries?view=checks")
        # then the ledger checks are shown by name
        page.wait_for_text(
            [
                "no_ready_event_older_than_6_days_unsent",
                "rejected_share_under_5_percent",
                "ledger_reconciles_with_mart",
            ],
            timeout=90,
        )
        screenshots.append(page.screenshot(SCREENSHOT_DIR / "deliveries_checks.png"))

        # when they open the signal report the run wrote (a local file, no network)
        page.goto((dagster_ui.warehouse.parent / "signal_report.html").as_uri())
        # then its charts of key coverage against the pixel mirror are there
        page.wait_for_text(["Signal quality", "journey memory vs a pixel mirror"], timeout=30)
        assert page.evaluate("document.querySelectorAll('svg').length") >= 1
        screenshots.append(page.screenshot(SCREENSHOT_DIR / "signal_report.png"))
    for path in screenshots:
        assert path.stat().st_size > 10_000, f"{path} looks empty"


def _expand_every_group(page: Page) -> bool:
    """Alt+E until the graph shows its asset nodes with their loaded check counts."""
    page.wait_for_text(["Global asset lineage", "landing", "meta_capi"], timeout=90)
    for _ in range(4):
        time.sleep(2)
        if "Latest event" not in page.text():
            page.press("e", "KeyE", alt=True)
        try:
            page.wait_for_text(["Latest event", "2 / 2 Passed"], timeout=30)
        except AssertionError:
            continue
        time.sleep(2)
        if "Latest event" in page.text():
            return True
    return False
