"""The committed fixtures and schema stay valid and current."""

from __future__ import annotations

from pathlib import Path

import pytest

from jet_match.dataset.format import dataset_to_json
from jet_match.dataset.generator import DEMO_SEED, generate_scale
from jet_match.dataset.schema import SCHEMA_PATH, render_json_schema
from jet_match.dataset.validation import DatasetInvalid, read_dataset_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures").rglob("*.json"))
VALID = [path for path in FIXTURES if not path.name.startswith("invalid-")]
INVALID = [path for path in FIXTURES if path.name.startswith("invalid-")]


def test_the_schema_file_is_current() -> None:
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == render_json_schema(), "run: jet-match schema --out docs/dataset.schema.json"


def test_demo_json_is_the_generator_output_for_its_seed() -> None:
    committed = (ROOT / "fixtures" / "demo.json").read_bytes()
    generated = dataset_to_json(generate_scale("demo", seed=DEMO_SEED), pretty=True)
    assert committed == generated, "run: jet-match fixtures generate --out fixtures/demo.json"


def test_there_are_fixtures_of_both_kinds() -> None:
    assert len(VALID) >= 8
    assert len(INVALID) >= 2


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_fixture_is_valid(path: Path) -> None:
    read_dataset_file(path)


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.name)
def test_invalid_fixture_is_rejected(path: Path) -> None:
    with pytest.raises(DatasetInvalid):
        read_dataset_file(path)


def test_invalid_ineligible_pin_names_the_pin() -> None:
    with pytest.raises(DatasetInvalid) as raised:
        read_dataset_file(ROOT / "fixtures" / "edge" / "invalid-ineligible-pin.json")
    [issue] = raised.value.issues
    assert (issue.record, issue.external_id, issue.code) == ("pin", "P-ALT", "pin_ineligible")
    assert "position" in issue.message
    assert "japanese_level" in issue.message


def test_invalid_many_problems_reports_them_all() -> None:
    with pytest.raises(DatasetInvalid) as raised:
        read_dataset_file(ROOT / "fixtures" / "edge" / "invalid-many-problems.json")
    assert len(raised.value.issues) == 15
