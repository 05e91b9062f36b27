"""Model listing (GET /models) and generation stats (GET /generation), at the HTTP boundary."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_openrouter import (
    OpenRouterAuthenticationError,
    OpenRouterNotFoundError,
    OpenRouterRateLimitError,
    OpenRouterResponseError,
    OpenRouterServerError,
)
from langchain_openrouter.testing import (
    GENERATION_ID,
    JSONReply,
    OpenRouterEmulator,
    RawReply,
)

NO_WAIT = {"Retry-After": "0"}

# Shaped as in OpenRouter's OpenAPI (getModels example, Model schema); see
# docs/openrouter-wire-notes.md#model-catalogue.
CLAUDE: dict[str, Any] = {
    "id": "anthropic/claude-sonnet-4.5",
    "canonical_slug": "anthropic/claude-4.5-sonnet-20250929",
    "name": "Anthropic: Claude Sonnet 4.5",
    "created": 1759161676,
    "description": "Claude Sonnet 4.5 is Anthropic's most advanced Sonnet model.",
    "context_length": 1000000,
    "architecture": {
        "modality": "text+image+file->text",
        "input_modalities": ["text", "image", "file"],
        "output_modalities": ["text"],
        "tokenizer": "Claude",
        "instruct_type": None,
    },
    "pricing": {
        "prompt": "0.000003",
        "completion": "0.000015",
        "input_cache_read": "0.0000003",
        "input_cache_write": "0.00000375",
    },
    "top_provider": {
        "context_length": 1000000,
        "max_completion_tokens": 64000,
        "is_moderated": True,
    },
    "per_request_limits": None,
    "supported_parameters": ["max_tokens", "reasoning", "tools", "tool_choice", "temperature"],
    "default_parameters": None,
    "reasoning": {"mandatory": False, "supports_max_tokens": True, "supported_efforts": None},
    "supported_voices": None,
    "links": {"details": "/api/v1/models/anthropic/claude-sonnet-4.5/endpoints"},
    "benchmarks": {"intelligence_index": 61},
}
MODELS_BODY = {"data": [CLAUDE], "total_count": 1, "links": {"next": None}}
# The getGeneration example of openapi.yaml (abridged).
GENERATION: dict[str, Any] = {
    "id": GENERATION_ID,
    "upstream_id": "chatcmpl-791bcf62",
    "total_cost": 0.0015,
    "usage": 0.0015,
    "cache_discount": None,
    "upstream_inference_cost": 0.0012,
    "created_at": "2024-07-15T23:33:19.433273+00:00",
    "model": "sao10k/l3-stheno-8b",
    "provider_name": "Infermatic",
    "streamed": True,
    "cancelled": False,
    "latency": 1250,
    "generation_time": 1200,
    "moderation_latency": 50,
    "tokens_prompt": 10,
    "tokens_completion": 25,
    "native_tokens_prompt": 10,
    "native_tokens_completion": 25,
    "native_tokens_reasoning": 5,
    "native_tokens_cached": 3,
    "finish_reason": "stop",
    "native_finish_reason": "stop",
    "is_byok": False,
    "data_region": "global",
    "provider_responses": None,
}


def error_body(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def test_list_models_sends_a_get_with_the_models_connection(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=MODELS_BODY))
    llm = fake.chat_model(
        api_key="sk-or-list-key",
        base_url="https://router.example/api/v1",
        app_title="My App",
        default_headers={"X-Extra": "1"},
    )
    models = llm.list_models()
    request = fake.requests[0]
    assert request.method == "GET"
    assert str(request.url) == "https://router.example/api/v1/models"
    assert request.headers["authorization"] == "Bearer sk-or-list-key"
    assert request.headers["x-openrouter-title"] == "My App"
    assert request.headers["x-extra"] == "1"
    assert not request.raw_body
    assert models == [CLAUDE]  # every field kept, also those not declared (benchmarks, links)
    assert models[0]["pricing"]["prompt"] == "0.000003"  # USD per token, verbatim


def test_list_models_filters_become_query_parameters(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=MODELS_BODY))
    fake.chat_model().list_models(
        output_modalities=["text", "image"],
        supported_parameters="tools",
        sort="newest",
        limit=10,
        zdr=True,
        category=None,
    )
    params = fake.requests[0].query
    assert params == {
        "output_modalities": "text,image",
        "supported_parameters": "tools",
        "sort": "newest",
        "limit": "10",
        "zdr": "true",
    }


def test_a_filter_of_the_wrong_type_fails_before_sending(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=MODELS_BODY))
    with pytest.raises(TypeError, match=r"category=\{'a': 1\}: pass a string"):
        fake.chat_model().list_models(category={"a": 1})
    assert fake.requests == []


async def test_alist_models(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=MODELS_BODY))
    models = await fake.chat_model().alist_models(output_modalities="all")
    assert [m["id"] for m in models] == ["anthropic/claude-sonnet-4.5"]
    assert fake.requests[0].query == {"output_modalities": "all"}


def test_get_generation(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body={"data": GENERATION}))
    stats = fake.chat_model().get_generation(f" {GENERATION_ID} ")
    request = fake.requests[0]
    assert request.method == "GET"
    assert request.url.split("?")[0].endswith("/api/v1/generation")
    assert request.path == "/generation"
    assert request.query == {"id": GENERATION_ID}
    assert stats["total_cost"] == 0.0015
    assert stats["provider_name"] == "Infermatic"
    assert stats["data_region"] == "global"  # undeclared, kept


async def test_aget_generation(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body={"data": {**GENERATION, "tokens_prompt": 14417.92}}))
    stats = await fake.chat_model().aget_generation(GENERATION_ID)
    assert stats["tokens_prompt"] == 14417.92  # float token counts are tolerated


@pytest.mark.parametrize("generation_id", ["", "   ", None])
def test_get_generation_needs_an_id(fake: OpenRouterEmulator, generation_id: Any) -> None:
    with pytest.raises(ValueError, match="generation id must be a non-empty string"):
        fake.chat_model().get_generation(generation_id)
    assert fake.requests == []


def test_401_is_not_retried(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(401, "No auth credentials found"), status=401))
    with pytest.raises(OpenRouterAuthenticationError, match="No auth credentials found"):
        fake.chat_model(max_retries=3).list_models()
    assert len(fake.requests) == 1


def test_429_is_retried_max_retries_times(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(429, "Rate limit exceeded"), status=429, headers=NO_WAIT))
    with pytest.raises(OpenRouterRateLimitError):
        fake.chat_model(max_retries=2).get_generation(GENERATION_ID)
    assert len(fake.requests) == 3


async def test_a_retry_that_succeeds(fake: OpenRouterEmulator) -> None:
    fake.script(
        JSONReply(body=error_body(502, "Provider returned error"), status=502, headers=NO_WAIT)
    )
    fake.script(JSONReply(body=MODELS_BODY))
    models = await fake.chat_model(max_retries=1).alist_models()
    assert len(models) == 1
    assert len(fake.requests) == 2


def test_unknown_generation_is_a_not_found_error(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(404, "Generation not found"), status=404))
    with pytest.raises(OpenRouterNotFoundError, match="Generation not found"):
        fake.chat_model().get_generation("gen-unknown")
    assert len(fake.requests) == 1


def test_an_error_inside_a_200_body_is_raised_and_retried(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(500, "Internal Server Error")))
    with pytest.raises(OpenRouterServerError, match="Internal Server Error"):
        fake.chat_model(max_retries=1).list_models()
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (b"<html>Bad gateway</html>", "invalid JSON"),
        (b"[1, 2]", "expected a JSON object, got list"),
        (b'{"models": []}', "the response has no 'data'"),
        (b'{"data": [{"name": "no id"}]}', r"model list .*0\.id: Field required"),
        (b'{"data": {"id": "x"}}', "model list .*Input should be a valid list"),
    ],
    ids=["not-json", "a-list", "no-data", "no-id", "not-a-list"],
)
def test_malformed_model_lists(fake: OpenRouterEmulator, reply: bytes, message: str) -> None:
    fake.script(RawReply(body=reply))
    with pytest.raises(OpenRouterResponseError, match=message) as info:
        fake.chat_model(max_retries=2).list_models()
    assert info.value.error_type == "malformed_response"
    assert len(fake.requests) == 1  # a malformed body is not retried


def test_malformed_generation(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body={"data": {**GENERATION, "total_cost": "a lot"}}))
    with pytest.raises(OpenRouterResponseError, match=r"generation .*total_cost"):
        fake.chat_model().get_generation(GENERATION_ID)


def test_the_api_key_is_in_no_error(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(401, "User not found."), status=401))
    with pytest.raises(OpenRouterAuthenticationError) as info:
        fake.chat_model(api_key="sk-or-v1-very-secret").list_models()
    assert "very-secret" not in str(info.value)
    assert "very-secret" not in repr(info.value)
