from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_openrouter.testing import (
    JSONReply,
    OpenRouterEmulator,
    completion_body,
)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
PDF = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K"
WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="
REASONING_DETAILS = [
    {
        "type": "reasoning.text",
        "text": "Let me think.",
        "signature": "EqQBCkYIBRgCIkD...",
        "id": "reasoning-text-1",
        "format": "anthropic-claude-v1",
        "index": 0,
    },
    {"type": "reasoning.encrypted", "data": "gAAAAAB...", "format": "openai-responses-v1"},
]


def sent(
    fake: OpenRouterEmulator, messages: list[BaseMessage], **settings: Any
) -> list[dict[str, Any]]:
    """The ``messages`` of the request body sent for ``messages``."""
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(**settings).invoke(messages)
    return fake.requests[-1].body["messages"]


def sent_content(fake: OpenRouterEmulator, blocks: list[Any]) -> list[dict[str, Any]]:
    """The content parts sent for one human message made of ``blocks``."""
    return sent(fake, [HumanMessage(content=blocks)])[0]["content"]


# --- roles ---------------------------------------------------------------------------------


def test_basic_roles(fake: OpenRouterEmulator) -> None:
    assert sent(
        fake,
        [
            SystemMessage("Be brief."),
            HumanMessage("Hi"),
            AIMessage("Hello!"),
            HumanMessage("Bye", name="alice"),
        ],
    ) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Bye", "name": "alice"},
    ]


def test_developer_role(fake: OpenRouterEmulator) -> None:
    message = SystemMessage("Rules.", additional_kwargs={"__openai_role__": "developer"})
    assert sent(fake, [message]) == [{"role": "developer", "content": "Rules."}]


def test_chat_message_with_custom_role(fake: OpenRouterEmulator) -> None:
    assert sent(fake, [ChatMessage(role="critic", content="Too long.")]) == [
        {"role": "critic", "content": "Too long."}
    ]


def test_ai_message_with_tool_calls(fake: OpenRouterEmulator) -> None:
    ai = AIMessage(
        content="",
        name="planner",
        tool_calls=[
            {"name": "get_weather", "args": {"city": "Paris", "days": 2}, "id": "call_1"},
            {"name": "get_time", "args": {}, "id": "call_2"},
        ],
    )
    [wire] = sent(fake, [ai])
    assert wire["role"] == "assistant"
    assert wire["name"] == "planner"
    assert wire["content"] in (None, "")
    assert wire["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris", "days": 2}'},
        },
        {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": "{}"}},
    ]


def test_tool_call_arguments_are_json_strings(fake: OpenRouterEmulator) -> None:
    args = {"query": "naïve café", "filters": {"n": [1, 2]}, "flag": None}
    ai = AIMessage(content="Searching.", tool_calls=[{"name": "s", "args": args, "id": "c1"}])
    [wire] = sent(fake, [ai])
    arguments = wire["tool_calls"][0]["function"]["arguments"]
    assert isinstance(arguments, str)
    assert json.loads(arguments) == args
    assert wire["content"] == "Searching."


def test_tool_message_with_string_content(fake: OpenRouterEmulator) -> None:
    messages = [
        AIMessage(content="", tool_calls=[{"name": "f", "args": {}, "id": "call_9"}]),
        ToolMessage(content="72F and sunny", tool_call_id="call_9"),
    ]
    assert sent(fake, messages)[1] == {
        "role": "tool",
        "tool_call_id": "call_9",
        "content": "72F and sunny",
    }


def test_tool_message_with_content_blocks(fake: OpenRouterEmulator) -> None:
    tool = ToolMessage(
        content=[
            {"type": "text", "text": "Here is the chart."},
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
        ],
        tool_call_id="call_3",
    )
    assert sent(fake, [tool], check_tool_results=False)[0] == {
        "role": "tool",
        "tool_call_id": "call_3",
        "content": [
            {"type": "text", "text": "Here is the chart."},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        ],
    }


