"""Time and peak memory of the synthetic generators at benchmark scale.

Each case runs in a fresh Python process, so the peak resident set size (RSS) reported is
that case's own (including the interpreter with numpy/pandas, reported as ``import only``).

    .venv/bin/python benchmarks/bench_synthetic.py            # all cases, Markdown table
    .venv/bin/python benchmarks/bench_synthetic.py --case transactions
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import numpy  # noqa: F401  (part of the "import only" baseline)
import pandas  # noqa: F401

from crm_analysis.data import synthetic

# name: (generate, the call as shown in benchmarks/README.md)
CASES = {
    "import only": (lambda: None, "-"),
    "customers": (
        lambda: synthetic.simulate_customers(1_000_000, seed=1),
        "simulate_customers(1_000_000, seed=1)",
    ),
    # alpha 0.5 and b 8 (Pareto/NBD: alpha 0.9) instead of the CDNOW-like defaults: about
    # 10 purchases a customer, so 10 million transactions
    "transactions": (
        lambda: synthetic.simulate_transactions(1_000_000, alpha=0.5, b=8.0, seed=1),
        "simulate_transactions(1_000_000, alpha=0.5, b=8.0, seed=1)",
    ),
    "transactions (Pareto/NBD)": (
        lambda: synthetic.simulate_transactions(1_000_000, model="pareto_nbd", alpha=0.9, seed=1),
        'simulate_transactions(1_000_000, model="pareto_nbd", alpha=0.9, seed=1)',
    ),
    "baskets": (
        lambda: synthetic.simulate_baskets(1_000_000, n_customers=100_000, seed=1),
        "simulate_baskets(1_000_000, n_customers=100_000, seed=1)",
    ),
    "access log": (
        lambda: synthetic.simulate_access_log(100_000, seed=1),
        "simulate_access_log(100_000, seed=1)",
    ),
}


def run_case(name: str) -> dict:
    """Run one case in this process; return its call, rows, seconds and peak RSS in MiB."""
    generate, call = CASES[name]
    began = time.perf_counter()
    result = generate()
    seconds = time.perf_counter() - began
    rows = "-" if result is None else f"{len(result[0]):,}"
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {"case": name, "call": call, "rows": rows, "seconds": round(seconds, 1), "peak_rss_mib": round(peak_mib)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=list(CASES), help="run only this case")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.case)))
        return
    names = [args.case] if args.case else list(CASES)
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu ?'}\n")
    print("| case | call | rows generated | seconds | peak RSS (MiB) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--case", name], check=True, capture_output=True, text=True
        )
        r = json.loads(out.stdout)
        print(f"| {r['case']} | `{r['call']}` | {r['rows']} | {r['seconds']} | {r['peak_rss_mib']} |", flush=True)


if __name__ == "__main__":
    main()
