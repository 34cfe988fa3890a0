"""Reading and validating datasets, reporting every problem a coordinator can act on.

`parse_dataset(raw)` turns bytes into a `Dataset` or raises `DatasetInvalid` carrying
*all* problems at once: structural ones (types, enumerations, unknown fields, ranges)
for every record, and the cross-record rules of `validate_dataset` for the records that
were well-formed. Each `DatasetIssue` names the record kind, its external_id and the
field, so the same list serves the CLI table, `--json` and the API's problem details.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from jet_match.dataset.format import FORMAT, Dataset
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.rules import check_dataset

__all__ = [
    "DEFAULT_MAX_BYTES",
    "RECORD_KINDS",
    "DatasetInvalid",
    "DatasetIssue",
    "dataset_from_data",
    "parse_dataset",
    "read_dataset_file",
    "structural_issues",
    "validate_dataset",
]

#: Files larger than this are refused before they are parsed (a national dataset is ~4 MB).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

# Top-level list name -> the record kind used in messages.
RECORD_KINDS: dict[str, str] = {
    "organizations": "organization",
    "openings": "opening",
    "participants": "participant",
    "contracts": "contract",
    "pins": "pin",
    "forbidden": "forbidden",
    "previous_plan": "previous_plan",
}


class DatasetInvalid(Exception):  # noqa: N818 (a public name other modules import)
    """The dataset cannot be used; `issues` lists every problem found."""

    def __init__(self, issues: list[DatasetIssue]) -> None:
        self.issues = issues
        first = issues[0].message if issues else "invalid dataset"
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(first + more)


def read_dataset_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Dataset:
    """Read and validate a dataset file, refusing files over `max_bytes` before reading them."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DatasetInvalid([_too_large(size, max_bytes)])
        with path.open("rb") as handle:  # a directory, or no permission, fails here
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DatasetInvalid(
            [
                DatasetIssue(
                    "dataset", None, None, "unreadable", f"cannot read {path}: {exc.strerror}"
                )
            ]
        ) from exc
    return parse_dataset(raw, max_bytes=max_bytes)


