"""The setup the database benchmarks share (bench_demand.py, bench_review.py): their
arguments `--repeat` and `--database-url`, and a fresh database holding the national
dataset (seed 1)."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset.format import Dataset, dataset_to_json
from jet_match.dataset.generator import ScaleName, generate_scale
from jet_match.db import make_engine, migrate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports


def arguments(description: str | None, *, repeat: int) -> argparse.ArgumentParser:
    """A parser of `--repeat` (default `repeat`) and `--database-url`; the caller may add
    its own arguments before parsing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--database-url", default=None)
    return parser


@dataclass(frozen=True, slots=True)
class National:
    """A migrated database into which the national dataset has been imported."""

    settings: Settings
    engine: Engine
    dataset: Dataset


@contextmanager
def national_database(title: str, database_url: str | None) -> Iterator[National]:
    """Print the load average (under `title`), then import the national dataset (seed 1)
    into the database at `database_url` (it must be empty), or else into SQLite in a
    temporary directory removed on exit."""
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"# {title}: load average {load} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as directory:
        url = database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
        settings = Settings(database_url=url, environment="test")
        engine = make_engine(settings)
        migrate(engine)
        dataset = generate_scale(ScaleName.NATIONAL, seed=1)
        with Session(engine) as session:
            imports.import_dataset(
                session=session, caller=COMMAND_LINE, raw=dataset_to_json(dataset)
            )
        try:
            yield National(settings, engine, dataset)
        finally:
            engine.dispose()
