"""How integration-test cassettes are recorded, stored, redacted and replayed.

* Storage: gzip-compressed YAML (``.yaml.gz``), a comment header saying where the traffic
  came from, then vcrpy's ``{version, interactions}`` document. Loaded with ``safe_load``.
* Record mode: playback (``none``) unless ``RECORD=1``; then ``rewrite`` (each test's
  cassette is deleted and recorded afresh), which needs ``OPENROUTER_API_KEY``.
* Redaction: request and response headers are cut down to an allow-list (so
  ``authorization``, cookies, ``cf-ray``, request ids and client fingerprints never reach
  disk); ``user_id`` fields are dropped from bodies; the API key in use is replaced
  wherever it appears; a request sent to ``OPENROUTER_API_BASE`` is stored under
  OpenRouter's own URL, so a recording made through a proxy or the local responder
  replays against the default ``base_url``.
* Shared cassette: ``assets.yaml.gz`` answers the file downloads of the standard suite in
  every test; it is loaded read-only and never copied into a test's cassette.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.serialize import deserialize, serialize

CASSETTE_DIR = Path(__file__).parent / "cassettes"
ASSETS_CASSETTE = CASSETTE_DIR / "assets.yaml.gz"
OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
PLAYBACK_API_KEY = "playback-key-not-sent-anywhere"

# Set by scripts/write_cassettes.py; any other recording is real OpenRouter traffic.
ORIGIN_ENV = "OPENROUTER_CASSETTE_ORIGIN"
GENERATOR_ORIGIN = "generator"

KEPT_REQUEST_HEADERS = frozenset({"content-type", "accept"})
KEPT_RESPONSE_HEADERS = frozenset({"content-type", "retry-after"})
REDACTED = "REDACTED"

GENERATED_HEADER = """\
# Produced by scripts/write_cassettes.py, not by OpenRouter. The integration suite ran in
# record mode against a local OpenRouter-shaped responder (scripts/openrouter_responder.py)
# on 127.0.0.1, which answered each request from OpenRouter's documented wire format as
# summed up in this repository's docs/openrouter-wire-notes.md ("Responses"; "Streaming":
# SSE framing, keep-alive comments, chunk shape and the final usage chunk; "Errors";
# "Prompt caching"; "Requests" for routing, presets, plugins and server tools). Content is
# computed by rules, token counts are estimates, costs use list prices.
# `RECORD=1 make integration_tests` with OPENROUTER_API_KEY set replaces this file with real
# OpenRouter traffic.
"""

# Set by scripts/write_responses_cassettes.py (the Responses API class of the standard suite).
RESPONSES_RULES_ORIGIN = "responses-rules"
RESPONSES_RULES_HEADER = """\
# Produced by scripts/write_responses_cassettes.py, not by OpenRouter. The standard suite's
# Responses API class ran in record mode against the bundled emulator
# (langchain_openrouter.testing) on 127.0.0.1, whose /responses route answered by the small
# rule set in that script, in the Responses API's documented shapes
# (https://openrouter.ai/docs/api-reference/responses/overview). Content is computed by
# rules, token counts are estimates, costs use list prices.
# `RECORD=1 make integration_tests` with OPENROUTER_API_KEY set replaces this file with real
# OpenRouter traffic.
"""
RECORDED_HEADER = """\
# Recorded from {url} on {date} with `RECORD=1 make integration_tests`.
# Headers are cut to an allow-list and secrets redacted (tests/integration_tests/recording.py).
"""

ASSETS_HEADER = """\
# Produced by scripts/write_cassettes.py, not downloaded. The standard langchain-tests suite
# downloads a PNG and a PDF from public hosts; this shared cassette answers those downloads
# with small files built by tests/integration_tests/assets.py (a two-box diagram, a one-page
# PDF titled "Dummy PDF file"), so no test ever reaches those hosts. It is loaded read-only
# next to every test's cassette, in playback and in `RECORD=1` re-recording alike.
"""


def record_mode() -> str:
    """``rewrite`` with ``RECORD=1`` (which needs a key), else ``none`` (playback)."""
    if os.environ.get("RECORD", "") not in {"1", "true", "yes"}:
        return "none"
    if not os.environ.get("OPENROUTER_API_KEY"):
        msg = (
            "RECORD=1 records against OpenRouter and needs OPENROUTER_API_KEY; unset RECORD "
            "to replay the cassettes offline."
        )
        raise RuntimeError(msg)
    return "rewrite"


def api_key() -> str:
    """The key the tests use: the real one when recording, a stand-in for playback."""
    if record_mode() == "none":
        return PLAYBACK_API_KEY
    return os.environ["OPENROUTER_API_KEY"]


def cassette_header() -> str:
    if os.environ.get(ORIGIN_ENV) == GENERATOR_ORIGIN:
        return GENERATED_HEADER
    if os.environ.get(ORIGIN_ENV) == RESPONSES_RULES_ORIGIN:
        return RESPONSES_RULES_HEADER
    date = datetime.now(tz=timezone.utc).date().isoformat()
    return RECORDED_HEADER.format(url=OPENROUTER_BASE_URL, date=date)


# --- redaction --------------------------------------------------------------------------


def _secrets() -> list[str]:
    key = os.environ.get("OPENROUTER_API_KEY", "")
    return [key] if len(key) >= 8 else []


def _scrub_text(text: str) -> str:
    for secret in _secrets():
        text = text.replace(secret, REDACTED)
    return text


def _drop_user_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_user_ids(v) for k, v in value.items() if k != "user_id"}
    if isinstance(value, list):
        return [_drop_user_ids(item) for item in value]
    return value


def _scrub_json_text(text: str) -> str:
    """``text`` as received unless it holds a ``user_id`` to drop."""
    if '"user_id"' not in text:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return json.dumps(_drop_user_ids(data), ensure_ascii=False, separators=(",", ":"))


def scrub_body(body: str) -> str:
    """A JSON or SSE body without ``user_id`` fields or the API key."""
    body = _scrub_text(body)
    if body.lstrip().startswith("{"):
        return _scrub_json_text(body)
    return "\n".join(
        "data: " + _scrub_json_text(line[len("data: ") :]) if line.startswith("data: {") else line
        for line in body.split("\n")
    )


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _numbered_uuids(text: str) -> str:
    """Random UUIDs (tool-call ids LangChain makes up) numbered in order of appearance.

    The body matcher then sees the same request on every run; which id answers which
    call is kept.
    """
    numbers: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(0), f"uuid-{len(numbers) + 1}")

    return UUID.sub(number, text)


def _canonical_uri(uri: str) -> str:
    base = os.environ.get("OPENROUTER_API_BASE", "").rstrip("/")
    if base and uri.startswith(base):
        return OPENROUTER_BASE_URL + uri[len(base) :]
    return uri


def scrub_request(request: Any) -> Any:
    """The request as stored and matched: canonical URL, allow-listed headers, no secrets."""
    request.uri = _canonical_uri(request.uri)
    for name in list(request.headers):
        if name.lower() not in KEPT_REQUEST_HEADERS:
            del request.headers[name]
    if isinstance(request.body, bytes):
        text = _scrub_text(request.body.decode("utf-8", "replace"))
        request.body = _numbered_uuids(text).encode()
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """The response as stored: allow-listed headers, no ``user_id`` and no key in the body."""
    response["headers"] = {
        name: value
        for name, value in response["headers"].items()
        if name.lower() in KEPT_RESPONSE_HEADERS
    }
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return response
        response["body"]["string"] = scrub_body(text).encode("utf-8")
    return response


# --- storage ----------------------------------------------------------------------------


class GzipYamlSerializer:
    """vcrpy serializer: a comment header, then safe YAML; gzip is the persister's job."""

    def __init__(self, header: str | None = None) -> None:
        self.header = header

    def serialize(self, cassette_dict: dict[str, Any]) -> str:
        header = self.header if self.header is not None else cassette_header()
        return header + yaml.safe_dump(cassette_dict, allow_unicode=True, sort_keys=False)

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load(text)
        return data


