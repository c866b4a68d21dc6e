# ruff: noqa: T201  (a benchmark script prints its figures)
"""Benchmark landing: a generated inbox (1M people by default) into fresh DuckDB files.

1. Generate the inbox once with ``data.generator`` (``--workers 2``) into
   ``bench/out/inbox-<people>p-s<seed>-<fingerprint>/``; the fingerprint hashes the generator
   and the raw contract, so a changed generator regenerates and an unchanged one is reused.
2. Land it ``--repeats`` times, each into a fresh DuckDB file, and once more into the last
   file (every file must be skipped by the content-hash ledger).
3. Print throughput (rows in files / landing seconds; median over the repeats), rows loaded
   and rejected per raw table, inbox bytes per table, DuckDB file and per-table sizes, peak
   memory and generation time, and check in SQL that for every file loaded + rejected = the
   rows the ground truth lists for it, and that exactly the defect rows were rejected.

Each phase runs in its own subprocess so that peak RSS (``getrusage``) is per phase; the
generation figure is the largest of the parent and its worker processes.

Usage: ``uv run python bench/bench_landing.py [--people 1000000] [--repeats 2]``
(``make bench``). At 1M people the inbox is 1,800 files, ~3.4 GB and 9.7M rows; each DuckDB
file is ~0.76 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "bench" / "out"
FINGERPRINTED = sorted((REPO_ROOT / "data" / "generator").glob("*.py")) + [
    REPO_ROOT / "orchestration" / "landing" / "contract.py"
]
MARKER = "_generated.json"

logger = logging.getLogger("bench_landing")


def _usage() -> dict[str, float]:
    """Peak RSS (MB) and CPU seconds (all threads) of this process and its waited children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "peak_rss_mb": own.ru_maxrss / 1024,
        "peak_rss_children_mb": children.ru_maxrss / 1024,
        "cpu_seconds": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
    }


# --- phases (run in a subprocess; the last stdout line is their JSON result) -----------------


def phase_generate(args: argparse.Namespace) -> dict:
    from data.generator import generate

    target = Path(args.target)
    started = time.perf_counter()
    summary = generate(args.people, args.seed, target, workers=args.workers)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows_by_table": summary.rows_by_table,
        "files": summary.files,
        "bytes": summary.bytes_written,
        "workers": args.workers,
        **_usage(),
    }


def phase_land(args: argparse.Namespace) -> dict:
    from orchestration.landing.loader import land_inbox

    cpu_before = _usage()["cpu_seconds"]  # imports are not landing
    started = time.perf_counter()
    report = land_inbox(args.inbox, args.warehouse)
    seconds = time.perf_counter() - started
    usage = _usage()
    statuses: dict[str, int] = {}
    for result in report.files:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    return {
        "seconds": seconds,
        "statuses": statuses,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "by_table": report.by_table(),
        "files": [
            [f.source_file, f.status, f.rows_in_file, f.rows_loaded, f.rows_rejected]
            for f in report.files
        ],
        **usage,
        "cpu_seconds": usage["cpu_seconds"] - cpu_before,
    }


def start(phase: str, *options: str) -> subprocess.Popen[str]:
    """Start one phase in a fresh interpreter; its logs go straight to our stderr."""
    command = [sys.executable, __file__, "--phase", phase, *options]
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> dict:
    stdout, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{process.args[3:5]} failed with exit code {process.returncode}")
    return json.loads(stdout.strip().splitlines()[-1])


def spawn(phase: str, *options: str) -> dict:
    return finish(start(phase, *options))


# --- the driver ----------------------------------------------------------------------------


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in FINGERPRINTED:
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ensure_inbox(out: Path, people: int, seed: int, workers: int) -> tuple[Path, dict]:
    """The cached generated run for these arguments, generating it if missing."""
    target = out / f"inbox-{people}p-s{seed}-{fingerprint()}"
    marker = target / MARKER
    if marker.exists():
        generated = json.loads(marker.read_text())
        logger.info("reusing generated inbox %s (%d people)", target, people)
        return target, {**generated, "reused": True}
    for stale in out.glob(f"inbox-{people}p-s{seed}-*"):
        logger.info("removing stale generated inbox %s", stale)
        shutil.rmtree(stale)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    logger.info("generating %d people (seed %d, %d workers) into %s", people, seed, workers, target)
    generated = spawn(
        "generate",
        f"--people={people}",
        f"--seed={seed}",
        f"--workers={workers}",
        f"--target={partial}",
    )
    marker_tmp = partial / MARKER
    marker_tmp.write_text(json.dumps(generated))
    partial.rename(target)
    return target, {**generated, "reused": False}


def inbox_sizes(inbox: Path) -> dict[str, dict[str, int]]:
    sizes: dict[str, dict[str, int]] = {}
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
        files = [p for p in folder.iterdir() if p.is_file()]
        by_format: dict[str, int] = {}
        for path in files:
            by_format[path.suffix] = by_format.get(path.suffix, 0) + 1
        sizes[folder.name] = {
            "files": len(files),
            "bytes": sum(p.stat().st_size for p in files),
            **{f"files{suffix}": n for suffix, n in sorted(by_format.items())},
        }
    return sizes


