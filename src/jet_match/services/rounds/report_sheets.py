"""A round's report as sheets: the plan, term by term, for machines (`report_sheet`: CSV
or XLSX, stable column names) and for people (`report_for_people`: XLSX in the reader's
language, a summary sheet first).

The XLSX report is written by the worker too once a run has completed or the plan or
records changed (`prepare_workbook`), and kept under a digest of its content: a read
whose content digest matches answers with it."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset.reference import REGION_INDEX_BY_PREFECTURE
from jet_match.schemas.review import (
    RoundReport,
)
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit import sheet_writing
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import commit
from jet_match.services.rounds import prepared, review, rounds
from jet_match.services.security import audit

PLAN_COLUMNS = [
    "participant",
    "position",
    "citizenship",
    "placed",
    "opening",
    "organization",
    "prefecture",
    "rank",
    "score",
    "location",
    "area",
    "school",
    "requested_country",
    "sister_region",
    "experience",
    "japanese",
    "pinned",
    "source",
    "override_reason",
    "unplaced_reasons",
]

#: The kind of prepared document holding the XLSX report (`prepared_reviews`).
WORKBOOK = "workbook"


def report_sheet(
    *,
    session: Session,
    caller: Caller,
    prepared: PreparedProblems,
    round_id: str,
    sheet_format: str,
) -> bytes:
    """The round report as a CSV (the plan, one row per participant of the round) or an
    XLSX workbook (plan, unplaced, prefectures, countries, summary, withdrawals, arrival
    groups)."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    built = review.build_report(session, row, prepared)
    rows = _plan_rows(session, row, built)
    audit.record(session, caller, "round.report", "round", row.external_id, format=sheet_format)
    commit(session)
    if sheet_format == "csv":
        return sheet_writing.write_table_csv(PLAN_COLUMNS, rows)
    return _workbook(session, row, built, rows)


