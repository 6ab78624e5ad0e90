"""Shared fixtures: executing notebooks once per session, and the real-data folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="session")
def run_notebook(tmp_path_factory):
    """Execute a notebook with papermill (fresh kernel, cwd ``notebooks/``) and
    return its recorded key results as ``{name: Result}``.

    Runs are cached per (notebook, parameters) for the whole session, so several
    value tests share one execution. Usage::

        results = run_notebook("04_target_customer_selection", seed=7)
        assert results["auc"].value > 0.6
    """
    import papermill as pm

    from crm_analysis.results import read_results

    out_dir = tmp_path_factory.mktemp("executed")
    cache: dict[str, dict] = {}

    def run(name: str, **parameters):
        key = json.dumps([name, parameters], sort_keys=True, default=str)
        if key not in cache:
            out = out_dir / f"{name}-{len(cache)}.ipynb"
            pm.execute_notebook(
                str(NOTEBOOKS / f"{name}.ipynb"),
                str(out),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(NOTEBOOKS),
                progress_bar=False,
            )
            cache[key] = read_results(out)
        return cache[key]

    return run


@pytest.fixture(scope="session")
def real_data_home() -> Path:
    """The folder of real public data sets named by ``$CRM_WORKBOOK_DATA``; skips without it."""
    home = os.environ.get("CRM_WORKBOOK_DATA")
    if not home or not Path(home).is_dir():
        pytest.skip("real data sets not available: set CRM_WORKBOOK_DATA to their folder")
    return Path(home)


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test session (the JVM starts once, ~5 s).

    Skips, saying why, when pyspark (the ``spark`` extra) or Java is missing."""
    import shutil

    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("pyspark is not installed: pip install -e '.[spark]' (the test extra includes it)")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("Spark needs Java 17+: no java on PATH and JAVA_HOME unset")
    from crm_analysis.clv.summary_spark import local_spark_session

    session = local_spark_session("local[2]", spark_driver_memory="1g",
                                  spark_sql_shuffle_partitions="4")
    yield session
    session.stop()
