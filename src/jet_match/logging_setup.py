"""Log lines: structlog set up once per process, by the web app and by the worker alike."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from jet_match.config import Settings


def configure_logging(settings: Settings) -> None:
    """JSON (or readable) log lines on stderr, with the request id of the request they serve."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[settings.log_level]
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
