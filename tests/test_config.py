"""Settings refuse weak production configurations."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from jet_match.config import Settings, get_settings

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo.json"


class TestSettings:
    def test_development_defaults_to_sqlite_under_var(self) -> None:
        assert Settings().database_url == "sqlite:///./var/jet-match.db"

    def test_production_needs_an_explicit_database(self) -> None:
        with pytest.raises(ValidationError, match="JET_MATCH_DATABASE_URL"):
            Settings(environment="production")

    def test_production_refuses_debug_and_memory_databases(self) -> None:
        with pytest.raises(ValidationError, match="JET_MATCH_DEBUG"):
            Settings(environment="production", database_url="sqlite:////data/j.db", debug=True)
        with pytest.raises(ValidationError, match="in-memory"):
            Settings(environment="production", database_url="sqlite:///:memory:")

    def test_settings_come_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("JET_MATCH_MAX_BODY_BYTES", "4096")
        get_settings.cache_clear()
        try:
            assert get_settings().max_body_bytes == 4096
        finally:
            get_settings.cache_clear()
