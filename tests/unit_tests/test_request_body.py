from __future__ import annotations

from functools import reduce
from operator import add
from typing import Any

import pytest

from langchain_openrouter.testing import (
    JSONReply,
    OpenRouterEmulator,
    completion_body,
    text_stream,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENROUTER_SESSION_ID", "OPENROUTER_APP_URL", "OPENROUTER_APP_TITLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def replied(fake: OpenRouterEmulator) -> OpenRouterEmulator:
    return fake.script(JSONReply(body=completion_body()))


PROVIDER = {
    "order": ["anthropic", "google-vertex/us-east5"],
    "allow_fallbacks": False,
    "require_parameters": True,
    "data_collection": "deny",
    "zdr": True,
    "only": ["openai"],
    "ignore": ["deepinfra"],
    "quantizations": ["fp8"],
    "sort": {"by": "price", "partition": "model"},
    "preferred_min_throughput": {"p90": 50},
    "preferred_max_latency": 3,
    "max_price": {"prompt": 1, "completion": "2"},
}

# (field, value, body key); the value is expected verbatim under the key.
FIELDS: list[tuple[str, Any, str]] = [
    ("openrouter_provider", PROVIDER, "provider"),
    ("openrouter_metadata", {"team": "search", "env": "prod"}, "metadata"),
    ("models", ["anthropic/claude-sonnet-4.5", "openai/gpt-4o"], "models"),
    ("route", "fallback", "route"),
    ("preset", "my-preset", "preset"),
    ("transforms", ["middle-out"], "transforms"),
    ("transforms", [], "transforms"),
    ("plugins", [{"id": "file-parser", "pdf": {"engine": "native"}}], "plugins"),
    ("plugins", [{"id": "web", "enabled": False}], "plugins"),
    ("reasoning", {"effort": "high", "exclude": True}, "reasoning"),
    ("reasoning", {"max_tokens": 200, "enabled": True}, "reasoning"),
    ("reasoning_effort", "minimal", "reasoning_effort"),
    ("usage", {"include": True}, "usage"),
    ("session_id", "session-1", "session_id"),
    ("trace", {"trace_id": "t-1", "span_name": "s", "custom": "x"}, "trace"),
    ("user", "user-123", "user"),
    ("verbosity", "low", "verbosity"),
    ("modalities", ["image", "text"], "modalities"),
    ("image_config", {"aspect_ratio": "16:9", "quality": "high"}, "image_config"),
    ("service_tier", "flex", "service_tier"),
    ("prompt_cache_key", "cache-key-1", "prompt_cache_key"),
    ("temperature", 0.3, "temperature"),
    ("temperature", 0.0, "temperature"),
    ("max_tokens", 256, "max_tokens"),
    ("max_completion_tokens", 512, "max_completion_tokens"),
    ("top_p", 0.9, "top_p"),
    ("top_k", 40, "top_k"),
    ("min_p", 0.05, "min_p"),
    ("top_a", 0.2, "top_a"),
    ("frequency_penalty", 0.5, "frequency_penalty"),
    ("presence_penalty", -0.5, "presence_penalty"),
    ("repetition_penalty", 1.1, "repetition_penalty"),
    ("seed", 7, "seed"),
    ("seed", 0, "seed"),
    ("stop", ["\n\n", "END"], "stop"),
    ("stop", "END", "stop"),
    ("logit_bias", {"50256": -100.0}, "logit_bias"),
    ("logprobs", False, "logprobs"),
    ("logprobs", True, "logprobs"),
    ("top_logprobs", 5, "top_logprobs"),
]
# Fields that OpenRouter takes only with another one set.
NEEDS = {"top_logprobs": {"logprobs": True}}


@pytest.mark.parametrize(("field", "value", "key"), FIELDS)
def test_field_reaches_the_body(
    replied: OpenRouterEmulator, field: str, value: Any, key: str
) -> None:
    replied.chat_model(**{field: value}, **NEEDS.get(field, {})).invoke("hi")
    assert replied.requests[-1].body[key] == value
    if key != field:
        assert field not in replied.requests[-1].body


@pytest.mark.parametrize(("field", "value", "key"), FIELDS)
async def test_field_reaches_the_streamed_async_body(
    fake: OpenRouterEmulator, field: str, value: Any, key: str
) -> None:
    fake.script(text_stream("ok"))
    chunks = [
        c async for c in fake.chat_model(**{field: value}, **NEEDS.get(field, {})).astream("hi")
    ]
    assert reduce(add, chunks).content == "ok"
    assert fake.requests[-1].body[key] == value
    assert fake.requests[-1].body["stream"] is True


def test_unset_fields_are_absent(replied: OpenRouterEmulator) -> None:
    replied.chat_model().invoke("hi")
    assert replied.requests[-1].body == {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
    }


def test_client_settings_are_not_in_the_body(replied: OpenRouterEmulator) -> None:
    replied.chat_model(
        timeout=30, max_retries=1, stream_usage=False, app_categories=["cli-agent"]
    ).invoke("hi")
    assert set(replied.requests[-1].body) == {"model", "messages"}


def test_langchain_metadata_and_tags_stay_out_of_the_body(replied: OpenRouterEmulator) -> None:
    llm = replied.chat_model(
        metadata={"run": "trace-only"}, tags=["t"], openrouter_metadata={"a": "b"}
    )
    llm.invoke("hi", config={"metadata": {"x": "y"}, "tags": ["u"]})
    assert replied.requests[-1].body["metadata"] == {"a": "b"}
    assert "tags" not in replied.requests[-1].body


def test_all_fields_together(replied: OpenRouterEmulator) -> None:
    kwargs = {field: value for field, value, _ in FIELDS}
    replied.chat_model(**kwargs).invoke("hi")
    for field, _, key in FIELDS:
        assert replied.requests[-1].body[key] == kwargs[field], key


# --- model_kwargs and per-call kwargs -----------------------------------------------------


def test_model_kwargs_reach_the_body_verbatim(replied: OpenRouterEmulator) -> None:
    extras = {"safe_prompt": True, "web_search_options": {"search_context_size": "high"}}
    replied.chat_model(model_kwargs=extras).invoke("hi")
    for key, value in extras.items():
        assert replied.requests[-1].body[key] == value


def test_model_kwargs_override_body_key_of_a_field(replied: OpenRouterEmulator) -> None:
    replied.chat_model(
        openrouter_provider={"order": ["a"]}, model_kwargs={"provider": {"order": ["b"]}}
    ).invoke("hi")
    assert replied.requests[-1].body["provider"] == {"order": ["b"]}


def test_per_call_kwargs_reach_the_body_and_override_fields(replied: OpenRouterEmulator) -> None:
    llm = replied.chat_model(seed=1, temperature=0.2, model_kwargs={"safe_prompt": False})
    llm.invoke("hi", some_new_param=1, seed=3, safe_prompt=True, provider={"zdr": True})
    body = replied.requests[-1].body
    assert body["some_new_param"] == 1
    assert body["seed"] == 3
    assert body["safe_prompt"] is True
    assert body["provider"] == {"zdr": True}
    assert body["temperature"] == 0.2


def test_per_call_field_names_use_the_body_key(replied: OpenRouterEmulator) -> None:
    llm = replied.chat_model(openrouter_provider={"order": ["a"]})
    llm.invoke("hi", openrouter_provider={"order": ["b"]}, openrouter_metadata={"k": "v"})
    assert replied.requests[-1].body["provider"] == {"order": ["b"]}
    assert replied.requests[-1].body["metadata"] == {"k": "v"}
    assert "openrouter_provider" not in replied.requests[-1].body
    assert "openrouter_metadata" not in replied.requests[-1].body


def test_per_call_kwargs_do_not_stick(replied: OpenRouterEmulator) -> None:
    llm = replied.chat_model(seed=1)
    llm.invoke("hi", seed=3, extra_thing="x")
    llm.invoke("hi")
    assert replied.requests[-1].body["seed"] == 1
    assert "extra_thing" not in replied.requests[-1].body


def test_bound_kwargs_reach_the_body(replied: OpenRouterEmulator) -> None:
    replied.chat_model().bind(top_k=3, prediction={"type": "content", "content": "x"}).invoke("hi")
    assert replied.requests[-1].body["top_k"] == 3
    assert replied.requests[-1].body["prediction"] == {"type": "content", "content": "x"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("openrouter_provider", {"order": ["openai"], "brand_new_key": 1}),
        ("openrouter_provider", {"max_price": {"prompt": 1, "video": 3}}),
        ("openrouter_provider", {"sort": {"by": "latency", "new_sort_option": True}}),
        ("reasoning", {"effort": "high", "future_option": "x"}),
        ("plugins", [{"id": "web", "max_results": 3, "engine": "exa"}]),
        ("trace", {"trace_id": "t", "anything": {"nested": [1, 2]}}),
        ("usage", {"include": True, "extra": 1}),
    ],
)
def test_unknown_keys_in_typed_settings_are_sent_verbatim(
    replied: OpenRouterEmulator, field: str, value: Any
) -> None:
    replied.chat_model(**{field: value}).invoke("hi")
    key = "provider" if field == "openrouter_provider" else field
    assert replied.requests[-1].body[key] == value


