"""Prometheus metrics that the code updates as it works (``prometheus-client``).

Requests and their latency by route template are counted by Litestar's ``PrometheusMiddleware``
(``core.app``, prefix ``motcua``); the figures read from the database at scrape time (dossiers by
state, outbox backlog and age) are collected by ``core.web.ops``. With several processes (``motcua
serve --workers N``, ``motcua worker``) set ``PROMETHEUS_MULTIPROC_DIR`` to one empty directory shared
by all of them, before they start: each writes its own file there and ``/metrics`` adds them up.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ("JOB_FAILURES", "JOBS_DONE", "PDF_RENDER_SECONDS")

JOB_FAILURES = Counter(
    "motcua_job_failures",
    "Background tasks (outbox rows) that failed, by task and outcome (retry later, or failed for good).",
    ["task", "outcome"],
)
JOBS_DONE = Counter(
    "motcua_jobs_done", "Background tasks (outbox rows) that ran to the end, by task.", ["task"]
)
PDF_RENDER_SECONDS = Histogram(
    "motcua_pdf_render_seconds",
    "Time to render one PDF (template and layout), by outcome.",
    ["outcome"],
    buckets=(0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
)
