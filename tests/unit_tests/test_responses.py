"""Parsing non-streaming chat completions into AIMessage (invoke / ainvoke)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_openrouter.testing import (
    GENERATION_ID,
    JSONReply,
    OpenRouterEmulator,
    completion_body,
)
from langchain_openrouter.testing import (
    usage as default_usage,
)


def invoke(fake: OpenRouterEmulator, body: dict[str, Any], **kwargs: Any) -> AIMessage:
    fake.script(JSONReply(body=body))
    message = fake.chat_model(**kwargs).invoke("hi")
    assert isinstance(message, AIMessage)
    return message


def tool_call(call_id: str, name: str, **function: Any) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, **function}}


ANTHROPIC_DETAILS = [
    {
        "type": "reasoning.text",
        "text": "Let me work through this.",
        "signature": "EqQBCkgIARABGAIiQL",
        "id": None,
        "format": "anthropic-claude-v1",
        "index": 0,
    }
]
OPENAI_DETAILS = [
    {
        "type": "reasoning.summary",
        "summary": "**Planning** the answer",
        "id": "rs_0e67",
        "format": "openai-responses-v1",
        "index": 0,
    },
    {
        "type": "reasoning.encrypted",
        "data": "gAAAAABpAjHR-iS0",
        "id": "rs_0e67",
        "format": "openai-responses-v1",
        "index": 0,
    },
]


# --- content and tool calls ------------------------------------------------------------


def test_text_content(fake: OpenRouterEmulator) -> None:
    message = invoke(fake, completion_body("Hello there"))
    assert message.content == "Hello there"
    assert message.tool_calls == []
    assert message.invalid_tool_calls == []


def test_null_content_is_empty_string(fake: OpenRouterEmulator) -> None:
    body = completion_body(None, tool_calls=[tool_call("call_1", "now", arguments="{}")])
    message = invoke(fake, body)
    assert message.content == ""
    assert [call["name"] for call in message.tool_calls] == ["now"]


def test_tool_calls_are_parsed_in_order(fake: OpenRouterEmulator) -> None:
    calls = [
        tool_call("call_a", "get_weather", arguments='{"city": "Paris"}'),
        tool_call("call_b", "get_time", arguments='{"tz": "CET", "fmt": [1, 2]}'),
    ]
    message = invoke(fake, completion_body(None, finish_reason="tool_calls", tool_calls=calls))
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_time", {"tz": "CET", "fmt": [1, 2]}),
    ]
    assert message.invalid_tool_calls == []


@pytest.mark.parametrize(
    "function",
    [{}, {"arguments": None}, {"arguments": ""}],
    ids=["missing", "null", "empty-string"],
)
def test_tool_call_without_arguments_has_empty_args(
    fake: OpenRouterEmulator, function: dict[str, Any]
) -> None:
    message = invoke(
        fake, completion_body(None, tool_calls=[tool_call("call_1", "now", **function)])
    )
    assert message.tool_calls == [{"type": "tool_call", "name": "now", "args": {}, "id": "call_1"}]
    assert message.invalid_tool_calls == []


@pytest.mark.parametrize("arguments", ['{"city": "Par', "not json", "[1, 2]"])
def test_unparsable_arguments_become_invalid_tool_calls(
    fake: OpenRouterEmulator, arguments: str
) -> None:
    calls = [
        tool_call("call_ok", "now", arguments="{}"),
        tool_call("call_bad", "get_weather", arguments=arguments),
    ]
    message = invoke(fake, completion_body(None, tool_calls=calls))
    assert [call["id"] for call in message.tool_calls] == ["call_ok"]
    [invalid] = message.invalid_tool_calls
    assert (invalid["id"], invalid["name"], invalid["args"]) == (
        "call_bad",
        "get_weather",
        arguments,
    )
    assert invalid["error"]


# --- reasoning ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extras", "expected"),
    [
        pytest.param(
            {"reasoning": "Let me work through this.", "reasoning_details": ANTHROPIC_DETAILS},
            "Let me work through this.",
            id="reasoning-shown-once",
        ),
        pytest.param(
            {"reasoning": "plain", "reasoning_details": [{"type": "reasoning.text", "text": "x"}]},
            "plain",
            id="reasoning-wins-over-details",
        ),
        pytest.param(
            {
                "reasoning": None,
                "reasoning_details": [
                    {"type": "reasoning.text", "text": "First. ", "index": 0},
                    {"type": "reasoning.encrypted", "data": "blob", "index": 1},
                    {"type": "reasoning.text", "text": "Second.", "index": 2},
                ],
            },
            "First. Second.",
            id="joined-detail-text",
        ),
        pytest.param(
            {"reasoning": None, "reasoning_details": OPENAI_DETAILS},
            "**Planning** the answer",
            id="summaries",
        ),
    ],
)
def test_reasoning_content(fake: OpenRouterEmulator, extras: dict[str, Any], expected: str) -> None:
    message = invoke(fake, completion_body("Answer", **extras))
    assert message.additional_kwargs["reasoning_content"] == expected
    assert message.content == "Answer"


def test_no_reasoning_means_no_reasoning_content(fake: OpenRouterEmulator) -> None:
    message = invoke(fake, completion_body("Answer", reasoning=None))
    assert message.additional_kwargs.get("reasoning_content", "") == ""
    assert not message.additional_kwargs.get("reasoning_details")


@pytest.mark.parametrize(
    "details",
    [
        ANTHROPIC_DETAILS,
        OPENAI_DETAILS,
        [{"type": "reasoning.future_kind", "payload": {"a": 1}, "format": "something-new"}],
    ],
    ids=["anthropic", "openai", "unknown-type"],
)
def test_reasoning_details_are_kept_exactly_as_sent(
    fake: OpenRouterEmulator, details: list[dict[str, Any]]
) -> None:
    message = invoke(fake, completion_body("Answer", reasoning_details=details))
    assert message.additional_kwargs["reasoning_details"] == details


# --- annotations, images, refusal ----------------------------------------------------


def test_annotations_url_citation_and_file(fake: OpenRouterEmulator) -> None:
    annotations = [
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://example.com/a",
                "title": "Example",
                "content": "snippet",
                "start_index": 0,
                "end_index": 12,
            },
        },
        {
            "type": "file",
            "file": {
                "hash": "abc123",
                "name": "doc.pdf",
                "content": [{"type": "text", "text": "page one"}],
            },
        },
    ]
    message = invoke(fake, completion_body("See [example.com]", annotations=annotations))
    assert message.additional_kwargs["annotations"] == annotations


def test_images(fake: OpenRouterEmulator) -> None:
    images = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]
    message = invoke(fake, completion_body("Here it is", images=images))
    assert message.additional_kwargs["images"] == images


def test_refusal(fake: OpenRouterEmulator) -> None:
    message = invoke(fake, completion_body(None, refusal="I can't help with that."))
    assert message.additional_kwargs["refusal"] == "I can't help with that."
    assert message.content == ""


# --- usage -------------------------------------------------------------------------------


def test_float_token_counts_are_cast_to_int(fake: OpenRouterEmulator) -> None:
    usage = {**default_usage(), "prompt_tokens": 14417.92, "completion_tokens": 10.0}
    usage["total_tokens"] = 14427.92
    usage["completion_tokens_details"] = {"reasoning_tokens": 3.0, "image_tokens": 0}
    message = invoke(fake, completion_body("img", usage=usage))
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 14417
    assert message.usage_metadata["output_tokens"] == 10
    assert message.usage_metadata["total_tokens"] == 14427
    assert message.usage_metadata["output_token_details"]["reasoning"] == 3
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        assert type(message.usage_metadata[key]) is int


def test_cache_tokens_are_part_of_input_tokens(fake: OpenRouterEmulator) -> None:
    usage = {
        **default_usage(),
        "prompt_tokens": 10339,
        "completion_tokens": 60,
        "total_tokens": 10399,
        "prompt_tokens_details": {"cached_tokens": 10318, "cache_write_tokens": 12},
        "completion_tokens_details": {"reasoning_tokens": 41},
    }
    message = invoke(fake, completion_body("cached", usage=usage))
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 10339
    assert message.usage_metadata["output_tokens"] == 60
    assert message.usage_metadata["total_tokens"] == 10399
    assert message.usage_metadata["input_token_details"]["cache_read"] == 10318
    assert message.usage_metadata["input_token_details"]["cache_creation"] == 12
    assert message.usage_metadata["output_token_details"]["reasoning"] == 41


def test_default_usage(fake: OpenRouterEmulator) -> None:
    message = invoke(fake, completion_body("Hello!"))
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 12
    assert message.usage_metadata["output_tokens"] == 5
    assert message.usage_metadata["total_tokens"] == 17
    assert message.usage_metadata["input_token_details"].get("cache_read", 0) == 0
    assert message.usage_metadata["output_token_details"].get("reasoning", 0) == 0


def test_audio_tokens_when_reported(fake: OpenRouterEmulator) -> None:
    usage = {
        **default_usage(),
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 7},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 3},
    }
    message = invoke(fake, completion_body("speech", usage=usage))
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_token_details"]["audio"] == 7
    assert message.usage_metadata["output_token_details"]["audio"] == 3


# --- response metadata -----------------------------------------------------------------


def test_response_metadata(fake: OpenRouterEmulator) -> None:
    usage = {
        **default_usage(),
        "cost": 0.00412,
        "is_byok": True,
        "server_tool_use_details": {"tool_calls_requested": 2, "web_search_requests": 2},
    }
    body = completion_body(
        "Hi",
        model="anthropic/claude-sonnet-4.5-20250929",
        provider="Amazon Bedrock",
        finish_reason="length",
        native_finish_reason="max_tokens",
        usage=usage,
    )
    body["system_fingerprint"] = "fp_e819e3438b"
    message = invoke(fake, body, model="anthropic/claude-sonnet-4.5")
    metadata = message.response_metadata
    assert GENERATION_ID in (metadata.get("id"), message.id)
    assert metadata["model_name"] == "anthropic/claude-sonnet-4.5-20250929"
    assert metadata["model_provider"] == "openrouter"
    assert metadata["provider"] == "Amazon Bedrock"
    assert metadata["finish_reason"] == "length"
    assert metadata["native_finish_reason"] == "max_tokens"
    assert metadata["cost"] == 0.00412
    assert metadata["cost_details"] == usage["cost_details"]
    assert metadata["is_byok"] is True
    assert metadata["system_fingerprint"] == "fp_e819e3438b"
    assert metadata["server_tool_use"] == usage["server_tool_use_details"]
    assert fake.requests[-1].body["model"] == "anthropic/claude-sonnet-4.5"


def test_logprobs_when_sent(fake: OpenRouterEmulator) -> None:
    logprobs = {
        "content": [{"token": "Hi", "logprob": -0.01, "bytes": [72, 105], "top_logprobs": []}],
        "refusal": None,
    }
    body = completion_body("Hi")
    body["choices"][0]["logprobs"] = logprobs
    message = invoke(fake, body)
    assert message.response_metadata["logprobs"] == logprobs


def test_unknown_fields_are_tolerated(fake: OpenRouterEmulator) -> None:
    body = completion_body("Still fine", shiny_new_field={"x": 1}, audio=None)
    body["openrouter_metadata"] = {"routing": ["a", "b"]}
    body["safeguard_results"] = [{"kind": "pii", "passed": True}]
    body["service_tier"] = "flex"
    body["choices"][0]["brand_new"] = 42
    body["usage"]["prompt_tokens_details"]["video_tokens"] = 0
    body["usage"]["future_counter"] = 9
    message = invoke(fake, body)
    assert message.content == "Still fine"
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == 17
    assert message.response_metadata["finish_reason"] == "stop"


# --- async -------------------------------------------------------------------------------


RICH_BODY = completion_body(
    None,
    model="openai/gpt-5-mini-2025-08-07",
    finish_reason="tool_calls",
    native_finish_reason="completed",
    reasoning=None,
    reasoning_details=OPENAI_DETAILS,
    tool_calls=[
        tool_call("call_a", "get_weather", arguments='{"city": "Paris"}'),
        tool_call("call_b", "now", arguments=""),
        tool_call("call_c", "broken", arguments="{oops"),
    ],
    usage={
        **default_usage(),
        "prompt_tokens": 100.0,
        "prompt_tokens_details": {"cached_tokens": 64, "cache_write_tokens": 0},
    },
)


async def test_ainvoke_matches_invoke(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=RICH_BODY))
    llm = fake.chat_model(model="openai/gpt-5-mini")
    invoked = llm.invoke("hi")
    ainvoked = await llm.ainvoke("hi")
    assert ainvoked == invoked
    assert [c["args"] for c in ainvoked.tool_calls] == [{"city": "Paris"}, {}]
    assert [c["name"] for c in ainvoked.invalid_tool_calls] == ["broken"]
    assert ainvoked.additional_kwargs["reasoning_details"] == OPENAI_DETAILS
    assert ainvoked.additional_kwargs["reasoning_content"] == "**Planning** the answer"
    assert ainvoked.usage_metadata is not None
    assert ainvoked.usage_metadata["input_tokens"] == 100
    assert ainvoked.usage_metadata["input_token_details"]["cache_read"] == 64
    assert ainvoked.response_metadata["model_name"] == "openai/gpt-5-mini-2025-08-07"


async def test_ainvoke_null_content_and_annotations(fake: OpenRouterEmulator) -> None:
    annotations = [{"type": "url_citation", "url_citation": {"url": "https://a.example"}}]
    message = await _ainvoke(fake, completion_body(None, annotations=annotations))
    assert message.content == ""
    assert message.additional_kwargs["annotations"] == annotations
    assert message.response_metadata["model_provider"] == "openrouter"


async def _ainvoke(fake: OpenRouterEmulator, body: dict[str, Any]) -> AIMessage:
    fake.script(JSONReply(body=body))
    message = await fake.chat_model().ainvoke("hi")
    assert isinstance(message, AIMessage)
    return message
