"""Offline solving: dataset -> solver `Problem`, `Result` -> the jet-match/result@1 document.

The solver is a pure library with its own small enumerations; this module is the one
place that translates, field by field, so that neither side depends on the other's types.
The rounds service (and the `solve` CLI) build problems with `problem_from_dataset`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any, TypeVar

import orjson

from jet_match.dataset import format as ds
from jet_match.dataset.reference import REGION_INDEX_BY_PREFECTURE
from jet_match.dataset.validation import read_dataset_file
from jet_match.schemas.runs import ObjectiveValue
from jet_match.solver import problem as sv
from jet_match.solver.deadline import Deadline
from jet_match.solver.result import (
    Certificate,
    DualPrices,
    Metrics,
    Objective,
    ProgressCallback,
    Result,
    ScoringPolicy,
    Timings,
    Unplaced,
    policy_document,
)
from jet_match.solver.solve import solve

RESULT_FORMAT = "jet-match/result@1"

E = TypeVar("E", bound=IntEnum)


def _by_name(source: type[StrEnum], target: type[E]) -> dict[Any, E]:
    """Map a dataset enumeration to the solver's by member name (the names match one to
    one; a KeyError here means the two have drifted apart)."""
    return {member: target[member.name] for member in source}


_POSITION = _by_name(ds.Position, sv.Position)
_STATUS = _by_name(ds.ParticipantStatus, sv.ParticipantStatus)
_AREA_TYPE = _by_name(ds.AreaType, sv.AreaType)
_AREA_PREFERENCE = _by_name(ds.AreaPreference, sv.AreaPreference)
_SCHOOL_LEVEL = _by_name(ds.SchoolLevel, sv.SchoolLevel)
_SCHOOL_PREFERENCE = _by_name(ds.SchoolLevelPreference, sv.SchoolLevelPreference)
_PARTNER = _by_name(ds.PartnerConstraint, sv.PartnerConstraint)


def problem_from_dataset(
    dataset: ds.Dataset,
    *,
    positions: Iterable[ds.Position] | None = None,
    weights: Mapping[str, int] | None = None,
    max_country_share_per_prefecture: float | None = None,
    override_cap: bool = False,
    participants: Sequence[sv.Participant] | None = None,
) -> sv.Problem:
    """The solver's `Problem` for a dataset.

    `positions` limits the run (None: all positions). `weights` overrides some weights of
    the dataset's policy (a round's overrides); with `override_cap`, the country cap is
    `max_country_share_per_prefecture` instead of the dataset's. `participants`: the
    dataset's participants already converted (`solver_participant`), which a process
    keeps between reads, in place of the dataset's own.
    """
    policy = dataset.policy or ds.Policy()
    merged = {**policy.weights.model_dump(), **(weights or {})}
    cap = (
        max_country_share_per_prefecture
        if override_cap
        else policy.max_country_share_per_prefecture
    )
    return sv.Problem(
        organizations=tuple(
            sv.Organization(
                external_id=org.external_id,
                prefecture=org.prefecture,
                area_type=_AREA_TYPE[org.area_type],
                medical_access=org.medical_access,
                sister_regions=tuple(org.sister_regions),
            )
            for org in dataset.organizations
        ),
        openings=tuple(
            sv.Opening(
                external_id=o.external_id,
                organization=o.organization,
                position=_POSITION[o.position],
                slots=o.slots,
                school_level=_SCHOOL_LEVEL[o.school_level],
                min_japanese_level=o.min_japanese_level.ordinal,
                driving_required=o.driving_required,
                requested_countries=tuple(o.requested_countries),
                country_required=o.country_required,
                prefers_experience=o.prefers_experience,
                sport=o.sport,
                is_open=o.status == ds.OpeningStatus.OPEN,
            )
            for o in dataset.openings
        ),
        participants=(
            tuple(participants)
            if participants is not None
            else tuple(solver_participant(p) for p in dataset.participants)
        ),
        weights=sv.Weights(**merged),
        max_country_share_per_prefecture=cap,
        pins=_pairs(dataset.pins),
        forbidden=_pairs(dataset.forbidden),
        previous_plan=_pairs(dataset.previous_plan),
        positions=frozenset(_POSITION[p] for p in positions) if positions is not None else None,
        regions=REGION_INDEX_BY_PREFECTURE,
    )


def solver_participant(p: ds.Participant) -> sv.Participant:
    """A dataset participant as the solver's."""
    return sv.Participant(
        external_id=p.external_id,
        citizenship=p.citizenship,
        position=_POSITION[p.position],
        status=_STATUS[p.status],
        japanese_level=p.japanese_level.ordinal,
        teaching_experience_years=p.teaching_experience_years,
        can_drive=p.can_drive,
        preferred_prefectures=tuple(p.preferred_prefectures),
        area_preference=_AREA_PREFERENCE[p.area_preference],
        school_level_preference=_SCHOOL_PREFERENCE[p.school_level_preference],
        needs_medical_access=p.needs_medical_access,
        sport=p.sport,
        home_region=p.home_region,
        partner=p.partner.external_id if p.partner else None,
        partner_constraint=_PARTNER[p.partner.constraint] if p.partner else None,
    )


def _pairs(pairs: Iterable[ds.Pair]) -> tuple[sv.Assignment, ...]:
    return tuple(sv.Assignment(pair.participant, pair.opening) for pair in pairs)


