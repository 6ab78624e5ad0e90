"""Cox model against R's published coxph fit (Rossi data, Efron ties), the PH test's size
and power on simulated data, Weibull/log-logistic AFT against scipy and interval coverage,
and the concordance index against a brute-force count."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_analysis import churn
from crm_analysis.data import load_rossi
from crm_analysis.data.synthetic import simulate_lifetimes

COVS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
# Fox & Weisberg (2018), "Cox Proportional-Hazards Regression for Survival Data in R",
# appendix to An R Companion to Applied Regression (3rd ed.): printed summary of
# coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = Rossi)
R_COEF = [-0.37942, -0.05744, 0.31390, -0.14980, -0.43370, -0.08487, 0.09150]
R_EXP = [0.68426, 0.94418, 1.36875, 0.86088, 0.64810, 0.91863, 1.09581]
R_SE = [0.19138, 0.02200, 0.30799, 0.21222, 0.38187, 0.19576, 0.02865]
R_Z = [-1.983, -2.611, 1.019, -0.706, -1.136, -0.434, 3.194]
R_P = [0.04742, 0.00903, 0.30812, 0.48029, 0.25606, 0.66461, 0.00140]
R_LR = 33.27  # "Likelihood ratio test= 33.27 on 7 df"


def test_cox_reproduces_published_coxph_fit():
    rossi = load_rossi()
    assert rossi.shape == (432, 9) and rossi["arrest"].sum() == 114
    model = churn.CoxModel("week", "arrest", COVS).fit(rossi)
    table = model.summary()
    np.testing.assert_allclose(table["estimate"], R_COEF, atol=5e-6)
    np.testing.assert_allclose(table["std_err"], R_SE, atol=5e-6)
    np.testing.assert_allclose(table["estimate"] / table["std_err"], R_Z, atol=5e-4)
    np.testing.assert_allclose(table["p_value"], R_P, atol=5e-6)
    np.testing.assert_allclose(model.hazard_ratios()["estimate"], R_EXP, atol=5e-6)
    assert model.likelihood_ratio_test()["statistic"] == pytest.approx(R_LR, abs=5e-3)
    # "exp(coef) lower .95 0.4702, upper .95 0.9957" for fin
    hr = model.hazard_ratios().loc["fin"]
    assert hr["ci_low"] == pytest.approx(0.4702, abs=5e-5) and hr["ci_high"] == pytest.approx(0.9957, abs=5e-5)


def test_breslow_differs_from_efron_with_ties():
    rossi = load_rossi()
    efron = churn.CoxModel("week", "arrest", COVS).fit(rossi).params_
    breslow = churn.CoxModel("week", "arrest", COVS, ties="breslow").fit(rossi).params_
    assert abs(efron["fin"] - breslow["fin"]) > 1e-4


def _ph_world(n_sims, n, seed, crossing):
    """x ~ Bernoulli(½); under PH a constant log HR 0.7; with ``crossing`` the effect is
    +1.2 before month 6 and −0.6 after (piecewise exponential)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, (n_sims, n))
    rate = 0.08
    if not crossing:
        life = rng.exponential(1 / (rate * np.exp(0.7 * x)))
    else:
        early = rng.exponential(1 / (rate * np.exp(1.2 * x)))
        late = 6 + rng.exponential(1 / (rate * np.exp(-0.6 * x)))
        life = np.where(early < 6, early, late)
    life = np.ceil(life)  # whole months: ties, as in billing data
    return x, np.minimum(life, 24), (life <= 24).astype(int)


@pytest.mark.parametrize("crossing", [False, True])
def test_ph_test_size_and_power(crossing):
    x, t, e = _ph_world(100, 200, seed=3 + crossing, crossing=crossing)
    rejected = 0
    for i in range(x.shape[0]):
        frame = pd.DataFrame({"t": t[i], "e": e[i], "x": x[i]})
        rejected += churn.CoxModel("t", "e", ["x"]).fit(frame).ph_test("km").loc["x", "p_value"] < 0.05
    rate = rejected / x.shape[0]
    if crossing:
        assert rate > 0.8
    else:  # nominal 5 %: binomial sd over 100 runs is 2.2 points
        assert 0.0 < rate <= 0.12


def test_stratified_fit_drops_the_stratum_and_keeps_coverage():
    rossi = load_rossi()
    model = churn.CoxModel("week", "arrest", [c for c in COVS if c != "wexp"], strata="wexp").fit(rossi)
    assert "wexp" not in model.params_.index
    assert np.isfinite(model.ph_test().loc["GLOBAL", "p_value"])


