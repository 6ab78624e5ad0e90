"""crm_analysis: the computing behind the crm-workbook notebooks.

One subpackage per notebook topic (``marketing``, ``clv``, ``targeting``, ``offers``,
``loyalty``, ``insurance``, …; the map is in the README's "How it is built"); they return
DataFrames or result objects, estimates in the one shape of ``crm_analysis.estimates``,
and share ``crm_analysis.common`` (column and value checks, score groups, top-k). Drawing
lives in ``crm_analysis.plots`` (one module per topic); ``crm_analysis.data`` is the one way to get data;
``crm_analysis.results`` records a notebook's headline figures; and
``crm_analysis.report`` renders notebooks into dated HTML reports.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-workbook")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+unknown"
