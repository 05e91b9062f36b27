"""OpenRouterEmbeddings at the HTTP boundary: requests, batching, decoding, usage, errors."""

from __future__ import annotations

import base64
import struct
from typing import Any

import httpx2
import pytest
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_openrouter import (
    OpenRouterAuthenticationError,
    OpenRouterBadRequestError,
    OpenRouterEmbeddings,
    OpenRouterRateLimitError,
    OpenRouterResponseError,
    OpenRouterServerError,
)
from langchain_openrouter.testing import (
    JSONReply,
    OpenRouterEmulator,
    RawReply,
)

MODEL = "openai/text-embedding-3-small"
NO_WAIT = {"Retry-After": "0"}


def embeddings(fake: OpenRouterEmulator, **kwargs: Any) -> OpenRouterEmbeddings:
    """OpenRouterEmbeddings whose HTTP traffic (sync and async) goes to ``fake``."""
    transport = fake.transport()
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("api_key", "sk-or-test-key")
    return OpenRouterEmbeddings(
        http_client=httpx2.Client(transport=transport),
        http_async_client=httpx2.AsyncClient(transport=transport),
        **kwargs,
    )


def vector(n: int) -> list[float]:
    return [float(n), n + 0.5, -n / 4]


def reply(
    indices: list[int], *, usage: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """An embeddings response (openapi.yaml createEmbeddings) with ``vector(i)`` per index."""
    return {
        "id": "embd-1764031697-abc",
        "object": "list",
        "model": MODEL,
        "data": [{"object": "embedding", "index": i, "embedding": vector(i)} for i in indices],
        "usage": usage or {"prompt_tokens": 4, "total_tokens": 4, "cost": 0.00000008},
        **extra,
    }


def error_body(code: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


# --- requests ------------------------------------------------------------------------


def test_embed_documents(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=reply([0, 1])))
    vectors = embeddings(fake).embed_documents(["first", "second"])
    assert vectors == [vector(0), vector(1)]
    request = fake.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "https://openrouter.ai/api/v1/embeddings"
    assert request.headers["authorization"] == "Bearer sk-or-test-key"
    # base64 by default, as the openai SDK asks; the float lists in this reply are read too.
    assert fake.requests[-1].body == {
        "model": MODEL,
        "encoding_format": "base64",
        "input": ["first", "second"],
    }


def test_embed_query(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=reply([0])))
    assert embeddings(fake).embed_query("a question") == vector(0)
    assert fake.requests[-1].body["input"] == ["a question"]


async def test_async_paths(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=reply([0, 1])))
    fake.script(JSONReply(body=reply([0])))
    model = embeddings(fake)
    assert await model.aembed_documents(["a", "b"]) == [vector(0), vector(1)]
    assert await model.aembed_query("q") == vector(0)
    assert [body["input"] for body in [request.body for request in fake.requests]] == [
        ["a", "b"],
        ["q"],
    ]


def test_request_fields(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=reply([0])))
    embeddings(
        fake,
        dimensions=256,
        input_type="search_document",
        openrouter_provider={"order": ["openai", "azure"], "allow_fallbacks": False},
        user="user-7",
        encoding_format="float",
        model_kwargs={"x_new_option": {"a": 1}},
    ).embed_documents(["text"])
    assert fake.requests[-1].body == {
        "model": MODEL,
        "dimensions": 256,
        "encoding_format": "float",
        "input_type": "search_document",
        "provider": {"order": ["openai", "azure"], "allow_fallbacks": False},
        "user": "user-7",
        "x_new_option": {"a": 1},
        "input": ["text"],
    }


def test_headers(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=reply([0])))
    embeddings(
        fake,
        app_url="https://example.org",
        app_title="My App",
        app_categories=["cli-agent"],
        session_id="session-1",
        default_headers={"X-Extra": "1"},
    ).embed_query("text")
    headers = fake.requests[0].headers
    assert headers["http-referer"] == "https://example.org"
    assert headers["x-openrouter-title"] == headers["x-title"] == "My App"
    assert headers["x-openrouter-categories"] == "cli-agent"
    assert headers["x-session-id"] == "session-1"
    assert headers["x-extra"] == "1"


def test_batches_keep_the_input_order(fake: OpenRouterEmulator) -> None:
    # Each batch answers with its indices shuffled; the result follows the inputs.
    fake.script(JSONReply(body=reply([1, 0])))
    fake.script(JSONReply(body=reply([0, 1])))
    fake.script(JSONReply(body=reply([0])))
    texts = ["t0", "t1", "t2", "t3", "t4"]
    vectors = embeddings(fake, batch_size=2).embed_documents(texts)
    assert [body["input"] for body in [request.body for request in fake.requests]] == [
        ["t0", "t1"],
        ["t2", "t3"],
        ["t4"],
    ]
    assert vectors == [vector(0), vector(1), vector(0), vector(1), vector(0)]


