"""Notebooks on the analyst's own data through a data profile: a small simulated file, the
`render --data` command, and (real-data tests) the raw UCI Online Retail log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_data_profile import readme_profile

from crm_analysis import clv
from crm_analysis.data import load_profile
from crm_analysis.data.synthetic import simulate_transactions

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def simulated_profile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sim300")
    frame, _ = simulate_transactions(300, seed=3)
    frame.to_csv(folder / "sim300.csv", index=False)
    path = folder / "sim300.yaml"
    path.write_text("transactions:\n  path: sim300.csv\n  columns: {customer_id: customer_id, "
                    "date: date, amount: amount, product: product}\n", encoding="utf-8")
    return path


def test_03_renders_a_simulated_300_customer_file_at_defaults(run_notebook, simulated_profile):
    results = run_notebook("03_lifetime_value", data=str(simulated_profile))
    assert results["total_clv"].value > 0
    assert set(results["bgnbd"].value) >= {"r", "alpha", "a", "b", "loglik"}
    assert {"bgbb", "mbgnbd", "covariate_effects", "clv_interval_top10"} <= set(results)
    window = results["data_source"].value[1]
    frame = pd.read_csv(simulated_profile.parent / "sim300.csv", parse_dates=["date"])
    assert window.startswith(f"data window used: {frame['date'].min().date()} to {frame['date'].max().date()}")


def test_render_data_runs_the_notebooks_with_tables_and_lists_the_others(simulated_profile, tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run(
        [sys.executable, "-m", "crm_analysis.cli", "render", "01_crm_vs_mass_marketing",
         "06_offer_design", "--data", simulated_profile.name, "--as-of", "2024-12-31",
         "--output-dir", str(out)],
        capture_output=True, text=True, cwd=simulated_profile.parent, timeout=600)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "2024-12-31" / "manifest.json").read_text())
    status = {nb["name"]: nb["status"] for nb in manifest["notebooks"]}
    assert status == {"01_crm_vs_mass_marketing": "ok", "06_offer_design": "not run"}
    first = next(nb for nb in manifest["notebooks"] if nb["name"] == "01_crm_vs_mass_marketing")
    assert first["parameters"]["data"] == str(simulated_profile.resolve())
    sources = first["results"]["data_source"]["value"]
    last_used = pd.Timestamp(sources[1].split(" to ")[1].split(";")[0])
    assert last_used <= pd.Timestamp("2024-12-31") and sources[1].endswith("; as of 2024-12-31")
    index = (out / "2024-12-31" / "index.html").read_text()
    assert "not run: reads no table of a data profile" in index and "0 failed" in index


# --- real data: the raw Online Retail log -----------------------------------------------------


@pytest.fixture(scope="module")
def online_retail_profile(real_data_home, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("or")
    (folder / "online_retail.csv.gz").symlink_to(real_data_home / "online_retail.csv.gz")
    path = folder / "online_retail.yaml"
    path.write_text(readme_profile(), encoding="utf-8")
    return path


def test_03_on_online_retail_reaches_clv_at_the_no_dropout_boundary(run_notebook, online_retail_profile):
    results = run_notebook("03_lifetime_value", data=str(online_retail_profile))
    assert results["bgnbd"].value["a"] == 0.0  # a -> 0: the NBD limit, reported, not a crash
    assert results["mbgnbd"].value["a"] == 0.0  # MBG/NBD reaches the same limit (clv.edges)
    top = results["clv_interval_top10"].value  # per-customer intervals at the boundary
    assert top["ci_low"] < top["estimate"] < top["ci_high"]
    assert results["total_clv"].value > 0
    assert "data window used: 2010-12-01 to 2011-12-09" in results["data_source"].value[1]


@pytest.fixture(scope="module")
def online_retail_clv_ratio(online_retail_profile):
    """52-week CLV over the largest 52-week net spend per customer, as_of 2011-12-09 with
    notebook 03's default windows, one-time buyers conditioned on their first purchase."""
    tx = load_profile(online_retail_profile).transactions(as_of="2011-12-09")
    cal, obs = clv.analysis_window("", tx, "auto", "auto", as_of="2011-12-09", data=str(online_retail_profile))
    summary = clv.summarize_transactions(tx, time_unit="W", calibration_end=cal, observation_end=obs)
    model = clv.clv_model(clv.fit_transaction_models(summary)).model
    values = clv.customer_clv(model, clv.GammaGamma().fit(summary), summary, horizon=52,
                              annual_discount_rate=0.10, margin=0.30,
                              first_spend=clv.first_purchase_spend(tx, cal))["clv"]
    daily = tx.assign(day=tx["date"].dt.floor("D")).groupby(["customer_id", "day"])["amount"].sum()
    best = daily.reset_index().set_index("day").groupby("customer_id")["amount"].rolling("364D").sum()
    best = best.groupby(level=0).max().reindex(values.index)
    return tx, summary, values / best