# --- LangChain v1 standard blocks ---------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"type": "text", "text": "Describe"}, {"type": "text", "text": "Describe"}),
        (
            {"type": "image", "url": "https://img.example/cat.png"},
            {"type": "image_url", "image_url": {"url": "https://img.example/cat.png"}},
        ),
        (
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        ),
        (
            {
                "type": "file",
                "base64": PDF,
                "mime_type": "application/pdf",
                "filename": "report.pdf",
            },
            {
                "type": "file",
                "file": {
                    "filename": "report.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF}",
                },
            },
        ),
        (
            {"type": "audio", "base64": WAV, "mime_type": "audio/wav"},
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
        ),
        (
            {"type": "audio", "base64": WAV, "mime_type": "audio/mpeg"},
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "mp3"}},
        ),
        (
            {"type": "file", "url": "https://f.example/a.pdf", "filename": "a.pdf"},
            {"type": "file", "file": {"filename": "a.pdf", "file_data": "https://f.example/a.pdf"}},
        ),
        (
            {"type": "video", "url": "https://vid.example/clip.mp4"},
            {"type": "video_url", "video_url": {"url": "https://vid.example/clip.mp4"}},
        ),
    ],
)
def test_v1_standard_blocks(fake: OpenRouterEmulator, block: dict[str, Any], expected: Any) -> None:
    assert sent_content(fake, [block]) == [expected]


def test_string_items_in_a_content_list_become_text_parts(fake: OpenRouterEmulator) -> None:
    assert sent_content(fake, ["plain", {"type": "text", "text": "typed"}]) == [
        {"type": "text", "text": "plain"},
        {"type": "text", "text": "typed"},
    ]


# --- OpenAI form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"type": "image_url", "image_url": {"url": "https://i.example/a.png", "detail": "low"}},
            {"type": "image_url", "image_url": {"url": "https://i.example/a.png", "detail": "low"}},
        ),
        (
            {"type": "image_url", "image_url": "https://i.example/a.png"},
            {"type": "image_url", "image_url": {"url": "https://i.example/a.png"}},
        ),
        (
            {
                "type": "file",
                "file": {"filename": "a.pdf", "file_data": f"data:application/pdf;base64,{PDF}"},
            },
            {
                "type": "file",
                "file": {"filename": "a.pdf", "file_data": f"data:application/pdf;base64,{PDF}"},
            },
        ),
        (
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
        ),
        (
            {"type": "video_url", "video_url": {"url": "https://v.example/a.mp4"}},
            {"type": "video_url", "video_url": {"url": "https://v.example/a.mp4"}},
        ),
    ],
)
def test_openai_blocks_pass_through(
    fake: OpenRouterEmulator, block: dict[str, Any], expected: Any
) -> None:
    assert sent_content(fake, [block]) == [expected]


def test_openai_file_with_url_passes_through(fake: OpenRouterEmulator) -> None:
    block = {"type": "file", "file": {"filename": "a.pdf", "file_data": "https://f.example/a.pdf"}}
    assert sent_content(fake, [block]) == [block]


# --- Anthropic form ------------------------------------------------------------------------


def test_anthropic_base64_image(fake: OpenRouterEmulator) -> None:
    block = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
    }
    assert sent_content(fake, [block]) == [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}
    ]


def test_anthropic_url_image_and_base64_document(fake: OpenRouterEmulator) -> None:
    blocks = [
        {"type": "image", "source": {"type": "url", "url": "https://i.example/a.png"}},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
        },
    ]
    image, document = sent_content(fake, blocks)
    assert image == {"type": "image_url", "image_url": {"url": "https://i.example/a.png"}}
    assert document["type"] == "file"
    assert document["file"]["file_data"] == f"data:application/pdf;base64,{PDF}"


# --- cache_control and unsupported blocks --------------------------------------------------


@pytest.mark.parametrize(
    "cache_control", [{"type": "ephemeral"}, {"type": "ephemeral", "ttl": "1h"}]
)
def test_cache_control_passes_through(fake: OpenRouterEmulator, cache_control: Any) -> None:
    messages = [
        SystemMessage(content=[{"type": "text", "text": "HUGE", "cache_control": cache_control}]),
        HumanMessage(
            content=[
                {"type": "text", "text": "q"},
                {"type": "image", "url": "https://i.example/x.png", "cache_control": cache_control},
            ]
        ),
    ]
    system, human = sent(fake, messages)
    assert system["content"] == [{"type": "text", "text": "HUGE", "cache_control": cache_control}]
    assert human["content"][0] == {"type": "text", "text": "q"}
    assert human["content"][1]["cache_control"] == cache_control
    assert human["content"][1]["image_url"] == {"url": "https://i.example/x.png"}