def warehouse_figures(warehouse: Path, ground_truth: Path) -> dict:
    """Per-table sizes and the invariant checks, computed in SQL on the landed warehouse."""
    import duckdb

    from orchestration.landing.contract import RAW_TABLES

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        block_size = con.execute(
            "select block_size from pragma_database_size() limit 1"
        ).fetchone()[0]
        tables = {}
        for name in [*RAW_TABLES, "rejected_rows", "_landed_files"]:
            rows = con.execute(f"select count(*) from raw.{name}").fetchone()[0]
            # approximate: blocks holding the table's column segments (partial blocks shared)
            blocks = con.execute(
                f"select count(distinct block_id) from pragma_storage_info('raw.{name}')"
                " where block_id >= 0"
            ).fetchone()[0]
            tables[name] = {"rows": rows, "bytes": blocks * block_size}
        truth = str(ground_truth / "rows.parquet")
        union = " union all ".join(
            f"select _source_file as source_file, 'loaded' as outcome, _source_row as source_row"
            f" from raw.{name}"
            for name in RAW_TABLES
        )
        per_file_mismatches = con.execute(
            f"""
            with landed as (
                {union}
                union all
                select source_file, 'rejected', source_row from raw.rejected_rows
            ),
            counted as (
                select source_file, count(*) as rows_landed from landed group by 1
            ),
            expected as (
                select source_file, count(*) as rows_in_file from read_parquet(?) group by 1
            )
            select count(*)
            from expected
            full outer join counted using (source_file)
            where rows_in_file is distinct from rows_landed
            """,
            [truth],
        ).fetchone()[0]
        defects = con.execute(
            f"""
            with landed as (
                {union}
                union all
                select source_file, 'rejected', source_row from raw.rejected_rows
            ),
            truth as (select * from read_parquet(?))
            select
                coalesce(truth.defect, 'none') as defect,
                count(*) filter (where landed.outcome = 'loaded') as loaded,
                count(*) filter (where landed.outcome = 'rejected') as rejected,
                count(*) filter (where landed.outcome is null) as missing
            from truth
            left join landed using (source_file, source_row)
            group by 1
            order by 1
            """,
            [truth],
        ).fetchall()
    finally:
        con.close()
    return {"tables": tables, "per_file_mismatches": per_file_mismatches, "defects": defects}


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description="Landing throughput on a generated inbox")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="generator processes")
    parser.add_argument("--repeats", type=int, default=2, help="landings into fresh files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="run the repeats at the same time, each into its own file (on a machine so "
        "busy that our share of CPU, not the core count, limits each landing)",
    )
    parser.add_argument("--phase", choices=("generate", "land"), help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--inbox", help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sys.path.insert(0, str(REPO_ROOT))
    if args.phase:
        if args.phase == "land":
            # one line per file is too much at 1M people: log every 50th file and problems
            logging.getLogger("orchestration.landing.loader").addFilter(_every_nth_file)
        runner = phase_generate if args.phase == "generate" else phase_land
        print(json.dumps(runner(args)), flush=True)
        return
    if args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    run, generated = ensure_inbox(out, args.people, args.seed, args.workers)
    inbox = run / "inbox"
    sizes = inbox_sizes(inbox)
    rows_in_files = sum(generated["rows_by_table"].values())

    landings = []
    warehouses = [out / f"landing-{repeat}.duckdb" for repeat in range(1, args.repeats + 1)]
    for stale in out.glob("landing*.duckdb*"):
        stale.unlink()
    load_before = f"{os.getloadavg()[0]:.1f}"
    running: list = []
    for repeat, warehouse in enumerate(warehouses, start=1):
        logger.info("landing %d/%d into a fresh %s", repeat, args.repeats, warehouse)
        running.append(start("land", f"--inbox={inbox}", f"--warehouse={warehouse}"))
        if not args.parallel:
            running[-1] = finish(running[-1])
    for repeat, process in enumerate(running, start=1):
        result = process if isinstance(process, dict) else finish(process)
        logger.info(
            "landing %d/%d: %d rows in %.1fs (%.0f rows/s)",
            repeat,
            args.repeats,
            result["rows_loaded"] + result["rows_rejected"],
            result["seconds"],
            rows_in_files / result["seconds"],
        )
        landings.append(result)
    warehouse = warehouses[-1]
    for other in warehouses[:-1]:
        other.unlink()
    logger.info("landing the same inbox again into the last file (must be a no-op)")
    reland = spawn("land", f"--inbox={inbox}", f"--warehouse={warehouse}")
    logger.info("checking the landed warehouse against the ground truth")
    figures = warehouse_figures(warehouse, run / "ground_truth")
    last = landings[-1]

    # --- the report ---
    seconds = [r["seconds"] for r in landings]
    median = statistics.median(seconds)
    print()
    cpus = os.cpu_count()
    mode = "repeats run in parallel" if args.parallel else "repeats run one after another"
    print(f"landing benchmark: {args.people:,} people, seed {args.seed}, cpu count {cpus}, {mode}")
    print(f"load average before/after landing: {load_before} / {os.getloadavg()[0]:.1f}")
    how = "reused from cache" if generated["reused"] else "generated now"
    if "cpu_seconds" in generated:  # caches written before CPU time was recorded lack it
        how += f", {generated['cpu_seconds']:.0f} CPU s"
    print(
        f"generation: {generated['seconds']:.1f}s with {generated['workers']} workers ({how}); "
        f"peak RSS {generated['peak_rss_mb']:.0f} MB parent, "
        f"{generated['peak_rss_children_mb']:.0f} MB largest worker"
    )
    print(
        f"inbox: {sum(s['files'] for s in sizes.values())} files, "
        f"{_mb(sum(s['bytes'] for s in sizes.values()))}, {rows_in_files:,} rows"
    )
    cpu = statistics.median(r["cpu_seconds"] for r in landings)
    print(
        f"landing throughput: median {rows_in_files / median:,.0f} rows/s wall clock "
        f"({median:.1f}s; runs: {', '.join(f'{s:.1f}s' for s in seconds)}); "
        f"{rows_in_files / cpu:,.0f} rows per CPU second (median {cpu:.1f} CPU s, all threads)"
    )
    print(
        f"landing peak RSS: {max(r['peak_rss_mb'] for r in landings):.0f} MB; "
        f"re-landing the same inbox: {reland['seconds']:.1f}s, "
        f"{reland['rows_loaded'] + reland['rows_rejected']} rows, statuses {reland['statuses']}"
    )
    print(f"DuckDB file after landing: {_mb(warehouse.stat().st_size)}")
    print()
    header = (
        f"{'raw table':<20}{'files':>6}{'csv/jsonl/pq':>14}{'inbox':>12}{'in files':>12}"
        f"{'loaded':>12}{'rejected':>10}{'table':>12}"
    )
    print(header)
    for name, size in sizes.items():
        counts = last["by_table"][name]
        formats = "/".join(str(size.get(f"files.{s}", 0)) for s in ("csv", "jsonl", "parquet"))
        print(
            f"{name:<20}{size['files']:>6}{formats:>14}{_mb(size['bytes']):>12}"
            f"{generated['rows_by_table'][name]:>12,}{counts['loaded']:>12,}"
            f"{counts['rejected']:>10,}{_mb(figures['tables'][name]['bytes']):>12}"
        )
    rejected = figures["tables"]["rejected_rows"]
    print(f"{'raw.rejected_rows':<20}{'':>44}{rejected['rows']:>22,}{_mb(rejected['bytes']):>12}")
    print("(table: approximate bytes of the DuckDB blocks holding the table)")
    print()
    files_bad = [f for f in last["files"] if f[1] != "loaded" or f[2] != f[3] + f[4]]
    ok = (
        not files_bad
        and figures["per_file_mismatches"] == 0
        and last["rows_loaded"] + last["rows_rejected"] == rows_in_files
        and reland["rows_loaded"] + reland["rows_rejected"] == 0
        and reland["statuses"] == {"skipped": len(last["files"])}
    )
    # clean rows and byte-identical duplicates load; every other defect is rejected
    exact = all(
        missing == 0 and (rejected_count == 0 if defect in ("none", "duplicate") else loaded == 0)
        for defect, loaded, rejected_count, missing in figures["defects"]
    )
    print(
        f"invariant loaded + rejected = rows in file: {len(last['files']) - len(files_bad)}"
        f"/{len(last['files'])} files per the loader; files whose raw + rejected rows differ "
        f"from the ground truth: {figures['per_file_mismatches']}; "
        f"total {last['rows_loaded']:,} + {last['rows_rejected']:,} = "
        f"{last['rows_loaded'] + last['rows_rejected']:,} of {rows_in_files:,}"
    )
    print("rows by ground-truth defect (loaded / rejected / missing):")
    for defect, loaded, rejected_count, missing in figures["defects"]:
        print(f"  {defect:<18}{loaded:>12,}{rejected_count:>10,}{missing:>8,}")
    print("rejections match the ground-truth defects exactly" if exact else "REJECTIONS DIFFER")
    print("invariants hold" if ok else "INVARIANT VIOLATED")
    if not (ok and exact):
        raise SystemExit(1)


_seen_files = {"n": 0}


def _every_nth_file(record: logging.LogRecord) -> bool:
    message = record.getMessage()
    if not message.startswith("landing ["):
        return True
    _seen_files["n"] += 1
    return _seen_files["n"] % 50 == 0 or "unparseable" in message or record.levelno > logging.INFO


if __name__ == "__main__":
    main()
