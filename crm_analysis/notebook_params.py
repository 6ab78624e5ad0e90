"""Discover the workbook's notebooks and validate parameters against their `parameters` cell.

papermill only *warns* about an unknown parameter and passes any value through, so a typo
in a schedule's YAML would silently run with defaults. Here every parameter is checked
before anything runs: unknown names and wrong types raise ``ParameterError`` naming the
source (file or command line), the notebook and the key.

The parameters cell is read with ``papermill.inspect_notebook``, which parses lines
written ``name: type = value  # help``.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[a-z0-9_]+\.ipynb$")
TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict,
}


class ParameterError(ValueError):
    """A parameter that does not fit a notebook's `parameters` cell."""


@dataclass(frozen=True)
class Parameter:
    """One knob of a notebook: declared type, default value and the help comment."""

    name: str
    type: str
    default: Any
    help: str


@dataclass(frozen=True)
class NotebookInfo:
    """A notebook in the workbook: its name (file stem), path, title and parameters."""

    name: str
    path: Path
    title: str
    parameters: dict[str, Parameter] = field(default_factory=dict)


def default_notebook_dir() -> Path:
    """The repository's ``notebooks/`` folder (the package is installed editable from it)."""
    return Path(__file__).resolve().parents[1] / "notebooks"


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def read_notebook_info(path: Path) -> NotebookInfo:
    """Read a notebook's title and its parameters (name, type, default, help)."""
    import papermill as pm

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    params = {}
    for name, spec in pm.inspect_notebook(str(path)).items():
        try:
            default = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError) as exc:
            raise ParameterError(
                f"{path}: parameter {name!r} has a default that is not a literal: {spec['default']}"
            ) from exc
        params[name] = Parameter(name, spec["inferred_type_name"], default, spec["help"])
    return NotebookInfo(path.stem, path, _title(nb, path.stem), params)


def discover_notebooks(directory: Path | None = None) -> list[NotebookInfo]:
    """Every ``NN_topic.ipynb`` in ``directory`` (default: the repo's notebooks/), sorted."""
    directory = Path(directory) if directory else default_notebook_dir()
    return [
        read_notebook_info(p)
        for p in sorted(directory.glob("*.ipynb"))
        if NOTEBOOK_PATTERN.match(p.name)
    ]


def resolve_notebooks(selection: list[str], available: list[NotebookInfo]) -> list[NotebookInfo]:
    """Map names from ``list`` (or paths to .ipynb files) to notebooks; empty means all."""
    if not selection:
        return list(available)
    by_name = {info.name: info for info in available}
    chosen = []
    for item in selection:
        stem = Path(item).stem if item.endswith(".ipynb") else item
        if item.endswith(".ipynb") and Path(item).is_file():
            chosen.append(read_notebook_info(Path(item)))
        elif stem in by_name:
            chosen.append(by_name[stem])
        else:
            close = difflib.get_close_matches(stem, list(by_name), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ParameterError(f"no notebook named {item!r}.{hint} See `crm-workbook list`.")
    return chosen


def parse_cli_value(text: str, declared: str) -> Any:
    """Convert a ``-p NAME VALUE`` string to the declared type of the parameter."""
    if declared == "str":
        return text
    if declared == "bool":
        lowered = text.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no"}:
            return False
        raise ValueError(f"{text!r} is not a bool (use true or false)")
    if declared == "int":
        return int(text)
    if declared == "float":
        return float(text)
    value = yaml.safe_load(text)  # list and dict as YAML/JSON flow syntax: [1, 2] or {a: 1}
    return value


def check_value(value: Any, declared: str) -> Any:
    """Return ``value`` as the declared type, or raise ``TypeError`` saying why not."""
    expected = TYPES.get(declared)
    if expected is None:  # a notebook parameter without a (known) annotation: accept as is
        return value
    if declared == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if declared == "int" and isinstance(value, bool):
        raise TypeError(f"expected int, got bool {value!r}")
    if not isinstance(value, expected):
        raise TypeError(f"expected {declared}, got {type(value).__name__} {value!r}")
    return value


def validate(info: NotebookInfo, values: dict[str, Any], source: str) -> dict[str, Any]:
    """Check names and types of ``values`` for one notebook; return them coerced.

    ``source`` names where the values came from (a file path or "command line") so the
    error message can say it.
    """
    checked = {}
    for key, value in values.items():
        spec = info.parameters.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(info.parameters), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ParameterError(
                f"{source}: notebook {info.name} ({info.path.name}) has no parameter {key!r}.{hint}"
                f" Its parameters: {', '.join(info.parameters) or 'none'}."
            )
        try:
            checked[key] = check_value(value, spec.type)
        except TypeError as exc:
            raise ParameterError(
                f"{source}: notebook {info.name} ({info.path.name}), parameter {key!r}: {exc}"
            ) from None
    return checked


class _NoDatesLoader(yaml.SafeLoader):
    """YAML loader that keeps ``2024-06-30`` a string, as papermill's CLI does."""


_NoDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_params_file(path: Path) -> dict[str, dict[str, Any]]:
    """Read a params YAML: a ``defaults:`` section plus one section per notebook name."""
    path = Path(path)
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoDatesLoader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"{path}: cannot read the parameters file: {exc}") from None
    if not isinstance(content, dict) or not all(
        isinstance(v, dict) for v in content.values()
    ):
        raise ParameterError(
            f"{path}: expected sections `defaults:` and `<notebook name>:`, each a mapping"
            " of parameter names to values"
        )
    return content


