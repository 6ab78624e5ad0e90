"""Shared helpers: column checks, score groups by value, top-k with stated tie-breaking."""

import numpy as np
import pandas as pd
import pytest

from crm_analysis.common import as_binary, as_scores, require_columns, same_length, score_groups, top_k


def test_require_columns_names_missing_and_close_matches():
    frame = pd.DataFrame({"customer_id": [1], "amount": [2.0]})
    require_columns(frame, ["amount"])
    with pytest.raises(ValueError, match=r"transactions: missing column\(s\) 'amont' \(did you mean 'amount'\?\)"):
        require_columns(frame, ["amont"], "transactions")


def test_score_groups_by_hand_and_ties_by_value():
    assert score_groups([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert score_groups([1, 2, 3, 4], 2, higher_is_better=False).tolist() == [2, 2, 1, 1]
    # ties share a group: the three 5s have average rank 4 of 6 -> group ceil(4/6*3) = 2
    assert score_groups([1, 5, 5, 5, 9, 0], 3).tolist() == [1, 2, 2, 2, 3, 1]
    with pytest.raises(ValueError, match="NaN"):
        score_groups([1.0, np.nan], 2)


def test_score_groups_do_not_depend_on_row_order():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, 300).astype(float)
    perm = rng.permutation(300)
    assert (score_groups(x, 5)[perm] == score_groups(x[perm], 5)).all()


def test_top_k_ties_by_key_or_position():
    s = [0.5, 0.9, 0.5, 0.1]
    assert top_k(s, 2).tolist() == [1, 0]                      # tie 0 vs 2 broken by position
    assert top_k(s, 2, tie_key=["b", "z", "a", "c"]).tolist() == [1, 2]  # ... or by the key
    assert top_k(s, 10).tolist() == [1, 0, 2, 3]


def test_shared_value_checks_name_rows():
    assert as_binary([0, 1, True], "response").tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match=r"response must be 0/1, but rows \[1\]"):
        as_binary([0, 2], "response")
    with pytest.raises(ValueError, match=r"score must be finite .* rows \[2\]"):
        as_scores([0.1, 0.2, np.nan], "score")
    with pytest.raises(ValueError, match="same length"):
        same_length(a=[1, 2], b=[1])
