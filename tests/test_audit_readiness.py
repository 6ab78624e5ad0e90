"""Readiness checklist: data items from the scorecard by the documented mapping; bad input."""

import pandas as pd
import pytest

from crm_analysis.audit import SELF_ITEMS, audit_quality, readiness, readiness_score, reading


@pytest.fixture
def quality():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "email": ["a@x.com", None, "bad", "d@x.com"]})
    return audit_quality(customers, as_of="2025-01-01")


def test_data_items_follow_the_scorecard(quality):
    table = readiness(dict.fromkeys(SELF_ITEMS, 4), quality, quality_floor=0.5)
    dims = quality.dimension_scores
    # completeness: (1 + 0.75) / 2 = 0.875 -> 5 * (0.875 - 0.5) / 0.5 = 3.75
    assert dims["completeness"] == pytest.approx(0.875)
    assert table.loc["data_presence", "score"] == pytest.approx(3.75)
    accuracy = dims.reindex(["validity", "uniqueness", "consistency", "freshness"]).mean()
    assert table.loc["data_accuracy", "score"] == pytest.approx(5 * max(0, (accuracy - 0.5) / 0.5))
    assert len(table) == 8 and table.loc["enterprise_strategy", "source"].startswith("seed 001")
    assert readiness_score(table) == pytest.approx(table["score"].mean() / 5)


def test_reading_names_the_weakest_items(quality):
    scores = dict.fromkeys(SELF_ITEMS, 5) | {"analysis_skills": 0}
    text = reading(readiness(scores, quality), n_weakest=1)
    assert "lacking analysis and execution skills (0.0/5" in text


def test_bad_input(quality):
    with pytest.raises(ValueError, match="missing \\['enterprise_strategy'\\]"):
        readiness({k: 3 for k in SELF_ITEMS if k != "enterprise_strategy"}, quality)
    with pytest.raises(ValueError, match="must be in \\[0, 5\\]"):
        readiness(dict.fromkeys(SELF_ITEMS, 6), quality)
