"""API keys (coordinators): create (the secret is shown once), list, read, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path

from jet_match.api.deps import PageDep, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from jet_match.schemas.common import Page
from jet_match.services.kit.access import Action, Caller
from jet_match.services.security import api_keys

router = APIRouter(prefix="/api-keys", tags=["api-keys"])

KeyAdmin = Annotated[Caller, Depends(allowed(Action.API_KEYS))]
KeyId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{8}$", description="The key's prefix (its `id`).", examples=["3f9a2b1c"]
    ),
]


@router.post(
    "", response_model=ApiKeyCreated, status_code=201, responses=responses(400, 401, 403, 422)
)
def create_api_key(
    key: Annotated[
        ApiKeyCreate,
        Body(
            openapi_examples={
                "host_org": {
                    "value": {
                        "role": "host_org",
                        "organization": "ORG-01-SAPPORO",
                        "name": "Sapporo BoE",
                    }
                },
                "coordinator": {"value": {"role": "coordinator", "name": "Coordination Section"}},
            }
        ),
    ],
    session: SessionDep,
    caller: KeyAdmin,
) -> ApiKeyCreated:
    """Create an API key.

    `host_org` keys are bound to one organization (`organization` is required); other
    roles take none. The answer's `key` is the secret: it is shown this once. Retries are
    not deduplicated (no Idempotency-Key): the secret is never stored to be replayed.
    """
    return api_keys.create_key(session=session, caller=caller, key_in=key)


@router.get("", response_model=Page[ApiKeyPublic], responses=responses(401, 403, 422))
def list_api_keys(session: SessionDep, caller: KeyAdmin, page: PageDep) -> Page[ApiKeyPublic]:
    """List API keys (never their secrets), revoked ones included."""
    return api_keys.list_keys(session=session, caller=caller, page=page)


@router.get("/{key_id}", response_model=ApiKeyPublic, responses=responses(401, 403, 404, 422))
def get_api_key(key_id: KeyId, session: SessionDep, caller: KeyAdmin) -> ApiKeyPublic:
    """Read an API key (never its secret)."""
    return api_keys.get_key(session=session, caller=caller, key_id=key_id)


@router.delete("/{key_id}", response_model=ApiKeyPublic, responses=responses(401, 403, 404, 422))
def revoke_api_key(key_id: KeyId, session: SessionDep, caller: KeyAdmin) -> ApiKeyPublic:
    """Revoke an API key.

    Takes effect at once: the next request with it answers 401. The key stays listed with
    `revoked_at`; revoking twice changes nothing. (No If-Match: keys have no versions.)
    """
    return api_keys.revoke_key(session=session, caller=caller, key_id=key_id)


@router.post(
    "/{key_id}/rotate",
    response_model=ApiKeyCreated,
    status_code=201,
    responses=responses(401, 403, 404, 409, 422),
)
def rotate_api_key(key_id: KeyId, session: SessionDep, caller: KeyAdmin) -> ApiKeyCreated:
    """Rotate an API key: a second key for the same client.

    The new key has the same role, organization and name; its secret is shown this once.
    The old key keeps working until you revoke it (`DELETE`), so the client switches
    without downtime. A revoked key cannot be rotated (409).
    """
    return api_keys.rotate_key(session=session, caller=caller, key_id=key_id)
