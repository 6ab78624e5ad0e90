"""CRM versus mass marketing (notebook 01): product and customer KPIs, share of wallet,
revenue concentration, mass versus targeted campaigns, and which industries suit CRM.

Modules and their public names::

    kpis           product_kpis, share_of_wallet, market_share, retention_rate,
                   customer_equity, customer_kpis, equal_market_share_firms,
                   lifecycle_by_cohort, cohort_activity
    concentration  revenue_lorenz_curve, revenue_gini, top_share, pareto_table
                   (revenue concentration over customers; the ordered Lorenz/Gini of a
                   risk model is crm_analysis.insurance.metrics)
    campaign_roi   campaign_outcome, top_share_mask, mass_vs_targeted
    industries     INDUSTRY_PROFILES, crm_fit

Plots: :mod:`crm_analysis.plots.marketing`.
"""

from . import campaign_roi, concentration, industries, kpis
from .campaign_roi import campaign_outcome, mass_vs_targeted, top_share_mask
from .concentration import pareto_table, revenue_gini, revenue_lorenz_curve, top_share
from .industries import INDUSTRY_PROFILES, crm_fit
from .kpis import (cohort_activity, customer_equity, customer_kpis, equal_market_share_firms,
                   lifecycle_by_cohort, market_share, product_kpis, retention_rate, share_of_wallet)

__all__ = [
    "INDUSTRY_PROFILES", "campaign_outcome", "campaign_roi", "cohort_activity", "concentration",
    "crm_fit", "customer_equity", "customer_kpis", "equal_market_share_firms", "industries", "kpis",
    "lifecycle_by_cohort", "market_share", "mass_vs_targeted", "pareto_table", "product_kpis",
    "retention_rate", "revenue_gini", "revenue_lorenz_curve", "share_of_wallet", "top_share",
    "top_share_mask",
]
