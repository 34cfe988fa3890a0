"""Prometheus metrics: request latency counted by the middleware, the rest read from the
database at scrape time (`services.operations.metrics`), in the text exposition format.

Each app has its own registry (`app.state.metrics`): tests build many apps in one process,
and a process-wide registry would refuse the second. Latency is labelled by the route's
template (`/api/v1/rounds/{round_id}`), never the concrete path: one series per route,
and no external_id in the metrics.
"""

from __future__ import annotations

import time

from fastapi.routing import iter_route_contexts
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jet_match.services.operations.metrics import RUN_BUCKETS, Figures

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Seconds: reads take milliseconds, imports and re-solves through the API seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """The per-process request figures of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "jet_match_http_request_duration_seconds",
            "Time to answer a request, by method, route template and status.",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._templates: dict[int, str] | None = None

    def template(self, scope: Scope) -> str:
        """The full path template of the route that answered (`unmatched`: none did).

        Included routers keep their routes nested, and the route in the scope knows only
        its path within its router; the app's flattened routes know the whole template.
        """
        route = scope.get("route")
        if route is None:
            return "unmatched"
        if self._templates is None:
            app = scope.get("app")
            self._templates = {
                id(context.route): context.path
                for context in iter_route_contexts(getattr(app, "routes", []))
                if context.path is not None
            }
        return self._templates.get(id(route)) or str(getattr(route, "path", "unmatched"))


class RequestMetrics:
    """ASGI middleware: observes every HTTP request's latency under its route template."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe_status)
        finally:
            template = self.metrics.template(scope)
            self.metrics.latency.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )


def exposition(metrics: HttpMetrics, figures: Figures) -> bytes:
    """The whole scrape: this process's request figures, then the database's."""
    database = CollectorRegistry()
    database.register(_FiguresCollector(figures))
    return generate_latest(metrics.registry) + generate_latest(database)


class _FiguresCollector(Collector):
    """The database figures as metric families (a registry-like object for one scrape)."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def collect(self) -> list[Metric]:
        f = self.figures
        runs = GaugeMetricFamily("jet_match_runs", "Runs by status.", labels=["status"])
        for status, count in sorted(f.runs_by_status.items()):
            runs.add_metric([status], count)
        durations = HistogramMetricFamily(
            "jet_match_run_duration_seconds",
            "Duration of finished runs (claim to end), by final status.",
            labels=["status"],
        )
        for status, histogram in sorted(f.run_durations.items()):
            buckets = [
                (str(bound), float(n))
                for bound, n in zip(RUN_BUCKETS, histogram.at_most, strict=True)
            ]
            buckets.append(("+Inf", float(histogram.count)))
            durations.add_metric([status], buckets, sum_value=histogram.total_s)
        gap = GaugeMetricFamily(
            "jet_match_solver_final_gap",
            "Relative gap of the last succeeded run of each round (0: proven optimal).",
            labels=["round"],
        )
        for round_id, value in sorted(f.final_gap_by_round.items()):
            gap.add_metric([round_id], value)
        return [
            runs,
            durations,
            gap,
            GaugeMetricFamily("jet_match_queue_depth", "Runs waiting queued.", f.queue_depth),
            GaugeMetricFamily(
                "jet_match_queue_oldest_age_seconds",
                "How long the oldest queued run has waited (0: none waits).",
                f.queue_oldest_age_s,
            ),
            GaugeMetricFamily(
                "jet_match_workers_live", "Workers with a recent heartbeat.", f.live_workers
            ),
            CounterMetricFamily(
                "jet_match_sign_in_failures",
                "Failed sign-ins to the workspace (all time, from the audit trail).",
                f.sign_in_failures,
            ),
            GaugeMetricFamily(
                "jet_match_event_backlog", "Event deliveries waiting.", f.event_backlog
            ),
            CounterMetricFamily(
                "jet_match_event_delivery_failures",
                "Failed event delivery attempts.",
                f.event_delivery_failures,
            ),
        ]