def test_cox_interval_covers_the_weibull_truth():
    """100 data sets of 300 Weibull lifetimes (a Weibull AFT is also a PH model with log
    HR −coef/σ), recorded in half months as billing data are (ties, handled by Efron)."""
    frame, truth = simulate_lifetimes(300, coef=0.5, sigma=0.8, n_sims=100, seed=5)
    frame["duration"] = np.ceil(frame["duration"] * 2) / 2
    cover = 0
    for _, d in frame.groupby("sim"):
        ci = churn.CoxModel("duration", "churned", ["x"]).fit(d).conf_int().loc["x"]
        cover += ci["ci_low"] <= truth.cox_coef <= ci["ci_high"]
    assert 0.90 <= cover / 100 <= 0.99


def test_aft_matches_scipy_without_censoring():
    rng = np.random.default_rng(1)
    t = stats.weibull_min.rvs(1.7, scale=20, size=400, random_state=rng)
    frame = pd.DataFrame({"t": t, "e": 1})
    w = churn.ParametricAFT("t", "e").fit(frame)
    k, _, lam = stats.weibull_min.fit(t, floc=0)
    assert 1 / w.scale_ == pytest.approx(k, rel=1e-4)
    assert np.exp(w.params_["Intercept"]) == pytest.approx(lam, rel=1e-4)
    ll = churn.ParametricAFT("t", "e", distribution="loglogistic").fit(frame)
    c, _, scale = stats.fisk.fit(t, floc=0)
    assert 1 / ll.scale_ == pytest.approx(c, rel=1e-4)
    assert np.exp(ll.params_["Intercept"]) == pytest.approx(scale, rel=1e-4)
    assert w.loglik_ == pytest.approx(stats.weibull_min.logpdf(t, k, 0, lam).sum(), rel=1e-6)


def test_weibull_aft_intervals_cover_the_truth():
    frame, truth = simulate_lifetimes(300, intercept=3.0, coef=0.5, sigma=0.8, n_sims=200, seed=9)
    hits = np.zeros(3)
    for _, d in frame.groupby("sim"):
        ci = churn.ParametricAFT("duration", "churned", ["x"]).fit(d).conf_int()
        want = {"Intercept": truth.intercept, "x": truth.coef, "log_scale": np.log(truth.sigma)}
        hits += [ci.loc[k, "ci_low"] <= v <= ci.loc[k, "ci_high"] for k, v in want.items()]
    assert np.all((hits / 200 >= 0.90) & (hits / 200 <= 0.99)), hits / 200


def test_concordance_against_brute_force():
    rng = np.random.default_rng(4)
    t = rng.integers(1, 20, 60).astype(float)
    e = rng.integers(0, 2, 60)
    r = rng.integers(0, 5, 60).astype(float)
    num = den = 0.0
    for i in range(60):
        for j in range(60):
            if e[i] == 1 and t[i] < t[j]:
                den += 1
                num += 1.0 if r[i] > r[j] else 0.5 if r[i] == r[j] else 0.0
    assert churn.concordance_index(t, e, r) == pytest.approx(num / den)


def test_design_matrix_reference_and_errors():
    frame = pd.DataFrame({"plan": ["a", "b", "b", "c"], "x": [1.0, 2.0, 3.0, 4.0]})
    X, refs = churn.design_matrix(frame, ["plan", "x"])
    assert refs == {"plan": "b"} and list(X.columns) == ["plan[a]", "plan[c]", "x"]
    with pytest.raises(ValueError, match="reference level 'z'"):
        churn.design_matrix(frame, ["plan"], {"plan": "z"})
    with pytest.raises(ValueError, match=r"missing values in rows \[1\]"):
        churn.design_matrix(frame.assign(x=[1.0, None, 3.0, 4.0]), ["x"])


def test_hazard_ratio_sentences_order_and_wording():
    table = pd.DataFrame({"estimate": [0.4, 1.1, 2.0], "ci_low": [0.3, 0.9, 1.5],
                          "ci_high": [0.55, 1.3, 2.7]}, index=["plan[b]", "age", "x"])
    words = churn.hazard_ratio_sentences(table, {"plan": "a"}, unit={"x": "visit"})
    assert words == [
        "plan = b: 0.40 times the churn hazard of a (CI 0.30 to 0.55)",
        "x: 2.000 times the churn hazard per 1 visit (CI 1.50 to 2.70)",
        "no clear effect: age",
    ]
