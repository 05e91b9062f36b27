from __future__ import annotations

import pytest

from langchain_openrouter.testing import (
    OpenRouterEmulator,
)


@pytest.fixture
def fake() -> OpenRouterEmulator:
    return OpenRouterEmulator(api_key=None)


@pytest.fixture(autouse=True)
def _no_user_profile_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Profiles come from the bundle unless a test writes a cache: a developer's own refreshed
    cache must not change what the suite sees."""
    missing = tmp_path_factory.getbasetemp() / "no-profile-cache" / "profiles.json"
    monkeypatch.setenv("LANGCHAIN_OPENROUTER_PROFILES", str(missing))
