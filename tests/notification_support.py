"""Real receivers on the loopback for the notification tests: an HTTP server that records
what it is sent (and can fail on purpose), and users to e-mail."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.notifications import WebhookCreate
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.notifications import webhooks
from jet_match.statuses import Role


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the loopback receiver got; `fail_first` requests are answered `fail_status`."""

    url: str
    requests: list[Received] = field(default_factory=list)
    fail_first: int = 0
    fail_status: int = 500
    processed_ids: set[str] = field(default_factory=set)
    delay_s: float = 0.0  # how long each answer takes
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[Received]:
        """The requests it answered 2xx (what a receiver would act on)."""
        return [r for r in self.requests if r.headers.get("x-answered") == "200"]


@contextmanager
def http_receiver() -> Iterator[Receiver]:
    """A threaded http.server on 127.0.0.1 (a free port) recording every POST."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(state.delay_s)
            with state.lock:
                failing = len(state.requests) < state.fail_first
                status = state.fail_status if failing else 200
                headers = {k.lower(): v for k, v in self.headers.items()}
                headers["x-answered"] = str(status)
                state.requests.append(Received(self.path, headers, body))
                if status == 200:
                    state.processed_ids.add(headers["webhook-id"])
            self.send_response(status)
            if 300 <= status < 400:
                port = server.server_address[1]
                self.send_header("Location", f"http://127.0.0.1:{port}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def organization_id(engine: Engine, external_id: str) -> int:
    """The row id of an organization."""
    with Session(engine) as session:
        found = session.scalars(
            select(models.Organization.id).where(models.Organization.external_id == external_id)
        ).one()
    return int(found)


def host_caller(engine: Engine, organization: str) -> Caller:
    """A host organization's caller (as its API key would make it)."""
    return Caller(role=Role.HOST_ORG, organization_id=organization_id(engine, organization))


def add_webhook(
    engine: Engine, settings: Settings, url: str, events: list[str], caller: Caller = COMMAND_LINE
) -> tuple[str, str]:
    """Create a webhook; its id and secret."""
    with Session(engine, expire_on_commit=False) as session:
        created = webhooks.create_webhook(
            session=session,
            caller=caller,
            webhook_in=WebhookCreate.model_validate({"url": url, "events": events}),
            settings=settings,
        ).resource
    return created.id, created.secret


class Clock:
    """A clock the test moves forward (the delivery schedule spans a day)."""

    def __init__(self) -> None:
        self.now = models.utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move forward."""
        self.now += timedelta(seconds=seconds)
