"""Bad input never gives a traceback: every malformed file gets a clear issue."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from dataset_builders import issues_of, record, valid_dataset

from jet_match.dataset.format import Dataset, dataset_to_json
from jet_match.dataset.validation import (
    DatasetInvalid,
    DatasetIssue,
    parse_dataset,
    read_dataset_file,
)


def _only(issues: list[DatasetIssue]) -> DatasetIssue:
    assert len(issues) == 1, issues
    return issues[0]


class TestDocument:
    def test_invalid_json_names_line_and_column(self) -> None:
        raw = b'{\n  "format": "jet-match/dataset@1",\n  "organizations": [,]\n}'
        issue = _only(issues_of(raw))
        assert issue.code == "invalid_json"
        assert "line 3, column 21" in issue.message

    def test_invalid_utf8_is_invalid_json(self) -> None:
        issue = _only(issues_of(b'{"format": "\xff"}'))
        assert issue.code == "invalid_json"

    @pytest.mark.parametrize("raw", [b"", b"  \n\t ", b"\xef\xbb\xbf"])
    def test_empty_file(self, raw: bytes) -> None:
        issue = _only(issues_of(raw))
        assert (issue.code, issue.message) == ("empty", "the file is empty")

    def test_a_byte_order_mark_is_accepted(self) -> None:
        assert issues_of(b"\xef\xbb\xbf" + orjson.dumps(valid_dataset())) == []

    def test_not_an_object(self) -> None:
        issue = _only(issues_of(b"[1, 2]"))
        assert issue.code == "not_an_object"
        assert "not a JSON array" in issue.message

    def test_wrong_format(self) -> None:
        data = valid_dataset() | {"format": "jet-match/dataset@2"}
        issue = _only(issues_of(data))
        assert (issue.record, issue.field, issue.code) == ("dataset", "format", "wrong_format")
        assert '"jet-match/dataset@2"' in issue.message

    def test_missing_format(self) -> None:
        data = valid_dataset()
        del data["format"]
        issue = _only(issues_of(data))
        assert issue.code == "wrong_format"
        assert "missing" in issue.message

    def test_unknown_top_level_field_is_rejected(self) -> None:
        issue = _only(issues_of(valid_dataset() | {"comment": "hi"}))
        assert (issue.record, issue.field, issue.code) == ("dataset", "comment", "extra_forbidden")
        assert "unknown field 'comment'" in issue.message

    def test_rules_still_run_beside_an_unknown_top_level_field_or_a_bad_policy(self) -> None:
        data = valid_dataset() | {"comment": "hi", "policy": {"weights": {"luck": 5}}}
        record(data, "participants", "P-1")["preferred_prefectures"] = [13, 13]
        issues = issues_of(data)
        assert [(i.field, i.code) for i in issues] == [
            ("policy.weights.luck", "extra_forbidden"),
            ("comment", "extra_forbidden"),
            ("preferred_prefectures[1]", "preferred_prefecture_repeated"),
        ]

    def test_a_list_that_is_not_a_list(self) -> None:
        issue = _only(issues_of(valid_dataset() | {"participants": {"P-1": {}}}))
        assert (issue.record, issue.field, issue.code) == ("dataset", "participants", "list_type")


class TestRecords:
    def test_unknown_field_in_a_record_is_rejected(self) -> None:
        data = valid_dataset()
        record(data, "participants", "P-2")["nickname"] = "Sean"
        issue = _only(issues_of(data))
        assert (issue.record, issue.external_id, issue.field, issue.code, issue.index) == (
            "participant",
            "P-2",
            "nickname",
            "extra_forbidden",
            1,
        )

    def test_wrong_type(self) -> None:
        data = valid_dataset()
        record(data, "openings", "OP-2")["slots"] = "two"
        issue = _only(issues_of(data))
        assert (issue.record, issue.external_id, issue.field, issue.code) == (
            "opening",
            "OP-2",
            "slots",
            "int_parsing",
        )
        assert '(found "two")' in issue.message

    def test_unknown_enum_value(self) -> None:
        data = valid_dataset()
        record(data, "participants", "P-1")["position"] = "TEACHER"
        issue = _only(issues_of(data))
        assert (issue.external_id, issue.field, issue.code) == ("P-1", "position", "enum")
        assert "'ALT', 'CIR' or 'SEA'" in issue.message

    def test_slots_below_one(self) -> None:
        data = valid_dataset()
        record(data, "openings", "OP-2")["slots"] = 0
        issue = _only(issues_of(data))
        assert (issue.external_id, issue.field, issue.code) == (
            "OP-2",
            "slots",
            "greater_than_equal",
        )

    def test_alternate_rank_has_an_upper_bound(self) -> None:
        data = valid_dataset()
        record(data, "participants", "P-ALT-1")["alternate_rank"] = 100_001
        issue = _only(issues_of(data))
        assert (issue.external_id, issue.field, issue.code) == (
            "P-ALT-1",
            "alternate_rank",
            "less_than_equal",
        )

    def test_prefecture_out_of_range(self) -> None:
        data = valid_dataset()
        record(data, "participants", "P-1")["preferred_prefectures"] = [13, 48]
        issue = _only(issues_of(data))
        assert (issue.field, issue.code) == ("preferred_prefectures[1]", "less_than_equal")

    def test_more_than_three_preferred_prefectures(self) -> None:
        data = valid_dataset()
        record(data, "participants", "P-1")["preferred_prefectures"] = [1, 2, 3, 4]
        issue = _only(issues_of(data))
        assert (issue.field, issue.code) == ("preferred_prefectures", "too_long")

    def test_malformed_country_code(self) -> None:
        data = valid_dataset()
        record(data, "participants", "P-1")["citizenship"] = "usa"
        issue = _only(issues_of(data))
        assert (issue.field, issue.code) == ("citizenship", "string_pattern_mismatch")

    def test_missing_required_field(self) -> None:
        data = valid_dataset()
        del record(data, "organizations", "ORG-2")["kind"]
        issue = _only(issues_of(data))
        assert (issue.record, issue.external_id, issue.field, issue.code) == (
            "organization",
            "ORG-2",
            "kind",
            "missing",
        )
        assert issue.message == "'kind' is required"

    def test_malformed_pin_is_named_by_its_participant(self) -> None:
        data = valid_dataset()
        data["pins"].append({"participant": "P-2"})
        issue = _only(issues_of(data))
        assert (issue.record, issue.external_id, issue.field, issue.index) == (
            "pin",
            "P-2",
            "opening",
            1,
        )

    def test_structural_and_cross_record_problems_come_together(self) -> None:
        data = valid_dataset()
        record(data, "openings", "OP-2")["slots"] = -1
        record(data, "participants", "P-1")["preferred_prefectures"] = [13, 13]
        codes = [issue.code for issue in issues_of(data)]
        assert codes == ["greater_than_equal", "preferred_prefecture_repeated"]


class TestFiles:
    def test_oversized_file_is_refused_before_reading(self, tmp_path: Path) -> None:
        path = tmp_path / "huge.json"
        with path.open("wb") as handle:  # sparse: 200 MB on paper, nothing on disk
            handle.truncate(200 * 1_048_576)
        with pytest.raises(DatasetInvalid) as raised:
            read_dataset_file(path)
        issue = _only(raised.value.issues)
        assert issue.code == "too_large"
        assert "200.0 MB" in issue.message
        assert "the limit is 64 MB" in issue.message

    def test_oversized_bytes_are_refused(self) -> None:
        with pytest.raises(DatasetInvalid) as raised:
            parse_dataset(b" " * 2048, max_bytes=1024)
        assert _only(raised.value.issues).code == "too_large"

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(DatasetInvalid) as raised:
            read_dataset_file(tmp_path / "nope.json")
        issue = _only(raised.value.issues)
        assert issue.code == "unreadable"
        assert "No such file" in issue.message

    def test_a_directory(self, tmp_path: Path) -> None:
        with pytest.raises(DatasetInvalid) as raised:
            read_dataset_file(tmp_path)
        issue = _only(raised.value.issues)
        assert issue.code == "unreadable"
        assert issue.message == f"cannot read {tmp_path}: Is a directory"

    def test_a_valid_file_round_trips(self, tmp_path: Path) -> None:
        dataset = Dataset.model_validate(valid_dataset())
        path = tmp_path / "ok.json"
        path.write_bytes(dataset_to_json(dataset, pretty=True))
        assert read_dataset_file(path) == dataset

    def test_the_exception_summarises_its_issues(self) -> None:
        data = valid_dataset()
        record(data, "participants", "P-1")["citizenship"] = "ZZ"
        record(data, "participants", "P-2")["citizenship"] = "QQ"
        with pytest.raises(DatasetInvalid, match=r"'ZZ' .* \(and 1 more\)"):
            parse_dataset(orjson.dumps(data))
