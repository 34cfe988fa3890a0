"""The application factory: what `create_app` does at startup."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.main import create_app

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo.json"


def test_the_app_hands_the_interpreter_over_often_while_it_runs(
    settings: Settings, engine: Engine
) -> None:
    """JET_MATCH_SWITCH_INTERVAL_MS: set for the app's life, the process's own restored."""
    before = sys.getswitchinterval()
    app = create_app(settings.model_copy(update={"switch_interval_ms": 2.0}), engine)
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert sys.getswitchinterval() == pytest.approx(0.002)
    assert sys.getswitchinterval() == pytest.approx(before)


def test_the_app_runs_full_garbage_collections_less_often_while_it_runs(
    settings: Settings, engine: Engine
) -> None:
    """JET_MATCH_GC_FULL_COLLECTION_THRESHOLD: the collector's third threshold is set for
    the app's life (full collections walk every prepared problem a read keeps), the
    first two and the process's own thresholds left as they were."""
    before = gc.get_threshold()
    app = create_app(settings.model_copy(update={"gc_full_collection_threshold": 250}), engine)
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert gc.get_threshold() == (*before[:2], 250)
    assert gc.get_threshold() == before


def test_full_collections_run_ten_times_less_often_than_pythons_by_default() -> None:
    """The default, measured in benchmarks/README.md: 100 (Python's own is 10)."""
    assert Settings().gc_full_collection_threshold == 100


@pytest.mark.parametrize("freeze", [True, False])
def test_the_app_freezes_what_it_loaded_at_start_when_asked(
    settings: Settings, engine: Engine, freeze: bool
) -> None:
    """JET_MATCH_GC_FREEZE: the API process's startup objects are kept out of full garbage
    collections (each took about 60 ms and stalled every request in flight)."""
    gc.unfreeze()
    try:
        app = create_app(settings.model_copy(update={"gc_freeze": freeze}), engine)
        with TestClient(app) as client:
            assert client.get("/api/v1/health").status_code == 200
            frozen = gc.get_freeze_count()
        if freeze:
            assert frozen > 10_000  # the modules, the app, its routes and schemas
        else:
            assert frozen == 0
    finally:
        gc.unfreeze()
