"""RFM scores and the power × loyalty × response cube on hand-made customers."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.targeting import CELL_POLICY, cube_cells, cube_summary, rfm_scores, rfm_segments


def test_rfm_quintiles_by_hand_with_direction_and_ties():
    frame = pd.DataFrame({
        "recency_days": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],       # fewer days = better
        "frequency": [3] * 10,                                # all tied
        "monetary": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    })
    s = rfm_scores(frame)
    assert s["R"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert s["M"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # ties are scored by value: all customers share frequency 3, so all get one score
    # (the middle one: average rank 5.5 of 10 falls in quintile 3)
    assert s["F"].tolist() == [3] * 10
    assert s["rfm_cell"].iloc[0] == "531"
    assert (s["rfm_total"] == s["R"] + s["F"] + s["M"]).all()


def test_rfm_scores_do_not_depend_on_row_order():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"recency_days": rng.integers(1, 30, 200), "frequency": rng.integers(1, 4, 200),
                          "monetary": rng.integers(1, 10, 200) * 10.0})
    s = rfm_scores(frame)
    shuffled = rfm_scores(frame.sample(frac=1, random_state=1)).loc[frame.index]
    pd.testing.assert_frame_equal(s, shuffled)
    for axis, column in (("R", "recency_days"), ("F", "frequency"), ("M", "monetary")):
        assert (s.groupby(frame[column])[axis].nunique() == 1).all(), axis  # one score per value


def test_rfm_segments_follow_the_rules():
    scores = pd.DataFrame({"R": [5, 3, 5, 5, 1, 1, 3],
                           "F": [5, 4, 2, 1, 5, 1, 1],
                           "M": [4, 5, 3, 1, 4, 1, 1]})
    assert rfm_segments(scores).tolist() == [
        "champions", "loyal customers", "potential loyalists", "new or occasional",
        "at risk", "lost", "about to sleep"]


def test_rfm_names_missing_column_and_nan_rows():
    frame = pd.DataFrame({"recency_days": [1.0, np.nan, 3, 4, 5], "frequency": [1] * 5,
                          "monetary": [1, 2, 3, 4, 5]})
    with pytest.raises(ValueError, match=r"rows \[1\]"):
        rfm_scores(frame)
    with pytest.raises(ValueError, match="'spend'"):
        rfm_scores(frame, monetary="spend")


def test_cube_cells_and_summary_by_hand():
    frame = pd.DataFrame({"income": [80.0, 80.0, 20.0, 20.0, 50.0],
                          "share": [0.9, 0.1, 0.9, 0.1, 0.5],
                          "score": [0.3, 0.3, 0.01, 0.01, 0.2]},
                         index=["a", "b", "c", "d", "e"])
    cells = cube_cells(frame, "income", "share", "score", 50.0, 0.5, 0.2)
    assert cells.index.tolist() == ["a", "b", "c", "d", "e"]
    assert cells.loc["a", ["power", "loyalty", "response"]].tolist() == ["high"] * 3
    assert cells.loc["a", "priority"] == 1            # sources: top priority, best terms
    assert cells.loc["d", "priority"] == 8
    assert cells.loc["e", ["power", "loyalty", "response"]].tolist() == ["high"] * 3  # at threshold
    summary = cube_summary(cells, value=pd.Series([1.0, 2, 3, 4, 5], index=frame.index))
    assert len(summary) == 8 and summary["customers"].sum() == 5
    top = summary.iloc[0]
    assert top["customers"] == 2 and top["mean_value"] == pytest.approx(3.0)
    assert summary["priority"].tolist() == list(range(1, 9))


def test_cell_policy_covers_all_eight_cells_once():
    keys = CELL_POLICY[["power", "loyalty", "response"]].apply(tuple, axis=1)
    assert keys.is_unique and len(keys) == 8


def test_cube_names_missing_column():
    with pytest.raises(ValueError, match="'wallet'"):
        cube_cells(pd.DataFrame({"a": [1.0]}), "a", "wallet", "a", 0, 0, 0)
