"""Database tables (SQLModel), one module per domain. Tables only: no behaviour, never sent
over HTTP.

Records keep the dataset's field names (DESIGN.md section 2) so that converting a row to
a `jet_match.dataset.format` record is a rename-free copy; references between records are
integer foreign keys, while clients only ever see external_ids. Enumerations are stored
as short strings and lists as JSON, which behave the same on SQLite and PostgreSQL.
`version` counts the writes of a row: it is the ETag, and updates compare-and-swap on it.
"""

from jet_match.models.careerfair import Fair, FairConsent, FairEmployer, FairRegistration
from jet_match.models.columns import EXTERNAL_ID_LENGTH, utcnow
from jet_match.models.development import Prospect, ProspectContact
from jet_match.models.notifications import (
    EmailOptOut,
    NotificationDelivery,
    NotificationEvent,
    Webhook,
)
from jet_match.models.operations import RateLimitCounter, WorkerHeartbeat
from jet_match.models.records import Opening, Organization, Participant
from jet_match.models.rounds import (
    ForbiddenPair,
    Placement,
    PreparedReview,
    Publication,
    PublishedPlacement,
    Round,
    Run,
)
from jet_match.models.season import Contract, NoticeIssue, Offer, ProgrammeYear, WithdrawalRecord
from jet_match.models.security import ApiKey, AuditEvent, IdempotencyRecord, User, UserSession

__all__ = [
    "EXTERNAL_ID_LENGTH",
    "ApiKey",
    "AuditEvent",
    "Contract",
    "EmailOptOut",
    "Fair",
    "FairConsent",
    "FairEmployer",
    "FairRegistration",
    "ForbiddenPair",
    "IdempotencyRecord",
    "NoticeIssue",
    "NotificationDelivery",
    "NotificationEvent",
    "Offer",
    "Opening",
    "Organization",
    "Participant",
    "Placement",
    "PreparedReview",
    "ProgrammeYear",
    "Prospect",
    "ProspectContact",
    "Publication",
    "PublishedPlacement",
    "RateLimitCounter",
    "Round",
    "Run",
    "User",
    "UserSession",
    "Webhook",
    "WithdrawalRecord",
    "WorkerHeartbeat",
    "utcnow",
]
