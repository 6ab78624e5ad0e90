"""The set-up files agree with each other: one list of dependencies, CI runs `make test`."""

import re
import subprocess
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