def test_missing_indices_mean_list_order(fake: OpenRouterEmulator) -> None:
    body = reply([0, 1])
    for item in body["data"]:
        del item["index"]
    fake.script(JSONReply(body=body))
    assert embeddings(fake).embed_documents(["a", "b"]) == [vector(0), vector(1)]


def test_base64_vectors_are_decoded(fake: OpenRouterEmulator) -> None:
    values = [0.25, -1.5, 3.0]
    packed = base64.b64encode(struct.pack("<3f", *values)).decode()
    fake.script(
        JSONReply(
            body={**reply([0]), "data": [{"object": "embedding", "index": 0, "embedding": packed}]}
        )
    )
    assert embeddings(fake).embed_query("x") == values
    assert fake.requests[-1].body["encoding_format"] == "base64"


def test_no_encoding_format_is_sent_when_set_to_none(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=reply([0])))
    embeddings(fake, encoding_format=None).embed_query("x")
    assert fake.requests[-1].body == {"model": MODEL, "input": ["x"]}


def test_no_texts_no_request(fake: OpenRouterEmulator) -> None:
    assert embeddings(fake).embed_documents([]) == []
    assert fake.requests == []


# --- usage and cost --------------------------------------------------------------------


def test_embed_with_usage_sums_every_batch(fake: OpenRouterEmulator) -> None:
    first_usage = {
        "prompt_tokens": 7,
        "total_tokens": 7,
        "cost": 0.0000002,
        "is_byok": False,
        "cost_details": {"upstream_inference_cost": None},
    }
    fake.script(JSONReply(body=reply([0, 1], usage=first_usage, id="embd-1")))
    fake.script(
        JSONReply(body=reply([0], usage={"prompt_tokens": 3, "total_tokens": 3, "cost": 0.0000001}))
    )
    result = embeddings(fake, batch_size=2).embed_with_usage(["a", "b", "c"])
    assert result.embeddings == [vector(0), vector(1), vector(0)]
    assert result.usage["prompt_tokens"] == 10
    assert result.usage["total_tokens"] == 10
    assert result.usage["cost"] == pytest.approx(0.0000003)
    assert result.response_metadata[0] == {"id": "embd-1", "model": MODEL, "usage": first_usage}
    assert len(result.response_metadata) == 2


async def test_aembed_with_usage_without_a_reported_cost(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=reply([0], usage={"prompt_tokens": 2, "total_tokens": 2})))
    result = await embeddings(fake).aembed_with_usage(["a"])
    assert result.usage == {"prompt_tokens": 2, "total_tokens": 2, "cost": None}


# --- errors and retries ----------------------------------------------------------------


def test_401_is_not_retried(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(401, "User not found."), status=401))
    with pytest.raises(OpenRouterAuthenticationError, match="User not found"):
        embeddings(fake, max_retries=3).embed_query("x")
    assert len(fake.requests) == 1


def test_429_is_retried_then_raised(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(429, "Rate limit exceeded"), status=429, headers=NO_WAIT))
    with pytest.raises(OpenRouterRateLimitError):
        embeddings(fake, max_retries=2).embed_query("x")
    assert len(fake.requests) == 3


async def test_a_retried_batch_is_sent_again_unchanged(fake: OpenRouterEmulator) -> None:
    fake.script(
        JSONReply(
            body=error_body(503, "Service temporarily unavailable"), status=503, headers=NO_WAIT
        )
    )
    fake.script(JSONReply(body=reply([0, 1])))
    assert len(await embeddings(fake, max_retries=1).aembed_documents(["a", "b"])) == 2
    assert fake.requests[0].body == fake.requests[1].body


def test_a_chat_model_on_the_embeddings_endpoint(fake: OpenRouterEmulator) -> None:
    # Chat models called here give availability.code "wrong_endpoint"
    # (docs/openrouter-wire-notes.md#availability-errors).
    body = error_body(
        400,
        "openai/gpt-4o-mini is not an embeddings model",
        error_type="invalid_request",
        availability={"code": "wrong_endpoint", "retryable": False},
    )
    fake.script(JSONReply(body=body, status=400))
    with pytest.raises(OpenRouterBadRequestError, match="not an embeddings model"):
        embeddings(fake, model="openai/gpt-4o-mini").embed_query("x")
    assert len(fake.requests) == 1


