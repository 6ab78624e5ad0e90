"""Shared fixtures: executing notebooks once per session, and the real-data folder."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def notebook_run_folder(tmp_path_factory) -> Path:
    """The folder of this test run's executed notebooks, shared by the pytest-xdist workers
    (their temp folders are ``<run>/gwN``), so a run made by one worker serves them all."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "notebook-runs"
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    """Hold an exclusive lock on ``lock_path`` (other workers wait); no-op without fcntl."""
    try:
        import fcntl
    except ImportError:  # Windows: no sharing between workers, each executes its own runs
        yield
        return
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def run_notebook(tmp_path_factory):
    """Execute a notebook with papermill (fresh kernel, cwd ``notebooks/``) and
    return its recorded key results as ``{name: Result}``.

    Each (notebook, parameters) is executed **once per test run**, whatever the number of
    tests and pytest-xdist workers that ask for it: the executed notebook is kept in
    :func:`notebook_run_folder`; a worker that needs a run another worker is making waits
    for it (a file lock) and reads its outputs. A failing cell raises papermill's
    ``PapermillExecutionError`` (naming the cell) in every test that asked for the run.
    Runs with parameters execute the student edition (solution cells, tagged
    ``solution``, left out), so value tests at other seeds do not pay for them; the default
    run (no parameters) executes the stored notebook, solutions included: it is the run
    ``tests/test_notebooks_execute.py`` checks top to bottom, in place of nbval. Usage::

        results = run_notebook("04_target_customer_selection", seed=7)
        assert results["auc"].value > 0.6
    """
    import hashlib

    import nbformat
    import papermill as pm

    from crm_analysis.report.editions import edition_notebook
    from crm_analysis.results import read_results

    folder = notebook_run_folder(tmp_path_factory)
    cache: dict[str, dict] = {}

    def run(name: str, **parameters):
        parameters = _without_defaults(name, parameters)
        key = json.dumps([name, parameters], sort_keys=True, default=str)
        if key not in cache:
            stem = f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
            out, failed = folder / f"{stem}.ipynb", folder / f"{stem}.failed"
            with _exclusive(folder / f"{stem}.lock"):
                if failed.exists():  # another worker's run of it failed: fail the same way
                    raise RuntimeError(f"notebook {name} with {parameters or 'its defaults'} failed "
                                       f"in another test:\n{failed.read_text()}")
                if not out.exists():
                    partial = folder / f"{stem}.running.ipynb"
                    source = NOTEBOOKS / f"{name}.ipynb"
                    if parameters:  # student edition: no solution cells
                        source = folder / f"{stem}-student.ipynb"
                        nbformat.write(edition_notebook(NOTEBOOKS / f"{name}.ipynb", "student"), str(source))
                    try:
                        pm.execute_notebook(
                            str(source),
                            str(partial),
                            parameters=parameters,
                            kernel_name="python3",
                            cwd=str(NOTEBOOKS),
                            progress_bar=False,
                        )
                    except Exception as error:
                        failed.write_text(str(error)[-5000:])
                        raise
                    partial.rename(out)
            cache[key] = read_results(out)
        return cache[key]

    return run


def _without_defaults(name: str, parameters: dict) -> dict:
    """``parameters`` less those equal to the notebook's own default (same value and type),
    so ``run_notebook(nb, seed=7)`` shares the default run when 7 is the default seed."""
    import ast

    import papermill as pm

    if not parameters:
        return parameters
    declared = pm.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    kept = {}
    for key, value in parameters.items():
        try:
            default = ast.literal_eval(declared[key]["default"])
        except (KeyError, ValueError, SyntaxError):
            kept[key] = value
            continue
        if not (type(default) is type(value) and default == value):
            kept[key] = value
    return kept


def pytest_collection_modifyitems(config, items):
    """Deselect nbval's cells of a notebook whose stored version is executed top to bottom
    by ``tests/test_notebooks_execute.py`` in the same run (through :func:`run_notebook`,
    whose default run the value tests share): nbval would execute it a second time.
    ``pytest --nbval-lax notebooks/NN_x.ipynb`` alone still runs nbval."""
    executed = {item.callspec.params["name"] for item in items
                if getattr(item, "originalname", None) == "test_notebook_runs_top_to_bottom"}
    if not executed:
        return
    keep, dropped = [], []
    for item in items:
        path = Path(str(getattr(item, "path", "")))
        nbval_cell = path.suffix == ".ipynb" and type(item).__module__.startswith("nbval")
        (dropped if nbval_cell and path.stem in executed else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def real_data_home() -> Path:
    """The folder of real public data sets named by ``$CRM_WORKBOOK_DATA``; skips without it."""
    home = os.environ.get("CRM_WORKBOOK_DATA")
    if not home or not Path(home).is_dir():
        pytest.skip("real data sets not available: set CRM_WORKBOOK_DATA to their folder")
    return Path(home)


def _postgres_bin() -> Path | None:
    """The folder holding ``initdb``/``pg_ctl`` (PATH first, then Debian's versioned folders)."""
    import shutil

    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


@contextlib.contextmanager
def throwaway_postgres(skip=pytest.skip):
    """A throwaway PostgreSQL cluster on a Unix socket in a temp dir, stopped at the end.

    Yields (a context manager; the ``postgres_server`` fixture and the benchmarks use it)
    ``{"url", "password", "socket", "port", "version"}``: ``url`` is
    ``postgresql://crm@/crm?host=<socket dir>&port=<port>`` (no password; the password
    is in ``password``; the server asks for it: scram-sha-256). Skips, saying why, when
    the PostgreSQL binaries are missing or the cluster cannot be started.
    """
    import secrets
    import shutil
    import subprocess
    import tempfile

    folder = _postgres_bin()
    if folder is None:
        skip("PostgreSQL server binaries (initdb, pg_ctl) not found; install the "
                    "`postgresql` package to run the database tests")
    # not under pytest's tmp dir: that is private to the user, and the server may run as `postgres`
    root = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    data, socket = root / "data", root / "sock"
    socket.mkdir()
    password = secrets.token_hex(12)
    (root / "pw").write_text(password)
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the `postgres` user
        import pwd

        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            skip("running as root and there is no `postgres` user to own the cluster")
        for path in (root, socket, root / "pw"):
            shutil.chown(path, user.pw_uid, user.pw_gid)
        os.chmod(root, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = "54329"
    env = {**os.environ, "LC_ALL": "C.UTF-8"}

    def run(*args, timeout=60):
        return subprocess.run(prefix + [str(a) for a in args], capture_output=True, text=True,
                              timeout=timeout, env=env)

    done = run(folder / "initdb", "-D", data, "-U", "crm", "--auth=scram-sha-256",
               f"--pwfile={root / 'pw'}", "-E", "UTF8", "--no-sync")
    if done.returncode:
        shutil.rmtree(root, ignore_errors=True)
        skip(f"initdb failed, no PostgreSQL for the database tests: {done.stderr.strip()[-300:]}")
    options = f"-c listen_addresses='' -c unix_socket_directories='{socket}' -p {port} -c fsync=off"
    done = run(folder / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start")
    if done.returncode:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        skip(f"PostgreSQL did not start: {(done.stderr + log).strip()[-300:]}")
    try:
        version = subprocess.run([str(folder / "postgres"), "--version"], capture_output=True,
                                 text=True).stdout.strip()
        yield {"url": f"postgresql://crm@/postgres?host={socket}&port={port}",
               "password": password, "socket": str(socket), "port": port, "version": version}
    finally:
        run(folder / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (see :func:`throwaway_postgres`)."""
    with throwaway_postgres() as server:
        yield server
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
