"""LangChain messages and content blocks to OpenRouter's chat-completions ``messages``.

Content blocks are accepted in LangChain's v1 standard form (``image``, ``file``,
``audio``, ``video`` with ``url``/``base64``/``file_id``), in OpenAI's form (``image_url``,
``file``, ``input_audio``, ``video_url``) and in Anthropic's ``source`` form. A block's
``cache_control`` is kept. Cache-point markers (``{"type": "cache_point"}``) are kept as
they are, for the caching step (``_caching``) to resolve. A block we cannot send raises,
naming its type.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
from typing import TYPE_CHECKING, Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_openrouter._request.reasoning import replayed_details

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

Block = dict[str, Any]
_KEPT_ON_PARTS = ("cache_control", "prompt_cache_breakpoint")
_AUDIO_FORMATS = {"mpeg": "mp3", "mp3": "mp3", "x-wav": "wav", "wave": "wav"}
# Extensions mimetypes gets wrong or lacks on some platforms.
_EXTENSIONS = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md"}
# Blocks an assistant message may hold that travel elsewhere (tool_calls,
# reasoning_details) or are output-only: left out of its content.
_ASSISTANT_ONLY_BLOCKS = frozenset(
    {
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "tool_use",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "reasoning",
        "thinking",
        "redacted_thinking",
        "non_standard",
    }
)


class UnsupportedContentError(ValueError):
    """A content block that OpenRouter cannot take."""


def _data_uri(block: Block) -> str:
    mime = block.get("mime_type") or "application/octet-stream"
    return f"data:{mime};base64,{block['base64']}"


def _source_of(block: Block) -> str | None:
    """URL or data URI of a v1 (or legacy v0 ``source_type``) multimodal block."""
    if block.get("url"):
        return str(block["url"])
    if block.get("base64"):
        return _data_uri(block)
    source_type = block.get("source_type")
    if source_type == "url":
        return str(block.get("url") or block.get("data"))
    if source_type == "base64":
        return _data_uri({"base64": block.get("data"), "mime_type": block.get("mime_type")})
    return _anthropic_source(block.get("source"))


def _anthropic_source(source: object) -> str | None:
    if not isinstance(source, dict):
        return None
    if source.get("type") == "url":
        return str(source["url"])
    if source.get("type") == "base64":
        return _data_uri({"base64": source["data"], "mime_type": source.get("media_type")})
    return None


def _filename(block: Block, source: str) -> str:
    extras = block.get("extras") or {}
    metadata = block.get("metadata") or {}
    for candidate in (block.get("filename"), extras.get("filename"), metadata.get("filename")):
        if candidate:
            return str(candidate)
    return block.get("title") or f"document{_extension(_mime_type(block, source))}"


def _mime_type(block: Block, source: str) -> str | None:
    """The MIME type a block declares, or its data URI's."""
    source_info = block.get("source")
    declared = block.get("mime_type") or (
        source_info.get("media_type") if isinstance(source_info, dict) else None
    )
    if declared:
        return str(declared)
    if source.startswith("data:") and ";" in source:
        return source[len("data:") : source.index(";")] or None
    return None


def _extension(mime: str | None) -> str:
    """The file extension of ``mime``; PDF, OpenRouter's main document type, when unknown."""
    if mime is None or mime == "application/octet-stream":
        return ".pdf"
    return _EXTENSIONS.get(mime) or mimetypes.guess_extension(mime) or ".bin"


def _image(block: Block) -> Block:
    if (url := _source_of(block)) is None:
        raise UnsupportedContentError(_missing_source("image", block))
    image_url: Block = {"url": url}
    if detail := block.get("detail") or (block.get("extras") or {}).get("detail"):
        image_url["detail"] = detail
    return {"type": "image_url", "image_url": image_url}


def _file(block: Block) -> Block:
    if isinstance(block.get("file"), dict):  # already OpenAI form
        return {"type": "file", "file": block["file"]}
    if block.get("file_id"):
        return {"type": "file", "file": {"file_id": block["file_id"]}}
    if (url := _source_of(block)) is None:
        raise UnsupportedContentError(_missing_source("file", block))
    return {"type": "file", "file": {"filename": _filename(block, url), "file_data": url}}


