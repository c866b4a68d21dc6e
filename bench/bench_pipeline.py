# ruff: noqa: T201  (a benchmark script prints its figures)
"""Benchmark the whole pipeline: a full build, then an hourly-style increment of ~1% new data.

For each ``--people`` size:

1. Get a generated inbox: ``bench/out/inbox-<people>p-s<seed>/`` (generated once with
   ``data.generator --workers 2`` and reused), or ``--inbox DIR`` for one size (a cached
   inbox is only read, never written).
2. Split it by event time (``tests/incremental/batches.py``) into a first load holding
   ``1 - --increment-share`` of the web hits and one increment with the rest, 0.1% of the hits
   delivered late (one batch after their event time) and 1% of the forms late.
3. Full build into a fresh DuckDB file: landing, ``dbt build`` (models and tests), sync of
   the ready Meta events to the local Graph API fake (``sinks.fake_graph_api --fast``) over
   loopback. Then the increment: land the increment's files, ``dbt build`` (incremental
   models pick up only what landed), sync (only events not yet sent are sent).
4. Print one table: per stage wall seconds, CPU seconds (user + system of the stage's process
   tree: on a shared machine the steadier figure), peak RSS of the stage's largest process,
   and what it moved; then the slowest dbt models of each build (``run_results.json``) and
   the load average.

Eligibility windows are judged as of the data's last day (dbt var ``meta_as_of`` and the
sink's ``now``), so the events the generator wrote are inside Meta's window as they would be
for a team syncing live.

Usage: ``uv run python bench/bench_pipeline.py --people 100000 300000 1000000``
(``make bench-pipeline``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT = REPO_ROOT / "bench" / "out"
DBT_PROJECT = REPO_ROOT / "dbt_project"
TOKEN = "bench-token-0123456789"
PIXEL_ID = "1234567890123456"
AS_OF = "2026-11-30T00:00:00"
MARKER = "_split.json"


# --- a stage runs as a child of a fresh interpreter, which reports the child's rusage ----------


def _stage_main(argv: list[str]) -> None:
    """``--stage -- CMD...``: run CMD, print its wall seconds, CPU seconds and peak RSS."""
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(result.returncode)
    tail = [line for line in result.stdout.splitlines() if line.strip()][-1:]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "peak_rss_mb": usage.ru_maxrss / 1024,
                "last_line": tail[0] if tail else "",
            }
        )
    )


def _stage(argv: list[str], env: dict[str, str]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", "--", *argv]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env={**os.environ, **env}, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"stage {argv[:4]} failed:\n{result.stderr[-6000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _sync_main(warehouse: str, url: str) -> None:
    """``--sync``: one sync run as the Dagster asset does it; prints the counts."""
    logging_setup()
    from sinks.meta_capi import SinkConfig, sync_events

    config = SinkConfig(pixel_id=PIXEL_ID, access_token=TOKEN, graph_api_url=url)
    now = int(datetime.fromisoformat(AS_OF + "+00:00").timestamp())
    report = sync_events(warehouse, config, now=now)
    print(
        json.dumps(
            {
                "considered": report.considered,
                "sent": report.sent,
                "skipped_already_sent": report.skipped_already_sent,
                "rejected": report.rejected,
                "requests": report.requests,
            }
        )
    )


def logging_setup() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)


# --- orchestration of one size ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _inbox_for(people: int, seed: int, given: Path | None) -> Path:
    if given is not None:
        return given
    target = OUT / f"inbox-{people}p-s{seed}"
    if not (target / "_generated.json").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "data.generator", "--people", str(people), "--seed"]
            + [str(seed), "--out", str(target), "--workers", "2"],
            cwd=REPO_ROOT,
            check=True,
        )
        (target / "_generated.json").write_text("{}")
    return target / "inbox"


def _split(inbox: Path, people: int, seed: int, share: float) -> dict:
    target = OUT / f"batches-{people}p-s{seed}-{share:g}"
    marker = target / MARKER
    if marker.exists() and json.loads(marker.read_text()).get("inbox") == str(inbox):
        return json.loads(marker.read_text())
    sys.path.insert(0, str(REPO_ROOT))
    from tests.incremental.batches import split_inbox

    started = time.perf_counter()
    plan = split_inbox(
        inbox,
        target / "batches",
        base_share=1 - share,
        increments=1,
        late_hit_share=0.001,
        late_form_share=0.01,
    )
    result = {
        "inbox": str(inbox),
        "inboxes": [str(p) for p in plan.inboxes],
        "rows": plan.rows,
        "cutoff": plan.cutoffs[0].isoformat(),
        "late_hits": len(plan.late_hits),
        "late_forms": len(plan.late_forms),
        "split_seconds": time.perf_counter() - started,
    }
    marker.write_text(json.dumps(result))
    return result


def _slowest_models(run_results: Path, count: int = 8) -> list[tuple[str, float]]:
    results = json.loads(run_results.read_text())["results"]
    models = [
        (r["unique_id"].split(".")[-1], r["execution_time"])
        for r in results
        if r["unique_id"].startswith("model.")
    ]
    tests = sum(r["execution_time"] for r in results if not r["unique_id"].startswith("model."))
    return sorted(models, key=lambda m: -m[1])[:count] + [("(all tests)", tests)]


def _run_size(people: int, args: argparse.Namespace) -> dict:
    inbox = _inbox_for(people, args.seed, args.inbox)
    split = _split(inbox, people, args.seed, args.increment_share)
    workdir = OUT / f"pipeline-{people}p"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    warehouse = workdir / "warehouse.duckdb"
    env = {"JOURNEY_WAREHOUSE": str(warehouse), "JOURNEY_DBT_TARGET": "duckdb"}
    port = _free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "sinks.fake_graph_api", "--fast", "--port", str(port)]
        + ["--token", TOKEN, "--pixel-id", PIXEL_ID],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fake.stdout is not None
    fake.stdout.readline()
    url = f"http://127.0.0.1:{port}"
    runs: dict[str, dict] = {}
    try:
        for run, batch in (("full", 0), ("increment", 1)):
            stages = {}
            stages["landing"] = _stage(
                [sys.executable, "-m", "orchestration.landing", "--inbox"]
                + [split["inboxes"][batch], "--warehouse", str(warehouse)],
                env,
            )
            stages["dbt build"] = _stage(
                [sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(DBT_PROJECT)]
                + ["--profiles-dir", str(DBT_PROJECT), "--target-path", str(workdir / "target")]
                + ["--log-path", str(workdir / "logs"), "--vars", json.dumps({"meta_as_of": AS_OF})]
                + (["--full-refresh"] if run == "full" else []),
                env,
            )
            run_results = workdir / f"run_results_{run}.json"
            shutil.copy(workdir / "target" / "run_results.json", run_results)
            stages["sync"] = _stage(
                [sys.executable, str(Path(__file__).resolve()), "--sync", str(warehouse), url], env
            )
            runs[run] = {
                "stages": stages,
                "slowest": _slowest_models(run_results),
            }
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    return {"people": people, "split": split, "runs": runs}


def _print(results: list[dict], load_start: tuple[float, ...]) -> None:
    print()
    print("data (rows per raw table in the first load + the increment):")
    for result in results:
        rows = result["split"]["rows"]
        tables = sorted(rows[0])
        total = [sum(batch.values()) for batch in rows]
        detail = ", ".join(f"{t}={rows[0][t]:,}+{rows[1][t]:,}" for t in tables)
        share = total[1] / (total[0] + total[1])
        print(
            f"  {result['people']:>9,} people: {total[0]:,} + {total[1]:,} rows "
            f"({share:.2%} new; {result['split']['late_hits']:,} hits and "
            f"{result['split']['late_forms']:,} forms late): {detail}"
        )
    print()
    header = f"{'people':>9}  {'run':<10}{'stage':<11}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}  what"
    print(header)
    print("-" * (len(header) + 30))
    for result in results:
        for run, data in result["runs"].items():
            total_wall = total_cpu = 0.0
            for stage, figures in data["stages"].items():
                total_wall += figures["seconds"]
                total_cpu += figures["cpu_seconds"]
                print(
                    f"{result['people']:>9,}  {run:<10}{stage:<11}{figures['seconds']:>8.1f}"
                    f"{figures['cpu_seconds']:>8.1f}{figures['peak_rss_mb']:>9.0f}  "
                    f"{figures['last_line'][:70]}"
                )
            print(
                f"{result['people']:>9,}  {run:<10}{'TOTAL':<11}{total_wall:>8.1f}{total_cpu:>8.1f}"
            )
        full = sum(s["seconds"] for s in result["runs"]["full"]["stages"].values())
        inc = sum(s["seconds"] for s in result["runs"]["increment"]["stages"].values())
        full_cpu = sum(s["cpu_seconds"] for s in result["runs"]["full"]["stages"].values())
        inc_cpu = sum(s["cpu_seconds"] for s in result["runs"]["increment"]["stages"].values())
        print(
            f"{result['people']:>9,}  full / increment: {full / inc:.1f}x wall, "
            f"{full_cpu / inc_cpu:.1f}x CPU"
        )
        print("-" * (len(header) + 30))
    print()
    for result in results:
        for run, data in result["runs"].items():
            slowest = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in data["slowest"])
            print(f"slowest dbt nodes, {result['people']:,} people, {run}: {slowest}")
    print()
    print(
        f"cpu count: {os.cpu_count()}, load average at the start: "
        f"{' '.join(f'{v:.1f}' for v in load_start)}, at the end: "
        f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--stage":
        _stage_main(sys.argv[3:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--sync":
        sys.path.insert(0, str(REPO_ROOT))
        _sync_main(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description="full build and ~1% increment, per size")
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--increment-share", type=float, default=0.01)
    parser.add_argument(
        "--inbox", type=Path, default=None, help="a generated inbox to use (one --people size)"
    )
    args = parser.parse_args()
    if args.inbox is not None and len(args.people) != 1:
        parser.error("--inbox goes with exactly one --people size")
    load_start = os.getloadavg()
    results = []
    for people in args.people:
        results.append(_run_size(people, args))
        _print(results, load_start)


if __name__ == "__main__":
    main()
