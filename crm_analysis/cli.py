"""The ``crm-workbook`` command: list notebooks, check a data profile, render notebooks into
HTML reports.

Exit codes: 0 all notebooks rendered ok; 1 at least one notebook failed (the others
still rendered); 2 usage or parameter error (nothing rendered); 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import textwrap
from pathlib import Path

from .notebook_params import (
    ParameterError,
    discover_notebooks,
    is_iso_date,
    plan_parameters,
    resolve_notebooks,
    run_as_of,
    settle_as_of,
)
from .report.editions import EDITIONS, export_notebooks

EPILOG = textwrap.dedent(
    """\
    parameters file (YAML, -f): a `defaults:` section applies to every notebook that has
    the parameter; a section named after a notebook applies to it alone. Precedence:
    defaults < notebook section < -p. Unknown names, wrong types, NaN or infinite numbers
    and values outside a parameter's declared range or choices (shown by `list`) are
    errors (exit 2) and nothing runs. `as_of` may be given in the file or with -p instead
    of --as-of; given both ways with different dates it is an error.

      defaults:
        seed: 7
      03_lifetime_value:
        data_source: cdnow
        annual_discount_rate: 0.1

    output: <output-dir>/<as-of>/ holds one HTML report and the executed .ipynb per
    notebook, manifest.json, index.html (course map and results) and glossary.html;
    <output-dir>/index.html lists the runs. --edition instructor also runs the worked
    solutions (cells tagged `solution`) into <output-dir>/<as-of>-instructor/.

    scheduling (cron, every Monday 06:00, a dated run with a parameters file):
      0 6 * * 1  cd /srv/crm-workbook && .venv/bin/crm-workbook render \\
                   -f schedule.yaml --as-of "$(date +\\%F)" --jobs 2 >> reports/cron.log 2>&1

    exit codes: 0 ok; 1 a notebook failed (the others rendered); 2 bad usage or
    parameters (nothing rendered); 130 interrupted (nothing published).

    one render at a time writes into an output folder: a second one says it is waiting
    and starts when the first has published. A run is published in one atomic step.
    """
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-workbook",
        description="CRM analytics workbook: list the notebooks and render them into HTML reports.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("--notebook-dir", type=Path, default=None,
                        help="folder of NN_topic.ipynb notebooks (default: the workbook's notebooks/)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="list notebooks with their title and parameters")

    data = sub.add_parser("data", help="check a data profile (YAML) describing your own data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    check = data_sub.add_parser(
        "check", help="load every table of a data profile and show what was read, kept, "
                      "dropped and netted; exit 0 if usable, 2 if not")
    check.add_argument("profile", type=Path, metavar="PROFILE", help="data profile (YAML)")
    check.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                       help="leave out rows dated after this day (default: keep all)")

    render = sub.add_parser(
        "render", help="execute notebooks and write HTML reports",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
    )
    render.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="notebook name from `list` or path to an .ipynb (default: all)")
    render.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="set a parameter (repeatable)")
    render.add_argument("-f", "--params-file", type=Path, help="parameters YAML file")
    render.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                        help="as-of date: sets every notebook's `as_of` and names the run "
                             "folder (default: the as_of given with -p or -f, else today)")
    render.add_argument("--data", type=Path, default=None, metavar="PROFILE",
                        help="data profile (YAML) of your own data: renders every notebook whose "
                             "tables (notebook metadata crm_workbook.tables) it has, with the "
                             "profile as the `data` parameter; the others are listed as not run")
    render.add_argument("--output-dir", type=Path, default=Path("reports"),
                        help="where run folders go (default: reports)")
    render.add_argument("--show-code", action="store_true", help="include code cells in the HTML")
    render.add_argument("--jobs", type=int, default=1, help="notebooks run at once (default 1)")
    render.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="per-cell execution limit in seconds (default: none)")
    render.add_argument("--edition", choices=EDITIONS, default="student",
                        help="student (default): without the worked solutions, into "
                             "<output-dir>/<as-of>/; instructor: with the solutions (cells "
                             "tagged `solution`) executed and their code shown, into "
                             "<output-dir>/<as-of>-instructor/")

    export = sub.add_parser(
        "export", help="write copies of the notebooks (outputs cleared) for handing out")
    export.add_argument("directory", type=Path, metavar="DIR", help="folder to write into")
    export.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="notebook name from `list` or path to an .ipynb (default: all)")
    export.add_argument("--edition", choices=EDITIONS, required=True,
                        help="student: without the solution cells; instructor: with them")
    return parser


def _list(notebook_dir: Path | None) -> int:
    for info in discover_notebooks(notebook_dir):
        print(f"{info.name}  —  {info.title}")
        for p in info.parameters.values():
            print(f"    {p.name}: {p.type} = {p.default!r}" + (f"  # {p.help}" if p.help else ""))
        print()
    return 0


def _absolute_data_paths(plan: dict) -> None:
    """A relative `data` profile path is read from the current folder (not the notebooks')."""
    for values in plan.values():
        if values.get("data"):
            path = Path(values["data"]).expanduser()
            if not path.is_file():
                raise ParameterError(f"data profile {values['data']!r} not found (from {Path.cwd()})")
            values["data"] = str(path.resolve())


def notebook_tables(info) -> list[str]:
    """The profile tables a notebook needs (its metadata ``crm_workbook.tables``)."""
    import nbformat

    meta = nbformat.read(str(info.path), as_version=4).metadata.get("crm_workbook", {})
    return list(meta.get("tables", []))


def _plan_data(profile_path: Path, chosen: list, plan: dict) -> tuple[list, dict[str, str]]:
    """Notebooks to run with the profile as `data`, and why each other one is not run."""
    from .data import load_profile

    try:
        profile = load_profile(profile_path)
    except ValueError as exc:
        raise ParameterError(f"--data: {exc}") from None
    run, not_run = [], {}
    for info in chosen:
        tables = notebook_tables(info)
        missing = [t for t in tables if not profile.has(t)]
        if "data" not in info.parameters or not tables:
            not_run[info.name] = "not run: reads no table of a data profile"
        elif missing:
            not_run[info.name] = f"not run: needs a {' and a '.join(missing)} table"
        else:
            plan.setdefault(info.name, {})["data"] = str(profile.path)
            run.append(info)
    return run, not_run


def _data_check(args: argparse.Namespace) -> int:
    from .data import load_profile
    from .data.check import check_profile, format_check

    if args.as_of is not None:
        try:
            dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise ParameterError(f"--as-of {args.as_of!r} is not a date written YYYY-MM-DD") from None
    try:
        profile = load_profile(args.profile)
        checks = check_profile(profile, as_of=args.as_of)
    except ValueError as exc:  # ProfileError, DataValidationError: file, key or column, rows
        print(f"crm-workbook: error: {exc}", file=sys.stderr)
        return 2
    print(format_check(profile, checks))
    return 0


def _render(args: argparse.Namespace) -> int:
    if args.as_of is not None and not is_iso_date(args.as_of):
        raise ParameterError(f"--as-of {args.as_of!r} is not a date written YYYY-MM-DD")
    if args.jobs < 1:
        raise ParameterError("--jobs must be at least 1")
    if args.timeout is not None and not (math.isfinite(args.timeout) and args.timeout > 0):
        raise ParameterError(f"--timeout {args.timeout:g} must be a positive number of seconds")
    if args.params_file is not None and not args.params_file.is_file():
        raise ParameterError(f"{args.params_file}: parameters file not found")
    available = discover_notebooks(args.notebook_dir)
    chosen = resolve_notebooks(args.notebooks, available)
    plan = plan_parameters(chosen, args.params_file, [tuple(p) for p in args.parameter],
                           args.as_of)
    as_of = args.as_of or run_as_of(plan, dt.date.today().isoformat())
    settle_as_of(chosen, plan, as_of, str(args.params_file))
    _absolute_data_paths(plan)
    not_run: dict[str, str] = {}
    if args.data is not None:
        chosen, not_run = _plan_data(args.data, chosen, plan)

    from .report import render
    from .report.runner import DiskFullError, check_output_dir, run_folder_name

    try:
        check_output_dir(args.output_dir)
    except OSError as exc:
        raise ParameterError(str(exc)) from None
    try:
        manifest = render(chosen, plan, as_of, args.output_dir, show_code=args.show_code,
                          jobs=args.jobs, timeout=args.timeout, not_run=not_run,
                          edition=args.edition)
    except DiskFullError as exc:
        print(f"crm-workbook: error: {exc.strerror}", file=sys.stderr)
        return 1
    rendered = {info.name for info in chosen}  # a run may also hold earlier notebooks
    failed = [nb for nb in manifest["notebooks"] if nb["name"] in rendered and nb["status"] != "ok"]
    skipped = f", {len(not_run)} not run" if not_run else ""
    folder = run_folder_name(as_of, args.edition)
    print(f"Report: {args.output_dir / folder / 'index.html'}  ({len(rendered) - len(failed)} ok,"
          f" {len(failed)} failed{skipped})")
    for name, reason in not_run.items():
        print(f"{name}: {reason}")
    for nb in failed:
        err = nb.get("error") or {}
        count = err.get("execution_count")
        where = f" at cell In [{count}]" if count is not None else ""
        print(f"FAILED {nb['name']}{where}: {err.get('ename')}: {err.get('evalue')}",
              file=sys.stderr)
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    import nbformat

    from .report.editions import count_solutions

    chosen = resolve_notebooks(args.notebooks, discover_notebooks(args.notebook_dir))
    if args.directory.exists() and not args.directory.is_dir():
        raise ParameterError(f"{args.directory} is a file, not a folder")
    solutions = sum(count_solutions(nbformat.read(str(i.path), as_version=4)) for i in chosen)
    written = export_notebooks([info.path for info in chosen], args.directory, args.edition)
    kept = "kept" if args.edition == "instructor" else "left out"
    print(f"{args.edition} edition: {len(written)} notebook(s) written to {args.directory}"
          f" (outputs cleared; {solutions} solution cell(s) {kept})")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            return _list(args.notebook_dir)
        if args.command == "data":
            return _data_check(args)
        if args.command == "export":
            return _export(args)
        return _render(args)
    except ParameterError as exc:
        print(f"crm-workbook: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crm-workbook: interrupted; nothing was published", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
