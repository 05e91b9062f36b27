"""Code written for langchain-openrouter 0.2.9 runs unchanged: names, settings, errors, metadata.

Every test talks HTTP to the bundled emulator; the README's "Migrating from 0.2.x" lists
what differs on purpose.
"""

from __future__ import annotations

import importlib.metadata
import logging
import warnings
from functools import reduce
from operator import add
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps, load
from langchain_core.messages import AIMessage, FunctionMessage, HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel, SecretStr

import langchain_openrouter
from langchain_openrouter import ChatOpenRouter, OpenRouterError
from langchain_openrouter.testing import (
    EMULATOR_API_KEY,
    Completion,
    EmptyChoices,
    ErrorIn200,
    HTTPError,
    JSONReply,
    MidStreamError,
    OpenRouterEmulator,
    SSEReply,
)

# dumpd() of a ChatOpenRouter built by langchain-openrouter 0.2.9 (in a separate venv):
# ChatOpenRouter(model="anthropic/claude-sonnet-4.5", api_key=..., base_url=..., timeout=30000,
# model_kwargs={"top_k": 40}, streaming=True, default_headers={...}, ...). Its
# default_headers were left out by 0.2.9 itself; request_timeout is 0.2.9's milliseconds.
BLOB_0_2_9: dict[str, Any] = {
    "id": ["langchain_openrouter", "chat_models", "ChatOpenRouter"],
    "kwargs": {
        "app_title": "My App",
        "app_url": "https://myapp.example",
        "max_retries": 3,
        "max_tokens": 300,
        "model_kwargs": {"top_k": 40},
        "model_name": "anthropic/claude-sonnet-4.5",
        "n": 1,
        "openrouter_api_base": "https://example.test/api/v1",
        "openrouter_api_key": {"id": ["OPENROUTER_API_KEY"], "lc": 1, "type": "secret"},
        "openrouter_provider": {"order": ["Anthropic"]},
        "plugins": [{"id": "web"}],
        "reasoning": {"effort": "high"},
        "request_timeout": 30000,
        "route": "fallback",
        "session_id": "sess-1",
        "stop": ["END"],
        "stream_usage": True,
        "streaming": True,
        "temperature": 0.2,
        "trace": {"trace_id": "t1"},
    },
    "lc": 1,
    "name": "ChatOpenRouter",
    "type": "constructor",
}
# dumpd() of 0.2.9's ChatOpenRouter(model="openai/gpt-4o-mini", api_key=...): its defaults.
DEFAULTS_BLOB_0_2_9: dict[str, Any] = {
    **BLOB_0_2_9,  # the same envelope
    "kwargs": {
        "app_title": "LangChain",
        "app_url": "https://docs.langchain.com",
        "max_retries": 2,
        "model_name": "openai/gpt-4o-mini",
        "n": 1,
        "openrouter_api_key": {"id": ["OPENROUTER_API_KEY"], "lc": 1, "type": "secret"},
        "stream_usage": True,
    },
}


@pytest.fixture
def emulator(server: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch) -> OpenRouterEmulator:
    server.reset()
    for name in ("OPENROUTER_SESSION_ID", "OPENROUTER_APP_URL", "OPENROUTER_APP_TITLE"):
        monkeypatch.delenv(name, raising=False)
    return server


def sent(emulator: OpenRouterEmulator) -> dict[str, Any]:
    """The body of the last request."""
    body: dict[str, Any] = emulator.requests[-1].body
    return body


def load_blob(blob: dict[str, Any]) -> Any:
    return load(
        blob,
        valid_namespaces=["langchain_openrouter"],
        allowed_objects="all",
        secrets_from_env=False,
        secrets_map={"OPENROUTER_API_KEY": EMULATOR_API_KEY},
    )


class GetWeather(BaseModel):
    """Get the weather in a city."""

    city: str


@tool
def get_time(zone: str) -> str:
    """The time in a time zone."""
    return zone


WEB_SEARCH = {"type": "openrouter:web_search"}


# --- 0.2.9 attribute names read and write --------------------------------------------------


