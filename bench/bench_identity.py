# ruff: noqa: T201  (a benchmark script prints its figures)
"""Benchmark the identity graph (dbt, SQL connected components) against networkx.

On a generated data set (default 1M people, `bench/out/gen1m`, generated once with
``--workers 2`` when missing, or an existing inbox given with ``--inbox``) landed into a
DuckDB file under `bench/out` (kept and reused: ``--reuse`` skips landing, seeds and staging
when the file already holds them):

* ``identity layer``: ``dbt run --select path:models/intermediate/identity`` as a subprocess
  (every identity model: occurrences, exclusions, nodes, edges, the component passes,
  resolution, record persons), wall time including dbt's start-up, from staging tables that
  are already built (staging is not timed).
* ``component passes``: from ``run_results.json``, the execution time of the component models
  (``int_identity_*_components``): the SQL connected components over the edge list.
* ``networkx``: ``nx.connected_components`` on the same edge list the component passes read
  (strong and weak record co-occurrence edges, node ids from ``int_identity_nodes``), timed
  from the edges as Python lists: graph construction plus components (the edge extraction
  from DuckDB is not timed; it is not timed for dbt either).

Two ratios, both printed: networkx / component passes (same edge list, graph algorithm
against graph algorithm) and networkx / whole identity layer (everything dbt does to turn
staged records into persons, against networkx given the edges for free). The issue's goal is
at least 5x at 1M people. Medians over ``--repeat`` runs; peak RSS of the dbt and networkx
runs and the load average before and after are printed too.

Usage::

    uv run python bench/bench_identity.py --people 1000000 \
        --inbox /path/to/inbox --warehouse bench/out/identity-1m.duckdb --reuse --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from orchestration.landing.loader import land_inbox  # noqa: E402

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
IDENTITY_SELECTOR = "path:models/intermediate/identity"
COMPONENT_MODELS = (
    "int_identity_strong_components",
    "int_identity_weak_components",
    "int_identity_person_components",
)


def _dbt(warehouse: Path, target: Path, *args: str) -> tuple[float, str]:
    """Run one dbt command as a subprocess; return its wall time in seconds and its log."""
    env = {**os.environ, "JOURNEY_WAREHOUSE": str(warehouse)}
    command = [
        str(Path(sys.executable).parent / "dbt"),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}")
    return elapsed, result.stdout


def _model_timings(target: Path) -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: float(r["execution_time"]) for r in results}


def _has_staging(warehouse: Path) -> bool:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'staging' and table_name = 'stg_web__events'"
        ).fetchone()[0]
    finally:
        con.close()
    return bool(found)


def _prepare(args: argparse.Namespace, target: Path) -> None:
    warehouse = args.warehouse
    if args.reuse and warehouse.exists() and _has_staging(warehouse):
        print(f"reusing {warehouse} (landed, seeds and staging built)")
        return
    inbox = args.inbox or args.generated / "inbox"
    if args.inbox is None and not inbox.exists():
        print(f"generating {args.people} people into {args.generated} (once; --workers 2) ...")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "data.generator",
                "--people",
                str(args.people),
                "--seed",
                "1",
                "--out",
                str(args.generated),
                "--workers",
                "2",
            ],
            cwd=REPO_ROOT,
            check=True,
        )
    print(f"landing {inbox} into {warehouse} ...")
    started = time.perf_counter()
    report = land_inbox(inbox, warehouse)
    print(
        f"landed {report.rows_loaded} rows ({report.rows_rejected} rejected)"
        f" in {time.perf_counter() - started:.0f} s"
    )
    # seeds and staging tables: inputs of the identity models, not timed
    _dbt(warehouse, target, "seed")
    seconds, _ = _dbt(warehouse, target, "run", "--select", "path:models/staging")
    print(f"staging built in {seconds:.0f} s (not part of the figures below)")


def _edge_lists(warehouse: Path) -> tuple[list[int], list[int], int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        arrays = con.execute(
            """
            select src_node_id, dst_node_id from intermediate.int_identity_strong_edges
            where src_node_id < dst_node_id
            union all
            select src_node_id, dst_node_id from intermediate.int_identity_weak_edges
            where src_node_id < dst_node_id
            """
        ).fetchnumpy()
        nodes = con.execute(
            "select count(*) from intermediate.int_identity_nodes where not is_excluded"
        ).fetchone()[0]
    finally:
        con.close()
    return arrays["src_node_id"].tolist(), arrays["dst_node_id"].tolist(), int(nodes)


def _networkx_seconds(src: list[int], dst: list[int]) -> tuple[float, int]:
    import networkx as nx

    started = time.perf_counter()
    graph = nx.Graph()
    graph.add_edges_from(zip(src, dst, strict=True))
    components = sum(1 for _ in nx.connected_components(graph))
    elapsed = time.perf_counter() - started
    del graph
    return elapsed, components


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _incremental_run(warehouse: Path, target: Path) -> int:
    """One incremental identity run on a built warehouse: what an hourly run costs."""
    load_before = _load()
    seconds, log = _dbt(warehouse, target, "run", "--select", IDENTITY_SELECTOR)
    timings = _model_timings(target)
    print(f"\nincremental identity run (no --full-refresh): {seconds:8.2f} s wall")
    for name, model_seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"  {name:<40} {model_seconds:8.2f} s")
    for line in log.splitlines():
        if "identity components " in line and "incremental" in line:
            print(f"  {line.split('identity components ', 1)[1]}")
    print(f"  component passes: {sum(timings[name] for name in COMPONENT_MODELS):8.2f} s")
    print(f"  load average (1, 5, 15 min): before {load_before}, after {_load()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--generated", type=Path, default=REPO_ROOT / "bench/out/gen1m")
    parser.add_argument(
        "--inbox", type=Path, default=None, help="land this inbox instead of generating one"
    )
    parser.add_argument("--warehouse", type=Path, default=REPO_ROOT / "bench/out/identity.duckdb")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the warehouse when it already holds staging (skip landing, seeds, staging)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--incremental-only",
        action="store_true",
        help="time one incremental run (no --full-refresh) on the built warehouse and stop",
    )
    args = parser.parse_args(argv)
    args.warehouse = args.warehouse.resolve()
    target = args.warehouse.parent / (args.warehouse.stem + "_target")
    _prepare(args, target)

    # parse once, untimed: the timed runs then use dbt's partial parse, as a scheduled run does
    _dbt(args.warehouse, target, "parse")
    if args.incremental_only:
        return _incremental_run(args.warehouse, target)
    load_before = _load()
    dbt_runs, component_runs, timings, rounds = [], [], {}, []
    for _ in range(args.repeat):
        seconds, log = _dbt(
            args.warehouse, target, "run", "--full-refresh", "--select", IDENTITY_SELECTOR
        )
        dbt_runs.append(seconds)
        timings = _model_timings(target)
        component_runs.append(sum(timings[name] for name in COMPONENT_MODELS))
        rounds = [
            line.split("identity components ", 1)[1]
            for line in log.splitlines()
            if "identity components " in line and "converged" in line
        ]
    dbt_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    src, dst, nodes = _edge_lists(args.warehouse)
    nx_runs, components = [], 0
    for _ in range(args.repeat):
        seconds, components = _networkx_seconds(src, dst)
        nx_runs.append(seconds)
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_after = _load()

    dbt_s = statistics.median(dbt_runs)
    comp_s = statistics.median(component_runs)
    nx_s = statistics.median(nx_runs)
    print(f"\nidentity graph, {args.people} people: {nodes} usable identifiers, {len(src)} edges")
    print("model times (last run, run_results.json execution_time):")
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"  {name:<40} {seconds:8.2f} s")
    for line in rounds:
        print(f"  {line}")
    print(f"median of {args.repeat} run(s):")
    print(f"  A  identity layer, all identity models (dbt wall, incl. start-up): {dbt_s:8.2f} s")
    print(
        f"  B  component passes ({len(COMPONENT_MODELS)} models, SQL connected components): "
        f"{comp_s:8.2f} s"
    )
    print(
        f"  C  networkx graph build + connected_components ({components} components): {nx_s:8.2f} s"
    )
    print(f"  ratio C / B (same edge list, components vs components): {nx_s / comp_s:6.2f}x")
    print(f"  ratio C / A (networkx vs the whole identity layer):      {nx_s / dbt_s:6.2f}x")
    print(f"  peak RSS: dbt subprocess {dbt_rss:.0f} MiB, networkx process {own_rss:.0f} MiB")
    print(f"  load average (1, 5, 15 min): before {load_before}, after {load_after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