def test_unsupported_block_raises_before_any_request(fake: OpenRouterEmulator) -> None:
    llm = fake.chat_model()
    with pytest.raises(ValueError, match="hologram"):
        llm.invoke([HumanMessage(content=[{"type": "hologram", "data": "..."}])])
    assert fake.requests == []


# --- reasoning_details round trip --------------------------------------------------------


def test_reasoning_details_are_sent_back_unmodified(fake: OpenRouterEmulator) -> None:
    ai = AIMessage(
        content="The answer is 391.",
        additional_kwargs={"reasoning_details": REASONING_DETAILS},
    )
    [_, wire, _] = sent(fake, [HumanMessage("17*23?"), ai, HumanMessage("Thanks")])
    assert wire == {
        "role": "assistant",
        "content": "The answer is 391.",
        "reasoning_details": REASONING_DETAILS,
    }


def test_reasoning_details_with_empty_content_and_tool_calls(fake: OpenRouterEmulator) -> None:
    ai = AIMessage(
        content="",
        tool_calls=[{"name": "calc", "args": {"expr": "17*23"}, "id": "call_1"}],
        additional_kwargs={"reasoning_details": REASONING_DETAILS},
    )
    messages = [ai, ToolMessage(content="391", tool_call_id="call_1")]
    wire = sent(fake, messages)[0]
    assert wire["reasoning_details"] == REASONING_DETAILS
    assert wire["tool_calls"][0]["function"] == {"name": "calc", "arguments": '{"expr": "17*23"}'}
    assert not wire["content"]


def test_empty_reasoning_details_are_sent_as_empty_list(fake: OpenRouterEmulator) -> None:
    ai = AIMessage(content="ok", additional_kwargs={"reasoning_details": []})
    assert sent(fake, [ai])[0]["reasoning_details"] == []


def test_reasoning_details_from_a_response_round_trip(fake: OpenRouterEmulator) -> None:
    fake.script(
        JSONReply(
            body=completion_body(
                "391", reasoning="Let me think.", reasoning_details=REASONING_DETAILS
            )
        )
    )
    fake.script(JSONReply(body=completion_body("ok")))
    llm = fake.chat_model()
    first = llm.invoke("17*23?")
    llm.invoke([HumanMessage("17*23?"), first, HumanMessage("Thanks")])
    assert fake.requests[-1].body["messages"][1]["reasoning_details"] == REASONING_DETAILS
    assert fake.requests[-1].body["messages"][1]["content"] == "391"


# --- v1 text-plain, file names, audio formats ----------------------------------------------


def test_text_plain_block_is_sent_as_text(fake: OpenRouterEmulator) -> None:
    encoded = base64.b64encode("Grüße aus Köln".encode()).decode()
    blocks = [
        {"type": "text-plain", "text": "The notes.", "mime_type": "text/plain"},
        {"type": "text-plain", "base64": encoded, "mime_type": "text/plain"},
    ]
    assert sent_content(fake, blocks) == [
        {"type": "text", "text": "The notes."},
        {"type": "text", "text": "Grüße aus Köln"},
    ]


def test_text_plain_block_with_a_url_is_sent_as_a_text_file(fake: OpenRouterEmulator) -> None:
    block = {"type": "text-plain", "url": "https://f.example/notes", "mime_type": "text/plain"}
    assert sent_content(fake, [block]) == [
        {"type": "file", "file": {"filename": "document.txt", "file_data": block["url"]}}
    ]


@pytest.mark.parametrize(
    ("mime", "filename"),
    [
        ("application/pdf", "document.pdf"),
        ("text/csv", "document.csv"),
        ("text/markdown", "document.md"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document.docx",
        ),
    ],
)
def test_file_name_follows_the_mime_type(
    fake: OpenRouterEmulator, mime: str, filename: str
) -> None:
    block = {"type": "file", "base64": PDF, "mime_type": mime}
    (part,) = sent_content(fake, [block])
    assert part["file"] == {"filename": filename, "file_data": f"data:{mime};base64,{PDF}"}


def test_file_name_follows_a_data_uri(fake: OpenRouterEmulator) -> None:
    block = {"type": "file", "url": f"data:text/csv;base64,{PDF}"}
    (part,) = sent_content(fake, [block])
    assert part["file"]["filename"] == "document.csv"


def test_audio_block_without_mime_type_is_refused(fake: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match="has no mime_type: give it one, such as 'audio/wav'"):
        sent_content(fake, [{"type": "audio", "base64": WAV}])
    assert fake.requests == []
