from __future__ import annotations

import pytest

from tests.unit_tests.fake_openrouter import FakeOpenRouter


@pytest.fixture
def fake() -> FakeOpenRouter:
    return FakeOpenRouter()
