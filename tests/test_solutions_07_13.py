"""Worked solutions of notebooks 07–13: one per exercise, in the fixed format.

Right after the notebook's one "## Exercises" cell, for each exercise i in order: a markdown
cell tagged ``solution`` that starts ``**Solution i.**``, then one or more code cells tagged
``solution`` whose last one checks the solution's claims with ``assert``. The claims
themselves are checked where the code runs (nbval executes the stored notebooks).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if 7 <= int(p.name[:2]) <= 13)
ITEM = re.compile(r"^(\d+)\.\s+\S", re.M)


def _tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def _has_assert(source: str) -> bool:
    return any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(source)))


def test_the_seven_notebooks_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == ["07", "08", "09", "10", "11", "12", "13"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_one_solution_per_exercise(path):
    nb = nbformat.read(str(path), as_version=4)
    heads = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "markdown" and re.search(r"^## Exercises", c.source, re.M)]
    assert len(heads) == 1, f"{path.name}: needs exactly one '## Exercises' cell, found {len(heads)}"
    numbers = [int(n) for n in ITEM.findall(nb.cells[heads[0]].source)]
    assert numbers and numbers == list(range(1, len(numbers) + 1)), (
        f"{path.name}: the exercises must be a numbered list 1..n, found {numbers}")

    following = nb.cells[heads[0] + 1:]
    solutions = [c for c in following if "solution" in _tags(c)]
    starts = [c.source.split("**")[1] for c in solutions
              if c.cell_type == "markdown" and c.source.startswith("**Solution ")]
    assert starts == [f"Solution {i}." for i in numbers], (
        f"{path.name}: expected one '**Solution i.**' cell per exercise {numbers}, found {starts}")

    for i in numbers:
        opening = next(k for k, c in enumerate(following) if c.cell_type == "markdown"
                       and c.source.startswith(f"**Solution {i}.**"))
        assert "solution" in _tags(following[opening]), f"{path.name}: solution {i} is not tagged"
        code = []
        for cell in following[opening + 1:]:
            if cell.cell_type != "code":
                break
            code.append(cell)
        assert code, f"{path.name}: solution {i} has no code cell after its explanation"
        assert all("solution" in _tags(c) for c in code), (
            f"{path.name}: a code cell of solution {i} is not tagged 'solution'")
        assert len(code) <= 2, f"{path.name}: solution {i} has {len(code)} code cells; keep it to 1–2"
        assert _has_assert(code[-1].source), (
            f"{path.name}: the last code cell of solution {i} checks nothing (no assert)")

    untagged = [c for c in following if "solution" not in _tags(c)]
    assert not untagged, f"{path.name}: {len(untagged)} untagged cells after the Exercises"
