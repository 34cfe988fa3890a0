"""The season after publication, on a dataset made for it (services called directly).

Organizations O1 (Hokkaido, 1), O2 (Tokyo, 13) and O3 (Osaka, 27); ALT openings V1 (O1),
V2 (O2, Japanese N3 or better) and W (O3, two slots). Every run places each shortlisted
person in their only preferred prefecture: S1 (US) at V1, S2 (GB, N2) at V2, S3 (US) and
S4 (IE) at W. The alternates, in rank order: A1 (no Japanese: never eligible for V2),
A2 (N3), A3 (N2, from Australia), A4 (N1). The round R-SEA covers ALT; `published`
publishes its first plan as version 1.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.schemas.withdrawals import WithdrawalRequest
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.services.rounds import publications, withdrawals
from jet_match.statuses import WithdrawalReason
from round_support import create_round, queue_run, round_etag, work

ROUND = "R-SEA"
FIRST_PLAN = {"S1": "V1", "S2": "V2", "S3": "W", "S4": "W"}


def _organization(external_id: str, prefecture: int) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "name": f"{external_id} town",
        "name_ja": f"{external_id}町",
        "kind": "municipality",
        "prefecture": prefecture,
        "area_type": "urban",
    }


def _opening(external_id: str, organization: str, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "organization": organization,
        "position": "ALT",
        "slots": 1,
        "school_level": "junior_high",
        **fields,
    }


def person(external_id: str, prefectures: list[int], country: str, **fields: Any) -> dict[str, Any]:
    """An ALT who prefers `prefectures`."""
    return {
        "external_id": external_id,
        "family_name": f"Family-{external_id}",
        "given_name": "Given",
        "email": f"{external_id.lower()}@example.org",
        "citizenship": country,
        "position": "ALT",
        "preferred_prefectures": prefectures,
        **fields,
    }


def alternate(external_id: str, rank: int, country: str, **fields: Any) -> dict[str, Any]:
    """An alternate of that rank who would go anywhere."""
    return person(external_id, [], country, status="alternate", alternate_rank=rank, **fields)


def dataset(extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The records above (and `extra` participants)."""
    return {
        "format": "jet-match/dataset@1",
        "organizations": [
            _organization("O1", 1),
            _organization("O2", 13),
            _organization("O3", 27),
        ],
        "openings": [
            _opening("V1", "O1"),
            _opening("V2", "O2", min_japanese_level="N3"),
            _opening("W", "O3", slots=2),
        ],
        "participants": [
            person("S1", [1], "US"),
            person("S2", [13], "GB", japanese_level="N2"),
            person("S3", [27], "US"),
            person("S4", [27], "IE"),
            alternate("A1", 1, "US"),
            alternate("A2", 2, "CA", japanese_level="N3"),
            alternate("A3", 3, "AU", japanese_level="N2"),
            alternate("A4", 4, "NZ", japanese_level="N1"),
            *(extra or []),
        ],
    }


def load(engine: Engine, extra: list[dict[str, Any]] | None = None) -> None:
    """Import the records."""
    with Session(engine, expire_on_commit=False) as session:
        imports.import_dataset(
            session=session, caller=COMMAND_LINE, raw=orjson.dumps(dataset(extra))
        )


def published(
    engine: Engine,
    settings: Settings,
    extra: list[dict[str, Any]] | None = None,
    **policy: object,
) -> str:
    """The records loaded, R-SEA run and published as version 1."""
    load(engine, extra)
    create_round(engine, ROUND, positions=("ALT",), **policy)
    queue_run(engine, ROUND)
    work(engine, settings)
    publish(engine)
    return ROUND


def publish(engine: Engine) -> int:
    """Publish R-SEA's working plan; the version."""
    with Session(engine, expire_on_commit=False) as session:
        return publications.publish(
            session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=round_etag(engine, ROUND)
        ).resource.version


def withdraw(
    engine: Engine, participant: str, reason: WithdrawalReason | None = WithdrawalReason.VISA
) -> None:
    """Withdraw a participant with a reason."""
    with Session(engine, expire_on_commit=False) as session:
        withdrawals.withdraw(
            session=session,
            caller=COMMAND_LINE,
            participant_id=participant,
            request=WithdrawalRequest(reason=reason),
        )
