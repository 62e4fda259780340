"""`auditor scan --executor dask`: the same per-file work as the local workers, on a Dask
distributed cluster; every result comes back to this process and is stored by batch.store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from auditor.batch import Run, ScanError
from auditor.workers import Task, failure, run_one, warm_up

DASK_CONNECT_LIMIT = 60.0  # seconds to wait for a remote scheduler and its first worker


def run_dask(tasks: Iterator[Task], run: Run, scheduler: str | None = None) -> None:
    """The same per-file work (run_one) on a Dask distributed cluster; every result comes back to
    this process and is stored by Run.record, one transaction per file, as in run_workers.

    At most one file per worker thread is in flight, so a file's clock starts about when it
    starts running. A file that runs over its time limit has its future cancelled and becomes a
    "timeout" row — but unlike a local worker process, a Dask worker cannot be killed mid-task:
    the task's thread runs on until the file is done (the worker's own nanny restarts it if it
    goes over the memory limit, e.g. `dask worker --memory-limit 2GB`). A worker that dies under
    a file (the scheduler gives up on it) gives a "crashed" row."""
    jobs, timeout, memory_mb, options = run.jobs, run.timeout, run.memory_mb, run.options
    first = next(tasks, None)
    if first is None:  # everything is already in the database: no cluster needed
        return
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ScanError("未安装 Dask：pip install 'auditor[dask]'") from exc

    cluster: Any = None
    client: Any = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=max(1, jobs),
                threads_per_worker=1,
                processes=True,
                memory_limit=f"{memory_mb}MB" if memory_mb else "auto",
                dashboard_address=":0",  # any free port: never clash with another cluster
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=DASK_CONNECT_LIMIT)
            client.wait_for_workers(1, timeout=DASK_CONNECT_LIMIT)
        client.run(warm_up, options)
    except (OSError, TimeoutError) as exc:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        raise ScanError(f"无法连接 Dask 集群：{exc}") from exc

    running: dict[Any, tuple[Task, float]] = {}  # future → (task, deadline)
    finished = as_completed()
    queue: list[Task] = [first]
    exhausted = False

    try:
        while True:
            slots = max(1, sum(client.nthreads().values()))
            while not exhausted and len(running) < slots:
                task = queue.pop() if queue else next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                # pure=False: a re-audit of the same path after an edit is new work
                future = client.submit(run_one, task.path, options, memory_mb, pure=False)
                running[future] = (task, time.monotonic() + timeout)
                finished.add(future)
            if not running:
                break
            for future in finished.next_batch(block=False):
                if future not in running:  # cancelled after its deadline, already recorded
                    continue
                task, deadline = running.pop(future)
                started = deadline - timeout
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 — the worker died or the task was lost
                    error = f"Dask 工作进程异常：{type(exc).__name__}: {exc}"
                    result = failure("crashed", error, time.monotonic() - started)
                run.record(task, result)
            now = time.monotonic()
            for future, (task, deadline) in list(running.items()):
                if now >= deadline:
                    del running[future]
                    future.cancel()  # the worker's thread runs on; see the docstring
                    run.record(task, failure("timeout", f"超过时间限制 {timeout:g} 秒", timeout))
            if running and not finished.has_ready():
                time.sleep(0.02)
    finally:
        for future in running:
            future.cancel()
        client.close()
        if cluster is not None:
            cluster.close()