# --- stop, stream, request options ---------------------------------------------------------


def test_per_call_stop(replied: OpenRouterEmulator) -> None:
    llm = replied.chat_model(stop=["model-stop"])
    llm.invoke("hi", stop=["call-stop"])
    assert replied.requests[-1].body["stop"] == ["call-stop"]
    llm.invoke("hi")
    assert replied.requests[-1].body["stop"] == ["model-stop"]


def test_per_call_stop_without_field(replied: OpenRouterEmulator) -> None:
    replied.chat_model().invoke("hi", stop=["a", "b"])
    assert replied.requests[-1].body["stop"] == ["a", "b"]


def test_stream_flag_only_when_streaming(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("x")))
    fake.script(text_stream("x"))
    llm = fake.chat_model()
    llm.invoke("hi")
    list(llm.stream("hi"))
    assert "stream" not in fake.requests[0].body
    assert fake.requests[1].body["stream"] is True


def test_stream_kwarg_on_invoke_is_not_sent(replied: OpenRouterEmulator) -> None:
    replied.chat_model(model_kwargs={"stream": True}).invoke("hi")
    assert "stream" not in replied.requests[-1].body


def test_streaming_field_streams_invoke(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("Hel", "lo"))
    msg = fake.chat_model(streaming=True).invoke("hi")
    assert msg.content == "Hello"
    assert fake.requests[-1].body["stream"] is True
    assert "streaming" not in fake.requests[-1].body


