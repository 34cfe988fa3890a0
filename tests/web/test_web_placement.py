"""The participant and opening pages of a round through the HTTP stack: the explanation,
the move with its preview, pin, unassign, forbid, withdraw, filling a vacancy after a
preview; in both languages, for each role."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from round_support import ROUND, current_plan, published_round, solved_round
from web.web_support import SignedIn, Staff, field_of, post_form

PAGE = f"/app/rounds/{ROUND}/participants/P-1"


def _audit_actions(engine: Engine, prefix: str) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(models.AuditEvent).where(col(models.AuditEvent.action).startswith(prefix))
        ).all()
        return [row.action for row in rows]


def _preview(client: TestClient, opening: str, *, pinned: bool = False) -> str:
    data = {"opening": opening}
    if pinned:
        data["pinned"] = "on"
    answer = post_form(client, f"{PAGE}/preview", data, page=PAGE)
    assert answer.status_code == 200, answer.text
    return answer.text


class TestTheParticipantPage:
    def test_a_coordinator_reads_why_the_participant_is_placed_there(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = signed_in(staff.coordinator).get(PAGE)
        assert page.status_code == 200
        assert "Placed at OPN-B1, Shinjuku City (Tokyo)" in page.text
        assert "Preferred prefecture" in page.text
        assert "1. Hokkaido, 2. Tokyo" in page.text
        assert "OPN-A1 (Hokkaido Board of Education) is full: it is held by" in page.text
        assert "participant.read" in _audit_actions(engine, "participant.read")

    def test_in_japanese_prefectures_organizations_and_reasons_are_japanese(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        client.headers["Accept-Language"] = "ja"
        page = client.get(PAGE)
        assert '<html lang="ja">' in page.text
        assert "北海道教育委員会" in page.text
        assert "1. 北海道, 2. 東京都" in page.text
        assert "満員" in page.text

    def test_host_users_are_refused(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        assert signed_in(staff.host_a).get(PAGE).status_code == 403

    def test_an_unknown_participant_is_a_404_page(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        answer = signed_in(staff.coordinator).get(f"/app/rounds/{ROUND}/participants/P-404")
        assert answer.status_code == 404


class TestMove:
    def test_the_preview_names_the_broken_rule_and_saves_nothing(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        text = _preview(signed_in(staff.coordinator), "OPN-A1")
        assert "This move breaks a hard rule" in text
        assert "the opening has no free place" in text
        assert 'name="override_reason"' in text
        assert "Objective change:" in text
        assert current_plan(engine)["P-1"] == "OPN-B1"

    def test_the_preview_names_each_failed_eligibility_rule_in_both_languages(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        text = _preview(client, "OPN-A2")
        assert "the participant is not eligible for the opening" in text
        assert '<li data-rule="same_position">the opening is for another position</li>' in text
        assert '<li data-rule="japanese_level">the participant&#39;s Japanese is below' in text
        client.headers["Accept-Language"] = "ja"
        japanese = _preview(client, "OPN-A2")
        assert 'data-rule="japanese_level">the participant' not in japanese
        assert 'data-rule="same_position">募集の職種が異なります' in japanese

    def test_a_rule_break_needs_a_reason_then_is_saved_pinned_and_audited(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        text = _preview(client, "OPN-A1", pinned=True)
        form = {"opening": "OPN-A1", "pinned": "on", "version": field_of(text, "version")}
        refused = post_form(client, f"{PAGE}/move", form, page=PAGE)
        assert refused.status_code == 422
        assert current_plan(engine)["P-1"] == "OPN-B1"
        saved = post_form(
            client, f"{PAGE}/move", {**form, "override_reason": "host asked"}, page=PAGE
        )
        assert saved.status_code == 303
        assert current_plan(engine)["P-1"] == "OPN-A1"
        page = client.get(PAGE).text
        assert 'id="pinned-badge"' in page
        assert 'id="override-badge"' in page
        assert {"plan.move", "plan.override"} <= set(_audit_actions(engine, "plan."))

    def test_a_stale_form_is_refused_with_the_current_state(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        text = _preview(client, "")
        version = field_of(text, "version")
        first = post_form(client, f"{PAGE}/move", {"opening": "", "version": version}, page=PAGE)
        assert first.status_code == 303
        again = post_form(
            client, f"{PAGE}/move", {"opening": "OPN-B1", "version": version}, page=PAGE
        )
        assert again.status_code == 412
        assert "changed since you opened it" in again.text
        assert "Not placed in the working plan." in again.text
        assert "P-1" not in current_plan(engine)

    def test_a_typed_opening_that_does_not_exist_names_the_field(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        answer = post_form(client, f"{PAGE}/preview", {"opening_id": "OPN-NONE"}, page=PAGE)
        assert answer.status_code == 422
        assert 'id="opening-error"' in answer.text

    def test_a_post_without_the_csrf_token_is_refused(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        answer = client.post(f"{PAGE}/unassign", data={"version": "1"}, follow_redirects=False)
        assert answer.status_code == 403
        assert current_plan(engine)["P-1"] == "OPN-B1"


class TestOtherActions:
    def test_pin_then_unpin(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        version = field_of(client.get(PAGE).text, "version")
        data = {"opening": "OPN-B1", "pinned": "on", "version": version}
        assert post_form(client, f"{PAGE}/pin", data, page=PAGE).status_code == 303
        assert 'id="pinned-badge"' in client.get(PAGE).text
        version = field_of(client.get(PAGE).text, "version")
        data = {"opening": "OPN-B1", "version": version}
        assert post_form(client, f"{PAGE}/pin", data, page=PAGE).status_code == 303
        assert 'id="pinned-badge"' not in client.get(PAGE).text
        assert _audit_actions(engine, "plan.") == ["plan.pin", "plan.unpin"]

    def test_unassign(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        version = field_of(client.get(PAGE).text, "version")
        answer = post_form(client, f"{PAGE}/unassign", {"version": version}, page=PAGE)
        assert answer.status_code == 303
        assert "P-1" not in current_plan(engine)
        assert _audit_actions(engine, "plan.") == ["plan.unassign"]

    def test_forbid_a_pair_unassigns_and_is_audited(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        version = field_of(client.get(PAGE).text, "version")
        data = {"forbid_opening": "OPN-B1", "version": version}
        assert post_form(client, f"{PAGE}/forbid", data, page=PAGE).status_code == 303
        assert "P-1" not in current_plan(engine)
        assert _audit_actions(engine, "plan.forbid") == ["plan.forbid"]
        again = post_form(
            client,
            f"{PAGE}/forbid",
            {**data, "version": field_of(client.get(PAGE).text, "version")},
            page=PAGE,
        )
        assert again.status_code == 422
        assert 'id="forbid_opening-error"' in again.text

    def test_withdraw_needs_a_reason_which_is_audited(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        refused = post_form(client, f"{PAGE}/withdraw", {"withdraw_reason": " "}, page=PAGE)
        assert refused.status_code == 422
        assert "Give a reason." in refused.text
        data = {"withdraw_reason": "family reasons"}
        assert post_form(client, f"{PAGE}/withdraw", data, page=PAGE).status_code == 303
        assert "P-1" not in current_plan(engine)
        with Session(engine) as session:
            event = session.exec(
                select(models.AuditEvent).where(models.AuditEvent.action == "participant.withdraw")
            ).one()
        assert event.detail["reason"] == "family reasons"
        assert "Withdrawn" in client.get(PAGE).text

    def test_a_withdrawal_can_name_its_kind_for_the_report(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        page = client.get(PAGE).text
        assert '<select id="withdraw_kind" name="withdraw_kind">' in page
        assert '<option value="other_offer">Took another offer</option>' in page
        bad = {"withdraw_reason": "went home", "withdraw_kind": "bored"}
        refused = post_form(client, f"{PAGE}/withdraw", bad, page=PAGE)
        assert refused.status_code == 422
        assert "Choose a kind of reason from the list." in refused.text
        assert "P-1" in current_plan(engine)
        data = {"withdraw_reason": "a job at home", "withdraw_kind": "other_offer"}
        assert post_form(client, f"{PAGE}/withdraw", data, page=PAGE).status_code == 303
        with Session(engine) as session:
            record = session.exec(select(models.WithdrawalRecord)).one()
            event = session.exec(
                select(models.AuditEvent).where(models.AuditEvent.action == "participant.withdraw")
            ).one()
        assert (record.reason, record.note) == ("other_offer", "a job at home")
        assert event.detail["reason"] == "other_offer"


OPENING = f"/app/rounds/{ROUND}/openings/OPN-B1"


class TestTheOpeningPage:
    def test_a_coordinator_sees_the_opening_who_is_placed_and_candidates(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = signed_in(staff.coordinator).get(OPENING)
        assert page.status_code == 200
        assert "Shinjuku City" in page.text
        assert "Tokyo" in page.text
        assert f'href="/app/rounds/{ROUND}/participants/P-1"' in page.text
        assert "Candidates" in page.text
        # Names, not only ids, for the placed and the candidates: an audited read.
        placed = page.text.split("Placed here")[1].split("Candidates")[0]
        assert '>Family1 Given</a> <span class="id">P-1</span>' in placed
        candidates = page.text.split("Candidates")[1]
        assert "Given</a>" in candidates
        assert _audit_actions(engine, "participant.names") == ["participant.names"]

    def test_in_japanese(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        client.headers["Accept-Language"] = "ja"
        page = client.get(OPENING).text
        assert "東京都" in page
        assert "候補者" in page

    def test_host_users_are_refused(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        assert signed_in(staff.host_b).get(OPENING).status_code == 403

    def test_a_vacancy_is_filled_after_a_preview_and_a_stale_fill_is_refused(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        published_round(engine, settings)
        client = signed_in(staff.coordinator)
        data = {"withdraw_reason": "went home"}
        assert post_form(client, f"{PAGE}/withdraw", data, page=PAGE).status_code == 303
        version = field_of(client.get(OPENING).text, "version")
        preview = post_form(client, f"{OPENING}/fill/preview", {"version": version}, page=OPENING)
        assert preview.status_code == 200
        assert "Alternates who would be placed" in preview.text
        assert "P-4" in preview.text
        filling = preview.text.split("Alternates who would be placed")[1]
        assert 'Family4 Given <span class="id">P-4</span>' in filling  # the alternate
        assert 'Family1 Given <span class="id">P-1</span>' in filling  # whom they replace
        assert 'Shinjuku City <span class="id">OPN-B1</span>' in filling
        assert "P-4" not in current_plan(engine)
        confirm = {"version": preview.text.split('name="version" value="')[-1].split('"')[0]}
        assert post_form(client, f"{OPENING}/fill", confirm, page=OPENING).status_code == 303
        assert current_plan(engine)["P-4"] == "OPN-B1"
        again = post_form(client, f"{OPENING}/fill", confirm, page=OPENING)
        assert again.status_code == 412
        assert "changed since you opened it" in again.text
        assert _audit_actions(engine, "participant.withdraw") == ["participant.withdraw"]