def test_0_2_names_read_the_fields(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model(model="openai/gpt-4o-mini", timeout=12.5)
    assert llm.model_name == "openai/gpt-4o-mini"
    assert llm.openrouter_api_key == SecretStr(EMULATOR_API_KEY)
    assert llm.openrouter_api_base == emulator.base_url
    assert llm.request_timeout == 12.5


def test_model_name_written_is_the_model_sent(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model()
    llm.model_name = "mistralai/mistral-small-3.2-24b-instruct"
    llm.invoke("hi")
    assert sent(emulator)["model"] == "mistralai/mistral-small-3.2-24b-instruct"
    assert llm.model == "mistralai/mistral-small-3.2-24b-instruct"


def test_api_key_written_is_the_key_sent(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model(api_key="sk-or-wrong", max_retries=0)
    with pytest.raises(OpenRouterError, match="User not found"):
        llm.invoke("hi")
    llm.openrouter_api_key = EMULATOR_API_KEY  # type: ignore[assignment] - str as in 0.2.9
    assert llm.invoke("hi").content
    assert emulator.requests[-1].headers["authorization"] == f"Bearer {EMULATOR_API_KEY}"
    assert isinstance(llm.api_key, SecretStr)


def test_api_base_written_is_where_requests_go(emulator: OpenRouterEmulator) -> None:
    llm = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=EMULATOR_API_KEY)
    llm.openrouter_api_base = emulator.base_url
    llm.invoke("hi")
    assert len(emulator.requests) == 1
    assert llm.base_url == emulator.base_url


def test_request_timeout_written_is_seconds(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(Completion(delay=0.5))
    llm = emulator.chat_model(max_retries=0)
    llm.request_timeout = 0.1
    with pytest.raises(OpenRouterError, match="timed out"):
        llm.invoke("hi")
    assert llm.timeout == 0.1


# --- n --------------------------------------------------------------------------------------


def test_n_above_one_is_sent_and_gives_several_generations(emulator: OpenRouterEmulator) -> None:
    choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant"}}
    choices = [
        {**choice, "message": {"role": "assistant", "content": text}, "index": position}
        for position, text in enumerate(["one", "two"])
    ]
    emulator.enqueue(
        JSONReply(body={"id": "gen-n", "model": "openai/gpt-4o-mini", "choices": choices})
    )
    llm = emulator.chat_model(n=2)
    result = llm.generate([[HumanMessage("hi")]])
    assert [g.text for g in result.generations[0]] == ["one", "two"]
    assert sent(emulator)["n"] == 2


def test_n_of_one_is_the_default_and_not_sent(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model()
    llm.invoke("hi")
    assert llm.n == 1
    assert "n" not in sent(emulator)


@pytest.mark.parametrize("n", [0, -1])
def test_n_below_one_is_rejected(emulator: OpenRouterEmulator, n: int) -> None:
    with pytest.raises(ValueError, match="n"):
        emulator.chat_model(n=n)


def test_n_above_one_with_streaming_is_rejected(emulator: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match=r"n must be 1 when streaming \(got n=2\)"):
        emulator.chat_model(n=2, streaming=True)


def test_n_above_one_per_stream_call_is_rejected_before_sending(
    emulator: OpenRouterEmulator,
) -> None:
    with pytest.raises(ValueError, match=r"n must be 1 when streaming \(got n=3\)"):
        list(emulator.chat_model().stream("hi", n=3))
    with pytest.raises(ValueError, match="n must be a whole number"):
        emulator.chat_model().invoke("hi", n=0)
    assert emulator.requests == []


# --- serialization both ways ----------------------------------------------------------------


def test_a_0_2_9_blob_loads_and_sends_what_it_saved(emulator: OpenRouterEmulator) -> None:
    with pytest.warns(UserWarning, match=r"timeout=30000 is in seconds.*timeout=30"):
        llm = load_blob(BLOB_0_2_9)
    assert isinstance(llm, ChatOpenRouter)
    assert llm.model_name == "anthropic/claude-sonnet-4.5"
    assert llm.top_k == 40  # 0.2.9 needed model_kwargs for it; it is a field here
    assert llm.request_timeout == 30000  # seconds: the unit is ours, and the warning says so
    llm.openrouter_api_base = emulator.base_url
    list(llm.stream("hi"))
    body = sent(emulator)
    expected = {
        "model": "anthropic/claude-sonnet-4.5",
        "top_k": 40,
        "temperature": 0.2,
        "max_tokens": 300,
        "stop": ["END"],
        "provider": {"order": ["Anthropic"]},
        "plugins": [{"id": "web"}],
        "reasoning": {"effort": "high"},
        "route": "fallback",
        "session_id": "sess-1",
        "trace": {"trace_id": "t1"},
        "stream": True,
    }
    assert {key: body.get(key) for key in expected} == expected
    headers = emulator.requests[-1].headers
    assert headers["http-referer"] == "https://myapp.example"
    assert headers["x-title"] == "My App"


def test_a_0_2_9_blob_of_defaults_loads(emulator: OpenRouterEmulator) -> None:
    llm = load_blob(DEFAULTS_BLOB_0_2_9)
    assert llm.model == "openai/gpt-4o-mini"
    assert llm.max_retries == 2
    assert llm.api_key.get_secret_value() == EMULATOR_API_KEY


def test_our_blob_loads_back(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model(temperature=0.7, top_k=5, n=2, anthropic_eager_input_streaming=True)
    again = load_blob(dumpd(llm))
    assert (again.model, again.temperature, again.top_k, again.n) == (
        "openai/gpt-4o-mini",
        0.7,
        5,
        2,
    )
    assert again.anthropic_eager_input_streaming is True
    assert again.base_url == emulator.base_url


# --- model_kwargs holding a field -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "body_key"),
    [
        ("top_k", 50, "top_k"),
        ("transforms", ["middle-out"], "transforms"),
        ("models", ["openai/gpt-4o"], "models"),
        ("user", "user-1", "user"),
        ("min_p", 0.1, "min_p"),
    ],
)
def test_fields_0_2_lacked_move_in_silently(
    emulator: OpenRouterEmulator, name: str, value: Any, body_key: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm = emulator.chat_model(model_kwargs={name: value, "safe_prompt": True})
    assert getattr(llm, name) == value
    assert llm.model_kwargs == {"safe_prompt": True}
    llm.invoke("hi")
    assert sent(emulator)[body_key] == value
    assert sent(emulator)["safe_prompt"] is True


def test_a_field_0_2_had_moves_in_with_a_one_line_warning(emulator: OpenRouterEmulator) -> None:
    with pytest.warns(UserWarning, match=r"model_kwargs\['temperature'\]") as caught:
        llm = emulator.chat_model(model_kwargs={"temperature": 0.4})
    [warning] = caught
    assert "\n" not in str(warning.message)
    assert llm.temperature == 0.4
    assert llm.model_kwargs == {}
    llm.invoke("hi")
    assert sent(emulator)["temperature"] == 0.4


def test_the_same_value_in_both_places_is_fine(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model(top_k=3, model_kwargs={"top_k": 3})
    assert llm.top_k == 3
    assert llm.model_kwargs == {}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"top_k": 3, "model_kwargs": {"top_k": 4}},
        {"temperature": 0.1, "model_kwargs": {"temperature": 0.9}},
        {"stop_sequences": ["a"], "model_kwargs": {"stop": ["b"]}},
        {"brand_new": 1, "model_kwargs": {"brand_new": 2}},
    ],
)
def test_a_genuine_clash_is_a_clear_error(
    emulator: OpenRouterEmulator, kwargs: dict[str, Any]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unknown-argument warning of brand_new
        with pytest.raises(
            ValueError,
            match=r"supplied twice, with different values: .*model_kwargs\[.*Keep only one",
        ):
            emulator.chat_model(**kwargs)


# --- ValueError where 0.2.9 raised ValueError -----------------------------------------------


@pytest.mark.parametrize(
    ("reply", "stream"),
    [
        (ErrorIn200(code=502), False),
        (ErrorIn200(code=429), False),  # typed as a rate limit, still a ValueError
        (EmptyChoices(), False),
        (MidStreamError(), True),
        (ErrorIn200(code=400, message="bad"), True),
    ],
)
def test_errors_0_2_raised_as_value_error_still_are(
    emulator: OpenRouterEmulator, reply: Any, *, stream: bool
) -> None:
    emulator.enqueue(reply)
    llm = emulator.chat_model(max_retries=0)
    with pytest.raises(ValueError) as caught:  # noqa: PT011 - the class is the point
        list(llm.stream("hi")) if stream else llm.invoke("hi")
    assert isinstance(caught.value, OpenRouterError)


def test_an_error_in_a_200_body_keeps_its_type(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(ErrorIn200(code=429, message="slow down"))
    with pytest.raises(langchain_openrouter.OpenRouterRateLimitError, match="slow down"):
        emulator.chat_model(max_retries=0).invoke("hi")


def test_http_errors_are_not_value_errors(emulator: OpenRouterEmulator) -> None:
    # 0.2.9's SDK raised its own errors for these, never ValueError.
    emulator.enqueue(HTTPError(status=429, retry_after=0))
    with pytest.raises(OpenRouterError) as caught:
        emulator.chat_model(max_retries=0).invoke("hi")
    assert not isinstance(caught.value, ValueError)


# --- default_headers stay private -----------------------------------------------------------

CREDENTIAL_HEADERS = {"X-Api-Key": "provider-token", "x-grok-conv-id": "conv-secret-9"}


def test_default_headers_are_sent_but_never_serialized_or_shown(
    emulator: OpenRouterEmulator,
) -> None:
    llm = emulator.chat_model(default_headers={"x-grok-conv-id": "conv-secret-9"})
    llm.invoke("hi")
    assert emulator.requests[-1].headers["x-grok-conv-id"] == "conv-secret-9"
    for text in (dumps(llm), repr(llm), str(llm)):
        assert "conv-secret-9" not in text
    assert "default_headers" not in dumpd(llm)["kwargs"]


def test_credential_headers_never_reach_the_logs(
    emulator: OpenRouterEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.enqueue(HTTPError(status=503, retry_after=0))
    llm = emulator.chat_model(default_headers=CREDENTIAL_HEADERS, max_retries=1)
    with caplog.at_level(logging.DEBUG):
        llm.invoke("hi")
        list(llm.stream("hi"))
    assert "retrying" in caplog.text  # the retry was logged
    assert "provider-token" not in caplog.text
    assert "conv-secret-9" not in caplog.text


# --- response metadata ----------------------------------------------------------------------


def test_invoke_metadata_has_created_object_and_fingerprint(emulator: OpenRouterEmulator) -> None:
    body = {
        "id": "gen-meta",
        "model": "openai/gpt-4o-mini",
        "object": "chat.completion",
        "created": 1700000000,
        "system_fingerprint": "fp_abc",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "x"}}
        ],
    }
    emulator.enqueue(JSONReply(body=body))
    metadata = emulator.chat_model().invoke("hi").response_metadata
    assert metadata["created"] == 1700000000
    assert metadata["object"] == "chat.completion"
    assert metadata["system_fingerprint"] == "fp_abc"


def test_model_name_falls_back_to_the_configured_model(emulator: OpenRouterEmulator) -> None:
    choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "x"}}
    emulator.enqueue(JSONReply(body={"id": "gen-nomodel", "choices": [choice]}))
    llm = emulator.chat_model(model="qwen/qwen3-32b")
    assert llm.invoke("hi").response_metadata["model_name"] == "qwen/qwen3-32b"
    events = [{"id": "gen-s", "choices": [{"index": 0, "delta": {"content": "x"}}]}]
    events.append({"id": "gen-s", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    emulator.enqueue(SSEReply(events=events))
    full = reduce(add, llm.stream("hi"))
    assert full.response_metadata["model_name"] == "qwen/qwen3-32b"


def logprob(token: str) -> dict[str, Any]:
    return {"token": token, "logprob": -0.5, "bytes": None, "top_logprobs": []}


STREAM_WITH_LOGPROBS: list[dict[str, Any]] = [
    {
        "id": "gen-lp",
        "model": "openai/gpt-4o-mini",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "provider": "OpenAI",
        "choices": [
            {"index": 0, "delta": {"content": text}, "logprobs": {"content": [logprob(text)]}}
        ],
    }
    for text in ("Hel", "lo")
] + [
    {
        "id": "gen-lp",
        "model": "openai/gpt-4o-mini",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "system_fingerprint": "fp_s",
        "choices": [
            {"index": 0, "delta": {}, "finish_reason": "stop", "native_finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }
]


def test_streamed_logprobs_arrive_per_chunk(emulator: OpenRouterEmulator) -> None:
    emulator.enqueue(SSEReply(events=STREAM_WITH_LOGPROBS))
    chunks = list(emulator.chat_model(logprobs=True).stream("hi"))
    per_chunk = [c.response_metadata.get("logprobs") for c in chunks if c.content]
    assert per_chunk == [{"content": [logprob("Hel")]}, {"content": [logprob("lo")]}]
    full = reduce(add, chunks)
    assert full.response_metadata["logprobs"] == {"content": [logprob("Hel"), logprob("lo")]}
    assert full.response_metadata["created"] == 1700000000
    assert full.response_metadata["object"] == "chat.completion.chunk"
    assert full.response_metadata["system_fingerprint"] == "fp_s"


@pytest.mark.parametrize("use_async", [False, True])
async def test_generate_with_streaming_keeps_the_generation_info(
    emulator: OpenRouterEmulator, *, use_async: bool
) -> None:
    emulator.enqueue(SSEReply(events=STREAM_WITH_LOGPROBS))
    llm = emulator.chat_model(streaming=True)
    messages = [[HumanMessage("hi")]]
    result = await llm.agenerate(messages) if use_async else llm.generate(messages)
    info = result.generations[0][0].generation_info or {}
    expected = {
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "model_name": "openai/gpt-4o-mini",
        "id": "gen-lp",
        "provider": "OpenAI",
        "created": 1700000000,
        "object": "chat.completion.chunk",
        "system_fingerprint": "fp_s",
        "model_provider": "openrouter",
    }
    assert {key: info.get(key) for key in expected} == expected
    assert result.generations[0][0].text == "Hello"


# --- session_id, tool_choice, version -------------------------------------------------------


def test_an_empty_session_id_is_unset(
    emulator: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.chat_model(session_id="").invoke("hi")
    assert "session_id" not in sent(emulator)
    monkeypatch.setenv("OPENROUTER_SESSION_ID", "")
    llm = emulator.chat_model()
    assert llm.session_id is None
    llm.invoke("hi")
    assert "session_id" not in sent(emulator)


def test_an_empty_session_id_per_call_is_unset(emulator: OpenRouterEmulator) -> None:
    emulator.chat_model(session_id="conv-1").invoke("hi", session_id="")
    assert sent(emulator)["session_id"] == "conv-1"
    emulator.chat_model().invoke("hi", session_id="")
    assert "session_id" not in sent(emulator)


def test_tool_choice_true_forces_the_one_tool_and_rejects_several(
    emulator: OpenRouterEmulator,
) -> None:
    emulator.chat_model().bind_tools([GetWeather], tool_choice=True).invoke("hi")
    assert sent(emulator)["tool_choice"] == {"type": "function", "function": {"name": "GetWeather"}}
    with pytest.raises(
        ValueError,
        match=r"tool_choice can only be True when there is one tool.*GetWeather, get_time.*'any'",
    ):
        emulator.chat_model().bind_tools([GetWeather, get_time], tool_choice=True)


def test_version_is_the_installed_one_and_in_lc_versions(emulator: OpenRouterEmulator) -> None:
    assert langchain_openrouter.__version__ == importlib.metadata.version("langchain-openrouter")
    assert "__version__" in langchain_openrouter.__all__
    llm = emulator.chat_model(metadata={"team": "search"})
    assert llm.metadata is not None
    versions = llm.metadata["lc_versions"]
    assert versions["langchain-openrouter"] == langchain_openrouter.__version__
    assert "langchain-core" in versions
    assert llm.metadata["team"] == "search"


# --- a timeout that looks like milliseconds ------------------------------------------------


def test_a_millisecond_looking_timeout_warns_once_and_stays_seconds(
    emulator: OpenRouterEmulator,
) -> None:
    with pytest.warns(UserWarning, match=r"timeout=4321 is in seconds.*timeout=4\.321") as caught:
        llm = emulator.chat_model(timeout=4321)
    assert len(caught) == 1
    assert llm.timeout == 4321
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emulator.chat_model(timeout=4321).invoke("hi")  # once: not again
        emulator.chat_model(timeout=999).invoke("hi")  # seconds-looking: never


def test_a_millisecond_looking_timeout_per_call_warns(emulator: OpenRouterEmulator) -> None:
    with pytest.warns(UserWarning, match="timeout=6543 is in seconds"):
        emulator.chat_model().invoke("hi", timeout=6543)


# --- anthropic_eager_input_streaming ---------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "anthropic/claude-sonnet-4.5",
        "~anthropic/claude-sonnet-latest",
        "anthropic/claude-3.7-sonnet:beta",
    ],
)
def test_eager_input_streaming_marks_each_function_tool_on_anthropic(
    emulator: OpenRouterEmulator, model: str
) -> None:
    llm = emulator.chat_model(model=model, anthropic_eager_input_streaming=True)
    list(llm.bind_tools([GetWeather, get_time, WEB_SEARCH]).stream("hi"))
    body = sent(emulator)
    assert [tool.get("eager_input_streaming") for tool in body["tools"]] == [True, True, None]
    assert body["tools"][2] == WEB_SEARCH
    assert "anthropic_eager_input_streaming" not in body


def test_eager_input_streaming_per_call(emulator: OpenRouterEmulator) -> None:
    llm = emulator.chat_model(model="anthropic/claude-sonnet-4.5").bind_tools([GetWeather])
    llm.invoke("hi", anthropic_eager_input_streaming=True)
    assert sent(emulator)["tools"][0]["eager_input_streaming"] is True
    llm.invoke("hi")
    assert "eager_input_streaming" not in sent(emulator)["tools"][0]
    eager = emulator.chat_model(
        model="anthropic/claude-sonnet-4.5", anthropic_eager_input_streaming=True
    )
    eager.bind_tools([GetWeather]).invoke("hi", anthropic_eager_input_streaming=False)
    assert "eager_input_streaming" not in sent(emulator)["tools"][0]


@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "google/gemini-2.5-flash"])
def test_eager_input_streaming_adds_nothing_elsewhere(
    emulator: OpenRouterEmulator, model: str
) -> None:
    llm = emulator.chat_model(model=model, anthropic_eager_input_streaming=True)
    llm.bind_tools([GetWeather]).invoke("hi")
    llm.invoke("no tools")
    for request in emulator.requests:
        assert "anthropic_eager_input_streaming" not in request.body
        assert "eager_input_streaming" not in str(request.body)


# --- histories written by 0.2.9 -------------------------------------------------------------


def test_reasoning_fragments_kept_apart_by_0_2_are_sent_as_one_detail(
    emulator: OpenRouterEmulator,
) -> None:
    fragments = [
        {"type": "reasoning.text", "text": "The", "format": "anthropic-claude-v1", "index": 0},
        {"type": "reasoning.text", "text": " user", "format": "anthropic-claude-v1", "index": 0},
        {
            "type": "reasoning.text",
            "signature": "sig-1",
            "format": "anthropic-claude-v1",
            "index": 0,
        },
        {"type": "reasoning.summary", "summary": "Short", "index": 1},
        {"type": "reasoning.summary", "summary": " plan", "index": 1},
    ]
    history = [
        HumanMessage("q"),
        AIMessage("a", additional_kwargs={"reasoning_details": fragments}),
    ]
    emulator.chat_model(model="anthropic/claude-sonnet-4.5").invoke([*history, HumanMessage("go")])
    assert sent(emulator)["messages"][1]["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "The user",
            "signature": "sig-1",
            "format": "anthropic-claude-v1",
            "index": 0,
        },
        {"type": "reasoning.summary", "summary": "Short plan", "index": 1},
    ]


def test_details_that_only_share_an_index_stay_apart(emulator: OpenRouterEmulator) -> None:
    details = [
        {"type": "reasoning.summary", "summary": "A", "index": 0},
        {"type": "reasoning.encrypted", "data": "B", "index": 0},
        {"type": "reasoning.summary", "summary": "C", "index": 1},
        {"type": "reasoning.summary", "summary": "D", "index": 0},
    ]
    history = [AIMessage("a", additional_kwargs={"reasoning_details": details})]
    emulator.chat_model().invoke([*history, HumanMessage("go")])
    assert sent(emulator)["messages"][0]["reasoning_details"] == details


def test_a_function_message_is_refused_before_sending(emulator: OpenRouterEmulator) -> None:
    with pytest.raises(TypeError, match=r"FunctionMessage.*no 'function' role.*ToolMessage"):
        emulator.chat_model().invoke([FunctionMessage(content="42", name="calc")])
    assert emulator.requests == []


def test_a_base64_video_without_a_mime_type_is_sent_as_mp4(emulator: OpenRouterEmulator) -> None:
    video = {"type": "video", "base64": "AAAAIGZ0eXA="}
    emulator.chat_model().invoke([HumanMessage([{"type": "text", "text": "what?"}, video])])
    part = sent(emulator)["messages"][0]["content"][1]
    assert part == {"type": "video_url", "video_url": {"url": "data:video/mp4;base64,AAAAIGZ0eXA="}}
