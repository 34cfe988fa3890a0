"""Placement notices: per host organization and per sending country, bilingual.

A notice states a round's latest published version for one recipient: who is placed
where, in which position, travelling in which arrival group (`rounds.arrival_groups`).
A host organization reads its own notice only (another organization's is a 404, as for
a missing one); the notices per sending country are for coordinators (embassies and
consulates receive them from the section).

Issues: the first read of a notice for a published version *issues* it: the issue is
recorded (`notice_issues`: who, when, which version, and the lines it stated). A notice
of a later version is a re-issue: it lists only what changed since the last issue
(added, removed, changed lines), unless the whole notice is asked for (`full`). Reading
the same version again states the same thing and records no new issue; every read is
audited (the lines hold names).

The same notice comes as JSON, as a printable HTML page and as an XLSX sheet, with every
label in Japanese and English (`wording`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import Conflict
from jet_match.schemas.notices import (
    LineChange,
    Notice,
    NoticeIssuePublic,
    NoticeKind,
    NoticeLine,
)
from jet_match.services.kit import lookups, sheet_writing
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import commit
from jet_match.services.rounds import arrival_groups, rounds
from jet_match.services.season import wording
from jet_match.services.security import audit

Issue = models.NoticeIssue


def organization_notice(
    *, session: Session, caller: Caller, round_id: str, organization_id: str, full: bool = False
) -> Notice:
    """The notice of the round's latest published version for one host organization (a
    host reads its own only)."""
    authorize(caller, Action.PLACEMENTS_READ)
    organization = lookups.find_organization(session, caller, organization_id)
    row = _published_round(session, round_id)
    found = arrival_groups.arrivals(session, row, organization_id=organization.id)
    return _notice(
        session,
        caller,
        row,
        NoticeKind.ORGANIZATION,
        organization.external_id,
        organization.name,
        found,
        full=full,
    )


def country_notice(
    *, session: Session, caller: Caller, round_id: str, country: str, full: bool = False
) -> Notice:
    """The notice of the round's latest published version for one sending country
    (coordinators)."""
    authorize(caller, Action.ROUNDS_READ)
    row = _published_round(session, round_id)
    found = arrival_groups.arrivals(session, row, country=country)
    return _notice(session, caller, row, NoticeKind.COUNTRY, country, country, found, full=full)


def organization_notice_file(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    organization_id: str,
    file_format: str,
    full: bool = False,
) -> bytes:
    """The organization's notice as a printable HTML page or an XLSX sheet."""
    notice = organization_notice(
        session=session,
        caller=caller,
        round_id=round_id,
        organization_id=organization_id,
        full=full,
    )
    return render(notice, file_format)


def country_notice_file(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    country: str,
    file_format: str,
    full: bool = False,
) -> bytes:
    """The country's notice as a printable HTML page or an XLSX sheet."""
    notice = country_notice(
        session=session, caller=caller, round_id=round_id, country=country, full=full
    )
    return render(notice, file_format)


def _published_round(session: Session, round_id: str) -> models.Round:
    row = rounds.find(session, round_id)
    if not row.published_version:
        raise Conflict(f"round '{round_id}' has no published version yet: nothing to notify")
    return row


def _notice(
    session: Session,
    caller: Caller,
    row: models.Round,
    kind: NoticeKind,
    subject: str,
    subject_name: str,
    found: Sequence[arrival_groups.Arrival],
    *,
    full: bool,
) -> Notice:
    assert row.id is not None
    version = row.published_version
    current = {a.participant: _line(a) for a in found}
    issues = _issues(session, row.id, kind, subject)
    if not any(issue.version == version for issue in issues):
        _issue(session, caller, row, kind, subject, list(current.values()))
        issues = _issues(session, row.id, kind, subject)
    earlier = [issue for issue in issues if issue.version < version]
    previous = earlier[-1] if earlier else None
    if previous is None:
        lines = list(current.values())
    else:
        before = {
            line.participant: line
            for line in (NoticeLine.model_validate(raw) for raw in previous.lines)
        }
        lines = _differences(before, current, full=full)
    audit.record(
        session,
        caller,
        "notice.read",
        "round",
        row.external_id,
        kind=kind.value,
        subject=subject,
        version=version,
        since=previous.version if previous else None,
        external_ids=[line.participant for line in lines],
    )
    commit(session)
    return Notice(
        round=row.external_id,
        kind=kind,
        subject=subject,
        subject_name=subject_name,
        version=version,
        reissue=previous is not None,
        since_version=previous.version if previous else None,
        full=full or previous is None,
        lines=lines,
        issues=[
            NoticeIssuePublic(version=i.version, issued_at=i.issued_at, issued_by=i.issued_by)
            for i in issues
        ],
    )


