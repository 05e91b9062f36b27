from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from langchain_openrouter.testing import (
    OpenRouterEmulator,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def fake() -> OpenRouterEmulator:
    return OpenRouterEmulator(api_key=None)


@pytest.fixture(scope="module")
def server() -> Iterator[OpenRouterEmulator]:
    """One emulator on a socket for a whole test module (modules may define their own)."""
    with OpenRouterEmulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(server: OpenRouterEmulator) -> OpenRouterEmulator:
    """The module's emulator, its queues, record and cache emptied for this test."""
    server.reset()
    return server


@pytest.fixture(autouse=True)
def _no_user_profile_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Profiles come from the bundle unless a test writes a cache: a developer's own refreshed
    cache must not change what the suite sees."""
    missing = tmp_path_factory.getbasetemp() / "no-profile-cache" / "profiles.json"
    monkeypatch.setenv("LANGCHAIN_OPENROUTER_PROFILES", str(missing))
