"""A distributed worker in the test's own process: procrastinate's ``Worker`` over the real
PostgreSQL, working the queue until it is empty, so that the test sees every statement of its
jobs (SQLAlchemy events) and can stand in for parts of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from procrastinate.worker import Worker

from crawler.app.runners.distributed import (
    HostLocks,
    WorkerSettings,
    ensure_queue_schema,
    make_app,
)
from crawler.app.runtime import Runtime


async def work_queue(
    runtime: Runtime,
    url: str,
    jobs: Sequence[tuple[str, dict[str, Any]]],
    *,
    settings: WorkerSettings | None = None,
    queues: Sequence[str] = ("crawl",),
) -> None:
    """Defer ``jobs`` (task name, arguments) and work the queue until nothing is ready, one job
    at a time (two sources of one host would hand one back). The app's periodic tasks are left
    out: the worker would defer them by the clock (the hourly maintenance job within minutes of
    its minute, say) and their queueing locks would refuse the test's own jobs."""
    app = make_app(url, settings or WorkerSettings())
    app.periodic_registry.periodic_tasks.clear()
    locks = HostLocks(url)
    runtime.politeness.shared = locks  # hosts' turns in PostgreSQL, as a worker keeps them
    async with app.open_async():
        await ensure_queue_schema(app, url)
        for name, arguments in jobs:
            await app.tasks[name].defer_async(**arguments)
        worker = Worker(
            app,
            queues=list(queues),
            concurrency=1,
            wait=False,
            additional_context={"runtime": runtime, "locks": locks},
            install_signal_handlers=False,
            delete_jobs="successful",
        )
        try:
            await worker.run()
        finally:
            await locks.aclose()
