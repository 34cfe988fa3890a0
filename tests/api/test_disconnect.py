"""A client that goes away stops its import: the server quits reading, validating and
writing, and nothing is stored (api/disconnect.py, services/records/imports.py).

The app is called as the server would call it (ASGI), with a client that sends its body
and then disconnects. The import's work is slowed down (1 ms a sheet row, or a slow
validation step) so that, left alone, it would run for seconds: stopping early shows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.dataset import validation
from jet_match.services.kit import spreadsheets
from jet_match.services.records import imports
from service_support import Keys

ROWS = 5_000  # at 1 ms a row, a full read takes 5 s or more


def _sheet(rows: int) -> bytes:
    lines = ["external_id,name,kind,prefecture,area_type"]
    lines += [f"ORG-GONE-{n:05d},Town {n},municipality,13,urban" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _call(app: FastAPI, path: str, body: bytes, headers: dict[str, str], *, leave: bool) -> Any:
    """POST `body` as a client that disconnects right after sending it (`leave`) or waits
    for the answer; the messages the app sent, and the seconds the app took."""

    async def run() -> tuple[list[MutableMapping[str, Any]], float]:
        sent: list[MutableMapping[str, Any]] = []
        delivered = False
        answered = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            if not leave:
                await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        started = time.monotonic()
        await app(scope, receive, send)
        return sent, time.monotonic() - started

    return asyncio.run(run())


def _status(sent: list[MutableMapping[str, Any]]) -> int:
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


def _count(engine: Engine, prefix: str) -> int:
    with Session(engine) as session:
        table = models.Organization
        query = select(func.count()).where(col(table.external_id).startswith(prefix))
        return int(session.exec(query).one())


@pytest.fixture
def slow_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each sheet row read costs 1 ms more; the list counts the rows read."""
    read: list[int] = []
    add = spreadsheets._Reading.add

    def slow_add(self: Any, cells: Any) -> None:
        read.append(1)
        time.sleep(0.001)
        add(self, cells)

    monkeypatch.setattr(spreadsheets._Reading, "add", slow_add)
    return read


@pytest.fixture
def upserts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds the import began to write."""
    kinds: list[str] = []
    upsert = imports._upsert

    def spy(session: Session, kind: str, *args: Any) -> Any:
        kinds.append(kind)
        return upsert(session, kind, *args)

    monkeypatch.setattr(imports, "_upsert", spy)
    return kinds


def _headers(key: str, media_type: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}", "content-type": media_type}


def test_a_sheet_import_stops_reading_when_the_client_leaves_and_writes_nothing(
    app: FastAPI, engine: Engine, keys: Keys, slow_rows: list[int], upserts: list[str]
) -> None:
    path, headers = "/api/v1/imports/organizations", _headers(keys.coordinator, "text/csv")
    sent, seconds = _call(app, path, _sheet(ROWS), headers, leave=True)
    assert len(slow_rows) < ROWS / 2  # it stopped reading early ...
    assert seconds < ROWS * 0.001 * 2  # ... and did not hang (a full read: 5 s or more)
    assert upserts == []  # ... wrote nothing ...
    assert _count(engine, "ORG-GONE-") == 0
    assert _status(sent) == 400  # ... and answered no one in particular


def test_the_same_import_with_a_client_that_waits_is_written(
    app: FastAPI, engine: Engine, keys: Keys, slow_rows: list[int]
) -> None:
    path, headers = "/api/v1/imports/organizations", _headers(keys.coordinator, "text/csv")
    sent, _ = _call(app, path, _sheet(300), headers, leave=False)
    assert _status(sent) == 200
    assert len(slow_rows) == 301
    assert _count(engine, "ORG-GONE-") == 300


def test_a_dataset_import_stops_before_writing_when_the_client_leaves(
    app: FastAPI,
    engine: Engine,
    keys: Keys,
    upserts: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    validate: Callable[[Any], fmt.Dataset] = validation.dataset_from_data

    def slow_validation(data: Any) -> fmt.Dataset:
        time.sleep(0.5)  # long enough for the server to notice the client is gone
        return validate(data)

    monkeypatch.setattr(imports, "dataset_from_data", slow_validation)
    organizations = [
        {
            "external_id": f"ORG-GONE-{n}",
            "name": f"Town {n}",
            "kind": "municipality",
            "prefecture": 13,
            "area_type": "urban",
        }
        for n in range(50)
    ]
    body = orjson.dumps({"format": fmt.FORMAT, "organizations": organizations})
    path, headers = "/api/v1/imports", _headers(keys.coordinator, "application/json")
    sent, _ = _call(app, path, body, headers, leave=True)
    assert upserts == []
    assert _count(engine, "ORG-GONE-") == 0
    assert _status(sent) == 400
