"""crm_analysis: the computing behind the crm-workbook notebooks.

Topic modules return DataFrames or result objects; drawing lives in
``crm_analysis.plots``; ``crm_analysis.data`` is the one way to get data;
``crm_analysis.results`` records a notebook's headline figures; and
``crm_analysis.report`` renders notebooks into dated HTML reports.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-workbook")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+unknown"
