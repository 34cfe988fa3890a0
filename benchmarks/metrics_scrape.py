"""Scrape `/metrics` during a benchmark and print the figures issue 15 names.

Used by `bench_outbox.py reads`: one scrape while the reads, the solve and the deliveries
run. Prints request latency by route template and status (count, mean, share answered
within 100 ms, from the histogram's buckets), runs by status and their durations, each
round's final gap, the queue's depth and age, the event backlog and delivery failures,
and sign-in failures; and how long the scrape itself took.
"""

from __future__ import annotations

import time
from collections import defaultdict

import httpx
from prometheus_client.parser import text_string_to_metric_families

PREFIX = "jet_match_"


def scrape(client: httpx.Client) -> tuple[float, str]:
    """One scrape of /metrics with the client's key: seconds taken and the text."""
    started = time.perf_counter()
    answer = client.get("/metrics")
    answer.raise_for_status()
    return time.perf_counter() - started, answer.text


def summary(text: str, routes: set[str] | None = None) -> list[str]:
    """The named figures of a scrape, one line each (`routes`: the templates to show)."""
    buckets: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    totals: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    runs: dict[str, float] = {}
    durations: dict[str, dict[str, float]] = defaultdict(dict)
    gaps: dict[str, float] = {}
    single: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name, labels, value = sample.name, sample.labels, sample.value
            if name.startswith(f"{PREFIX}http_request_duration_seconds"):
                key = (labels["method"], labels["route"], labels["status"])
                if routes is not None and labels["route"] not in routes:
                    continue
                if name.endswith("_bucket"):
                    buckets[key][labels["le"]] = value
                else:
                    totals[key][name.rsplit("_", 1)[-1]] = value
            elif name == f"{PREFIX}runs":
                runs[labels["status"]] = value
            elif name.startswith(f"{PREFIX}run_duration_seconds") and not name.endswith("_bucket"):
                durations[labels["status"]][name.rsplit("_", 1)[-1]] = value
            elif name == f"{PREFIX}solver_final_gap":
                gaps[labels["round"]] = value
            elif name.removesuffix("_total") in (
                f"{PREFIX}queue_depth",
                f"{PREFIX}queue_oldest_age_seconds",
                f"{PREFIX}workers_live",
                f"{PREFIX}sign_in_failures",
                f"{PREFIX}event_backlog",
                f"{PREFIX}event_delivery_failures",
            ):
                single[name.removeprefix(PREFIX).removesuffix("_total")] = value
    lines = []
    for (method, route, status), figures in sorted(totals.items()):
        count = figures.get("count", 0.0)
        within = buckets[(method, route, status)].get("0.1", 0.0)
        mean_ms = 1000 * figures.get("sum", 0.0) / count if count else 0.0
        share = 100 * within / count if count else 0.0
        lines.append(
            f"latency {method} {route} {status}: n={count:.0f} mean {mean_ms:.1f} ms, "
            f"{share:.1f} % within 100 ms"
        )
    lines.append(
        "runs by status: " + ", ".join(f"{s} {n:.0f}" for s, n in sorted(runs.items()) if n)
    )
    for status, figures in sorted(durations.items()):
        if figures.get("count"):
            lines.append(
                f"run durations {status}: n={figures['count']:.0f} "
                f"mean {figures['sum'] / figures['count']:.1f} s"
            )
    lines.append("final gap: " + ", ".join(f"{r} {g:.6f}" for r, g in sorted(gaps.items())))
    lines.append(", ".join(f"{name} {value:g}" for name, value in sorted(single.items())))
    return lines