def parse_dataset(raw: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Dataset:
    """Parse and validate a dataset document; raise `DatasetInvalid` with every problem."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > max_bytes:
        raise DatasetInvalid([_too_large(len(raw), max_bytes)])
    data = _decode_json(raw)
    return dataset_from_data(data)


def dataset_from_data(data: Any) -> Dataset:
    """Validate already-decoded JSON data as a dataset (structure, then cross-record rules)."""
    if not isinstance(data, dict):
        raise DatasetInvalid(
            [
                DatasetIssue(
                    "dataset",
                    None,
                    None,
                    "not_an_object",
                    f'a dataset is a JSON object with "format": "{FORMAT}", '
                    f"not a JSON {_json_type(data)}",
                )
            ]
        )
    if data.get("format") != FORMAT:
        found = data.get("format")
        raise DatasetInvalid(
            [
                DatasetIssue(
                    "dataset",
                    None,
                    "format",
                    "wrong_format",
                    f'"format" must be "{FORMAT}", found {orjson.dumps(found).decode()}'
                    if "format" in data
                    else f'"format" is missing; a dataset starts with "format": "{FORMAT}"',
                )
            ]
        )
    try:
        dataset = Dataset.model_validate(data)
    except ValidationError as exc:
        structural = structural_issues(exc, data)
        semantic = _semantic_issues_of_wellformed_part(exc, data)
        raise DatasetInvalid(structural + semantic) from None
    issues = validate_dataset(dataset)
    if issues:
        raise DatasetInvalid(issues)
    return dataset


def validate_dataset(
    dataset: Dataset, *, known_ids: dict[str, set[str]] | None = None
) -> list[DatasetIssue]:
    """Every cross-field and cross-record problem of a structurally valid dataset.

    `known_ids` adds external_ids (by list name, e.g. `"participants"`) of records that
    exist but were malformed, so that references to them are not reported as dangling.
    """
    return check_dataset(dataset, known_ids=known_ids or {})


def structural_issues(exc: ValidationError, data: dict[str, Any]) -> list[DatasetIssue]:
    """Translate pydantic's errors into issues naming the record's external_id and field."""
    issues: list[DatasetIssue] = []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        top = str(loc[0]) if loc else ""
        if top in RECORD_KINDS and len(loc) >= 2 and isinstance(loc[1], int):
            index = loc[1]
            record = _item(data, top, index)
            issues.append(
                DatasetIssue(
                    RECORD_KINDS[top],
                    _record_id(top, record),
                    _dotted(loc[2:]) or None,
                    error["type"],
                    _message(error, loc[2:]),
                    index,
                )
            )
        else:
            issues.append(
                DatasetIssue(
                    "dataset", None, _dotted(loc) or None, error["type"], _message(error, loc)
                )
            )
    return issues


def _semantic_issues_of_wellformed_part(
    exc: ValidationError, data: dict[str, Any]
) -> list[DatasetIssue]:
    """Run the cross-record rules on the records that were well-formed.

    Records with structural errors are left out, but their ids stay known, so a reference
    to a malformed record is not also reported as dangling.
    """
    bad: dict[str, set[int]] = {}
    dropped: set[str] = set()
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        if not loc:
            return []
        top = str(loc[0])
        if top in RECORD_KINDS and len(loc) >= 2 and isinstance(loc[1], int):
            bad.setdefault(top, set()).add(loc[1])
        elif top == "policy" or (len(loc) == 1 and error["type"] == "extra_forbidden"):
            dropped.add(top)  # no rule reads the policy or an unknown top-level field
        else:
            return []  # the document itself is malformed (a list that is not a list ...)
    pruned = {key: value for key, value in data.items() if key not in dropped}
    known: dict[str, set[str]] = {}
    # Original index of each kept record, so issues point into the file, not the pruned copy.
    kept: dict[str, list[int]] = {}
    for top, indices in sorted(bad.items()):
        items = data.get(top)
        if not isinstance(items, list):
            return []
        kept[top] = [i for i in range(len(items)) if i not in indices]
        pruned[top] = [items[i] for i in kept[top]]
        known[top] = {
            rid for i in indices if (rid := _record_id(top, _item(data, top, i))) is not None
        }
    try:
        dataset = Dataset.model_validate(pruned)
    except ValidationError:
        return []
    kind_to_list = {kind: top for top, kind in RECORD_KINDS.items()}
    issues = validate_dataset(dataset, known_ids=known)
    return [_reindexed(issue, kept.get(kind_to_list.get(issue.record, ""))) for issue in issues]


def _reindexed(issue: DatasetIssue, kept: list[int] | None) -> DatasetIssue:
    if kept is None or issue.index is None:
        return issue
    return replace(issue, index=kept[issue.index])


def _decode_json(raw: bytes) -> Any:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise DatasetInvalid([DatasetIssue("dataset", None, None, "empty", "the file is empty")])
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DatasetInvalid(
            [
                DatasetIssue(
                    "dataset",
                    None,
                    None,
                    "invalid_json",
                    f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                )
            ]
        ) from None


def _too_large(size: int, max_bytes: int) -> DatasetIssue:
    return DatasetIssue(
        "dataset",
        None,
        None,
        "too_large",
        f"the file is {size / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB "
        f"({max_bytes} bytes)",
    )


def _item(data: dict[str, Any], top: str, index: int) -> Any:
    items = data.get(top)
    if isinstance(items, list) and 0 <= index < len(items):
        return items[index]
    return None


def _record_id(top: str, record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    key = "external_id" if top in ("organizations", "openings", "participants") else "participant"
    value = record.get(key)
    return value if isinstance(value, str) else None


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(error: Any, field_loc: tuple[int | str, ...]) -> str:
    field = _dotted(field_loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown field '{field}' (not part of {FORMAT})"
    if kind == "missing":
        return f"'{field}' is required"
    text = error["msg"]
    value = error.get("input")
    shown = orjson.dumps(value).decode() if _is_scalar(value) else None
    prefix = f"'{field}': " if field else ""
    return f"{prefix}{text}" + (f" (found {shown})" if shown is not None else "")


def _is_scalar(value: Any) -> bool:
    return value is None or (isinstance(value, str | int | float | bool) and len(str(value)) <= 80)


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__
