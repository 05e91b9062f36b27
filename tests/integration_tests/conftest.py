"""Every integration test runs inside a VCR cassette (see ``recording.py`` for the rules)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from tests.integration_tests import recording

if TYPE_CHECKING:
    from collections.abc import Generator

    from vcr import VCR

HERE = Path(__file__).parent
HOW_TO_RECORD = (
    "This request has no recorded answer in the test's cassette. Re-record with "
    "`RECORD=1 make integration_tests` (needs OPENROUTER_API_KEY), or regenerate the "
    "offline cassettes with `.venv/bin/python scripts/write_cassettes.py`."
)


def pytest_configure(config: pytest.Config) -> None:
    try:
        recording.record_mode()
    except RuntimeError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put every test in this folder in a cassette, standard tests included.

    A standard test that the suite skips for a capability flag is skipped up front with
    the model's limit behind the flag (a test class's ``limits``), not the suite's
    generic "not supported" message.
    """
    for item in items:
        if HERE not in Path(str(item.fspath)).parents:
            continue
        if item.get_closest_marker("vcr") is None:
            item.add_marker(pytest.mark.vcr)
        limits = getattr(getattr(item, "cls", None), "limits", {})
        name = getattr(item, "originalname", item.name)
        if name in limits:
            item.add_marker(pytest.mark.skip(reason=limits[name]))


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    return recording.vcr_config()


def pytest_recording_configure(config: pytest.Config, vcr: VCR) -> None:
    vcr.register_persister(recording.CassettePersister())
    vcr.register_serializer("yaml.gz", recording.GzipYamlSerializer())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    """Say how to record when a request had no recorded answer."""
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(
        CannotOverwriteExistingCassetteException
    ):
        report.sections.append(("cassette", HOW_TO_RECORD))
    return report


@pytest.fixture(autouse=True)
def _bundled_profiles_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's refreshed profile cache must not change what the cassettes replay."""
    monkeypatch.setenv("LANGCHAIN_OPENROUTER_PROFILES", str(tmp_path / "none.json"))
