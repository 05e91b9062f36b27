"""`make demo` without a key runs every step against the emulator and says so."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

DEMO = Path(__file__).parents[2] / "scripts" / "demo.py"


def test_demo_without_a_key_runs_against_the_emulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.setattr("langchain_openrouter._http.retry.MAX_HINTED_WAIT", 0.0)
    demo = runpy.run_path(str(DEMO))

    status = demo["main"]()

    out = capsys.readouterr().out
    assert status == 0
    assert "LOCAL OPENROUTER\n EMULATOR" in out
    assert "FAILED" not in out
    assert "tool call: Multiply({'a': 1234, 'b': 5678}) -> 7006652" in out
    assert "reasoning: Let the ball cost x." in out
    assert "retries:  1 (OpenRouterRateLimitError" in out
    assert "answer:   One API key and one request format reach every model." in out
    assert "via:      POST /responses, finish_reason stop" in out
    assert "Set OPENROUTER_API_KEY to run against OpenRouter." in out
