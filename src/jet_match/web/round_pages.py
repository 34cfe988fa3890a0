"""What the coordinators' pages about one record of a round share: who may open them,
their path parameters, and the context a page answers in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path
from sqlmodel import Session

from jet_match.api.deps import EXTERNAL_ID_PATTERN
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit.access import Action
from jet_match.web.pages import Page, page_for

#: Reading a plan's explanations and changing it: coordinators (the API's rounds:write).
Writer = Annotated[Page, Depends(page_for(Action.ROUNDS_WRITE))]
RoundIdPath = Annotated[str, Path(max_length=64, pattern=EXTERNAL_ID_PATTERN)]
RecordPath = Annotated[str, Path(max_length=64, pattern=EXTERNAL_ID_PATTERN)]


@dataclass(frozen=True, slots=True)
class InRound:
    """The page being answered: who asks, in which round (and its prepared problems)."""

    page: Page
    session: Session
    prepared: PreparedProblems
    round_id: str
