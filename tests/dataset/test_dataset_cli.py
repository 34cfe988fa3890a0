"""`jet-match validate`, `jet-match schema` and `jet-match fixtures generate`."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from dataset_builders import record, valid_dataset
from typer.testing import CliRunner

from jet_match import process_memory
from jet_match.cli import app
from jet_match.config import get_settings
from jet_match.dataset.schema import render_json_schema
from jet_match.dataset.validation import read_dataset_file

runner = CliRunner()


def _write(tmp_path: Path, data: object, name: str = "dataset.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else orjson.dumps(data))
    return path


def _broken(tmp_path: Path) -> Path:
    data = valid_dataset()
    record(data, "participants", "P-2")["partner"] = {
        "external_id": "P-404",
        "constraint": "same_prefecture",
    }
    record(data, "openings", "OP-2")["slots"] = 0
    return _write(tmp_path, data)


class TestValidate:
    def test_a_valid_file_gets_a_one_line_summary_and_exit_0(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["validate", str(_write(tmp_path, valid_dataset()))])
        assert result.exit_code == 0
        assert result.output.count("\n") == 1
        assert "valid. 6 participants (4 ALT, 1 CIR, 1 SEA; 1 alternates, 1 withdrawn" in (
            result.output
        )
        assert "4 openings with 5 open slots, 1 pins" in result.output

    def test_problems_are_listed_in_a_table_with_exit_1(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["validate", str(_broken(tmp_path))])
        assert result.exit_code == 1
        assert "2 problems" in result.output
        for text in ("opening OP-2", "greater_than_equal", "participant P-2", "unknown_partner"):
            assert text in result.output
        assert "'P-404'" in result.output

    def test_json_report_for_an_invalid_file(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["validate", "--json", str(_broken(tmp_path))])
        assert result.exit_code == 1
        report = orjson.loads(result.output)
        assert report["valid"] is False
        assert [issue["code"] for issue in report["issues"]] == [
            "greater_than_equal",
            "unknown_partner",
        ]
        assert report["issues"][1] == {
            "record": "participant",
            "external_id": "P-2",
            "field": "partner.external_id",
            "code": "unknown_partner",
            "message": "participant P-2 names partner 'P-404', who is not in the dataset",
            "index": 1,
        }

    def test_json_report_for_a_valid_file(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["validate", str(_write(tmp_path, valid_dataset())), "--json"])
        assert result.exit_code == 0
        report = orjson.loads(result.output)
        assert (report["valid"], report["issues"]) == (True, [])
        assert report["counts"]["participants_SEA"] == 1

    def test_invalid_json_gives_a_message_not_a_traceback(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["validate", str(_write(tmp_path, b'{"format": '))])
        assert result.exit_code == 1
        assert "invalid_json" in result.output
        assert "line 1, column 12" in result.output
        assert "Traceback" not in result.output

    def test_a_missing_file(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["validate", str(tmp_path / "missing.json")])
        assert result.exit_code == 1
        assert "unreadable" in result.output
        assert "Traceback" not in result.output

    @pytest.mark.parametrize("command", ["validate", "solve"])
    def test_a_directory_is_a_message_not_a_traceback(self, tmp_path: Path, command: str) -> None:
        out = ["--out", str(tmp_path / "result.json")] if command == "solve" else []
        result = runner.invoke(app, [command, str(tmp_path), *out])
        assert isinstance(result.exception, SystemExit)  # not an IsADirectoryError
        assert result.exit_code == 1
        assert "Is a directory" in result.output

    def test_an_unwritable_result_is_a_message_not_a_traceback(self, tmp_path: Path) -> None:
        dataset = str(_write(tmp_path, valid_dataset()))
        out = tmp_path / "missing" / "result.json"
        result = runner.invoke(app, ["solve", dataset, "--out", str(out), "--time-limit", "5"])
        assert isinstance(result.exception, SystemExit)  # not a FileNotFoundError
        assert result.exit_code == 1
        assert f"error: cannot write {out}: No such file or directory" in result.output

    def test_a_file_over_the_limit_is_refused(self, tmp_path: Path) -> None:
        path = _write(tmp_path, b" " * 1_100_000)
        result = runner.invoke(app, ["validate", "--max-mb", "1", "--json", str(path)])
        assert result.exit_code == 1
        issue = orjson.loads(result.output)["issues"][0]
        assert issue["code"] == "too_large"
        assert "the limit is 1 MB" in issue["message"]


class TestSchema:
    def test_prints_the_schema(self) -> None:
        result = runner.invoke(app, ["schema"])
        assert result.exit_code == 0
        assert result.output == render_json_schema()

    def test_writes_the_schema(self, tmp_path: Path) -> None:
        out = tmp_path / "schema.json"
        assert runner.invoke(app, ["schema", "--out", str(out)]).exit_code == 0
        assert orjson.loads(out.read_bytes())["title"] == "jet-match dataset"


class TestFixturesGenerate:
    def test_demo_is_written_pretty_and_validates(self, tmp_path: Path) -> None:
        out = tmp_path / "demo.json"
        result = runner.invoke(app, ["fixtures", "generate", "--seed", "7", "--out", str(out)])
        assert result.exit_code == 0
        assert result.output.startswith(f"wrote {out}: 300 participants")
        assert out.read_bytes().startswith(b'{\n  "format": "jet-match/dataset@1"')
        assert len(read_dataset_file(out).participants) == 300

    def test_compact_output_on_request(self, tmp_path: Path) -> None:
        out = tmp_path / "demo.json"
        args = ["fixtures", "generate", "--scale", "demo", "--compact", "--out", str(out)]
        assert runner.invoke(app, args).exit_code == 0
        assert out.read_bytes().count(b"\n") == 1

    def test_an_unknown_scale_is_a_usage_error(self, tmp_path: Path) -> None:
        args = ["fixtures", "generate", "--scale", "galactic", "--out", str(tmp_path / "x.json")]
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "galactic" in result.output


@pytest.mark.parametrize("keep", ["true", "false"])
def test_the_solve_command_keeps_freed_memory_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, keep: str
) -> None:
    """`jet-match solve` sets the allocator as a worker's solver process does (when the
    setting is on), and still writes its result."""
    calls: list[int] = []

    def keep_freed_memory() -> bool:
        calls.append(1)
        return True

    monkeypatch.setattr(process_memory, "keep_freed_memory", keep_freed_memory)
    monkeypatch.setenv("JET_MATCH_KEEP_FREED_MEMORY", keep)
    get_settings.cache_clear()  # the command reads the environment as set here
    request.addfinalizer(get_settings.cache_clear)
    dataset = tmp_path / "dataset.json"
    dataset.write_bytes(orjson.dumps(valid_dataset()))
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["solve", str(dataset), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert orjson.loads(out.read_bytes())["status"] == "optimal"
    assert len(calls) == (1 if keep == "true" else 0)
