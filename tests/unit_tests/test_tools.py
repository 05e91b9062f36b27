from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_openrouter.testing import (
    Completion,
    JSONReply,
    OpenRouterEmulator,
    completion_body,
    tool_call,
)


class GetWeather(BaseModel):
    """Get the current weather for a city."""

    city: str = Field(description="City name")


@tool
def get_time(timezone: str) -> str:
    """Get the current time in a timezone."""
    return timezone


def add_numbers(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


OPENAI_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look something up.",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    },
}
WEB_SEARCH = {"type": "openrouter:web_search", "parameters": {"max_results": 3}}


class Answer(BaseModel):
    """An answer with confidence."""

    answer: str
    confidence: float


class AnswerDict(TypedDict):
    """An answer as a dict."""

    answer: str
    confidence: float


ANSWER_SCHEMA = {
    "title": "Answer",
    "description": "An answer with confidence.",
    "type": "object",
    "properties": {"answer": {"type": "string"}, "confidence": {"type": "number"}},
    "required": ["answer", "confidence"],
}
ANSWER_JSON = '{"answer": "4", "confidence": 0.9}'


def tool_call_reply(name: str, arguments: str) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
    return completion_body(None, finish_reason="tool_calls", tool_calls=[call])


def functions_by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["function"]["name"]: t["function"] for t in body["tools"] if t["type"] == "function"}


# --- bind_tools ---------------------------------------------------------------------------


def test_bind_tools_converts_each_kind(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools(
        [GetWeather, get_time, add_numbers, OPENAI_TOOL, WEB_SEARCH]
    ).invoke("hi")
    tools = fake.requests[-1].body["tools"]
    assert [t["type"] for t in tools] == ["function"] * 4 + ["openrouter:web_search"]
    functions = functions_by_name(fake.requests[-1].body)
    assert functions["GetWeather"]["description"] == "Get the current weather for a city."
    assert functions["GetWeather"]["parameters"]["properties"]["city"]["type"] == "string"
    assert functions["GetWeather"]["parameters"]["required"] == ["city"]
    assert functions["get_time"]["description"] == "Get the current time in a timezone."
    assert functions["get_time"]["parameters"]["properties"] == {"timezone": {"type": "string"}}
    assert functions["add_numbers"]["description"] == "Add two numbers."
    assert functions["add_numbers"]["parameters"]["properties"]["a"] == {
        "type": "integer",
        "description": "The first number.",
    }
    assert tools[3] == OPENAI_TOOL
    assert tools[4] == WEB_SEARCH


@pytest.mark.parametrize(
    "server_tool",
    [
        WEB_SEARCH,
        {"type": "openrouter:datetime"},
        {"type": "web_search", "search_context_size": "high"},
        {"type": "openrouter:web_fetch", "parameters": {"max_uses": 2}, "cache_control": {}},
    ],
)
def test_server_tools_pass_through_untouched(fake: OpenRouterEmulator, server_tool: Any) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([server_tool]).invoke("hi")
    assert fake.requests[-1].body["tools"] == [server_tool]


def test_json_schema_dict_tool_becomes_a_function_tool(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([ANSWER_SCHEMA]).invoke("hi")
    assert fake.requests[-1].body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "Answer",
                "description": "An answer with confidence.",
                "parameters": {
                    "type": "object",
                    "properties": ANSWER_SCHEMA["properties"],
                    "required": ["answer", "confidence"],
                },
            },
        }
    ]


def test_json_schema_dict_tool_can_be_chosen_by_name(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([ANSWER_SCHEMA], tool_choice="Answer").invoke("hi")
    assert fake.requests[-1].body["tool_choice"] == {
        "type": "function",
        "function": {"name": "Answer"},
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("any", "required"),
        ("required", "required"),
        ("GetWeather", {"type": "function", "function": {"name": "GetWeather"}}),
        ("get_time", {"type": "function", "function": {"name": "get_time"}}),
        ("openrouter:web_search", {"type": "openrouter:web_search"}),
        (
            {"type": "function", "function": {"name": "get_time"}},
            {"type": "function", "function": {"name": "get_time"}},
        ),
    ],
)
def test_tool_choice(fake: OpenRouterEmulator, choice: Any, expected: Any) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([GetWeather, get_time, WEB_SEARCH], tool_choice=choice).invoke(
        "hi"
    )
    assert fake.requests[-1].body["tool_choice"] == expected


