"""Benchmark of the customer data audit's record linkage (notebook 02).

Cases (each in its own process, so peak RSS is the case's own):

- ``link``: deduplicate ``--records`` customer records of ``simulate_customers`` (one
  million by default): normalise name/e-mail/phone, then :class:`RecordLinkage` (splink on
  DuckDB: prior, u by random pairs, EM per blocking rule, scoring all blocked pairs),
  clusters. Reports pairs compared (blocked candidate pairs), seconds per stage, pair
  precision/recall/F1 and pair completeness against the planted truth, and peak RSS.
- ``febrl``: FEBRL 3 (dedupe) and FEBRL 4 (link two files) with their true matches.

Run from the repository root::

    .venv/bin/python benchmarks/bench_audit.py                # all cases
    .venv/bin/python benchmarks/bench_audit.py --case link --records 200000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_link(records: int, u_pairs: float) -> dict:
    import numpy as np
    import pandas as pd

    from crm_analysis import audit
    from crm_analysis.data.synthetic import simulate_customers

    # persons so that persons + duplicates ≈ records (6 % register twice, prize hunters 3×)
    persons = int(round(records / (1 + 0.06 * (0.92 + 0.08 * 3))))
    t = time.perf_counter()
    customers, truth = simulate_customers(persons, seed=1)
    t_sim = time.perf_counter() - t
    t0 = time.perf_counter()
    identity = pd.concat([customers[["customer_id", "region", "age_band", "income_band"]], audit.normalize_identity(customers)],
                         axis=1)
    t_norm = time.perf_counter() - t0
    t = time.perf_counter()
    model = audit.RecordLinkage(u_pairs=u_pairs, seed=1).fit(identity)
    t_fit = time.perf_counter() - t
    t = time.perf_counter()
    links = model.links()
    person = audit.clusters(customers["customer_id"], links)
    t_cluster = time.perf_counter() - t
    total = time.perf_counter() - t0
    m = audit.pair_metrics(links, audit.true_pairs(truth.records["customer_id"], truth.records["person_id"]),
                           model.candidates_)
    return {"case": "link", "records": len(customers), "simulate_s": round(t_sim, 1),
            "normalise_s": round(t_norm, 1), "fit_and_score_s": round(t_fit, 1), "cluster_s": round(t_cluster, 1),
            "link_total_s": round(total, 1), "pairs_compared": m["candidate_pairs"],
            "people_found": int(person.nunique()), "people_true": persons, "threshold": round(model.threshold_, 3),
            "precision": round(m["precision"], 4), "recall": round(m["recall"], 4), "f1": round(m["f1"], 4),
            "pair_completeness": round(m["pair_completeness"], 4), "peak_rss_mib": round(peak_rss_mib()),
            "u_pairs": u_pairs, "n_links": int(len(links)), "np": np.__version__}


def case_febrl() -> dict:
    import pandas as pd

    from crm_analysis import audit
    from crm_analysis.data import load_febrl

    kw = dict(fields=audit.FEBRL_FIELDS, blocking=audit.FEBRL_BLOCKING, id_column="rec_id",
              prior_rules=(("date_of_birth", "soc_sec_id"),), prior_recall=0.6)
    out = {"case": "febrl"}
    f3 = load_febrl("3")
    t = time.perf_counter()
    m3 = audit.RecordLinkage(**kw).fit(f3)
    out["febrl3_s"] = round(time.perf_counter() - t, 1)
    r3 = audit.pair_metrics(m3.links(), audit.true_pairs(f3["rec_id"], f3["entity"]), m3.candidates_)
    a, b = load_febrl("4")
    t = time.perf_counter()
    m4 = audit.RecordLinkage(**kw).fit(a, b)
    out["febrl4_s"] = round(time.perf_counter() - t, 1)
    both = pd.concat([a, b])
    r4 = audit.pair_metrics(m4.links(), audit.true_pairs(both["rec_id"], both["entity"]), m4.candidates_)
    for name, r in [("febrl3", r3), ("febrl4", r4)]:
        out.update({f"{name}_{k}": (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()})
    out["peak_rss_mib"] = round(peak_rss_mib())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["link", "febrl"], help="run one case in this process")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--u-pairs", type=float, default=1e6)
    args = parser.parse_args()
    if args.case == "link":
        print(json.dumps(case_link(args.records, args.u_pairs)))
    elif args.case == "febrl":
        print(json.dumps(case_febrl()))
    else:
        for case in ["febrl", "link"]:
            cmd = [sys.executable, __file__, "--case", case, "--records", str(args.records),
                   "--u-pairs", str(args.u_pairs)]
            print(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
