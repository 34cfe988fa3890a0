"""Placement solver: a pure library (no web or database imports).

`solve(problem, *, time_limit_s, seed, progress, target_gap, deadline) -> Result`; `prepare` to
reuse the eligibility and score arrays across re-solves and explanations; `explain`
(`explain_plan` on one participant's rows),
`check_plan`, `evaluate_plan` and `pair_report` for coordinators; `policy_digest` names
the policy a result was scored under. See docs/scoring.md.
"""

from jet_match.solver.deadline import Deadline
from jet_match.solver.explain import (
    Alternative,
    Evaluation,
    Explanation,
    PairReport,
    Violation,
    check_plan,
    evaluate_plan,
    explain,
    explain_plan,
    pair_report,
    plan_objective,
    result_of_plan,
)
from jet_match.solver.instance import Conflict, Instance
from jet_match.solver.prepare import prepare
from jet_match.solver.problem import (
    AreaPreference,
    AreaType,
    Assignment,
    Opening,
    Organization,
    Participant,
    ParticipantStatus,
    PartnerConstraint,
    Position,
    Problem,
    SchoolLevel,
    SchoolLevelPreference,
    Waiver,
    Weights,
)
from jet_match.solver.result import (
    Bound,
    Metrics,
    Objective,
    Placement,
    Progress,
    ProgressCallback,
    Result,
    ScoringPolicy,
    Status,
    Timings,
    Unplaced,
    policy_digest,
    policy_document,
)
from jet_match.solver.solve import solve

__all__ = [
    "Alternative",
    "AreaPreference",
    "AreaType",
    "Assignment",
    "Bound",
    "Conflict",
    "Deadline",
    "Evaluation",
    "Explanation",
    "Instance",
    "Metrics",
    "Objective",
    "Opening",
    "Organization",
    "PairReport",
    "Participant",
    "ParticipantStatus",
    "PartnerConstraint",
    "Placement",
    "Position",
    "Problem",
    "Progress",
    "ProgressCallback",
    "Result",
    "SchoolLevel",
    "SchoolLevelPreference",
    "ScoringPolicy",
    "Status",
    "Timings",
    "Unplaced",
    "Violation",
    "Waiver",
    "Weights",
    "check_plan",
    "evaluate_plan",
    "explain",
    "explain_plan",
    "pair_report",
    "plan_objective",
    "policy_digest",
    "policy_document",
    "prepare",
    "result_of_plan",
    "solve",
]
