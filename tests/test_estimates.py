"""The estimate table and the FittedModel mixin, against hand computations and scipy."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_analysis.estimates import (FittedModel, alpha_of, check_level, estimate_row, estimate_table,
                                    normal_quantile)


def test_wald_interval_by_hand():
    table = estimate_table([5.5, 2.0], [0.5, 0.25], index=["a", "b"])
    assert list(table.columns) == ["estimate", "std_err", "ci_low", "ci_high", "level"]
    assert table.loc["a", "ci_low"] == pytest.approx(5.5 - 1.959963985 * 0.5)
    assert table.loc["b", "ci_high"] == pytest.approx(2.0 + 1.959963985 * 0.25)
    assert (table["level"] == 0.95).all()


def test_student_t_and_other_levels():
    t = estimate_table(1.0, 0.1, df=5, level=0.90)
    assert t["ci_high"].iloc[0] == pytest.approx(1.0 + stats.t.ppf(0.95, 5) * 0.1)
    assert normal_quantile(0.80) == pytest.approx(stats.norm.ppf(0.90))
    assert alpha_of(0.95) == 0.05 and alpha_of(0.9) == 0.1


def test_given_interval_p_value_and_series_index():
    est = pd.Series({"x": 3.0, "y": 4.0})
    table = estimate_table(est, ci_low={"y": 3.5, "x": 2.0}, ci_high=pd.Series({"x": 4.0, "y": 4.5}),
                           p_value=[0.01, 0.2])
    assert table.loc["y", "ci_low"] == 3.5 and table.loc["x", "ci_high"] == 4.0
    assert np.isnan(table["std_err"]).all()
    assert estimate_row(table, "x") == {"estimate": 3.0, "std_err": pytest.approx(np.nan, nan_ok=True),
                                        "ci_low": 2.0, "ci_high": 4.0, "p_value": 0.01, "level": 0.95}


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "x", None])
def test_level_must_be_a_probability(bad):
    with pytest.raises(ValueError, match="level"):
        check_level(bad)


def test_length_mismatch_is_named():
    with pytest.raises(ValueError, match="3 values given for 2 estimates"):
        estimate_table([1.0, 2.0], [0.1, 0.2, 0.3])


class _Mean(FittedModel):
    def fit(self, x):
        x = np.asarray(x, dtype=float)
        self.params_ = pd.Series({"mean": x.mean()})
        self.std_err_ = pd.Series({"mean": x.std(ddof=1) / np.sqrt(x.size)})
        return self


def test_fitted_model_mixin():
    with pytest.raises(RuntimeError, match="fit"):
        _Mean().summary()
    x = [1.0, 2.0, 3.0, 4.0, 6.0]
    model = _Mean().fit(x)
    ci = model.conf_int(level=0.90)
    se = np.std(x, ddof=1) / np.sqrt(5)
    assert ci.loc["mean", "ci_low"] == pytest.approx(3.2 - stats.norm.ppf(0.95) * se)
    summary = model.summary(level=0.90)
    assert summary.loc["mean", "estimate"] == pytest.approx(3.2)
    assert summary.loc["mean", "level"] == 0.90


def test_fitted_results_wraps_statsmodels():
    import statsmodels.api as sm

    from crm_analysis.estimates import FittedResults, unwrap
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    y = 1.0 + 2.0 * x + rng.normal(size=200)
    raw = sm.OLS(y, sm.add_constant(x)).fit()
    fit = FittedResults(raw)
    assert fit.fit() is fit and unwrap(fit) is raw
    np.testing.assert_allclose(fit.params_, raw.params)  # pass-through and convention agree
    np.testing.assert_allclose(fit.std_err_, raw.bse)
    np.testing.assert_allclose(fit.conf_int(level=0.9).to_numpy(), raw.conf_int(alpha=0.1))
    table = fit.summary()
    np.testing.assert_allclose(table["p_value"], raw.pvalues)
    assert fit.rsquared == raw.rsquared
