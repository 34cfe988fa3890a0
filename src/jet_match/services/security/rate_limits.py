"""A `limits` storage in the service's database, so every API process shares one count.

`limits`' own storages are memory (one per process: two API processes would each allow
the whole limit), Redis, Memcached or MongoDB (a server the deployment does not have).
This one implements the storage interface `FixedWindowRateLimiter` uses (`incr`, `get`,
`get_expiry`, `clear`) on the table `rate_limit_counters`: `incr` is one atomic upsert
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, on SQLite and PostgreSQL alike), so
two processes counting at once never lose a count. A window that has ended counts from
zero again; ended windows are deleted now and then by the next `incr`.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from jet_match import models

Counter = models.RateLimitCounter
#: One `incr` in this many also deletes the windows that ended (keeps the table small).
SWEEP_EVERY = 100


class DatabaseStorage(Storage):
    """Fixed-window counters in `rate_limit_counters` (see the module's docstring)."""

    STORAGE_SCHEME: list[str] | None = ["jet-match-database"]  # noqa: RUF012 (as limits declares it)

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._incrs = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's window (a new window of `expiry` s if none runs)."""
        now = time.time()
        insert = (
            postgresql.insert(Counter)
            if self.engine.dialect.name == "postgresql"
            else sqlite.insert(Counter)
        )
        ended = col(Counter.expires_at) <= now
        statement = (
            insert.values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "count": case((ended, amount), else_=col(Counter.count) + amount),
                    "expires_at": case((ended, now + expiry), else_=col(Counter.expires_at)),
                },
            )
            .returning(col(Counter.count))
        )
        with self.engine.begin() as connection:
            count = int(connection.execute(statement).scalar_one())
            self._incrs += 1
            if self._incrs % SWEEP_EVERY == 0:
                connection.execute(delete(Counter).where(col(Counter.expires_at) <= now))
        return count

    def _row(self, key: str) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(
                select(col(Counter.count), col(Counter.expires_at)).where(col(Counter.key) == key)
            ).first()

    def get(self, key: str) -> int:
        """The key's count in its current window (0 if none runs)."""
        row = self._row(key)
        return int(row.count) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (Unix seconds; now if none runs)."""
        row = self._row(key)
        now = time.time()
        return float(row.expires_at) if row is not None and row.expires_at > now else now

    def check(self) -> bool:
        """The database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; how many there were."""
        with self.engine.begin() as connection:
            return int(connection.execute(delete(Counter)).rowcount)

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        with self.engine.begin() as connection:
            connection.execute(delete(Counter).where(col(Counter.key) == key))