async def test_async_invoke_body(replied: OpenRouterEmulator) -> None:
    await replied.chat_model(seed=5).ainvoke("hi", top_k=2)
    assert replied.requests[-1].body["seed"] == 5
    assert replied.requests[-1].body["top_k"] == 2
    assert "stream" not in replied.requests[-1].body


def test_per_call_request_options_are_not_in_the_body(replied: OpenRouterEmulator) -> None:
    replied.chat_model().invoke("hi", timeout=5, max_retries=0, seed=1)
    assert "timeout" not in replied.requests[-1].body
    assert "max_retries" not in replied.requests[-1].body
    assert replied.requests[-1].body["seed"] == 1


def test_timeout_is_applied_to_the_http_request(replied: OpenRouterEmulator) -> None:
    llm = replied.chat_model(timeout=12.5)
    llm.invoke("hi")
    assert replied.requests[-1].extensions["timeout"]["read"] == 12.5
    llm.invoke("hi", timeout=3)
    assert replied.requests[-1].extensions["timeout"]["read"] == 3.0
    assert "timeout" not in replied.requests[-1].body


def test_per_call_none_values_are_not_sent(replied: OpenRouterEmulator) -> None:
    replied.chat_model(temperature=0.5).invoke("hi", top_k=None)
    assert "top_k" not in replied.requests[-1].body
    assert replied.requests[-1].body["temperature"] == 0.5


def test_structured_output_tracing_arg_is_not_sent(replied: OpenRouterEmulator) -> None:
    replied.chat_model().invoke("hi", ls_structured_output_format={"schema": {}})
    assert "ls_structured_output_format" not in replied.requests[-1].body


def test_per_call_model_reaches_the_body_on_stream(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("hi"))
    list(fake.chat_model().stream("hi", model="anthropic/claude-sonnet-4.5"))
    assert fake.requests[-1].body["model"] == "anthropic/claude-sonnet-4.5"


async def test_per_call_model_reaches_the_body_on_astream(fake: OpenRouterEmulator) -> None:
    fake.script(text_stream("hi"))
    _ = [chunk async for chunk in fake.chat_model().astream("hi", model="google/gemini-2.5-pro")]
    assert fake.requests[-1].body["model"] == "google/gemini-2.5-pro"
