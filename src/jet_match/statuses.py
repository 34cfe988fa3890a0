"""What an API key may do, where a round and a run are: states shared by the services,
the worker and the wire models."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What an API key may do (docs/api.md, "Roles")."""

    COORDINATOR = "coordinator"
    HOST_ORG = "host_org"
    CAREER_FAIR = "career_fair"


class RoundStatus(StrEnum):
    """Lifecycle of a round: draft -> solved -> published -> amended -> published ... -> closed."""

    DRAFT = "draft"
    SOLVED = "solved"
    PUBLISHED = "published"
    AMENDED = "amended"
    CLOSED = "closed"


class RunStatus(StrEnum):
    """Where a run is: waiting for a worker, solving, or finished one of four ways."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


class EventKind(StrEnum):
    """What a notification tells (docs/notifications.md lists each payload)."""

    ROUND_PUBLISHED = "round.published"
    ROUND_AMENDED = "round.amended"
    PLACEMENT_VACATED = "placement.vacated"
    RUN_FINISHED = "run.finished"
    RUN_FAILED = "run.failed"
    OFFER_MADE = "offer.made"
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    OFFER_EXPIRED = "offer.expired"
    OPENING_CHANGED = "opening.changed"


class DeliveryStatus(StrEnum):
    """Where one delivery of an event is: waiting (first try or a retry), done, or given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class OfferStatus(StrEnum):
    """Where an offer of a vacancy to an alternate stands (docs/season-offers.md)."""

    OPEN = "open"  # made, waiting for the alternate's answer until it expires
    ACCEPTED = "accepted"  # the alternate took the place: pinned in the working plan
    DECLINED = "declined"  # the alternate said no: never offered that opening again
    EXPIRED = "expired"  # nobody answered in time: treated as a decline
    WITHDRAWN = "withdrawn"  # a coordinator took the offer back


class WithdrawalReason(StrEnum):
    """Why a participant withdrew (the round report counts them)."""

    PERSONAL = "personal"
    HEALTH = "health"
    FAMILY = "family"
    OTHER_OFFER = "other_offer"
    VISA = "visa"
    OTHER = "other"
