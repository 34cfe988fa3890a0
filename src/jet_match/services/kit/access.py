"""Who may do what: the caller of a use case, the actions, and the role permissions.

Two layers decide an answer (docs/api.md, "Roles"):
- `authorize(caller, action)`: may this *role* do this kind of thing at all? If not,
  403, whatever record is named, so the answer reveals nothing.
- scoping: the services filter every query by the caller (`Caller.organization_id`), so a
  host organization asking for another organization's record gets the same 404 as for a
  missing one. No route decides either.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jet_match.errors import Forbidden
from jet_match.statuses import Role


class Action(StrEnum):
    """Kinds of things a caller can do; roles are sets of actions."""

    ORGANIZATIONS_READ = "organizations:read"
    ORGANIZATIONS_WRITE = "organizations:write"
    OPENINGS_READ = "openings:read"
    OPENINGS_WRITE = "openings:write"
    PARTICIPANTS_READ = "participants:read"
    PARTICIPANTS_WRITE = "participants:write"
    IMPORT = "import"
    EXPORT = "export"
    API_KEYS = "api-keys"
    AUDIT_READ = "audit:read"
    ROUNDS_READ = "rounds:read"
    ROUNDS_WRITE = "rounds:write"
    PUBLISH = "rounds:publish"
    PLACEMENTS_READ = "placements:read"
    RESULTS_READ = "results:read"
    CONTRACTS_READ = "contracts:read"
    CONTRACTS_WRITE = "contracts:write"
    INTENTIONS_WRITE = "intentions:write"
    DEMAND_READ = "demand:read"
    DEMAND_APPLY = "demand:apply"
    SEASON_WRITE = "season:write"
    EVENTS_READ = "events:read"
    WEBHOOKS = "webhooks"
    DEVELOPMENT = "development"
    FAIRS_READ = "fairs:read"
    FAIRS_WRITE = "fairs:write"
    METRICS_READ = "metrics:read"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(Action),
    # Reads its own organization; maintains its own openings; reads the placements
    # published to them; reads its contracts in post and sets their intentions; reads its
    # demand (all scoped by organization_id, or by prefecture for reads with prefecture
    # scope).
    Role.HOST_ORG: frozenset(
        {
            Action.ORGANIZATIONS_READ,
            Action.OPENINGS_READ,
            Action.OPENINGS_WRITE,
            Action.PLACEMENTS_READ,
            Action.CONTRACTS_READ,
            Action.INTENTIONS_WRITE,
            Action.DEMAND_READ,
            Action.EVENTS_READ,
            Action.WEBHOOKS,
        }
    ),
    # Reads published results, fairs and their rosters, with the minimum personal data.
    Role.CAREER_FAIR: frozenset({Action.RESULTS_READ, Action.FAIRS_READ}),
}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the API key (None for the command line), its role and scope."""

    role: Role
    key_id: int | None = None
    key_prefix: str | None = None
    organization_id: int | None = None
    request_id: str | None = None
    label: str | None = None  # who acts without a key: `cli` (default) or `worker`
    # Prefecture scope (season): the prefecture (JIS code) whose organizations a host key
    # or user of a prefecture may read; None: its own organization only.
    prefecture: int | None = None

    @property
    def actor(self) -> str:
        """How the audit trail names the caller (never a person's name)."""
        return f"key:{self.key_prefix}" if self.key_prefix else (self.label or "cli")

    @property
    def scoped_to_organization(self) -> bool:
        """Queries must be limited to `organization_id`."""
        return self.role is Role.HOST_ORG

    @property
    def reads_prefecture(self) -> bool:
        """Reads of contracts, openings, demand and published placements are limited to
        the organizations of `prefecture` (writes stay limited to `organization_id`)."""
        return self.role is Role.HOST_ORG and self.prefecture is not None


#: The Prometheus scraper, with `JET_MATCH_METRICS_TOKEN`: reads the metrics, nothing else.
METRICS_SCRAPER = Caller(role=Role.COORDINATOR, label="metrics")

#: The command line acts as a coordinator, audited as `cli`.
COMMAND_LINE = Caller(role=Role.COORDINATOR)

#: A background worker finishing runs, audited as `worker`.
WORKER = Caller(role=Role.COORDINATOR, label="worker")


def allows(caller: Caller, action: Action) -> bool:
    """The caller's role includes the action."""
    return action in PERMISSIONS[caller.role]


def authorize(caller: Caller, action: Action) -> None:
    """Raise Forbidden unless the caller's role includes the action."""
    if not allows(caller, action):
        raise Forbidden(f"a {caller.role.value} key may not use this ({action.value})")