def read_cassette_text(path: Path) -> str:
    """A cassette's YAML text, header comment included."""
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def write_cassette(
    path: Path, cassette_dict: dict[str, Any], serializer: GzipYamlSerializer
) -> None:
    """Write ``{"requests": [...], "responses": [...]}`` as a ``.yaml.gz`` cassette."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = serialize(cassette_dict, serializer)
    # mtime=0: the same interactions give the same bytes, so re-recording diffs stay quiet.
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def _identity(request: Any) -> tuple[str, str, bytes]:
    return request.method, request.uri, request.body or b""


class CassettePersister:
    """Loads a test's cassette plus the shared read-only ones; saves only the test's own."""

    def __init__(self, shared: tuple[Path, ...] = (ASSETS_CASSETTE,)) -> None:
        self.shared = shared
        self._shared: set[tuple[str, str, bytes]] = set()

    def load_cassette(
        self, cassette_path: str | os.PathLike[str], serializer: GzipYamlSerializer
    ) -> tuple[list[Any], list[Any]]:
        requests: list[Any] = []
        responses: list[Any] = []
        for path in (Path(cassette_path), *self.shared):
            if not path.is_file():
                continue
            loaded_requests, loaded_responses = deserialize(read_cassette_text(path), serializer)
            if path != Path(cassette_path):
                self._shared.update(_identity(request) for request in loaded_requests)
            requests += loaded_requests
            responses += loaded_responses
        if not requests:
            raise CassetteNotFoundError(str(cassette_path))
        return requests, responses

    def save_cassette(
        self,
        cassette_path: str | os.PathLike[str],
        cassette_dict: dict[str, Any],
        serializer: GzipYamlSerializer,
    ) -> None:
        pairs = [
            (request, response)
            for request, response in zip(
                cassette_dict["requests"], cassette_dict["responses"], strict=True
            )
            if _identity(request) not in self._shared
        ]
        own = {"requests": [p[0] for p in pairs], "responses": [p[1] for p in pairs]}
        write_cassette(Path(cassette_path), own, serializer)


def vcr_config() -> dict[str, Any]:
    """The ``vcr_config`` every integration test gets."""
    return {
        "record_mode": record_mode(),
        "serializer": "yaml.gz",
        "match_on": ["method", "uri", "body"],
        # Identical requests in one test get the first recorded answer, as when recording.
        "allow_playback_repeats": True,
        "decode_compressed_response": True,
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
    }
