"""The customer data audit (notebook 02): quality, duplicates, sources, the real base, readiness.

Modules and public names:

- ``quality``: :func:`audit_quality` → :class:`QualityReport` (scorecard per table, column
  and dimension — completeness, validity, uniqueness, consistency, freshness — overall score,
  heat-map table, ``failed_rows(rule)``); :func:`fix_priorities`.
- ``linkage``: :func:`normalize_identity`; :class:`RecordLinkage`, :func:`customer_linkage` (Fellegi–Sunter with EM,
  splink on DuckDB; threshold from the expected precision/recall trade-off);
  :func:`expected_tradeoff`, :func:`choose_threshold`, :func:`true_pairs`,
  :func:`pair_metrics`, :func:`clusters`; ``CUSTOMER_FIELDS``, ``CUSTOMER_BLOCKING``,
  ``FEBRL_FIELDS``, ``FEBRL_BLOCKING``.
- ``golden``: :func:`golden_records` (survivorship: the most recent valid value per field),
  :func:`source_contribution` (what two linked sources each add).
- ``waterfall``: :func:`member_waterfall` → :class:`Waterfall` (slide 27, registered members
  down to meaningful current customers); :func:`base_alternatives`; ``STEPS``.
- ``readiness``: :func:`readiness`, :func:`readiness_score`, :func:`reading`; ``OBSTACLES``
  (slide 24's seven obstacles and seed 001's enterprise-strategy factor).

Plots: :mod:`crm_analysis.plots.audit`.
"""

from .golden import golden_records, source_contribution
from .linkage import (
    CUSTOMER_BLOCKING,
    CUSTOMER_FIELDS,
    FEBRL_BLOCKING,
    FEBRL_FIELDS,
    RecordLinkage,
    choose_threshold,
    clusters,
    customer_linkage,
    expected_tradeoff,
    normalize_identity,
    pair_metrics,
    true_pairs,
)
from .quality import DIMENSIONS, QualityReport, audit_quality, fix_priorities
from .readiness import OBSTACLES, SELF_ITEMS, readiness, readiness_score, reading
from .waterfall import STEPS, Waterfall, base_alternatives, member_waterfall

__all__ = [
    "CUSTOMER_BLOCKING", "CUSTOMER_FIELDS", "DIMENSIONS", "FEBRL_BLOCKING", "FEBRL_FIELDS", "OBSTACLES",
    "QualityReport", "RecordLinkage", "SELF_ITEMS", "STEPS", "Waterfall", "audit_quality", "base_alternatives",
    "choose_threshold", "clusters", "customer_linkage", "expected_tradeoff", "fix_priorities", "golden_records", "member_waterfall",
    "normalize_identity", "pair_metrics", "readiness", "readiness_score", "reading", "source_contribution",
    "true_pairs",
]
