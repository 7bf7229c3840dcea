"""The executor a command line asks for: ``local`` (with ``--jobs``) or ``dask://HOST:PORT``."""

from __future__ import annotations

from engine.executors import on_dask
from engine.executors.local import Executor, ExecutorError, Processes, Serial

DASK_PORT = 8786  # the Dask scheduler's default port


def executor_for(spec: str | None, jobs: int) -> Executor:
    """The executor named by ``spec`` (None: local), with ``jobs`` local processes.

    Raises ``ExecutorError`` for a name it does not know.
    """
    if spec is None or spec == "local":
        return Serial() if jobs <= 1 else Processes(jobs)
    if spec.startswith("dask://"):
        where = spec.removeprefix("dask://").rstrip("/")
        host, _, port = where.rpartition(":") if ":" in where else (where, "", str(DASK_PORT))
        if not host or not port.isdigit():
            raise ExecutorError(f"`{spec}`: expected dask://HOST:PORT, e.g. dask://10.0.0.5:8786")
        return on_dask.Dask(f"tcp://{host}:{port}", timeout=on_dask.CONNECT_SECONDS)
    raise ExecutorError(f"unknown executor `{spec}`: use local or dask://HOST:PORT")