def test_tool_choice_true_with_one_tool_forces_it(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([GetWeather], tool_choice=True).invoke("hi")
    assert fake.requests[-1].body["tool_choice"] == {
        "type": "function",
        "function": {"name": "GetWeather"},
    }


def test_tool_choice_true_with_several_tools_is_an_error(fake: OpenRouterEmulator) -> None:
    # True means "the one tool" (as in langchain-openrouter 0.2.x), never "any of them".
    with pytest.raises(
        ValueError, match=r"only be True when there is one tool.*2 function tools are bound.*'any'"
    ):
        fake.chat_model().bind_tools([GetWeather, get_time], tool_choice=True)
    assert fake.requests == []


def test_no_tool_choice_by_default(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([GetWeather]).invoke("hi")
    assert "tool_choice" not in fake.requests[-1].body
    assert "parallel_tool_calls" not in fake.requests[-1].body


def test_unknown_tool_choice_name_raises(fake: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match="no_such_tool"):
        fake.chat_model().bind_tools([GetWeather], tool_choice="no_such_tool")
    assert fake.requests == []


def test_strict_goes_into_the_function_definition(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([GetWeather, WEB_SEARCH], strict=True).invoke("hi")
    function = fake.requests[-1].body["tools"][0]["function"]
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False
    assert "strict" not in fake.requests[-1].body
    assert fake.requests[-1].body["tools"][1] == WEB_SEARCH


def test_parallel_tool_calls_false(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().bind_tools([GetWeather], parallel_tool_calls=False).invoke("hi")
    assert fake.requests[-1].body["parallel_tool_calls"] is False


def test_tool_calls_are_parsed_from_the_reply(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=tool_call_reply("GetWeather", '{"city": "Paris"}')))
    message = fake.chat_model().bind_tools([GetWeather]).invoke("Weather in Paris?")
    assert message.tool_calls == [
        {"name": "GetWeather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    ]


# --- with_structured_output ----------------------------------------------------------------


def test_json_schema_is_the_default(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    result = fake.chat_model().with_structured_output(Answer).invoke("2+2?")
    assert result == Answer(answer="4", confidence=0.9)
    response_format = fake.requests[-1].body["response_format"]
    assert response_format["type"] == "json_schema"
    json_schema = response_format["json_schema"]
    assert json_schema["name"] == "Answer"
    assert json_schema["schema"]["properties"] == {
        "answer": {"type": "string"},
        "confidence": {"type": "number"},
    }
    assert json_schema["schema"]["required"] == ["answer", "confidence"]
    assert "strict" not in json_schema
    assert "tools" not in fake.requests[-1].body
    assert "ls_structured_output_format" not in fake.requests[-1].body


@pytest.mark.parametrize("strict", [True, False])
def test_json_schema_strict(fake: OpenRouterEmulator, *, strict: bool) -> None:
    fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    fake.chat_model().with_structured_output(Answer, strict=strict).invoke("2+2?")
    assert fake.requests[-1].body["response_format"]["json_schema"]["strict"] is strict


@pytest.mark.parametrize("schema", [AnswerDict, ANSWER_SCHEMA])
def test_json_schema_with_typeddict_and_dict(fake: OpenRouterEmulator, schema: Any) -> None:
    fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    result = fake.chat_model().with_structured_output(schema).invoke("2+2?")
    assert result == {"answer": "4", "confidence": 0.9}
    json_schema = fake.requests[-1].body["response_format"]["json_schema"]
    assert json_schema["name"] in ("AnswerDict", "Answer")
    assert set(json_schema["schema"]["properties"]) == {"answer", "confidence"}


def test_function_calling(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=tool_call_reply("Answer", ANSWER_JSON)))
    result = fake.chat_model().with_structured_output(Answer, method="function_calling").invoke("q")
    assert result == Answer(answer="4", confidence=0.9)
    assert fake.requests[-1].body["tool_choice"] == {
        "type": "function",
        "function": {"name": "Answer"},
    }
    assert [t["function"]["name"] for t in fake.requests[-1].body["tools"]] == ["Answer"]
    assert "response_format" not in fake.requests[-1].body


@pytest.mark.parametrize("schema", [AnswerDict, ANSWER_SCHEMA])
def test_function_calling_with_typeddict_and_dict(fake: OpenRouterEmulator, schema: Any) -> None:
    name = "AnswerDict" if schema is AnswerDict else "Answer"
    fake.script(JSONReply(body=tool_call_reply(name, ANSWER_JSON)))
    result = fake.chat_model().with_structured_output(schema, method="function_calling").invoke("q")
    assert result == {"answer": "4", "confidence": 0.9}
    assert fake.requests[-1].body["tool_choice"] == {"type": "function", "function": {"name": name}}


def test_function_calling_strict(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=tool_call_reply("Answer", ANSWER_JSON)))
    llm = fake.chat_model().with_structured_output(Answer, method="function_calling", strict=True)
    llm.invoke("q")
    assert fake.requests[-1].body["tools"][0]["function"]["strict"] is True


def test_json_mode(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    result = fake.chat_model().with_structured_output(ANSWER_SCHEMA, method="json_mode").invoke("q")
    assert result == {"answer": "4", "confidence": 0.9}
    assert fake.requests[-1].body["response_format"] == {"type": "json_object"}


def test_json_mode_without_schema(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body('{"x": [1, 2]}')))
    result = fake.chat_model().with_structured_output(method="json_mode").invoke("q")
    assert result == {"x": [1, 2]}


def test_json_mode_with_pydantic(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    result = fake.chat_model().with_structured_output(Answer, method="json_mode").invoke("q")
    assert result == Answer(answer="4", confidence=0.9)


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_include_raw(fake: OpenRouterEmulator, method: str) -> None:
    if method == "function_calling":
        fake.script(JSONReply(body=tool_call_reply("Answer", ANSWER_JSON)))
    else:
        fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    llm = fake.chat_model().with_structured_output(Answer, method=method, include_raw=True)
    result = llm.invoke("q")
    assert set(result) == {"raw", "parsed", "parsing_error"}
    assert result["parsed"] == Answer(answer="4", confidence=0.9)
    assert result["parsing_error"] is None
    assert result["raw"].response_metadata["finish_reason"] in ("stop", "tool_calls")


def test_include_raw_with_invalid_json(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("Sorry, I cannot answer that.")))
    result = fake.chat_model().with_structured_output(Answer, include_raw=True).invoke("q")
    assert result["parsed"] is None
    assert result["parsing_error"] is not None
    assert result["raw"].content == "Sorry, I cannot answer that."


def test_invalid_json_without_include_raw_raises(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("not json")))
    with pytest.raises(ValueError, match=r"Invalid json output|Failed to parse"):
        fake.chat_model().with_structured_output(Answer).invoke("q")


def test_structured_output_kwargs_reach_the_body(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    structured = fake.chat_model().with_structured_output(
        Answer, plugins=[{"id": "response-healing"}]
    )
    structured.invoke("q")
    assert fake.requests[-1].body["plugins"] == [{"id": "response-healing"}]
    assert fake.requests[-1].body["messages"] == [{"role": "user", "content": "q"}]


async def test_structured_output_async(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body(ANSWER_JSON)))
    result = await fake.chat_model().with_structured_output(Answer).ainvoke("q")
    assert result == Answer(answer="4", confidence=0.9)
    assert fake.requests[-1].body["response_format"]["type"] == "json_schema"


# --- the default method follows the model's profile ---------------------------------------


class Verdict(BaseModel):
    """A verdict."""

    guilty: bool


@pytest.mark.parametrize(
    ("model", "structured", "sent"),
    [
        ("openai/gpt-4o-mini", True, "response_format"),
        ("anthropic/claude-3-haiku", False, "tools"),  # the profile: no structured outputs
        ("acme/not-in-any-profile", None, "tools"),
    ],
)
def test_default_method_follows_the_profile(model: str, structured: Any, sent: str) -> None:
    with OpenRouterEmulator() as emulator:
        llm = emulator.chat_model(model=model)
        assert (llm.profile or {}).get("structured_output") is structured
        if sent == "tools":
            emulator.enqueue(
                Completion(content="", tool_calls=[tool_call("Verdict", {"guilty": False})])
            )
        else:
            emulator.enqueue(Completion(content='{"guilty": false}'))
        assert llm.with_structured_output(Verdict).invoke("Did the butler do it?") == Verdict(
            guilty=False
        )
        body = emulator.requests[-1].body
    assert sent in body
    if sent == "tools":
        assert "response_format" not in body
        assert body["tool_choice"] == {"type": "function", "function": {"name": "Verdict"}}
    else:
        assert body["response_format"]["type"] == "json_schema"
        assert "tools" not in body


def test_method_still_overrides_the_profile(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body('{"guilty": true}')))
    llm = fake.chat_model(model="anthropic/claude-3-haiku")
    assert llm.with_structured_output(Verdict, method="json_schema").invoke("q") == Verdict(
        guilty=True
    )
    assert fake.requests[-1].body["response_format"]["type"] == "json_schema"
    assert "tools" not in fake.requests[-1].body
