"""OpenRouter's own features end to end, against recorded traffic.

Each test sends what a user would send and checks what ChatOpenRouter makes of the
answer. Re-recording with a real key needs, in that account, the preset named by
``PRESET`` (model ``openai/gpt-4o-mini``, system prompt "Answer in one short sentence.").
"""

from __future__ import annotations

import base64
import functools
import operator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter, OpenRouterBadRequestError
from tests.integration_tests.assets import DIAGRAM, DUMMY_PDF
from tests.integration_tests.recording import api_key
from tests.integration_tests.test_standard import GENERAL_MODEL, REASONING_MODEL, long_document

PRESET = "langchain-openrouter-tests"


def general(**kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(model=GENERAL_MODEL, api_key=api_key(), temperature=0, **kwargs)


def reasoning(**kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(
        model=REASONING_MODEL,
        api_key=api_key(),
        reasoning={"max_tokens": 1024},
        max_tokens=4096,
        **kwargs,
    )


def streamed(chunks: Any) -> AIMessageChunk:
    return functools.reduce(operator.add, chunks)


@tool
def get_weather(location: str) -> str:
    """Get the weather at a location."""
    return f"It's sunny in {location}."


@tool
def create_customer(customer_name: str, description: str) -> str:
    """Create a customer record with the customer's name in their own language."""
    return f"Created {customer_name}"


def _detail(message: AIMessage) -> dict[str, Any]:
    details = message.additional_kwargs["reasoning_details"]
    assert [d["type"] for d in details] == ["reasoning.text"]
    return details[0]


# --- reasoning ---------------------------------------------------------------------------


def test_reasoning_is_returned_with_its_signature_and_counted() -> None:
    message = reasoning().invoke("What is 17 * 23? Think it through.")

    assert "391" in message.text
    detail = _detail(message)
    assert detail["format"] == "anthropic-claude-v1"
    assert detail["signature"]
    assert message.additional_kwargs["reasoning_content"] == detail["text"]
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_token_details"]["reasoning"] > 0


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_reasoning_round_trip_through_a_tool_call(stream: bool) -> None:  # noqa: FBT001
    """The thinking that led to a tool call goes back unmodified with the tool result.

    Streamed, the signature arrives in its own text-less fragment; the merged message
    must still carry one block whose signature matches its text, or Claude refuses the
    next turn ("Invalid signature in thinking block").
    """
    llm = reasoning().bind_tools([get_weather])
    question = HumanMessage("What is the weather in Paris?")
    first = streamed(llm.stream([question])) if stream else llm.invoke([question])

    assert [call["name"] for call in first.tool_calls] == ["get_weather"]
    assert first.tool_calls[0]["args"] == {"location": "Paris"}
    assert _detail(first)["signature"]
    result = get_weather.invoke(first.tool_calls[0])
    answer = llm.invoke([question, first, result])

    assert "sunny" in answer.text
    assert answer.response_metadata["finish_reason"] == "stop"


def test_unicode_tool_arguments_with_reasoning_on() -> None:
    llm = reasoning().bind_tools([create_customer])
    message = llm.invoke("Create a customer named '你好啊集团' - a Chinese technology company")

    assert message.tool_calls[0]["args"]["customer_name"] == "你好啊集团"


# --- prompt caching ---------------------------------------------------------------------


def test_cache_is_written_then_read() -> None:
    llm = reasoning(cache_instructions=True)
    document = SystemMessage(long_document("caching-feature"))

    first = llm.invoke([document, HumanMessage("Which wing holds record 70?")])
    second = llm.invoke([document, HumanMessage("Which shelf holds record 70?")])

    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    written = first.usage_metadata["input_token_details"]["cache_creation"]
    read = second.usage_metadata["input_token_details"]["cache_read"]
    assert written > 1000
    assert read == written
    assert second.usage_metadata["input_tokens"] >= read
    # Reads cost a tenth of the input price, writes a quarter more: the second call is cheaper.
    assert second.response_metadata["cost"] < first.response_metadata["cost"]


# --- routing, fallbacks, presets ----------------------------------------------------------


def test_provider_order_picks_the_provider() -> None:
    llm = general(openrouter_provider={"order": ["azure"], "allow_fallbacks": False})
    message = llm.invoke("Hello")

    assert message.response_metadata["provider"] == "Azure"


def test_fallback_model_serves_when_the_primary_is_filtered_out() -> None:
    # Claude Sonnet costs $3 per million prompt tokens, over the cap; gpt-4o-mini does not.
    llm = ChatOpenRouter(
        model=REASONING_MODEL,
        models=[GENERAL_MODEL],
        openrouter_provider={"max_price": {"prompt": 1, "completion": 2}},
        api_key=api_key(),
    )
    message = llm.invoke("Hello")

    assert message.response_metadata["model_name"] == GENERAL_MODEL
    assert message.response_metadata["provider"] == "OpenAI"


def test_preset_by_field_and_by_model_slug() -> None:
    by_field = general(preset=PRESET).invoke("Tell me a joke about cats.")
    by_slug = ChatOpenRouter(model=f"@preset/{PRESET}", api_key=api_key()).invoke(
        "Tell me a joke about cats."
    )

    for message in (by_field, by_slug):
        assert message.response_metadata["model_name"] == GENERAL_MODEL
        assert message.text.count("?") + message.text.count(".") + message.text.count("!") == 1


def test_unknown_model_is_a_bad_request() -> None:
    llm = ChatOpenRouter(model="openai/no-such-model", api_key=api_key(), max_retries=0)
    with pytest.raises(OpenRouterBadRequestError, match="not a valid model ID"):
        llm.invoke("Hello")


# --- server tools ------------------------------------------------------------------------------

WEB_SEARCH = {"type": "openrouter:web_search", "parameters": {"max_results": 2}}


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_web_search_answers_with_citations(stream: bool) -> None:  # noqa: FBT001
    llm = general().bind_tools([WEB_SEARCH])
    question = "How does OpenRouter return web search results?"
    message = streamed(llm.stream(question)) if stream else llm.invoke(question)

    citations = message.additional_kwargs["annotations"]
    assert citations
    for citation in citations:
        assert citation["type"] == "url_citation"
        url = citation["url_citation"]["url"]
        assert url in message.text
        start, end = citation["url_citation"]["start_index"], citation["url_citation"]["end_index"]
        assert url in message.text[start:end]
    assert message.response_metadata["server_tool_use"]["web_search_requests"] == 1


# --- images and PDFs -----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_image_input() -> None:
    message = general().invoke(
        [
            HumanMessage(
                [
                    {"type": "text", "text": "Describe this image in one sentence."},
                    {"type": "image", "base64": _b64(DIAGRAM.content), "mime_type": "image/png"},
                ]
            )
        ]
    )

    assert "blue" in message.text
    assert "green" in message.text


@pytest.mark.parametrize("engine", ["native", "cloudflare-ai"])
def test_pdf_input(engine: str) -> None:
    llm = general(plugins=[{"id": "file-parser", "pdf": {"engine": engine}}])
    message = llm.invoke(
        [
            HumanMessage(
                [
                    {"type": "text", "text": "What is the title of this PDF?"},
                    {
                        "type": "file",
                        "base64": _b64(DUMMY_PDF.content),
                        "mime_type": "application/pdf",
                        "filename": "dummy.pdf",
                    },
                ]
            )
        ]
    )

    assert "Dummy PDF file" in message.text
    annotations = message.additional_kwargs.get("annotations", [])
    if engine == "native":
        assert annotations == []
    else:  # a parsing engine returns what it read, to send back instead of the file
        assert annotations[0]["type"] == "file"
        assert annotations[0]["file"]["content"][0]["text"] == "Dummy PDF file"


# --- structured output ---------------------------------------------------------------------------


class Addition(BaseModel):
    """Two numbers and their sum."""

    a: int
    b: int
    total: int


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output(method: str) -> None:
    llm = general().with_structured_output(Addition, method=method, strict=True)
    result = llm.invoke("Add 17 and 25.")

    assert result == Addition(a=17, b=25, total=42)


def test_structured_output_include_raw() -> None:
    llm = general().with_structured_output(Addition, include_raw=True)
    result = llm.invoke("Add 2 and 3.")

    assert isinstance(result, dict)
    assert result["parsed"] == Addition(a=2, b=3, total=5)
    assert result["parsing_error"] is None
    assert isinstance(result["raw"], AIMessage)


# --- streaming usage and cost --------------------------------------------------------------------


async def test_streamed_usage_and_cost_arrive_once_at_the_end() -> None:
    chunks = [chunk async for chunk in general().astream("Write me 2 haikus.")]

    with_usage = [chunk for chunk in chunks if chunk.usage_metadata]
    assert len(with_usage) == 1
    assert with_usage[0] is chunks[-1]
    message = streamed(chunks)
    assert message.usage_metadata is not None
    usage = message.usage_metadata
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    metadata = message.response_metadata
    details = metadata["cost_details"]
    parts = (
        details["upstream_inference_prompt_cost"] + details["upstream_inference_completions_cost"]
    )
    assert metadata["cost"] == pytest.approx(parts)
    assert metadata["finish_reason"] == "stop"
    assert metadata["provider"] == "OpenAI"


def test_stream_usage_off_leaves_usage_out() -> None:
    message = streamed(general(stream_usage=False).stream("Hello"))

    assert message.usage_metadata is None
    assert message.text
