"""Repeated authentication failures from one client are slowed down: 429 with Retry-After.

A client (its address as the server sees it: behind a proxy, the forwarded one that
uvicorn's `--proxy-headers` trusts) that sent more bad keys than the limit allows within
the window (`JET_MATCH_AUTH_FAILURE_LIMIT`, e.g. `20/minute`) is answered 429 for every
authenticated request until the window lets it in again, without its key being checked:
a guesser learns nothing more. Counted in the database (`limits`' fixed window on
`services.security.rate_limits.DatabaseStorage`), so all the API processes of a
deployment share one count: two processes do not give a client twice the attempts.
A fixed window lets a client that spreads its failures across a window's end make up to
twice the limit within one window's length, never more.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine

from jet_match.errors import TooManyAttempts
from jet_match.services.security.rate_limits import DatabaseStorage


class AuthFailureLimiter:
    """Counts failed authentications per client and refuses those over the limit."""

    def __init__(self, limit: str, engine: Engine) -> None:
        self.item: RateLimitItem = parse(limit)
        self.limiter = FixedWindowRateLimiter(DatabaseStorage(engine))

    def check(self, client: str) -> None:
        """TooManyAttempts while `client` is over the limit of failures."""
        if self.limiter.test(self.item, "auth-failure", client):
            return
        reset_at, _remaining = self.limiter.get_window_stats(self.item, "auth-failure", client)
        wait = max(1, math.ceil(reset_at - time.time()))
        raise TooManyAttempts(
            f"too many failed authentications from this client: retry in {wait} s", wait
        )

    def failed(self, client: str) -> None:
        """Count one failed authentication of `client`."""
        self.limiter.hit(self.item, "auth-failure", client)