def _plain_text(block: Block) -> Block:
    """A v1 ``text-plain`` block: its text (or its decoded base64) as a text part."""
    if isinstance(block.get("text"), str):
        return {"type": "text", "text": block["text"]}
    if block.get("base64"):
        try:
            text = base64.b64decode(block["base64"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            msg = f"The text-plain block {_preview(block)} has base64 that is not UTF-8 text."
            raise UnsupportedContentError(msg) from error
        return {"type": "text", "text": text}
    return _file({**block, "mime_type": "text/plain"})


def _audio(block: Block) -> Block:
    if not block.get("base64") and block.get("source_type") != "base64":
        msg = (
            "An audio block needs base64 data: OpenRouter takes audio as `input_audio` "
            "with base64 `data` and a `format` such as 'wav' or 'mp3'."
        )
        raise UnsupportedContentError(msg)
    if not block.get("mime_type"):
        msg = (
            f"The audio block {_preview(block)} has no mime_type: give it one, such as "
            "'audio/wav' or 'audio/mpeg', so that OpenRouter gets the audio `format`."
        )
        raise UnsupportedContentError(msg)
    subtype = str(block["mime_type"]).rsplit("/", maxsplit=1)[-1]
    data = block.get("base64") or block.get("data")
    return {
        "type": "input_audio",
        "input_audio": {"data": data, "format": _AUDIO_FORMATS.get(subtype, subtype)},
    }


def _video(block: Block) -> Block:
    if (url := _source_of({**block, "mime_type": block.get("mime_type") or "video/mp4"})) is None:
        raise UnsupportedContentError(_missing_source("video", block))
    return {"type": "video_url", "video_url": {"url": url}}


def _text(block: Block) -> Block:
    return {"type": "text", "text": block.get("text") or ""}


def _image_url(block: Block) -> Block:
    image_url = block["image_url"]
    return {
        "type": "image_url",
        "image_url": {"url": image_url} if isinstance(image_url, str) else image_url,
    }


def _passthrough(block: Block) -> Block:
    return {key: value for key, value in block.items() if key not in ("id", "index")}


_CONVERTERS: dict[str, Callable[[Block], Block]] = {
    "text": _text,
    "text-plain": _plain_text,
    "image": _image,
    "image_url": _image_url,
    "file": _file,
    "document": _file,
    "audio": _audio,
    "input_audio": _passthrough,
    "video": _video,
    "video_url": _passthrough,
    "input_video": _passthrough,
    "cache_point": dict,  # a marker: resolved (and removed) by the caching step
}


def _missing_source(kind: str, block: Block) -> str:
    return (
        f"The {kind} block {_preview(block)} has no source: give it `url`, `base64` "
        "(with `mime_type`) or, for files, `file_id`."
    )


def _preview(block: Block) -> str:
    text = json.dumps(block, default=str)
    return text if len(text) <= 120 else text[:117] + "..."  # noqa: PLR2004


def convert_content_block(block: str | Block, role: str) -> Block:
    """One content part in OpenRouter's form (``cache_control`` kept)."""
    if isinstance(block, str):
        return {"type": "text", "text": block}
    kind = block.get("type")
    converter = _CONVERTERS.get(kind) if isinstance(kind, str) else None
    if converter is None:
        supported = ", ".join(sorted(_CONVERTERS))
        msg = (
            f"Content block type {kind!r} in a {role} message cannot be sent to OpenRouter "
            f"(block: {_preview(block)}). Supported types: {supported}."
        )
        raise UnsupportedContentError(msg)
    part = converter(block)
    for key in _KEPT_ON_PARTS:
        if key in block:
            part[key] = block[key]
    return part


def convert_content(content: str | list[str | Block], role: str) -> str | list[Block]:
    """Message content as a string, or as a list of OpenRouter content parts."""
    if isinstance(content, str):
        return content
    return [convert_content_block(block, role) for block in content]


def _assistant_content(message: AIMessage) -> str | list[Block] | None:
    if isinstance(message.content, str):
        return message.content or None
    left_out = _ASSISTANT_ONLY_BLOCKS
    if message.additional_kwargs.get("images"):
        # v1 output shows generated images as image blocks; they go back as `images`.
        left_out = left_out | {"image"}
    kept = [
        block
        for block in message.content
        if isinstance(block, str) or block.get("type") not in left_out
    ]
    parts = [convert_content_block(block, "assistant") for block in kept]
    if message.response_metadata.get("output_version") == "v1" and all(
        set(part) == {"type", "text"} and part["type"] == "text" for part in parts
    ):
        # v1 output keeps the answer as text blocks: sent as the plain string it was.
        return "".join(part["text"] for part in parts) or None
    return parts or None


def _tool_calls(message: AIMessage) -> list[Block]:
    calls = [
        {
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call["args"] or {})},
        }
        for call in message.tool_calls
    ]
    calls += [
        {
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"] or "", "arguments": call["args"] or "{}"},
        }
        for call in message.invalid_tool_calls
    ]
    return calls


_ASSISTANT_ECHOED_KWARGS = ("annotations", "images")


def _assistant(message: AIMessage, seen_details: set[tuple[str, str, str]]) -> Block:
    """An assistant message; ``seen_details`` de-duplicates reasoning across the request."""
    wire: Block = {"role": "assistant", "content": _assistant_content(message)}
    if tool_calls := _tool_calls(message):
        wire["tool_calls"] = tool_calls
    details = replayed_details(message.additional_kwargs, message.content, seen_details)
    if details is not None:
        wire["reasoning_details"] = details
    for key in _ASSISTANT_ECHOED_KWARGS:
        if value := message.additional_kwargs.get(key):
            wire[key] = value
    if wire["content"] is None and "tool_calls" not in wire:
        wire["content"] = ""
    return wire


def _role_of(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return str(message.additional_kwargs.get("__openai_role__", "system"))
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, ChatMessage):
        return message.role
    if isinstance(message, FunctionMessage):
        msg = (
            "Got unknown type FunctionMessage: OpenRouter has no 'function' role (OpenAI's "
            "legacy one). Send the result as ToolMessage(content, tool_call_id=...)."
        )
        raise TypeError(msg)
    msg = f"Got unknown type {type(message).__name__}: it cannot be sent to OpenRouter."
    raise TypeError(msg)


def _convert_message_to_dict(
    message: BaseMessage, seen_details: set[tuple[str, str, str]] | None = None
) -> Block:
    """One LangChain message as an OpenRouter chat message."""
    if isinstance(message, AIMessage):
        wire = _assistant(message, set() if seen_details is None else seen_details)
    elif isinstance(message, ToolMessage):
        wire = {
            "role": "tool",
            "tool_call_id": message.tool_call_id,
            "content": convert_content(message.content, "tool"),
        }
    else:
        role = _role_of(message)
        wire = {"role": role, "content": convert_content(message.content, role)}
    if message.name and not isinstance(message, ToolMessage):
        wire["name"] = message.name
    return wire


def convert_messages(messages: Sequence[BaseMessage]) -> list[Block]:
    """The ``messages`` of a request body (reasoning details de-duplicated across it)."""
    seen_details: set[tuple[str, str, str]] = set()
    return [_convert_message_to_dict(message, seen_details) for message in messages]
