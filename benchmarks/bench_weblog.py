"""Out-of-core parse + sessionize of a 10-million-line access log with DuckDB: time and peak memory.

The log is made once (not timed): ``simulate_access_log`` gives about 950,000 lines for
200,000 sessions; they are written ten times, each copy with its own visitors (the uid
cookie and the first address octet changed per copy), so the file has ~9.5 million
lines of distinct traffic, topped up with the first lines of a further copy to reach
``--lines``. The timed part runs in a fresh process, so the peak resident set size is
its own (Python, pandas, DuckDB and its buffers). CPU seconds (user + system, all threads)
and the machine's 1-minute load average are printed beside the wall-clock times, since on a
shared machine the wall clock depends on the other processes::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_weblog.py --lines 10000000 --workdir /tmp/weblog-bench
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def make_log(path: Path, n_lines: int, seed: int = 1) -> int:
    """Write a log of ``n_lines`` lines (combined + cookie format); return the count."""
    import numpy as np

    from crm_analysis.data.synthetic import simulate_access_log

    lines, _ = simulate_access_log(200_000, n_visitors=70_000, seed=seed)
    written, copy = 0, 0
    with open(path, "w", encoding="utf-8") as out:
        while written < n_lines:
            take = lines.iloc[: n_lines - written]
            prefix = str(1 + copy % 223)
            varied = (take.str.replace(r"^\d+\.", prefix + ".", regex=True)
                      .str.replace("uid=", f"uid={copy:02x}", regex=False))
            out.write("\n".join(varied) + "\n")
            written += len(take)
            copy += 1
    del np
    return written


def run(log: Path, workdir: Path, threads: int, memory_limit: str) -> dict:
    from crm_analysis.weblog.outofcore import parse_to_parquet, sessionize_parquet

    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    counts = parse_to_parquet(log, workdir / "requests.parquet", "combined_cookie", threads=threads,
                              memory_limit=memory_limit, temp_directory=str(workdir / "duckdb_tmp"))
    parsed = time.perf_counter()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    sessions = sessionize_parquet(workdir / "requests.parquet", workdir / "sessions.parquet", 30.0,
                                  threads=threads, memory_limit=memory_limit, temp_directory=str(workdir / "duckdb_tmp"))
    done = time.perf_counter()
    cpu2 = resource.getrusage(resource.RUSAGE_SELF)

    def cpu(a, b):
        return round(b.ru_utime - a.ru_utime + b.ru_stime - a.ru_stime, 1)

    return {**counts, "sessions": sessions, "parse_s": round(parsed - began, 1),
            "sessionize_s": round(done - parsed, 1), "total_s": round(done - began, 1),
            "parse_cpu_s": cpu(cpu0, cpu1), "sessionize_cpu_s": cpu(cpu1, cpu2),
            "load_avg_1min_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "log_mib": round(log.stat().st_size / 2**20)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/weblog-bench"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="1500MB")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / f"access-{args.lines}.log"
    if args.child:
        print(json.dumps(run(log, args.workdir, args.threads, args.memory_limit)))
        return
    if not log.exists():
        began = time.perf_counter()
        n = make_log(log, args.lines)
        print(f"wrote {n:,} lines to {log} in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    cmd = [sys.executable, __file__, "--child", "--lines", str(args.lines), "--workdir", str(args.workdir),
           "--threads", str(args.threads), "--memory-limit", args.memory_limit]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ)
    print(out.stdout.strip())


if __name__ == "__main__":
    main()