def waived_document(result: Result) -> list[dict[str, Any]]:
    """The hard rules a result's waivers set aside, by pair (coordinators' overrides)."""
    return [
        {"participant": w.participant, "opening": w.opening, "rules": list(w.rules or ())}
        for w in result.waived
    ]


def certificate_document(certificate: Certificate) -> dict[str, Any]:
    """The bound's certificate as JSON (docs/scoring.md section 7, "The certificate")."""

    def prices(priced: DualPrices | None) -> dict[str, Any] | None:
        if priced is None:
            return None
        return {
            "openings": dict(priced.openings),
            "caps": dict(priced.caps),
            "placement": priced.placement,
            "placed_min": priced.placed_min,
            "bound": priced.bound,
            "unit": priced.unit,
            "cuts": [
                {
                    "id": cut.id,
                    "rows": [
                        {
                            "kind": row.kind,
                            "id": row.id,
                            "weight": row.weight,
                            "partner": row.partner,
                            "group": row.group,
                        }
                        for row in cut.rows
                    ],
                    "rhs": cut.rhs,
                    "price": cut.price,
                }
                for cut in priced.cuts
            ],
        }

    return {
        "placements": prices(certificate.placements),
        "score": prices(certificate.score),
        "pinned": certificate.pinned,
        "score_offset": certificate.score_offset,
        "placed_bound": certificate.placed_bound,
        "score_bound": certificate.score_bound,
    }


def result_document(result: Result, *, policy: ScoringPolicy | None = None) -> dict[str, Any]:
    """The jet-match/result@1 document (DESIGN.md section 4) of a result, naming the
    `policy` it was scored under when given (docs/scoring.md section 8)."""
    return {
        "format": RESULT_FORMAT,
        "status": result.status.value,
        "engine": result.engine,
        "objective": {
            "placed": result.objective.placed,
            "score": result.objective.score,
            "disruption": result.objective.disruption,
            "moved": result.objective.moved,
        },
        "bound": (
            {"placed": result.bound.placed, "score": result.bound.score} if result.bound else None
        ),
        "gap": result.gap,
        **({"certificate": certificate_document(result.certificate)} if result.certificate else {}),
        **({"policy": policy_document(policy)} if policy is not None else {}),
        **({"waived": waived_document(result)} if result.waived else {}),
        "placements": [
            {
                "participant": p.participant,
                "opening": p.opening,
                "score": p.score,
                "breakdown": dict(p.breakdown),
                **({"pinned": True} if p.pinned else {}),
            }
            for p in result.placements
        ],
        "unplaced": [unplaced_entry(u) for u in result.unplaced],
        "conflicts": [asdict(c) for c in result.conflicts],
        "metrics": metrics_document(result.metrics),
        "timings": asdict(result.timings),
    }


def objective_value(objective: Objective) -> ObjectiveValue:
    """A plan's objective as the wire model: a run's outcome's and an evaluation's
    `objective`."""
    return ObjectiveValue(
        placed=objective.placed,
        score=objective.score,
        disruption=objective.disruption,
        moved=objective.moved,
        net=objective.net,
    )


def metrics_document(metrics: Metrics) -> dict[str, Any]:
    """A plan's metrics as JSON: the result document's and a run's outcome's `metrics`."""
    document = asdict(metrics)
    document["fill_rate_by_prefecture"] = {
        str(code): rate for code, rate in metrics.fill_rate_by_prefecture.items()
    }
    return document


def unplaced_entry(unplaced: Unplaced) -> dict[str, Any]:
    """An unplaced participant as JSON: the result document's and a run's `unplaced`."""
    return {
        "participant": unplaced.participant,
        "reasons": list(unplaced.reasons),
        **({"excluded_by": dict(unplaced.excluded_by)} if unplaced.excluded_by else {}),
    }


@dataclass(frozen=True, slots=True)
class OfflineSolve:
    """What the offline use case produced: the result and its document."""

    result: Result
    document: dict[str, Any]


def solve_dataset_file(
    path: Path,
    out: Path,
    *,
    time_limit_s: float = 60.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    target_gap: float = 0.0,
    deadline: Deadline | None = None,
) -> OfflineSolve:
    """Read and validate a dataset file, solve it, write the result document to `out`.

    `target_gap` is passed to `solve` (0: search until optimal or the time limit). The
    time limit covers reading too: `deadline` when the caller's clock started earlier,
    else `time_limit_s` from now.
    Raises `DatasetInvalid` (with every issue) when the dataset is not valid.
    """
    started = time.perf_counter()
    deadline = deadline if deadline is not None else Deadline(time_limit_s, started)
    dataset = read_dataset_file(path)
    problem = problem_from_dataset(dataset)
    read_s = time.perf_counter() - started
    result = solve(problem, seed=seed, progress=progress, target_gap=target_gap, deadline=deadline)
    result = replace(
        result,
        timings=Timings(
            read_s=round(read_s, 4),
            model_s=round(result.timings.model_s, 4),
            solve_s=round(result.timings.solve_s, 4),
            total_s=0.0,
        ),
    )
    document = result_document(result, policy=ScoringPolicy.of(problem))
    document["timings"]["total_s"] = round(time.perf_counter() - started, 4)
    out.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    document["timings"]["total_s"] = round(time.perf_counter() - started, 4)
    final = replace(result, timings=Timings(**document["timings"]))
    return OfflineSolve(final, document)