def _content_digest(built: RoundReport, rows: list[dict[str, Any]]) -> str:
    """A digest of everything the XLSX report shows."""
    digest = hashlib.sha256(built.model_dump_json().encode())
    digest.update(json.dumps(rows, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _workbook(
    session: Session, row: models.Round, built: RoundReport, rows: list[dict[str, Any]]
) -> bytes:
    """The XLSX report: the workbook the worker prepared for exactly this content (writing
    a national one takes seconds), else written now."""
    assert row.id is not None
    document = prepared.current(session, row.id, WORKBOOK, _content_digest(built, rows))
    if document is not None:
        return base64.b64decode(document["xlsx"])
    return _write_workbook(built, rows)


def prepare_workbook(session: Session, row: models.Round, problems: PreparedProblems) -> bool:
    """Write and keep the round's XLSX report for its current content (the worker, after
    the evaluation); whether it wrote one."""
    assert row.id is not None
    built = review.build_report(session, row, problems)
    rows = _plan_rows(session, row, built)
    digest = _content_digest(built, rows)
    if prepared.current(session, row.id, WORKBOOK, digest) is not None:
        return False
    content = base64.b64encode(_write_workbook(built, rows)).decode()
    prepared.store(session, row.id, WORKBOOK, digest, {"xlsx": content})
    session.commit()
    return True


def _write_workbook(built: RoundReport, rows: list[dict[str, Any]]) -> bytes:
    metrics = built.metrics
    summary = [
        {"figure": "placed", "value": built.objective.placed},
        {"figure": "unplaced", "value": len(built.unplaced)},
        {"figure": "score", "value": built.objective.score},
        {"figure": "mean_score", "value": metrics["mean_score"]},
        {"figure": "min_score", "value": metrics["min_score"]},
        {"figure": "area_match_rate", "value": metrics["area_match_rate"]},
        {"figure": "blocking_pairs", "value": metrics["blocking_pairs"]},
        *({"figure": f"rank_{k}", "value": v} for k, v in metrics["rank_profile"].items()),
    ]
    return sheet_writing.write_tables_xlsx(
        {
            "plan": (PLAN_COLUMNS, rows),
            "unplaced": (
                ["participant", "position", "reasons"],
                [
                    {
                        "participant": u.participant,
                        "position": u.position.value,
                        "reasons": "; ".join(u.reasons),
                    }
                    for u in built.unplaced
                ],
            ),
            "prefectures": (
                ["prefecture", "fill_rate"],
                [
                    {"prefecture": int(k), "fill_rate": v}
                    for k, v in metrics["fill_rate_by_prefecture"].items()
                ],
            ),
            "countries": (
                ["country", "fill_rate"],
                [
                    {"country": k, "fill_rate": v}
                    for k, v in metrics["fill_rate_by_country"].items()
                ],
            ),
            "summary": (["figure", "value"], summary),
            "withdrawals": (["by", "key", "count"], _withdrawal_rows(built)),
            "arrival_groups": (
                ["group", "date", "placed"],
                [
                    {
                        "group": g.name,
                        "date": g.date.isoformat() if g.date else None,
                        "placed": g.placed,
                    }
                    for g in built.arrival_groups
                ],
            ),
        }
    )


def _withdrawal_rows(built: RoundReport) -> list[dict[str, Any]]:
    """The withdrawal counts as rows: by reason, country, position, and publication."""
    counts = built.withdrawals
    rows: list[dict[str, Any]] = [{"by": "total", "key": None, "count": counts.total}]
    for by, found in (
        ("reason", counts.by_reason),
        ("country", counts.by_country),
        ("position", counts.by_position),
    ):
        rows.extend({"by": by, "key": key, "count": n} for key, n in found.items())
    rows.append({"by": "publication", "key": "before", "count": counts.before_publication})
    rows.append({"by": "publication", "key": "after", "count": counts.after_publication})
    return rows


def _plan_rows(session: Session, row: models.Round, built: RoundReport) -> list[dict[str, Any]]:
    """One row per participant of the round: placed with the breakdown, or unplaced."""
    assert row.id is not None
    placement, participant = models.Placement, models.Participant
    opening, organization = models.Opening, models.Organization
    # Columns, not whole rows: a national plan is 6,000 of each (about 1 s as objects).
    placed = session.execute(
        sa.select(
            col(participant.external_id),
            col(participant.position),
            col(participant.citizenship),
            col(participant.preferred_prefectures),
            col(placement.score),
            col(placement.breakdown),
            col(placement.pinned),
            col(placement.source),
            col(placement.override_reason),
            col(opening.external_id),
            col(organization.external_id),
            col(organization.prefecture),
        )
        .select_from(participant)
        .join(placement, col(placement.participant_id) == participant.id)
        .join(opening, col(opening.id) == placement.opening_id)
        .join(organization, col(organization.id) == opening.organization_id)
        .where(col(placement.round_id) == row.id)
    ).all()
    unplaced = {u.participant: u for u in built.unplaced}
    people = {
        external_id: (position, citizenship)
        for external_id, position, citizenship in session.execute(
            sa.select(
                col(participant.external_id),
                col(participant.position),
                col(participant.citizenship),
            ).where(col(participant.external_id).in_(list(unplaced)))
        ).all()
    }
    rows: list[dict[str, Any]] = []
    for (
        external_id,
        position,
        citizenship,
        preferred,
        score,
        breakdown,
        pinned,
        source,
        override_reason,
        opening_ext,
        org_ext,
        prefecture,
    ) in placed:
        rows.append(
            {
                "participant": external_id,
                "position": position,
                "citizenship": citizenship,
                "placed": True,
                "opening": opening_ext,
                "organization": org_ext,
                "prefecture": prefecture,
                "rank": _rank(preferred, prefecture),
                "score": score,
                **breakdown,
                "pinned": pinned,
                "source": source,
                "override_reason": override_reason,
            }
        )
    for external_id, item in unplaced.items():
        position, citizenship = people[external_id]
        rows.append(
            {
                "participant": external_id,
                "position": position,
                "citizenship": citizenship,
                "placed": False,
                "unplaced_reasons": "; ".join(item.reasons),
            }
        )
    rows.sort(key=lambda r: r["participant"])
    return rows


def _rank(preferred: Sequence[int], prefecture: int) -> str:
    """Which choice the placement's prefecture was: first, second, third, same_region, elsewhere."""
    if prefecture in preferred:
        return ("first", "second", "third")[list(preferred).index(prefecture)]
    region = REGION_INDEX_BY_PREFECTURE[prefecture]
    if any(REGION_INDEX_BY_PREFECTURE[p] == region for p in preferred):
        return "same_region"
    return "elsewhere"


@dataclass(frozen=True)
class ReportWords:
    """The words of a report for people, in the reader's language: given by the caller
    (the workspace's catalogs), so the same report serves Japanese and English readers.
    `labels` names every sheet, column and figure by the keys of `report_for_people`."""

    labels: Mapping[str, str]
    choices: Mapping[str, str]
    prefecture: Callable[[int], str]
    organization: Callable[[str, str | None], str]
    today: str
    reason: Callable[[str], str] = str  # a reason for leaving someone unplaced


PEOPLE_PLAN_COLUMNS = (
    "participant",
    "name",
    "citizenship",
    "position",
    "opening",
    "organization",
    "prefecture",
    "choice",
    "score",
    "pinned",
    "override_reason",
    "unplaced_reasons",
)


def report_for_people(
    *,
    session: Session,
    caller: Caller,
    prepared: PreparedProblems,
    round_id: str,
    words: ReportWords,
) -> bytes:
    """The round report as a workbook for people: a summary (round, version, date, key
    figures), the plan with names, prefecture names and which choice, the unplaced with
    reasons, fill rates by prefecture; headers frozen, filters, widths, percentages."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    built = review.build_report(session, row, prepared)
    rows = _plan_rows(session, row, built)
    ids = [r["participant"] for r in rows]
    names = {
        p: f"{family} {given}"
        for p, family, given in session.execute(
            select(
                models.Participant.external_id,
                models.Participant.family_name,
                models.Participant.given_name,
            ).where(col(models.Participant.external_id).in_(ids))
        ).all()
    }
    organizations = {
        o: words.organization(name, name_ja)
        for o, name, name_ja in session.execute(
            select(
                models.Organization.external_id,
                models.Organization.name,
                models.Organization.name_ja,
            ).where(
                col(models.Organization.external_id).in_(
                    {r["organization"] for r in rows if r.get("organization")}
                )
            )
        ).all()
    }
    label, yes = words.labels, words.labels["yes"]
    why = {u.participant: "; ".join(words.reason(r) for r in u.reasons) for u in built.unplaced}
    plan = [
        [
            r["participant"],
            names.get(r["participant"], ""),
            r["citizenship"],
            r["position"],
            r.get("opening"),
            organizations.get(r.get("organization") or "", ""),
            words.prefecture(r["prefecture"]) if r.get("prefecture") else "",
            words.choices[r["rank"] if r["placed"] else "unplaced"],
            r.get("score"),
            yes if r.get("pinned") else "",
            r.get("override_reason") or "",
            why.get(r["participant"]) or r.get("unplaced_reasons") or "",
        ]
        for r in rows
    ]
    metrics = built.metrics
    summary: list[list[Any]] = [
        [label["round"], f"{row.name} ({row.external_id})"],
        [label["round_version"], row.version],
        [label["published_version"], row.published_version or ""],
        [label["date"], words.today],
        [label["placed"], built.objective.placed],
        [label["unplaced"], len(built.unplaced)],
        [label["score"], built.objective.score],
        [label["mean_score"], metrics["mean_score"]],
        [label["area_match_rate"], metrics["area_match_rate"]],
        *([words.choices[k], v] for k, v in metrics["rank_profile"].items()),
    ]
    audit.record(session, caller, "round.report", "round", row.external_id, format="xlsx-people")
    commit(session)
    return sheet_writing.write_report_xlsx(
        [
            sheet_writing.ReportSheet(label["summary"], [label["figure"], label["value"]], summary),
            sheet_writing.ReportSheet(label["plan"], [label[c] for c in PEOPLE_PLAN_COLUMNS], plan),
            sheet_writing.ReportSheet(
                label["unplaced"],
                [label["participant"], label["name"], label["position"], label["unplaced_reasons"]],
                [
                    [
                        u.participant,
                        names.get(u.participant, ""),
                        u.position.value,
                        why[u.participant],
                    ]
                    for u in built.unplaced
                ],
            ),
            sheet_writing.ReportSheet(
                label["prefectures"],
                [label["prefecture"], label["fill_rate"]],
                [
                    [words.prefecture(int(k)), v]
                    for k, v in sorted(
                        metrics["fill_rate_by_prefecture"].items(), key=lambda item: int(item[0])
                    )
                ],
                percent_columns=frozenset({1}),
            ),
        ]
    )
