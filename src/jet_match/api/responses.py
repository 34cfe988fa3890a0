"""Shaping answers of writes and single reads: ETag, Location, replay marker."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Response
from pydantic import BaseModel

from jet_match.services.kit.writes import Written

M = TypeVar("M", bound=BaseModel)

ETAG_HEADER_DOC = {
    "ETag": {
        "description": "Version of the record; send it back in If-Match to change it.",
        "schema": {"type": "string"},
    }
}


def with_headers(response: Response, written: Written[M], location: str | None = None) -> M:
    """Set the ETag (and Location, replay marker) of a written or read record; return it."""
    if written.etag is not None:
        response.headers["ETag"] = written.etag
    if location is not None:
        response.headers["Location"] = location
    if written.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    response.status_code = written.status_code
    return written.resource


def documented(status: int, description: str, *, etag: bool = True) -> dict[int | str, Any]:
    """OpenAPI documentation of a success answer that carries an ETag."""
    return {status: {"description": description, "headers": ETAG_HEADER_DOC if etag else {}}}
