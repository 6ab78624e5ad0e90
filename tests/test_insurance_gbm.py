"""The boosted Poisson frequency model learns known rates with exposure weights."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.insurance.gbm import fit_frequency_gbm, predict_frequency_gbm


def test_boosted_model_recovers_cell_rates_under_varying_exposure():
    rng = np.random.default_rng(4)
    n = 30_000
    frame = pd.DataFrame({
        "band": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "noise": rng.normal(size=n),  # irrelevant feature
        "exposure": rng.uniform(0.1, 1.0, n),
    })
    true_rate = frame["band"].map({"a": 0.05, "b": 0.20, "c": 0.60}).astype(float)
    frame["claim_count"] = rng.poisson(frame["exposure"] * true_rate)
    model = fit_frequency_gbm(frame, ["band", "noise"], seed=0)
    cells = pd.DataFrame({"band": pd.Categorical(["a", "b", "c"], categories=["a", "b", "c"]),
                          "noise": [0.0, 0.0, 0.0]})
    predicted = predict_frequency_gbm(model, cells, ["band", "noise"])
    # each cell holds ~5,500 policy-years: the rate's sd is √(rate / 11,000); allow 5 sd
    # plus 5% for the trees' shrinkage towards the overall mean
    true = np.array([0.05, 0.20, 0.60])
    assert np.all(np.abs(predicted - true) < 5 * np.sqrt(true / 5_500) + 0.05 * true)
    # exposure weighting: predictions are per year, so the expected claim total matches
    total = (predict_frequency_gbm(model, frame, ["band", "noise"]) * frame["exposure"]).sum()
    assert total == pytest.approx(frame["claim_count"].sum(), rel=0.03)


def test_bad_feature_types_are_named():
    frame = pd.DataFrame({"brand": ["B1", "B2"], "exposure": [1.0, 1.0], "claim_count": [0, 1]})
    with pytest.raises(ValueError, match="'brand'"):
        fit_frequency_gbm(frame, ["brand"])
    with pytest.raises(ValueError, match=r"missing column\(s\) 'age'"):
        fit_frequency_gbm(frame, ["age"])
