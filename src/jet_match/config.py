"""Service settings, read from `JET_MATCH_*` environment variables (docs/operations.md).

`get_settings()` is cached: the process reads its environment once. Outside
`development` and `test`, settings that are only acceptable on a laptop are refused at
start-up rather than discovered in production.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/jet-match.db"


class Settings(BaseSettings):
    """Everything the service can be configured with; defaults suit `make run`."""

    model_config = SettingsConfigDict(env_prefix="JET_MATCH_", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="`production` refuses development-only settings.",
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0, le=600_000)
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted (a national dataset is about 4 MB).",
    )
    import_max_unpacked_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest total an XLSX sheet may unpack to, read from the zip directory "
        "before anything is unpacked (413 beyond it).",
    )
    import_max_compression_ratio: int = Field(
        default=200,
        ge=10,
        description="Largest unpacked-to-packed ratio of one XLSX member over 1 MiB (413 beyond "
        "it: a zip bomb).",
    )
    import_max_zip_members: int = Field(
        default=200, ge=10, description="Most files an XLSX workbook may hold (413 beyond it)."
    )
    import_max_rows: int = Field(
        default=20_000,
        ge=1,
        description="Most rows of one sheet (claimed or read), header excluded (422 beyond it).",
    )
    import_max_columns: int = Field(
        default=64, ge=1, le=16_384, description="Most columns of one sheet (422 beyond it)."
    )
    import_max_cells: int = Field(
        default=500_000,
        ge=1,
        description="Most non-empty cells of one sheet, counted while reading (422 beyond it).",
    )
    import_time_budget_s: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Longest time reading one sheet may take (422 beyond it).",
    )
    idempotency_ttl_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="How long a POST's answer is kept for retries."
    )
    worker_poll_s: float = Field(
        default=0.2,
        gt=0,
        le=60,
        description="How often an idle worker looks for queued runs (fallback: new runs wake it).",
    )
    worker_progress_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often a worker writes a run's progress and heartbeat.",
    )
    worker_stale_after_s: float = Field(
        default=30.0,
        ge=2,
        le=3600,
        description="A running run whose heartbeat is older than this is marked interrupted.",
    )
    worker_solver_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Scheduling niceness of solver processes: a solve yields the CPU to the "
        "API when both want it.",
    )
    worker_grace_s: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="Seconds past a run's time limit before its solver process is killed.",
    )
    worker_backoff_max_s: float = Field(
        default=30.0,
        ge=0.5,
        le=3600,
        description="Longest wait of a worker between attempts while the database is "
        "unreachable (the waits double from 0.5 s).",
    )
    run_max_attempts: int = Field(
        default=3,
        ge=1,
        le=20,
        description="Times a worker takes up a run whose solve a database outage cut "
        "before the run stays `interrupted`.",
    )
    worker_heartbeat_s: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="How often a worker, idle or busy, writes its own heartbeat (readiness).",
    )
    health_worker_max_age_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Readiness needs a worker heartbeat younger than this.",
    )
    health_queue_max_age_s: float = Field(
        default=600.0,
        gt=0,
        le=7 * 24 * 3600,
        description="Readiness fails while a run has waited queued longer than this.",
    )
    health_event_max_age_s: float = Field(
        default=600.0,
        gt=0,
        le=7 * 24 * 3600,
        description="Readiness fails while an event has waited undelivered longer than this.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that lets a Prometheus scraper read /metrics (coordinator "
        "keys may too); at least 32 characters in production.",
    )
    auth_failure_limit: str = Field(
        default="30/minute",
        pattern=r"^\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?$",
        description="Failed API-key authentications one client may make in the window before "
        "it is answered 429 with Retry-After (the `limits` notation: `30/minute`).",
    )
    retention_days: int | None = Field(
        default=None,
        ge=1,
        le=36_500,
        description="Participants whose rounds all closed more than this many days ago are "
        "anonymised by the worker (names, e-mail, home region, medical flag); unset: never.",
    )
    retention_check_s: float = Field(
        default=3600.0,
        gt=0,
        le=7 * 24 * 3600,
        description="How often a worker applies the retention rule (and once at start).",
    )
    review_cache_rounds: int = Field(
        default=1,
        ge=0,
        le=20,
        description="Rounds whose prepared problem an API process keeps for review reads "
        "(about 270 MB each at national scale; 0: none, every review read prepares anew).",
    )
    gc_freeze: bool = Field(
        default=True,
        description="At start, move what the process has loaded out of the cyclic garbage "
        "collector's sight (gc.freeze): its full collections then take well under a "
        "millisecond instead of about 60 ms, which showed as the p99 of every read. A "
        "worker does the same whenever it is idle after a run (its full collections took "
        "70-100 ms, in the middle of runs' saves).",
    )
    gc_full_collection_threshold: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="Collections of the garbage collector's middle generation between two "
        "full collections in the API process (the third of gc.set_threshold's values; "
        "Python's default is 10). A full collection walks every object the process keeps "
        "(a round's prepared problem, the record cache): at 10, reads of candidates on "
        "PostgreSQL ran two more of them than on SQLite and were 8 % slower; at 100 "
        "neither database's reads ran one, and the process's peak memory is unchanged "
        "(docs/operations.md, Memory).",
    )
    keep_freed_memory: bool = Field(
        default=True,
        description="API, worker, solver and preparation processes keep the memory they "
        "free for their own later allocations (glibc: large blocks from the heap, the heap "
        "never trimmed) instead of handing it back to the kernel. On a VM the host reclaims "
        "returned pages within seconds, and faulting them in again made a re-solve after a "
        "coordinator's 3 s pause 0.48-0.63 s instead of 0.45-0.47 s. numpy's huge-page "
        "advice is then turned off (unless NUMPY_MADVISE_HUGEPAGE is set): on the kept heap "
        "it made a national solve with couples and a cap 0.5-1.7 s slower. Resident memory "
        "then stays near each process's peak between uses (docs/operations.md, Memory).",
    )
    switch_interval_ms: float = Field(
        default=1.0,
        gt=0,
        le=100,
        description="How often (milliseconds) a thread busy in Python hands the "
        "interpreter to another that waits (sys.setswitchinterval; Python's default is 5). "
        "A read needs the interpreter many times: while a large import ran, reads took "
        "0.12-0.24 s (median) at 5 ms and about 0.035 s at 1 ms.",
    )
    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="A workspace session unused this long is ended (the user signs in again).",
    )
    sign_in_lock_after: int = Field(
        default=5, ge=1, le=100, description="Failed sign-ins in a row that lock an account."
    )
    sign_in_lock_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a locked account stays locked."
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server for notification e-mails (unset: mails are written as "
        "files under `mail_dir` instead).",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = Field(default=None, description="SMTP sign-in (optional).")
    smtp_password: SecretStr | None = Field(default=None)
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection (TLS).")
    mail_from: str = Field(
        default="jet-match@localhost", max_length=254, description="Sender of notification e-mails."
    )
    mail_dir: str = Field(
        default="./var/mail", description="Where mails go as .eml files when no SMTP is set."
    )
    webhook_timeout_s: float = Field(
        default=5.0, gt=0, le=30, description="Longest wait for a webhook receiver's answer."
    )
    notify_lease_s: float = Field(
        default=60.0,
        ge=1,
        le=3600,
        description="How long a worker's claim on a delivery lasts: a worker that dies "
        "mid-delivery leaves it to another after this.",
    )
    notify_poll_s: float = Field(
        default=1.0, gt=0, le=60, description="How often the worker looks for events to deliver."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = Field(default=True, description="JSON log lines (false: readable text).")
    docs_enabled: bool = Field(default=True, description="Serve /docs, /redoc and /openapi.json.")
    debug: bool = Field(default=False, description="Show internal error details in responses.")

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _no_empty_token(cls, value: object) -> object:
        """An empty JET_MATCH_METRICS_TOKEN (compose's default) means none."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_weak_settings(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if "database_url" not in self.model_fields_set:
            problems.append("JET_MATCH_DATABASE_URL must be set explicitly in production")
        if self.database_url.startswith("sqlite") and ":memory:" in self.database_url:
            problems.append("an in-memory SQLite database loses every write on restart")
        if self.metrics_token is not None and len(self.metrics_token.get_secret_value()) < 32:
            problems.append("JET_MATCH_METRICS_TOKEN must be at least 32 characters")
        if self.debug:
            problems.append("JET_MATCH_DEBUG exposes internal errors to clients")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