def test_an_error_inside_a_200_body_is_raised(fake: OpenRouterEmulator) -> None:
    fake.script(
        JSONReply(
            body=error_body(502, "Provider returned error", metadata={"raw": "upstream died"})
        )
    )
    with pytest.raises(OpenRouterServerError, match="upstream died"):
        embeddings(fake, max_retries=0).embed_query("x")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"object": "list", "model": MODEL}, "the response has no 'data'"),
        ({"data": [{"index": 0}]}, r"data\.0\.embedding: Field required"),
        ({"data": [{"index": 0, "embedding": [1, "x"]}]}, r"data\.0\.embedding"),
        (reply([0, 1]), "1 inputs were sent but 2 embeddings came back"),
        ({"data": []}, "1 inputs were sent but 0 embeddings came back"),
        ({"data": [{"index": 3, "embedding": [1.0]}]}, r"indices \[3\] are not 0\.\.0"),
        ({"data": [{"index": 0, "embedding": "not base64!"}]}, "neither a list of numbers"),
        ({"data": [{"index": 0, "embedding": "AAA="}]}, "neither a list of numbers"),
    ],
    ids=[
        "no-data",
        "no-embedding",
        "not-numbers",
        "too-many",
        "none",
        "bad-index",
        "bad-base64",
        "short-base64",
    ],
)
def test_malformed_responses(fake: OpenRouterEmulator, body: dict[str, Any], message: str) -> None:
    fake.script(JSONReply(body=body))
    with pytest.raises(OpenRouterResponseError, match=message) as info:
        embeddings(fake, max_retries=2).embed_query("x")
    assert info.value.error_type == "malformed_response"
    assert len(fake.requests) == 1


def test_a_non_json_body(fake: OpenRouterEmulator) -> None:
    fake.script(RawReply(body=b"<html>oops</html>"))
    with pytest.raises(OpenRouterResponseError, match="invalid JSON"):
        embeddings(fake).embed_query("x")


# --- bad input, caught before anything is sent --------------------------------------------


@pytest.mark.parametrize(
    ("texts", "error", "message"),
    [
        ("one string", TypeError, "use embed_query for a single text"),
        (["fine", ""], ValueError, r"texts\[1\] is empty"),
        (["fine", 3], TypeError, r"texts\[1\] is a int: embeddings take strings"),
    ],
)
def test_bad_texts(
    fake: OpenRouterEmulator, texts: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        embeddings(fake).embed_documents(texts)
    assert fake.requests == []


def test_an_empty_query(fake: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match="text is empty"):
        embeddings(fake).embed_query("")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dimension": 256}, "unknown argument.*dimension.*model_kwargs"),
        ({"model_kwargs": {"input": ["x"]}}, "model_kwargs may not set input"),
        ({"model_kwargs": {"dimensions": 3}}, "model_kwargs may not set dimensions"),
        (
            {"model_kwargs": {"model": "a/b", "timeout": 1}},
            "model_kwargs may not set model, timeout",
        ),
        ({"model": " "}, "model is empty"),
        ({"batch_size": 0}, "batch_size"),
        ({"dimensions": 0}, "dimensions"),
        ({"encoding_format": "int8"}, "encoding_format"),
        ({"timeout": -1}, "timeout must be a positive number"),
    ],
)
def test_bad_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        OpenRouterEmbeddings(**{"model": MODEL, "api_key": "sk-or-x", **kwargs})


def test_a_missing_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(ValueError, match="No OpenRouter API key"):
        OpenRouterEmbeddings(model=MODEL)


def test_the_api_key_is_never_shown() -> None:
    model = OpenRouterEmbeddings(model=MODEL, api_key="sk-or-v1-very-secret")
    for text in (repr(model), str(model), model.model_dump_json(), repr(model._connection)):
        assert "very-secret" not in text


# --- real sockets ----------------------------------------------------------------------------


def test_default_clients_over_a_real_socket() -> None:
    with OpenRouterEmulator(api_key="sk-or-x") as emulator:
        emulator.enqueue(JSONReply(body=reply([0, 1])), path="/embeddings")
        base_url = emulator.base_url
        model = OpenRouterEmbeddings(model=MODEL, api_key="sk-or-x", openrouter_api_base=base_url)
        with model:
            assert model.embed_documents(["a", "b"]) == [vector(0), vector(1)]
    assert emulator.requests[0].path == "/embeddings"
    assert emulator.requests[0].body["input"] == ["a", "b"]


async def test_async_default_clients_over_a_real_socket() -> None:
    with OpenRouterEmulator(api_key="sk-or-x") as emulator:
        emulator.enqueue(JSONReply(body=reply([0])), path="/embeddings")
        model = OpenRouterEmbeddings(model=MODEL, api_key="sk-or-x", base_url=emulator.base_url)
        assert await model.aembed_query("q") == vector(0)
        await model.aclose()


# --- LangChain's standard unit tests ---------------------------------------------------------


class TestOpenRouterEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[OpenRouterEmbeddings]:
        return OpenRouterEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": MODEL, "api_key": "sk-or-test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        env = {
            "OPENROUTER_API_KEY": "sk-or-env-key",
            "OPENROUTER_API_BASE": "https://openrouter.example/api/v1",
            "OPENROUTER_APP_TITLE": "Env App",
        }
        expected = {
            "api_key": "sk-or-env-key",
            "base_url": "https://openrouter.example/api/v1",
            "app_title": "Env App",
        }
        return env, {"model": MODEL}, expected
