"""The cassettes on disk: no secrets, nothing identifying, and each says where it came from."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

import pytest
import yaml

from tests.integration_tests.recording import (
    CASSETTE_DIR,
    KEPT_REQUEST_HEADERS,
    KEPT_RESPONSE_HEADERS,
    read_cassette_text,
    record_mode,
)

if TYPE_CHECKING:
    from pathlib import Path

CASSETTES = sorted(CASSETTE_DIR.rglob("*.yaml.gz"))
SECRET_PATTERNS = {
    "an OpenRouter key": re.compile(r"sk-or-[A-Za-z0-9_-]{8,}"),
    "an API-key-shaped token": re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    "a bearer token": re.compile(r"Bearer\s+\S+", re.IGNORECASE),
    "a user id": re.compile(r"\"user_id\"|\buser_[A-Za-z0-9]{20,}"),
    "a cookie": re.compile(r"^\s*(set-)?cookie:", re.IGNORECASE | re.MULTILINE),
    "a Cloudflare ray id": re.compile(r"cf-ray", re.IGNORECASE),
    "a request id header": re.compile(
        r"^\s*x-(request|generation)-id:", re.IGNORECASE | re.MULTILINE
    ),
}


def _name(path: Path) -> str:
    return str(path.relative_to(CASSETTE_DIR))


@pytest.mark.skipif(record_mode() != "none", reason="cassettes are being rewritten")
def test_there_are_cassettes_for_every_test_module() -> None:
    modules = {path.parent.name for path in CASSETTES if path.parent != CASSETTE_DIR}
    assert modules == {"test_standard", "test_features"}


@pytest.mark.parametrize("path", CASSETTES, ids=_name)
def test_cassette_holds_no_secret(path: Path) -> None:
    text = read_cassette_text(path)
    found = [what for what, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    key = os.environ.get("OPENROUTER_API_KEY")
    if key and key in text:
        found.append("the OPENROUTER_API_KEY in use")
    assert not found, f"{_name(path)} contains {', '.join(found)}"


@pytest.mark.parametrize("path", CASSETTES, ids=_name)
def test_cassette_keeps_only_allowed_headers(path: Path) -> None:
    interactions = yaml.safe_load(read_cassette_text(path))["interactions"]
    for interaction in interactions:
        assert {h.lower() for h in interaction["request"]["headers"]} <= KEPT_REQUEST_HEADERS
        assert {h.lower() for h in interaction["response"]["headers"]} <= KEPT_RESPONSE_HEADERS


@pytest.mark.parametrize("path", CASSETTES, ids=_name)
def test_cassette_says_how_it_was_produced(path: Path) -> None:
    header = read_cassette_text(path).split("\nversion:", 1)[0]
    assert header.startswith("# ")
    producers = (
        "scripts/write_cassettes.py",
        "scripts/write_responses_cassettes.py",
        "Recorded from https://openrouter.ai",
    )
    assert any(producer in header for producer in producers)
