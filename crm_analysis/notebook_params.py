"""Discover the workbook's notebooks and validate parameters against their `parameters` cell.

papermill only *warns* about an unknown parameter and passes any value through, so a typo
in a schedule's YAML would silently run with defaults. Here every parameter is checked
before anything runs: unknown names and wrong types raise ``ParameterError`` naming the
source (file or command line), the notebook and the key.

The parameters cell is read with ``papermill.inspect_notebook``, which parses lines
written ``name: type = value  # help``. The help of a numeric parameter ends with its
allowed range, ``[low, high]`` (``(``/``)`` for open ends, ``inf`` for none), and the help
of a choice parameter with its choices, ``{a, b, c}``; values outside are refused, and
so are NaN and infinite numbers (``nan``, ``inf``, ``1e309``) anywhere. An ``as_of``
value must be an ISO date ``YYYY-MM-DD``.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import json
import math
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


_NUMBER = r"[-+]?(?:inf|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
_RANGE = re.compile(rf"([\[(])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([\])])\s*$")
_CHOICES = re.compile(r"\{([^{}]*)\}\s*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Constraint:
    """Allowed values declared at the end of a parameter's help: a range or choices."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] | None = None

    def describe(self) -> str:
        if self.choices is not None:
            return "{" + ", ".join(str(c) for c in self.choices) + "}"
        def end(x: float) -> str:
            if math.isinf(x):
                return "inf" if x > 0 else "-inf"
            return str(int(x)) if x.is_integer() else repr(x)
        return (f"{'(' if self.low_open else '['}{end(self.low)}, {end(self.high)}"
                f"{')' if self.high_open else ']'}")

    def allows(self, value: Any) -> bool:
        if self.choices is not None:
            return value in self.choices
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


def parse_constraint(help_text: str, declared: str) -> Constraint | None:
    """The range (``[0, 1]``, ``(0, inf)``) or choices (``{D, W, M}``) that end ``help_text``.

    Ranges apply to ``int``/``float`` parameters, choices to ``str``/``int``/``float``;
    a choice is read as the parameter's type.
    """
    text = (help_text or "").strip()
    if declared in ("int", "float"):
        found = _RANGE.search(text)
        if found:
            low, high = (float(x.replace("_", "")) for x in found.group(2, 3))
            if low > high:
                raise ValueError(f"range {found.group(0).strip()} has low > high")
            return Constraint(low, high, found.group(1) == "(", found.group(4) == ")")
    if declared in ("str", "int", "float"):
        found = _CHOICES.search(text)
        if found:
            items = [c.strip() for c in found.group(1).split(",") if c.strip()]
            convert = {"str": str, "int": int, "float": float}[declared]
            return Constraint(choices=tuple(convert(c) for c in items))
    return None


@dataclass(frozen=True)
class Parameter:
    """One knob of a notebook: declared type, default value, help comment and the
    allowed values declared at the end of the help (None: any value of the type)."""

    name: str
    type: str
    default: Any
    help: str
    constraint: Constraint | None = None


@dataclass(frozen=True)
class NotebookInfo:
    """A notebook in the workbook: its name (file stem), path, title, parameters and the
    names of the key results its index row shows first (metadata ``crm_workbook.headlines``)."""

    name: str
    path: Path
    title: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    headlines: list[str] = field(default_factory=list)


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
    """Read a notebook's title and its parameters (name, type, default, help, constraint).

    Raises ``ParameterError`` naming the file if it is not a readable notebook, a
    default is not a literal, or a declared range or choice list is malformed.
    """
    import papermill as pm

    path = Path(path)
    try:
        nb = nbformat.read(str(path), as_version=4)
        inspected = pm.inspect_notebook(str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: cannot read the notebook ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - nbformat's NotJSONError, ValidationError, ...
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise ParameterError(
            f"{path}: not a Jupyter notebook (.ipynb must be notebook JSON):"
            f" {type(exc).__name__}: {first}") from None
    params = {}
    for name, spec in inspected.items():
        try:
            default = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError) as exc:
            raise ParameterError(
                f"{path}: parameter {name!r} has a default that is not a literal: {spec['default']}"
            ) from exc
        try:
            constraint = parse_constraint(spec["help"], spec["inferred_type_name"])
        except ValueError as exc:
            raise ParameterError(f"{path}: parameter {name!r}: {exc}") from None
        params[name] = Parameter(name, spec["inferred_type_name"], default, spec["help"],
                                 constraint)
    headlines = list(nb.metadata.get("crm_workbook", {}).get("headlines", []))
    return NotebookInfo(path.stem, path, _title(nb, path.stem), params, headlines)


def discover_notebooks(directory: Path | None = None) -> list[NotebookInfo]:
    """Every ``NN_topic.ipynb`` in ``directory`` (default: the repo's notebooks/), sorted.

    A ``directory`` that is missing, not a folder or holds no such notebook is an error.
    """
    directory = Path(directory) if directory else default_notebook_dir()
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "does not exist"
        raise ParameterError(f"--notebook-dir {directory} {what}")
    found = [
        read_notebook_info(p)
        for p in sorted(directory.glob("*.ipynb"))
        if NOTEBOOK_PATTERN.match(p.name)
    ]
    if not found:
        raise ParameterError(f"--notebook-dir {directory} holds no notebook named like"
                             " 01_topic.ipynb")
    return found


