"""e-CRM web usage mining: from raw access logs to sessions, funnels, paths, known customers
and trigger rules (notebook ``10_ecrm_web_usage_mining``).

Modules and their public names:

- :mod:`~crm_analysis.weblog.parse`: :func:`parse_log` (common, combined, combined_cookie or
  an Apache ``LogFormat`` string; malformed lines kept with line number and reason; time
  zones; out-of-order lines) → :class:`ParsedLog`; :func:`format_regex`, :data:`FORMATS`.
- :mod:`~crm_analysis.weblog.clean`: :func:`classify_requests` (page, asset, robots,
  error), :func:`parse_user_agents` (ua-parser), :func:`detect_bots` (user agent and
  behaviour rules), :func:`detection_scores` (precision, recall).
- :mod:`~crm_analysis.weblog.sessions`: :func:`visitor_keys`, :func:`sessionize`
  (inactivity timeout, optional referrer rule), :func:`session_table`, :func:`recovery`
  (exact share, adjusted Rand index), :func:`timeout_effect`.
- :mod:`~crm_analysis.weblog.behaviour`: :func:`page_types`, :func:`reached_steps`,
  :func:`funnel` (conversion, drop-off, Wilson intervals), :func:`share_estimate`,
  :func:`entry_exit_pages`, :func:`time_on_page`, :func:`session_depth`.
- :mod:`~crm_analysis.weblog.paths`: :func:`transitions`, :func:`transition_matrix`,
  :func:`most_likely_paths`, :func:`observed_paths`, :func:`path_flows`.
- :mod:`~crm_analysis.weblog.customers`: :func:`identify_visitors`,
  :func:`customer_web_activity`, :func:`web_vs_purchases`, :func:`group_summary`.
- :mod:`~crm_analysis.weblog.segments`: :func:`session_features`, :func:`cluster_sessions`
  (k by silhouette) → :class:`Segments`, :func:`describe`.
- :mod:`~crm_analysis.weblog.triggers`: :func:`abandoned_carts`, :func:`repeated_views`,
  :func:`trigger_value`, :func:`extra_checkouts`, :func:`decide` → :class:`Decision`.
- :mod:`~crm_analysis.weblog.pipeline`: :func:`analyse_log` runs parse → clean →
  sessions → bots → human page views in one call → :class:`LogAnalysis`.
- :mod:`~crm_analysis.weblog.outofcore`: :func:`parse_to_parquet` and
  :func:`sessionize_parquet` with DuckDB, for logs larger than memory;
  :func:`sessionize_spark`, the same sessions query on Spark (``[spark]`` extra).

Plots are in :mod:`crm_analysis.plots.weblog`.
"""

from crm_analysis.weblog.behaviour import (
    SHOP_STEPS,
    entry_exit_pages,
    funnel,
    page_types,
    reached_steps,
    session_depth,
    share_estimate,
    time_on_page,
)
from crm_analysis.weblog.clean import classify_requests, detect_bots, detection_scores, parse_user_agents
from crm_analysis.weblog.customers import customer_web_activity, group_summary, identify_visitors, web_vs_purchases
from crm_analysis.weblog.parse import FORMATS, ParsedLog, format_regex, parse_log
from crm_analysis.weblog.paths import most_likely_paths, observed_paths, path_flows, transition_matrix, transitions
from crm_analysis.weblog.pipeline import LogAnalysis, analyse_log
from crm_analysis.weblog.segments import Segments, cluster_sessions, describe, session_features
from crm_analysis.weblog.sessions import recovery, session_table, sessionize, timeout_effect, visitor_keys
from crm_analysis.weblog.triggers import Decision, abandoned_carts, decide, extra_checkouts, repeated_views, trigger_value

__all__ = [
    "FORMATS", "SHOP_STEPS", "Decision", "LogAnalysis", "ParsedLog", "Segments",
    "abandoned_carts", "analyse_log", "classify_requests", "cluster_sessions", "customer_web_activity",
    "decide", "describe", "detect_bots", "detection_scores", "entry_exit_pages", "extra_checkouts",
    "format_regex", "funnel", "group_summary", "identify_visitors", "most_likely_paths", "observed_paths",
    "page_types", "parse_log", "parse_user_agents", "path_flows", "reached_steps", "recovery",
    "repeated_views", "session_depth", "session_features", "session_table", "sessionize", "share_estimate",
    "time_on_page", "timeout_effect", "transition_matrix", "transitions", "trigger_value", "visitor_keys",
    "web_vs_purchases",
]