def _line(arrival: arrival_groups.Arrival) -> NoticeLine:
    return NoticeLine(
        participant=arrival.participant,
        family_name=arrival.family_name,
        given_name=arrival.given_name,
        citizenship=arrival.citizenship,
        position=fmt.Position(arrival.position),
        opening=arrival.opening,
        organization=arrival.organization,
        organization_name=arrival.organization_name,
        organization_name_ja=arrival.organization_name_ja,
        prefecture=arrival.prefecture,
        group=arrival.group,
        arrives_on=arrival.arrives_on,
        change=None,
        previous_opening=None,
        previous_group=None,
    )


def _differences(
    before: dict[str, NoticeLine], now: dict[str, NoticeLine], *, full: bool
) -> list[NoticeLine]:
    """The lines of a re-issue, by participant: added, removed and changed ones (and, when
    `full`, the unchanged ones too)."""
    lines = []
    for participant in sorted(set(before) | set(now)):
        old, new = before.get(participant), now.get(participant)
        if new is None:
            assert old is not None
            lines.append(old.model_copy(update={"change": LineChange.REMOVED}))
        elif old is None:
            lines.append(new.model_copy(update={"change": LineChange.ADDED}))
        elif (old.opening, old.group, old.arrives_on) != (new.opening, new.group, new.arrives_on):
            lines.append(
                new.model_copy(
                    update={
                        "change": LineChange.CHANGED,
                        "previous_opening": old.opening,
                        "previous_group": old.group,
                    }
                )
            )
        elif full:
            lines.append(new)
    return lines


def _issues(
    session: Session, round_id: int, kind: NoticeKind, subject: str
) -> list[models.NoticeIssue]:
    return list(
        session.scalars(
            select(Issue)
            .where(Issue.round_id == round_id, Issue.kind == kind.value, Issue.subject == subject)
            .order_by(col(Issue.version))
        ).all()
    )


def _issue(
    session: Session,
    caller: Caller,
    row: models.Round,
    kind: NoticeKind,
    subject: str,
    lines: list[NoticeLine],
) -> None:
    """Record the issue of this version's notice (a concurrent first read may have
    recorded it already: then theirs stands)."""
    assert row.id is not None
    try:
        with session.begin_nested():
            session.add(
                Issue(
                    round_id=row.id,
                    kind=kind.value,
                    subject=subject,
                    version=row.published_version,
                    issued_by=caller.actor,
                    lines=[line.model_dump(mode="json") for line in lines],
                )
            )
            session.flush()
    except IntegrityError:
        return
    audit.record(
        session,
        caller,
        "notice.issue",
        "round",
        row.external_id,
        kind=kind.value,
        subject=subject,
        version=row.published_version,
        lines=len(lines),
    )


# --- documents ---------------------------------------------------------------------------


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("jet_match.services.season", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(notice: Notice, file_format: str) -> bytes:
    """The notice as a printable bilingual HTML page (`html`) or XLSX sheet (`xlsx`)."""
    labels = {name: wording.both(message) for name, message in wording.LABELS.items()}
    if file_format == "html":
        page = (
            _templates()
            .get_template("notice.html")
            .render(
                notice=notice,
                labels=labels,
                position=_position,
                prefecture=wording.prefecture,
                issue=next(i for i in notice.issues if i.version == notice.version),
            )
        )
        return page.encode("utf-8")
    return _sheet(notice, labels)


def _position(position: str) -> wording.Both:
    return wording.both(POSITIONS[position])


POSITIONS = {
    "ALT": wording.N_("ALT (Assistant Language Teacher)"),
    "CIR": wording.N_("CIR (Coordinator for International Relations)"),
    "SEA": wording.N_("SEA (Sports Exchange Advisor)"),
}


def _sheet(notice: Notice, labels: dict[str, wording.Both]) -> bytes:
    names = [
        "participant",
        "name",
        "citizenship",
        "position",
        "organization",
        "opening",
        "prefecture",
        "group",
        "arrives_on",
    ]
    if notice.reissue:
        names = ["change", *names, "previous"]
    rows = []
    for line in notice.lines:
        values = {
            "participant": line.participant,
            "name": f"{line.family_name} {line.given_name}",
            "citizenship": line.citizenship,
            "position": line.position.value,
            "organization": (
                f"{line.organization_name_ja} / {line.organization_name}"
                if line.organization_name_ja
                else line.organization_name
            ),
            "opening": line.opening,
            "prefecture": wording.prefecture(line.prefecture).text,
            "group": line.group,
            "arrives_on": line.arrives_on.isoformat() if line.arrives_on else None,
            "change": labels[line.change.value].text if line.change else None,
            "previous": " ".join(
                part for part in (line.previous_opening, line.previous_group) if part
            )
            or None,
        }
        rows.append([values[name] for name in names])
    return sheet_writing.write_report_xlsx(
        [
            sheet_writing.ReportSheet(
                title=f"{notice.subject} v{notice.version}",
                headers=[labels[name].text for name in names],
                rows=rows,
            )
        ]
    )
