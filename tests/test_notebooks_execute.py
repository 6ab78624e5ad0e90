"""Every stored notebook runs top to bottom at its default parameters, every cell
(solutions included), without an error: the guarantee ``pytest --nbval-lax`` gives.

The run is :func:`conftest.run_notebook`'s default run, the one the notebook's value tests
read, so each notebook's defaults are executed once per test run (nbval's second execution
of the same notebook is deselected in ``conftest.pytest_collection_modifyitems``). The
stored notebooks have no outputs, so nbval-lax compares none: a cell that raises is what
fails, here as there (papermill raises ``PapermillExecutionError`` naming the cell; a
cell tagged ``raises-exception`` may raise, as in nbval).
"""

from pathlib import Path

import pytest

NOTEBOOKS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.notebook
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(name, run_notebook):
    results = run_notebook(name)
    assert results, f"{name} recorded no key results (crm_analysis.results.record)"
