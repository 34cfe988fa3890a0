"""PATCH bodies match the dataset: every field of a record but `external_id`, each with
the same type and constraints, all optional (schemas/records.py promises this)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from jet_match.dataset import format as fmt
from jet_match.schemas import contracts, records, rounds

PAIRS = [
    (fmt.Organization, records.OrganizationUpdate),
    (fmt.Opening, records.OpeningUpdate),
    (fmt.Participant, records.ParticipantUpdate),
    (fmt.Weights, rounds.WeightsUpdate),
    (fmt.Contract, contracts.ContractUpdate),
]
_WORDS = {"title", "description", "default", "examples"}  # prose, not constraints


def _constraints(schema: Any) -> Any:
    """A field's JSON Schema without its prose and without the `null` that PATCH allows."""
    if isinstance(schema, list):
        return [_constraints(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: _constraints(value) for key, value in schema.items() if key not in _WORDS}
    options = [option for option in schema.pop("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    return schema


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {name: _constraints(field) for name, field in schema["properties"].items()}


@pytest.mark.parametrize(("record", "update"), PAIRS, ids=lambda model: model.__name__)
def test_update_models_carry_every_record_field_with_its_constraints(
    record: type[BaseModel], update: type[BaseModel]
) -> None:
    expected = {k: v for k, v in _fields(record).items() if k != "external_id"}
    assert _fields(update) == expected


@pytest.mark.parametrize("update", [update for _, update in PAIRS], ids=lambda m: m.__name__)
def test_update_models_make_every_field_optional_and_forbid_others(
    update: type[BaseModel],
) -> None:
    assert update.model_config.get("extra") == "forbid"
    assert not any(field.is_required() for field in update.model_fields.values())
    assert update.model_validate({}).model_dump(exclude_unset=True) == {}
