"""Waking idle workers when a run is queued, so that they need not wait for their poll.

A run queued by the API is announced once its transaction commits; every idle worker of
the database hears it and claims at once (one of them gets it: `queue.claim_next`).
Polling stays the fallback: a lost announcement (a worker restarting, the channel down)
costs at most `worker_poll_s`, never a run.

- PostgreSQL: `NOTIFY jet_match_runs` in the queuing transaction (delivered at commit,
  to workers on any host); each worker holds one connection that `LISTEN`s.
- SQLite (one host by nature, the embedded worker of `serve` included): each worker binds
  a Unix datagram socket in a folder named after the database; the API sends one byte to
  each socket there after the commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
import threading
from pathlib import Path

import psycopg
import structlog
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

log = structlog.get_logger("jet_match.wakeup")

#: The PostgreSQL channel a queued run is announced on.
CHANNEL = "jet_match_runs"


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _url_of(session: Session) -> str:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.render_as_string(hide_password=False)


def socket_folder(url: str) -> Path:
    """Where the workers of a SQLite database bind their sockets (one folder per file)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"jet-match-wake-{os.getuid()}-{digest}"


def announce(session: Session) -> None:
    """Announce a queued run when `session`'s transaction commits (nothing if it rolls back)."""
    url = _url_of(session)
    if _is_postgres(url):
        session.execute(text(f"NOTIFY {CHANNEL}"))
        return
    event.listen(session, "after_commit", lambda _s: ring_local(url), once=True)


def ring_local(url: str) -> int:
    """Send a byte to every worker socket of the SQLite database `url`; how many heard it."""
    folder = socket_folder(url)
    heard = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for path in sorted(folder.glob("*.sock")) if folder.is_dir() else ():
            try:
                sender.sendto(b"!", str(path))
                heard += 1
            except OSError:  # a worker gone without removing its socket, or a full buffer
                continue
    return heard


class Listener:
    """Sets `wake` whenever a run is announced, from a daemon thread, until `stop()`."""

    def __init__(self, engine: Engine, wake: threading.Event, *, retry_s: float = 2.0) -> None:
        self.url = engine.url.render_as_string(hide_password=False)
        self.wake = wake
        self.retry_s = retry_s
        self._stopping = threading.Event()
        #: Set once announcements reach this listener (the socket bound, or PostgreSQL's
        #: LISTEN issued); one made before is found by the worker's next poll.
        self.listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._path: Path | None = None

    def start(self) -> Listener:
        """Start listening (at once for SQLite: the socket is bound before this returns)."""
        if _is_postgres(self.url):
            target = self._listen_postgres
        else:
            try:
                self._bind()
            except OSError as exc:  # no socket folder here: polling alone, as before
                log.warning("wakeup_unavailable", error=f"{type(exc).__name__}: {exc}")
                return self
            target = self._listen_socket
        self._thread = threading.Thread(target=target, name="jet-match-wakeup", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and remove this worker's socket."""
        self._stopping.set()
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._path is not None:
            with contextlib.suppress(OSError):
                self._path.unlink()

    def _bind(self) -> None:
        folder = socket_folder(self.url)
        folder.mkdir(mode=0o700, exist_ok=True)
        self._path = folder / f"{os.getpid()}-{threading.get_native_id()}-{id(self)}.sock"
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(str(self._path))
        self._socket.settimeout(0.5)
        self.listening.set()

    def _listen_socket(self) -> None:
        assert self._socket is not None
        while not self._stopping.is_set():
            try:
                self._socket.recv(64)
            except TimeoutError:
                continue
            except OSError:
                return  # closed by stop()
            self.wake.set()

    def _listen_postgres(self) -> None:
        conninfo = make_url(self.url).set(drivername="postgresql").render_as_string(False)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    # A run queued while we were not listening is found by the next poll.
                    while not self._stopping.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake.set()
            except psycopg.Error as exc:  # an outage: polling goes on meanwhile
                log.warning("wakeup_unavailable", error=type(exc).__name__)
                self._stopping.wait(self.retry_s)
