"""Webhook targets and signed POSTs: where the service may send, and how.

Rules (docs/notifications.md, "Webhooks"): `https` only in production (`http` is allowed
for loopback addresses in development and test); every address the host name resolves
to is checked at each delivery (not only when the webhook is saved, since DNS can
change): link-local and cloud metadata addresses are always refused; private, loopback
and other non-public addresses are refused in production. Redirects are never followed
(a 3xx counts as a failure), and a receiver has `webhook_timeout_s` to answer.

Signing is the Standard Webhooks scheme through its maintained library
(`standardwebhooks`): headers `Webhook-Id`, `Webhook-Timestamp` and `Webhook-Signature`
(`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`).
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook as Signer

from jet_match.config import Settings
from jet_match.errors import FieldProblem, InvalidInput

#: Cloud metadata services that are not link-local (AWS IPv6, Alibaba).
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
)


class TargetRefusedError(Exception):
    """The URL may not be delivered to (the message says why)."""


def new_secret() -> str:
    """A fresh signing secret, in the Standard Webhooks form (`whsec_` + base64 of 32 bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _production(settings: Settings) -> bool:
    return settings.environment == "production"


def check_url(url: str, settings: Settings) -> None:
    """Refuse a URL by its form (InvalidInput naming the `url` field); addresses are
    checked again at each delivery (`check_addresses`)."""
    try:
        check_form(url, settings)
    except TargetRefusedError as refused:
        raise InvalidInput(
            f"webhook url refused: {refused}",
            [FieldProblem("webhook", None, "url", "url_refused", str(refused))],
        ) from None


def check_form(url: str, settings: Settings) -> None:
    """The URL's scheme, host and port are acceptable (TargetRefusedError if not)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (it parses the port, and raises on a bad one)
    except ValueError:
        raise TargetRefusedError("not a URL (host or port unreadable)") from None
    if parts.scheme not in ("https", "http") or not host:
        raise TargetRefusedError("an absolute https:// URL is needed")
    if parts.username or parts.password:
        raise TargetRefusedError("credentials in the URL are not allowed")
    if parts.scheme == "http":
        if _production(settings):
            raise TargetRefusedError("only https URLs are allowed in production")
        if not _is_loopback_name(host):
            raise TargetRefusedError("http is allowed only for loopback addresses (use https)")
    literal = _literal_address(host)
    if literal is not None:
        _check_address(literal, settings)


def _is_loopback_name(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    literal = _literal_address(host)
    return literal is not None and literal.is_loopback


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _check_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, settings: Settings
) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address in METADATA_ADDRESSES:
        raise TargetRefusedError(f"{address} is a link-local or metadata address")
    if address.is_multicast or address.is_unspecified:
        raise TargetRefusedError(f"{address} is not a receiver's address")
    if _production(settings) and not address.is_global:
        raise TargetRefusedError(f"{address} is a private or reserved address")


def check_addresses(url: str, settings: Settings) -> None:
    """Resolve the URL's host and check every address it has (TargetRefusedError if one fails)."""
    check_form(url, settings)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise TargetRefusedError(f"the host name does not resolve ({exc})") from None
    for _family, _type, _proto, _name, sockaddr in found:
        _check_address(ipaddress.ip_address(sockaddr[0]), settings)
    if parts.scheme == "http" and not all(
        ipaddress.ip_address(sockaddr[0]).is_loopback for *_, sockaddr in found
    ):
        raise TargetRefusedError("http is allowed only for loopback addresses (use https)")


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one POST went: the receiver's status (None: no answer) or why it failed."""

    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int


def signed_headers(*, secret: str, event_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one delivery."""
    signature = Signer(secret).sign(event_id, timestamp, body)
    return {
        "Content-Type": "application/json",
        "User-Agent": "jet-match-webhooks/1",
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(int(timestamp.timestamp())),
        "Webhook-Signature": signature,
    }


def http_client(settings: Settings) -> httpx.Client:
    """The client deliveries share (building one loads the CA bundle: do it once a batch):
    no redirects followed, a short timeout, no proxy from the environment."""
    return httpx.Client(follow_redirects=False, timeout=settings.webhook_timeout_s, trust_env=False)


def post(
    *,
    url: str,
    secret: str,
    event_id: str,
    timestamp: datetime,
    body: str,
    settings: Settings,
    client: httpx.Client | None = None,
) -> Attempt:
    """POST a signed event once: no redirects, a short timeout; a 2xx answer is success.
    `client` (from `http_client`) is reused when given."""
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        check_addresses(url, settings)
    except TargetRefusedError as refused:
        return Attempt(False, None, f"refused: {refused}"[:500], took())
    headers = signed_headers(secret=secret, event_id=event_id, timestamp=timestamp, body=body)
    try:
        if client is None:
            with http_client(settings) as own:
                answer = own.post(url, content=body.encode(), headers=headers)
        else:
            answer = client.post(url, content=body.encode(), headers=headers)
    except httpx.HTTPError as exc:
        return Attempt(False, None, f"{type(exc).__name__}: {exc}"[:500], took())
    if 200 <= answer.status_code < 300:
        return Attempt(True, answer.status_code, None, took())
    why = (
        "redirects are not followed"
        if 300 <= answer.status_code < 400
        else f"the receiver answered {answer.status_code}"
    )
    return Attempt(False, answer.status_code, why, took())