def test_online_retail_clv_stays_within_20_times_observed_spend_for_repeat_buyers(online_retail_clv_ratio):
    tx, summary, ratio = online_retail_clv_ratio
    assert ratio[summary["frequency"] > 0].max() < 20
    assert np.isfinite(ratio).all()
    # the order of 16446 cancelled minutes later is netted out: no purchase, no repeat
    whole = clv.summarize_transactions(tx, time_unit="W", observation_end="2011-12-09")
    assert whole.loc["16446", "frequency"] == 0
    assert tx.loc[tx["customer_id"] == "16446", "date"].dt.date.astype(str).unique().tolist() == ["2011-05-18"]


def test_online_retail_tiny_one_time_buyers_later_spend_far_more_than_20_times(online_retail_clv_ratio):
    """Why the 20x bound is not a property of the data. At three calibration ends, take the
    customers who had bought on one day only and spent under £10 (16446's £2.90 is such a
    customer; 12 cases, 7 came back): in the following weeks (to 2011-12-09: 40, 27 and 14)
    they spent, all together, 81 times what they had spent before; at notebook 03's 30 %
    margin that is 24 times, within less than 52 weeks. A model cannot tell at the calibration end which of
    them will come back, so an unbiased 52-week CLV of such a customer exceeds 20 times the
    spend of those who do not come back (their largest 52-week net spend in the data)."""
    tx = online_retail_clv_ratio[0]
    end = pd.Timestamp("2011-12-09")
    before, after, customers = 0.0, 0.0, 0
    for cal in ("2011-03-01", "2011-06-05", "2011-09-01"):
        summary = clv.summarize_transactions(tx, time_unit="W", calibration_end=cal, observation_end=end)
        spent = tx[tx["date"] < pd.Timestamp(cal) + pd.Timedelta(days=1)].groupby("customer_id")["amount"].sum()
        spent = spent.reindex(summary.index)
        tiny = summary.index[(summary["frequency"] == 0) & (spent < 10)]
        before += spent[tiny].sum()
        after += summary.loc[tiny, "holdout_amount"].sum()
        customers += len(tiny)
    assert customers >= 10
    assert 0.30 * after / before > 20


@pytest.mark.xfail(strict=True, reason=(
    "acceptance item blocked: one-time buyers with a tiny first purchase (16446: £2.90 once, "
    "2.6 weeks before the calibration end) are shrunk toward the population by any spend "
    "model that pools customers (Gamma-Gamma: 55.9x; a log-normal empirical Bayes: 34.5x), "
    "and the data say they should be (the test above: such buyers later spent 81x as much)"))
def test_online_retail_no_clv_exceeds_20_times_observed_spend(online_retail_clv_ratio):
    assert online_retail_clv_ratio[2].max() <= 20


@pytest.mark.parametrize("name", ["01_crm_vs_mass_marketing", "04_target_customer_selection"])
def test_01_and_04_render_on_online_retail(run_notebook, online_retail_profile, name):
    results = run_notebook(name, data=str(online_retail_profile), as_of="2011-09-30")
    window = results["data_source"].value[1]
    assert window.startswith("data window used: 2010-12-01 to 2011-09-30")
