"""The set-up files agree with each other: one list of dependencies, CI runs `make test`."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_installs_this_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip == ['-e ".[test,lab]"']  # no second list of dependencies to drift


def test_extras_named_in_environment_exist():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {"test", "lab"} <= set(project["optional-dependencies"])
    assert project["scripts"]["crm-workbook"] == "crm_analysis.cli:main"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make reports") < readme.index("make test") < readme.index("## The notebooks")


def test_make_test_runs_units_notebook_values_and_nbval():
    dry = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    line = next(ln for ln in dry.splitlines() if "pytest" in ln)
    assert re.search(r"--nbval-lax", line) and " tests " in line and line.rstrip().endswith("notebooks")


def test_license_is_an_spdx_string_with_its_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "crm-workbook contributors" in text


def test_floors_cover_the_apis_the_code_calls():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    floors = dict(re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[a-z,]+\])?>=([0-9.]+)", d).groups() for d in deps)
    assert int(floors["numpy"].split(".")[0]) >= 2  # np.trapezoid
    assert int(floors["pandas"].split(".")[0]) >= 3  # the `str` dtype of text columns


def test_importing_the_clv_package_does_not_load_the_sql_engine():
    code = "import sys, crm_analysis.clv, crm_analysis.targeting; print('duckdb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.strip()
    assert out == "False"