def resolve_notebooks(selection: list[str], available: list[NotebookInfo]) -> list[NotebookInfo]:
    """Map names from ``list`` (or paths to .ipynb files) to notebooks; empty means all.

    A notebook named twice runs once; two different files with one name are refused
    (their reports would overwrite each other).
    """
    if not selection:
        return list(available)
    by_name = {info.name: info for info in available}
    chosen: dict[str, NotebookInfo] = {}
    for item in selection:
        stem = Path(item).stem if item.endswith(".ipynb") else item
        if item.endswith(".ipynb") and Path(item).is_file():
            info = read_notebook_info(Path(item))
        elif stem in by_name:
            info = by_name[stem]
        else:
            close = difflib.get_close_matches(stem, list(by_name), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            if item.endswith(".ipynb") and Path(item).exists():
                raise ParameterError(f"{item} is not a notebook file")
            raise ParameterError(f"no notebook named {item!r}.{hint} See `crm-workbook list`.")
        earlier = chosen.get(info.name)
        if earlier is not None and earlier.path.resolve() != info.path.resolve():
            raise ParameterError(
                f"two notebooks are named {info.name}: {earlier.path} and {info.path}; their"
                " reports would overwrite each other. Render them into separate --output-dir.")
        chosen.setdefault(info.name, info)
    return list(chosen.values())


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


def _non_finite(value: Any) -> Any:
    """The first NaN or infinite float inside ``value`` (lists and dicts searched), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = _non_finite(item)
        if found is not None:
            return found
    return None


def check_value(value: Any, declared: str, constraint: Constraint | None = None,
                name: str = "") -> Any:
    """Return ``value`` as the declared type, or raise ``TypeError``/``ValueError`` saying why not."""
    bad = _non_finite(value)
    if bad is not None:
        raise ValueError(f"{bad!r} is not a finite number"
                         + (f"; allowed: {constraint.describe()}" if constraint else "")
                         + "; write a plain number")
    expected = TYPES.get(declared)
    if expected is not None:
        if declared == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif declared == "int" and isinstance(value, bool):
            raise TypeError(f"expected int, got bool {value!r}")
        elif not isinstance(value, expected):
            raise TypeError(f"expected {declared}, got {type(value).__name__} {value!r}")
    if constraint is not None and not constraint.allows(value):
        if constraint.choices is not None:
            raise ValueError(f"{value!r} is not one of the allowed {constraint.describe()}")
        raise ValueError(f"{value!r} is outside the allowed range {constraint.describe()}")
    if name == "as_of" and isinstance(value, str) and value and not is_iso_date(value):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
    return value


def is_iso_date(text: str) -> bool:
    """True for a real calendar date written ``YYYY-MM-DD`` (not ``20250630``)."""
    if not ISO_DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


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
            checked[key] = check_value(value, spec.type, spec.constraint, key)
        except (TypeError, ValueError) as exc:
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


class _StrictLoader(_NoDatesLoader):
    """``_NoDatesLoader`` that refuses a key repeated within one mapping (plain YAML
    keeps the last value silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"key {key!r} appears twice in one section (line {seen[key].start_mark.line + 1}"
                    f" and line {key_node.start_mark.line + 1}); keep one",
                    key_node.start_mark)
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _decode_text(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and b"\x00" in raw[:200]):
        raise ParameterError(f"{path}: the parameters file is UTF-16 text; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ParameterError(
            f"{path}: the parameters file is not UTF-8 text (line {line} has byte"
            f" 0x{raw[exc.start]:02x}); save it as UTF-8") from None


def load_params_file(path: Path) -> dict[str, dict[str, Any]]:
    """Read a params YAML: a ``defaults:`` section plus one section per notebook name."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{path}: cannot read the parameters file: {exc.strerror or exc}") from None
    try:
        content = yaml.load(_decode_text(path, raw), Loader=_StrictLoader) or {}
    except yaml.YAMLError as exc:
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
                checked.update(validate(info, {key: checked[key]}, f"command line: -p {key} {text}"))
        plan[info.name] = checked
    settle_as_of(notebooks, plan, as_of, source)
    return plan


def settle_as_of(notebooks: list[NotebookInfo], plan: dict[str, dict[str, Any]],
                  as_of: str | None, source: str) -> None:
    """``--as-of`` sets every notebook's ``as_of``; an ``as_of`` from ``-p`` or the file
    that differs from it is refused (not silently replaced)."""
    if as_of is None:
        return
    for info in notebooks:
        if "as_of" not in info.parameters:
            continue
        given = plan[info.name].get("as_of")
        if given not in (None, "", as_of):
            raise ParameterError(
                f"notebook {info.name}: parameter 'as_of' is {given!r} (from -p or {source})"
                f" but --as-of is {as_of!r}; give the date once")
        plan[info.name]["as_of"] = as_of


def run_as_of(plan: dict[str, dict[str, Any]], today: str) -> str:
    """The as-of date that names the run when ``--as-of`` is not given: the ``as_of``
    given with ``-p`` or in the parameters file, else ``today``. Notebooks given
    different dates are refused (one run folder has one as-of date)."""
    given = {values["as_of"] for values in plan.values() if values.get("as_of")}
    if len(given) > 1:
        where = ", ".join(f"{name}: {values['as_of']}" for name, values in plan.items()
                          if values.get("as_of"))
        raise ParameterError(
            f"notebooks are given different as_of dates ({where}); one run has one as-of"
            " date: render them separately or pass --as-of")
    return given.pop() if given else today


def effective_parameters(info: NotebookInfo, overrides: dict[str, Any]) -> dict[str, Any]:
    """Defaults of the notebook updated with the overrides actually passed."""
    return {**{k: p.default for k, p in info.parameters.items()}, **overrides}
