"""The JSON Schema of `jet-match/dataset@1`, exported from the pydantic models.

`docs/dataset.schema.json` is this module's output; a test fails when it is stale.
Regenerate it with `jet-match schema --out docs/dataset.schema.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jet_match.dataset.format import Dataset

#: Where the repository keeps the published schema, relative to the repository root.
SCHEMA_PATH = Path("docs/dataset.schema.json")


def dataset_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that a dataset document must satisfy."""
    schema = Dataset.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def render_json_schema() -> str:
    """The schema as the text committed in docs/dataset.schema.json."""
    return json.dumps(dataset_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_json_schema(path: Path) -> None:
    """Write the schema to `path` (UTF-8)."""
    path.write_text(render_json_schema(), encoding="utf-8")
