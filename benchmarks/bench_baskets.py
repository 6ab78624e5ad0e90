"""Speed and memory of market-basket rules and item-item recommendation (issue 17).  Not a
test: run by hand.

    .venv/bin/python benchmarks/bench_baskets.py            # every part, 3 fresh processes each
    .venv/bin/python benchmarks/bench_baskets.py rules      # one part, one process (prints JSON)

Parts (each in its own process, so the peak RSS is the part's own):

* ``rules``: frequent itemsets + rules (confidence ≥ 0.5, up to 10 items) on Online Retail
  invoices at support 0.005 with ``crm_analysis.baskets``;
* ``rules_mlxtend``: the same with mlxtend's ``fpgrowth`` + ``association_rules`` on a dense
  one-hot frame (mlxtend's ``apriori`` is not run: it tries to allocate 42.8 GiB here);
* ``groceries`` / ``groceries_mlxtend``: arules' reference run on Groceries (support 0.001,
  confidence 0.5), ours and mlxtend's ``apriori`` and ``fpgrowth``;
* ``recommend``: item-item (cosine) similarity fitted on every Online Retail customer's
  purchases and a top-10 list of unseen products for every customer, plus the two baselines.

Needs the real data (``$CRM_WORKBOOK_DATA``). Times are wall-clock seconds
(``time.perf_counter``) of the computation after the data are read; ``cpu_seconds`` is the
process's CPU time for the whole part including reading the data (tells contention apart
from work on a shared machine); ``peak_rss_mb`` is the process's maximum resident set size.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import warnings

import pandas as pd

from crm_analysis import baskets as bk
from crm_analysis.data import fetch_groceries, fetch_online_retail

PARTS = ("rules", "rules_mlxtend", "groceries", "groceries_mlxtend", "recommend")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def retail_baskets():
    lines = bk.online_retail_lines(fetch_online_retail())
    return lines, bk.basket_matrix(lines, basket="order_id", item="product")


def part(name: str) -> dict:
    """Run one part; add the process's CPU seconds (user + system) spent in it."""
    cpu = time.process_time()
    out = _part(name)
    return out | {"cpu_seconds": time.process_time() - cpu}


def _part(name: str) -> dict:
    warnings.simplefilter("ignore")
    if name.startswith("rules"):
        _, baskets = retail_baskets()
        out = {"baskets": baskets.n_baskets, "items": baskets.n_items}
        start = time.perf_counter()
        if name == "rules":
            itemsets = bk.frequent_itemsets(baskets, 0.005)
            rules = bk.association_rules(itemsets, baskets, 0.5)
            out |= {"itemsets": len(itemsets), "rules": len(rules)}
        else:
            from mlxtend.frequent_patterns import association_rules, fpgrowth
            onehot = pd.DataFrame(baskets.matrix.toarray(), columns=list(baskets.items))
            itemsets = fpgrowth(onehot, min_support=0.005, use_colnames=True, max_len=10)
            rules = association_rules(itemsets, num_itemsets=len(onehot), metric="confidence", min_threshold=0.5)
            out |= {"itemsets": len(itemsets), "rules_one_consequent": int((rules["consequents"].map(len) == 1).sum())}
        return out | {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_mb()}
    if name.startswith("groceries"):
        baskets = bk.basket_matrix(fetch_groceries(), basket="transaction_id", item="item")
        if name == "groceries":
            start = time.perf_counter()
            rules = bk.mine_rules(baskets, 0.001, 0.5)
            return {"rules": len(rules), "seconds": time.perf_counter() - start, "peak_rss_mb": peak_mb()}
        from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth
        onehot = pd.DataFrame(baskets.matrix.toarray(), columns=list(baskets.items))
        out = {}
        for miner in (apriori, fpgrowth):
            start = time.perf_counter()
            itemsets = miner(onehot, min_support=0.001, use_colnames=True, max_len=10)
            rules = association_rules(itemsets, num_itemsets=len(onehot), metric="confidence", min_threshold=0.5)
            out[miner.__name__] = {"rules": len(rules), "rules_one_consequent": int((rules["consequents"].map(len) == 1).sum()),
                                   "seconds": time.perf_counter() - start}
        return out | {"peak_rss_mb": peak_mb()}
    if name == "recommend":
        lines, _ = retail_baskets()
        known = lines.dropna(subset=["customer_id"])
        start = time.perf_counter()
        inter = bk.interaction_matrix(known, "customer_id", "product")
        t_matrix = time.perf_counter()
        model = bk.ItemItemRecommender("cosine").fit(inter.matrix)
        t_fit = time.perf_counter()
        lists = model.recommend(inter.matrix, k=10)
        t_rec = time.perf_counter()
        bk.recommend_popular(inter.matrix, inter.matrix, k=10)
        t_pop = time.perf_counter()
        bk.recommend_random(inter.matrix, k=10, seed=0)
        t_rand = time.perf_counter()
        return {"customers": inter.matrix.shape[0], "products": inter.matrix.shape[1],
                "lists_full": int((lists >= 0).all(axis=1).sum()),
                "matrix_s": t_matrix - start, "fit_s": t_fit - t_matrix, "recommend_s": t_rec - t_fit,
                "item_item_total_s": t_rec - start, "popularity_s": t_pop - t_rec, "random_s": t_rand - t_pop,
                "peak_rss_mb": peak_mb()}
    raise SystemExit(f"unknown part {name!r}; parts: {', '.join(PARTS)}")


def main(argv: list[str]) -> None:
    if argv:
        print(json.dumps(part(argv[0])))
        return
    for name in PARTS:
        for run in range(3 if not name.endswith("mlxtend") else 1):
            done = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True, check=True)
            print(name, run + 1, done.stdout.strip(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