def plan_parameters(
    notebooks: list[NotebookInfo],
    params_file: Path | None = None,
    cli_values: list[tuple[str, str]] = (),
    as_of: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Merge parameters for each notebook (file defaults < file section < ``-p`` < as-of)
    and validate them all before anything runs.

    A key under ``defaults:`` or ``-p`` applies to every selected notebook that has that
    parameter; it is an error only if none of them has it. A notebook section's keys must
    all exist in that notebook.
    """
    file_sections = load_params_file(params_file) if params_file else {}
    names = {info.name for info in notebooks}
    source = str(params_file)
    unknown_sections = set(file_sections) - names - {"defaults"}
    if unknown_sections:
        raise ParameterError(
            f"{source}: section(s) {sorted(unknown_sections)} name no selected notebook;"
            f" notebooks: {sorted(names)}"
        )
    shared = file_sections.get("defaults", {})
    all_keys = set().union(*(info.parameters for info in notebooks)) if notebooks else set()
    for key in shared:
        if key not in all_keys:
            raise ParameterError(f"{source}: `defaults:` key {key!r} is a parameter of no notebook")
    for key, _ in cli_values:
        if key not in all_keys:
            close = difflib.get_close_matches(key, sorted(all_keys), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ParameterError(
                f"command line: -p {key}: no selected notebook has a parameter {key!r}.{hint}"
            )
    plan = {}
    for info in notebooks:
        values = {k: v for k, v in shared.items() if k in info.parameters}
        checked = validate(info, values, f"{source} (defaults)")
        checked.update(validate(info, file_sections.get(info.name, {}), source))
        for key, text in cli_values:
            if key in info.parameters:
                try:
                    checked[key] = parse_cli_value(text, info.parameters[key].type)
                except (ValueError, yaml.YAMLError) as exc:
                    raise ParameterError(
                        f"command line: -p {key} {text}: notebook {info.name}: {exc}"
                    ) from None
                checked.update(validate(info, {key: checked[key]}, "command line"))
        if as_of is not None and "as_of" in info.parameters:
            checked["as_of"] = as_of
        plan[info.name] = checked
    return plan


def effective_parameters(info: NotebookInfo, overrides: dict[str, Any]) -> dict[str, Any]:
    """Defaults of the notebook updated with the overrides actually passed."""
    return {**{k: p.default for k, p in info.parameters.items()}, **overrides}
