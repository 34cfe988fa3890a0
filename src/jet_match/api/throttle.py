"""Repeated authentication failures from one client are slowed down: 429 with Retry-After.

A client (its address as the server sees it: behind a proxy, the forwarded one that
uvicorn's `--proxy-headers` trusts) that sent more bad keys than the limit allows within
the window (`JET_MATCH_AUTH_FAILURE_LIMIT`, e.g. `20/minute`) is answered 429 for every
authenticated request until the window lets it in again, without its key being checked:
a guesser learns nothing more. Counted per API process, in memory (`limits`' moving
window); several processes each allow the limit.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from jet_match.errors import TooManyAttempts


class AuthFailureLimiter:
    """Counts failed authentications per client and refuses those over the limit."""

    def __init__(self, limit: str) -> None:
        self.item: RateLimitItem = parse(limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

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
