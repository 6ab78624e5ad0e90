"""CRM readiness self-assessment: the obstacles of slide 24 and seed 001's first failure factor.

Slide 24 names seven obstacles to e-CRM (e-CRM의 실패): no data, inaccurate data, no clear
understanding of CRM, a strategy that does not fit the company, unsuitable systems,
excessive system investment, lacking analysis/execution skills; seed 001 opens its seven
failure factors of CRM projects with "no enterprise-wide CRM strategy". Each becomes one
checklist item scored 0–5 (5 = no problem here). The two data items are **derived from
the quality scorecard** instead of asked: data presence from the completeness score, data
accuracy from the mean of the validity, uniqueness, consistency and freshness scores, each
mapped linearly from ``quality_floor`` (score 0) to 1 (score 5), because a table that is
"95 % right" still leaves one customer in twenty wrong. The readiness score is the mean
item score divided by 5 (0–1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .quality import QualityReport

#: (key, obstacle, Korean term of the sources, source, how it is scored)
OBSTACLES = (
    ("data_presence", "no data (customer data missing)", "Data의 부재", "slide 24", "data"),
    ("data_accuracy", "inaccurate data", "Data의 부정확성", "slide 24", "data"),
    ("understanding", "no clear understanding of CRM", "CRM에 대한 명확한 인식 부재", "slide 24", "self"),
    ("strategy_fit", "CRM strategy does not fit the company", "자사 상황과 CRM 전략의 정합성 부족", "slide 24", "self"),
    ("systems_fit", "unsuitable systems", "적합하지 않은 시스템", "slide 24", "self"),
    ("system_investment", "excessive system investment", "과도한 시스템 투자", "slide 24", "self"),
    ("analysis_skills", "lacking analysis and execution skills", "CRM 분석/실행 Skill의 문제", "slide 24", "self"),
    ("enterprise_strategy", "no enterprise-wide CRM strategy", "전사적인 CRM전략의 부재", "seed 001, factor 1", "self"),
)
SELF_ITEMS = tuple(k for k, *_, how in OBSTACLES if how == "self")


def readiness(self_scores: dict, quality: QualityReport, *, quality_floor: float = 0.8) -> pd.DataFrame:
    """The scored checklist: one row per obstacle with ``score`` (0–5) and its basis.

    ``self_scores``: ``{item: 0–5}`` for every self-assessed item (:data:`SELF_ITEMS`).
    """
    missing = [k for k in SELF_ITEMS if k not in self_scores]
    unknown = [k for k in self_scores if k not in SELF_ITEMS]
    if missing or unknown:
        raise ValueError(f"readiness: self_scores needs exactly {list(SELF_ITEMS)}; missing {missing}, unknown {unknown}")
    bad = {k: v for k, v in self_scores.items() if not 0 <= float(v) <= 5}
    if bad:
        raise ValueError(f"readiness: self-assessed scores must be in [0, 5]; got {bad}")
    if not 0 <= quality_floor < 1:
        raise ValueError(f"readiness: quality_floor must be in [0, 1); got {quality_floor}")
    dims = quality.dimension_scores
    presence = float(dims.get("completeness", np.nan))
    accuracy = float(dims.reindex(["validity", "uniqueness", "consistency", "freshness"]).mean())

    def to_five(score):
        return float(5 * np.clip((score - quality_floor) / (1 - quality_floor), 0, 1))

    rows = []
    for key, obstacle, korean, source, how in OBSTACLES:
        if key == "data_presence":
            score, basis = to_five(presence), f"completeness score {presence:.3f}"
        elif key == "data_accuracy":
            score, basis = to_five(accuracy), f"mean validity/uniqueness/consistency/freshness score {accuracy:.3f}"
        else:
            score, basis = float(self_scores[key]), "self-assessed"
        rows.append({"item": key, "obstacle": obstacle, "korean": korean, "source": source, "score": score,
                     "basis": basis})
    return pd.DataFrame(rows).set_index("item")


def readiness_score(table: pd.DataFrame) -> float:
    """Mean item score ÷ 5 (0–1)."""
    return float(table["score"].mean() / 5)


def reading(table: pd.DataFrame, n_weakest: int = 2) -> str:
    """A plain-words reading: the verdict (ready from 0.7, partly ready from 0.5, else not
    ready) and the ``n_weakest`` lowest-scored items, to work on first."""
    score = readiness_score(table)
    verdict = ("ready to run CRM programmes" if score >= 0.7 else
               "partly ready: fix the weak items before scaling CRM" if score >= 0.5 else
               "not ready: the basics are missing")
    weakest = table.sort_values("score", kind="stable").head(n_weakest)
    items = "; ".join(f"{r.obstacle} ({r.score:.1f}/5, {r.basis})" for r in weakest.itertuples())
    return f"Readiness {score:.2f} of 1 — {verdict}. Weakest: {items}."
