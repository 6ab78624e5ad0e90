"""Notebook hygiene: every notebook follows the workbook's rules (CONTRIBUTING.md).

Stored clean (no outputs, kernelspec python3, `make strip` a no-op); one `parameters` cell,
first among code cells, of plain literals written `name: type = value  # help`; a `seed`
where the notebook samples; data only through `crm_analysis.data`; no logic defined in the
notebook; and the lesson structure (title with learning goals and the Korean term, a
decision section, at least three exercises).
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

from crm_analysis.notebook_params import NOTEBOOK_PATTERN, TYPES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_CODE_LINES = 15
HANGUL = re.compile(r"[\uac00-\ud7a3]")
FORBIDDEN = {
    "absolute path": re.compile(r"""["'](/|[A-Za-z]:\\)[^"']*["']"""),
    "../shared": re.compile(r"\.\./shared"),
    "today()/now()": re.compile(r"\b(date|datetime|Timestamp)\.(today|now)\(|\bpd\.Timestamp\.now"),
    "direct file read": re.compile(r"\bpd\.read_(csv|parquet|excel|table)\(|\bopen\("),
}
SAMPLING = re.compile(r"simulate_|\.sample\(|random|bootstrap|train_test_split|seed")


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb"


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    path = request.param
    return path, nbformat.read(str(path), as_version=4)


def test_name_and_format(notebook):
    path, nb = notebook
    assert NOTEBOOK_PATTERN.match(path.name), f"{path.name}: name must be NN_topic.ipynb"
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: kernelspec name must be 'python3'"
    )


def test_stored_without_outputs(notebook):
    path, nb = notebook
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; run `make strip`"


def test_strip_is_a_no_op(notebook):
    path, _ = notebook
    keys = re.search(r"^STRIP_KEYS := (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    proc = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--verify", "--extra-keys", keys, str(path)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, f"{path.name}: `make strip` would change it: {proc.stdout}{proc.stderr}"


def _parameter_lines(source: str):
    comments = {tok.start[0]: tok.string for tok in
                tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.COMMENT}
    for node in ast.parse(source).body:
        yield node, comments.get(node.lineno)


def test_parameters_cell(notebook):
    path, nb = notebook
    code = _code_cells(nb)
    tagged = [i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0], f"{path.name}: exactly one `parameters` cell, the first code cell"
    source = code[0].source
    names = []
    for node, comment in _parameter_lines(source):
        where = f"{path.name}, parameters line {node.lineno}"
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name), (
            f"{where}: write `name: type = value  # help`"
        )
        assert isinstance(node.annotation, ast.Name) and node.annotation.id in TYPES, (
            f"{where}: type must be one of {sorted(TYPES)}"
        )
        ast.literal_eval(node.value)  # raises if not a plain literal
        assert comment and len(comment.lstrip("# ").strip()) > 3, f"{where}: add a `# help` comment"
        assert "=" not in comment, f"{where}: keep `=` out of the help text (papermill skips the line)"
        names.append(node.target.id)
    assert names, f"{path.name}: the parameters cell is empty"
    rest = "\n".join(c.source for c in code[1:])
    if SAMPLING.search(rest):
        assert "seed" in names, f"{path.name}: samples or simulates, so it needs a `seed` parameter"


def test_code_cells_narrate(notebook):
    path, nb = notebook
    for i, cell in enumerate(_code_cells(nb)):
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        # the parameters cell is declarations only (one line each), however many there are
        is_parameters = "parameters" in cell.metadata.get("tags", [])
        assert is_parameters or len(lines) <= MAX_CODE_LINES, (
            f"{path.name}: code cell {i} has {len(lines)} lines; move logic into crm_analysis"
        )
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef,
                                                               ast.AsyncFunctionDef))]
        assert not defined, f"{path.name}: code cell {i} defines functions/classes"
        for what, pattern in FORBIDDEN.items():
            assert not pattern.search(cell.source), f"{path.name}: code cell {i} uses {what}"


def test_reads_like_a_lesson(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        f"{path.name}: open with a markdown title cell"
    )
    assert re.search(r"learning goals", first.source, re.I), f"{path.name}: state learning goals"
    assert HANGUL.search(first.source), f"{path.name}: give the sources' Korean term in the opening"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"^#+ .*Decision", markdown, re.M), f"{path.name}: needs a Decision section"
    exercises = re.split(r"^#+ .*Exercises.*$", markdown, flags=re.M)
    assert len(exercises) > 1, f"{path.name}: needs an Exercises section"
    items = re.findall(r"^\s*(?:\d+\.|[-*])\s+\S", exercises[-1], flags=re.M)
    assert len(items) >= 3, f"{path.name}: give at least three exercises"
    code = "\n".join(c.source for c in _code_cells(nb))
    assert "record(" in code, f"{path.name}: record its key results"
