"""Plotting, kept apart from computation.

One module per topic. Every function takes the data (or a result object)
produced by a computing module plus an optional ``ax=`` and returns the
matplotlib Axes (or Figure for multi-panel plots). Nothing here computes a
number that a notebook reports.
"""

from ._fonts import register_korean_font

register_korean_font()
