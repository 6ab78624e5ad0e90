"""Independent oracle for the BG/BB and MBG/NBD tests: fit them with the `lifetimes` package
(0.11.3) — BG/BB on lifetimes' own donations summary, MBG/NBD (``ModifiedBetaGeoFitter``) on
the CDNOW 1/10 sample summarized by lifetimes' own ``summary_data_from_transaction_data``
(39-week calibration to 1997-09-30, weeks, same-day purchases merged), not crm_analysis.

Run in a separate environment (lifetimes cannot be installed beside pandas 3)::

    python3 -m venv /tmp/clv2-lt
    /tmp/clv2-lt/bin/pip install lifetimes "pandas<3"    # numpy 2.4.6, pandas 2.3.3, scipy 1.17.1
    /tmp/clv2-lt/bin/python benchmarks/lifetimes_oracle_discrete.py

It prints the values recorded in tests/results/lifetimes_discrete.py.
"""

import json
from pathlib import Path

import pandas as pd
from lifetimes import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter
from lifetimes.datasets import load_donations
from lifetimes.utils import summary_data_from_transaction_data

root = Path(__file__).resolve().parents[1]
out = {}
don = load_donations()
bgbb = BetaGeoBetaBinomFitter().fit(don["frequency"], don["recency"], don["periods"], weights=don["weights"])
out["bgbb"] = {k: float(v) for k, v in bgbb.params_.items()}
out["bgbb_cells"] = {
    "frequency": don["frequency"].tolist(), "recency": don["recency"].tolist(), "periods": don["periods"].tolist(),
    "conditional_expected_5": bgbb.conditional_expected_number_of_purchases_up_to_time(
        5, don["frequency"], don["recency"], don["periods"]).tolist(),
    "p_alive_next": bgbb.conditional_probability_alive(1, don["frequency"], don["recency"], don["periods"]).tolist(),
}
tx = pd.read_csv(root / "data/cdnow/CDNOW_sample.txt", sep=r"\s+", header=None,
                 names=["customer_id", "sample_id", "date", "quantity", "amount"],
                 dtype={"customer_id": str, "date": str})
tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
summary = summary_data_from_transaction_data(tx, "customer_id", "date", observation_period_end="1997-09-30", freq="D")
summary = summary.assign(recency=summary["recency"] / 7, T=summary["T"] / 7)
mbg = ModifiedBetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
out["mbgnbd"] = {k: float(v) for k, v in mbg.params_.items()}

x, t_x, T = 2, 213 / 7, 272 / 7
out["mbgnbd_predictions"] = {
    "p_alive": float(mbg.conditional_probability_alive(x, t_x, T).ravel()[0]),
    "p_alive_x0": float(mbg.conditional_probability_alive(0, 0, T).ravel()[0]),
    "conditional_expected_39": float(mbg.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T)),
    "expected_39": float(mbg.expected_number_of_purchases_up_to_time(39)),
}
print(json.dumps(out, indent=1))
