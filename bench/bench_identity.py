# ruff: noqa: T201  (a benchmark script prints its figures)
"""Benchmark the identity graph (dbt, SQL label propagation) against networkx.

On a generated data set (default 1M people, `bench/out/gen1m`, generated once with
``--workers 2`` when missing) landed into `bench/out/identity.duckdb`:

* ``dbt``: ``dbt run --select path:models/intermediate/identity`` as a subprocess (the identity
  models only: occurrences, exclusions, nodes, edges, the three component passes, resolution,
  record persons); wall time of the whole run, and from ``run_results.json`` the time of the
  three component models (``int_identity_*_components``) and of every model.
* ``networkx``: ``nx.connected_components`` on the same edge list the component passes read
  (strong and weak record co-occurrence edges, node ids from ``int_identity_nodes``), timed
  from the edges as numpy arrays: graph construction plus components.

Prints medians over ``--repeat`` runs and the ratio networkx / dbt (goal: at least 5x).

Usage: ``uv run python bench/bench_identity.py [--people 1000000] [--repeat 1]``
"""

from __future__ import annotations

import argparse
import json
import os
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


def _dbt(warehouse: Path, target: Path, *args: str) -> float:
    """Run one dbt command as a subprocess; return its wall time in seconds."""
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
    return elapsed


def _model_timings(target: Path) -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: float(r["execution_time"]) for r in results}


def _prepare(people: int, generated: Path, warehouse: Path, target: Path) -> None:
    if not (generated / "inbox").exists():
        print(f"generating {people} people into {generated} (once; --workers 2) ...")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "data.generator",
                "--people",
                str(people),
                "--seed",
                "1",
                "--out",
                str(generated),
                "--workers",
                "2",
            ],
            cwd=REPO_ROOT,
            check=True,
        )
    if not warehouse.exists():
        print(f"landing {generated / 'inbox'} into {warehouse} ...")
        report = land_inbox(generated / "inbox", warehouse)
        print(f"landed {report.rows_loaded} rows ({report.rows_rejected} rejected)")
    # seeds and staging views: inputs of the identity models, not timed
    _dbt(warehouse, target, "seed")
    _dbt(warehouse, target, "run", "--select", "path:models/staging")


def _edge_arrays(warehouse: Path):
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
    return arrays["src_node_id"], arrays["dst_node_id"], int(nodes)


def _networkx_seconds(src, dst) -> tuple[float, int]:
    import networkx as nx

    started = time.perf_counter()
    graph = nx.Graph()
    graph.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    components = sum(1 for _ in nx.connected_components(graph))
    elapsed = time.perf_counter() - started
    del graph
    return elapsed, components


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--generated", type=Path, default=REPO_ROOT / "bench/out/gen1m")
    parser.add_argument("--warehouse", type=Path, default=REPO_ROOT / "bench/out/identity.duckdb")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    target = REPO_ROOT / "bench/out/identity_target"
    _prepare(args.people, args.generated, args.warehouse, target)

    dbt_runs, component_runs, timings = [], [], {}
    for _ in range(args.repeat):
        dbt_runs.append(_dbt(args.warehouse, target, "run", "--select", IDENTITY_SELECTOR))
        timings = _model_timings(target)
        component_runs.append(sum(timings[name] for name in COMPONENT_MODELS))

    src, dst, nodes = _edge_arrays(args.warehouse)
    nx_runs, components = [], 0
    for _ in range(args.repeat):
        seconds, components = _networkx_seconds(src, dst)
        nx_runs.append(seconds)

    dbt_s = statistics.median(dbt_runs)
    comp_s = statistics.median(component_runs)
    nx_s = statistics.median(nx_runs)
    print(f"\nidentity graph, {args.people} people: {nodes} usable identifiers, {len(src)} edges")
    print("model times (last run):")
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"  {name:<40} {seconds:8.2f} s")
    print(f"dbt run, all identity models (wall, incl. dbt start-up): {dbt_s:8.2f} s")
    print(f"dbt component models (3 label-propagation passes):       {comp_s:8.2f} s")
    print(f"networkx connected_components ({components} components):   {nx_s:8.2f} s")
    print(f"ratio networkx / identity models:     {nx_s / dbt_s:6.2f}x")
    print(f"ratio networkx / component passes:    {nx_s / comp_s:6.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
