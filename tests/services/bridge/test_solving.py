"""Dataset -> Problem translation, the result@1 document and the `solve` command."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from jet_match.cli import app
from jet_match.dataset.validation import read_dataset_file
from jet_match.schemas.runs import CertificateValue, ObjectiveValue
from jet_match.services.bridge.solving import (
    RESULT_FORMAT,
    objective_value,
    problem_from_dataset,
    result_document,
)
from jet_match.solver import AreaType, Objective, Position, Status, check_plan, solve
from jet_match.solver.problem import Assignment

DEMO = Path(__file__).resolve().parents[3] / "fixtures" / "demo.json"
runner = CliRunner()


class TestProblemFromDataset:
    def test_translates_every_record(self) -> None:
        dataset = read_dataset_file(DEMO)
        pb = problem_from_dataset(dataset)
        assert len(pb.participants) == len(dataset.participants)
        assert len(pb.openings) == len(dataset.openings)
        source = dataset.organizations[0]
        translated = next(o for o in pb.organizations if o.external_id == source.external_id)
        assert translated.area_type == AreaType[source.area_type.name]
        assert translated.prefecture == source.prefecture

    def test_positions_and_weight_overrides(self) -> None:
        dataset = read_dataset_file(DEMO)
        pb = problem_from_dataset(
            dataset, positions=[dataset.participants[0].position], weights={"preference_1": 3}
        )
        assert pb.positions == frozenset({Position[dataset.participants[0].position.name]})
        assert pb.weights.preference_1 == 3

    def test_demo_solves_optimally_and_keeps_every_rule(self) -> None:
        pb = problem_from_dataset(read_dataset_file(DEMO))
        result = solve(pb, time_limit_s=30)
        assert result.status == Status.OPTIMAL
        plan = [Assignment(p.participant, p.opening) for p in result.placements]
        assert check_plan(pb, plan) == ()
        document = result_document(result)
        assert document["format"] == RESULT_FORMAT
        assert document["objective"]["placed"] == len(document["placements"])
        first = document["placements"][0]
        assert sum(first["breakdown"].values()) == first["score"]
        orjson.dumps(document)


class TestObjectiveValue:
    def test_every_field_and_the_net_score(self) -> None:
        value = objective_value(Objective(placed=7, score=120, disruption=30, moved=3))
        assert value == ObjectiveValue(placed=7, score=120, disruption=30, moved=3, net=90)


class TestSolveCommand:
    def test_writes_the_result_and_a_summary(self, tmp_path: Path) -> None:
        out = tmp_path / "result.json"
        outcome = runner.invoke(app, ["solve", str(DEMO), "--out", str(out)])
        assert outcome.exit_code == 0, outcome.output
        assert "optimal" in outcome.output
        assert "rank profile" in outcome.output
        document = orjson.loads(out.read_bytes())
        assert document["status"] == "optimal"
        assert set(document["timings"]) == {"read_s", "model_s", "solve_s", "total_s"}

    def test_json_summary(self, tmp_path: Path) -> None:
        outcome = runner.invoke(
            app, ["solve", str(DEMO), "--out", str(tmp_path / "r.json"), "--json", "--seed", "2"]
        )
        assert outcome.exit_code == 0
        summary = orjson.loads(outcome.stdout)
        assert summary["status"] == "optimal"
        assert summary["objective"]["placed"] > 0

    def test_bad_input_is_reported_like_validate(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.json"
        bad.write_text('{"format": "jet-match/dataset@1", "participants": [{"external_id": "x"}]}')
        outcome = runner.invoke(
            app, ["solve", str(bad), "--out", str(tmp_path / "r.json"), "--json"]
        )
        assert outcome.exit_code == 1
        report = orjson.loads(outcome.stdout)
        assert report["valid"] is False
        assert report["issues"]

    def test_infeasible_pins_exit_non_zero_and_name_the_conflict(self, tmp_path: Path) -> None:
        data = orjson.loads(DEMO.read_bytes())
        opening = next(
            o
            for o in data["openings"]
            if o["status"] == "open"
            and o["slots"] == 1
            and o["position"] == "ALT"
            and o["min_japanese_level"] == "none"
            and not o["driving_required"]
            and not o["country_required"]
        )
        people = [
            p
            for p in data["participants"]
            if p["status"] == "shortlisted"
            and p["position"] == "ALT"
            and not p.get("partner")
            and not p.get("needs_medical_access")
        ][:2]
        data["pins"] = [
            {"participant": p["external_id"], "opening": opening["external_id"]} for p in people
        ]
        path = tmp_path / "pins.json"
        path.write_bytes(orjson.dumps(data))
        outcome = runner.invoke(
            app, ["solve", str(path), "--out", str(tmp_path / "r.json"), "--json"]
        )
        assert outcome.exit_code == 3
        summary = orjson.loads(outcome.stdout)
        assert summary["status"] == "infeasible"
        assert summary["conflicts"][0]["code"] == "pins_over_capacity"


def test_a_certificate_stored_before_cuts_reads_as_it_did() -> None:
    """Outcomes stored before certificates carried `unit` and `cuts` (2026-12-06) read
    with unit 1 and no cuts: the bound they state is the one their prices give."""
    old = {
        "openings": {"O1": 2.5},
        "caps": {"US:13": 1.0},
        "placement": 3.0,
        "placed_min": 10,
        "bound": 735,
    }
    certificate = CertificateValue.model_validate(
        {
            "placements": None,
            "score": old,
            "pinned": 0,
            "score_offset": 0,
            "placed_bound": None,
            "score_bound": 735,
        }
    )
    assert certificate.score is not None
    assert certificate.score.unit == 1
    assert certificate.score.cuts == []
    assert certificate.model_dump()["score"] == {**old, "unit": 1, "cuts": []}
