"""Independent oracle for the CLV tests: fit Pareto/NBD, BG/NBD and Gamma-Gamma with the
`lifetimes` package on the CDNOW 1/10 sample (39-week calibration, weekly, same-day
purchases merged), using lifetimes' own summary function (not crm_analysis).

Run in a separate environment (lifetimes is archived and needs old numpy/pandas):

    python3.11 -m venv /tmp/lifetimes-venv
    /tmp/lifetimes-venv/bin/pip install "lifetimes==0.11.3" "numpy<2" "pandas<2.1" "scipy<1.12" autograd
    /tmp/lifetimes-venv/bin/python benchmarks/lifetimes_oracle.py

It prints the values (lifetimes 0.11.3) recorded in tests/results/lifetimes_cdnow.py.
"""

import json
from pathlib import Path

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

root = Path(__file__).resolve().parents[1]
tx = pd.read_csv(root / "data/cdnow/CDNOW_sample.txt", sep=r"\s+", header=None,
                 names=["customer_id", "sample_id", "date", "quantity", "amount"],
                 dtype={"customer_id": str, "date": str})
tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
summary = summary_data_from_transaction_data(
    tx, "customer_id", "date", monetary_value_col="amount", observation_period_end="1997-09-30", freq="D"
)
summary = summary.assign(recency=summary["recency"] / 7, T=summary["T"] / 7)
out = {}
pnbd = ParetoNBDFitter().fit(summary["frequency"], summary["recency"], summary["T"])
# Predictions for one customer (x = 2, t_x = 213/7, T = 272/7 weeks) and a new customer.
x, t_x, T = 2, 213 / 7, 272 / 7
out["pareto_nbd"] = {k: float(v) for k, v in pnbd.params_.items()}
out["pareto_nbd_predictions"] = {
    "p_alive": float(pnbd.conditional_probability_alive(x, t_x, T)),
    "conditional_expected_39": float(pnbd.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T)),
    "expected_39": float(pnbd.expected_number_of_purchases_up_to_time(39)),
}
bg = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
out["bgnbd"] = {k: float(v) for k, v in bg.params_.items()}
out["bgnbd_predictions"] = {
    "p_alive": float(bg.conditional_probability_alive(x, t_x, T)),
    "conditional_expected_39": float(bg.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T)),
    "expected_39": float(bg.expected_number_of_purchases_up_to_time(39)),
}
repeat = summary[summary["frequency"] > 0]
gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
out["gamma_gamma"] = {k: float(v) for k, v in gg.params_.items()}
out["gamma_gamma_expected_spend_x2_m30"] = float(gg.conditional_expected_average_profit(2, 30.0))
print(json.dumps(out, indent=2))
