"""Render the workbook's notebooks into dated folders of HTML reports.

``runner.render`` drives a run; ``execute`` runs one notebook with papermill;
``export`` writes its HTML with the report header; ``index`` writes the manifest and
the index pages. The ``crm-workbook`` command (``crm_analysis.cli``) is the front end.
"""

from .runner import render

__all__ = ["render"]
