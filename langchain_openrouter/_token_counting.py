"""Token counts without a request and without a heavy tokenizer: an honest estimate.

OpenRouter serves models of many vendors, each with its own tokenizer, and only the
provider knows the exact count (it is in ``usage`` after the call). Before the call this
module estimates it:

* **tiktoken**, when it is installed and its encoding is available (it downloads it on
  first use), for OpenAI models: their own tokenizer, exact for text.
* otherwise a **pre-tokenizer estimate**: the text is split as BPE tokenizers split it
  (words with their leading space, digit groups, punctuation, CJK characters): a word of
  up to :data:`_ONE_TOKEN_WORD` letters is one token, a longer one a token per
  :data:`_CHARS_PER_WORD_PIECE` letters (both fitted on the sample the README reports).
* **messages** add :data:`_TOKENS_PER_MESSAGE` each, plus :data:`_REPLY_PRIMING`; tools count
  their JSON definition plus :data:`_TOKENS_PER_TOOL`; vendors that wrap tools in a system
  prompt add it (Anthropic: https://docs.anthropic.com/en/docs/build-with-claude/tool-use).
* **images** follow OpenAI's rule (https://platform.openai.com/docs/guides/images-vision):
  ``85`` tokens at ``detail: "low"``; otherwise ``85 + 170`` per 512-pixel tile of the image
  scaled to fit 2048x2048 with its short side at most 768, when the size can be read from a
  base64 PNG, GIF or JPEG header; else :data:`_IMAGE_TOKENS` (a 1024x1024 image).
  Other media (PDFs, audio, video) count the text of their block only.

The accuracy measured against real ``usage`` counts is in the README ("Token counting").
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import struct
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from langchain_core.messages import BaseMessage

_TOKENS_PER_MESSAGE = 4
_REPLY_PRIMING = 3
_TOKENS_PER_TOOL = 8
_ONE_TOKEN_WORD = 10
_CHARS_PER_WORD_PIECE = 6
_IMAGE_TOKENS = 765
_LOW_DETAIL_IMAGE_TOKENS = 85
_TILE_TOKENS = 170
# Tokens a vendor adds when the request has tools (its tool-use system prompt).
_TOOL_PROMPT_TOKENS = {"anthropic": 346}
# One piece per match: a CJK character, a word with its leading space, up to 3 digits, any
# other non-space character; whitespace runs beyond one space are one piece each.
_PIECES = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]| ?[^\W\d_]+|\d{1,3}|[^\s\w]|\s{2,}|\n",
    re.UNICODE,
)


def _tiktoken_encoding(model: str) -> Any | None:
    """The tiktoken encoding of an OpenAI model, or None (not installed, not OpenAI, offline)."""
    vendor, _, name = model.partition("/")
    if vendor != "openai" or not name:
        return None
    legacy = name.startswith(("gpt-3.5", "gpt-4-")) or name == "gpt-4"
    return _load_encoding("cl100k_base" if legacy else "o200k_base")


@lru_cache(maxsize=4)
def _load_encoding(name: str) -> Any | None:
    try:
        import tiktoken  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        return tiktoken.get_encoding(name)
    except Exception:  # noqa: BLE001 - not installed, or its encoding cannot be downloaded
        return None


def text_tokens(text: str, model: str = "") -> int:
    """Tokens of a text for ``model`` (exact with tiktoken for OpenAI models, else estimated)."""
    if not text:
        return 0
    encoding = _tiktoken_encoding(model)
    if encoding is not None:
        return len(encoding.encode(text, disallowed_special=()))
    count = 0
    for piece in _PIECES.findall(text):
        word = piece.strip()
        count += 1 if len(word) <= _ONE_TOKEN_WORD else math.ceil(len(word) / _CHARS_PER_WORD_PIECE)
    return count


def token_ids(text: str, model: str) -> list[int] | None:
    """The tiktoken ids of ``text``, or None when no exact tokenizer is available."""
    encoding = _tiktoken_encoding(model)
    return None if encoding is None else list(encoding.encode(text, disallowed_special=()))


def messages_tokens(
    messages: Sequence[BaseMessage], model: str, tools: Sequence[Any] | None = None
) -> int:
    """Estimated prompt tokens of a request with ``messages`` (and ``tools``)."""
    from langchain_openrouter._request.messages import convert_messages  # noqa: PLC0415 - avoids a cycle

    return wire_messages_tokens(convert_messages(messages), model, tools)


def wire_messages_tokens(
    messages: Sequence[dict[str, Any]], model: str, tools: Sequence[Any] | None = None
) -> int:
    """Estimated prompt tokens of a request body's ``messages`` (and ``tools``)."""
    total = _REPLY_PRIMING
    for message in messages:
        total += _TOKENS_PER_MESSAGE + _wire_message_tokens(message, model)
    if tools:
        total += _TOOL_PROMPT_TOKENS.get(model.lstrip("~").split("/", 1)[0], 0)
        for tool in tools:
            total += _TOKENS_PER_TOOL + text_tokens(json.dumps(_tool_dict(tool)), model)
    return total


def _tool_dict(tool: Any) -> Any:
    if isinstance(tool, dict):
        return tool
    from langchain_core.utils.function_calling import convert_to_openai_tool  # noqa: PLC0415

    return convert_to_openai_tool(tool)


def _wire_message_tokens(message: dict[str, Any], model: str) -> int:
    count = text_tokens(str(message.get("name") or ""), model)
    content = message.get("content")
    if isinstance(content, str):
        count += text_tokens(content, model)
    elif isinstance(content, list):
        count += sum(_part_tokens(part, model) for part in content)
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        count += _TOKENS_PER_TOOL + text_tokens(
            f"{function.get('name', '')}{function.get('arguments', '')}", model
        )
    return count


def _part_tokens(part: dict[str, Any], model: str) -> int:
    kind = part.get("type")
    if kind == "text":
        return text_tokens(str(part.get("text") or ""), model)
    if kind == "image_url":
        image_url = part.get("image_url") or {}
        return image_tokens(str(image_url.get("url") or ""), image_url.get("detail"))
    if kind == "file":
        return text_tokens(str((part.get("file") or {}).get("filename") or ""), model)
    return 0


def image_tokens(url: str, detail: object = None) -> int:
    """Tokens of one image by OpenAI's rule (see the module docstring)."""
    if detail == "low":
        return _LOW_DETAIL_IMAGE_TOKENS
    size = _image_size(url)
    if size is None:
        return _IMAGE_TOKENS
    fit = min(1.0, 2048 / max(size))
    width, height = size[0] * fit, size[1] * fit
    short_side = min(1.0, 768 / min(width, height))
    tiles = math.ceil(width * short_side / 512) * math.ceil(height * short_side / 512)
    return _LOW_DETAIL_IMAGE_TOKENS + _TILE_TOKENS * tiles


def _image_size(url: str) -> tuple[int, int] | None:
    """Width and height from the header of a base64 data URI (PNG, GIF, JPEG), else None."""
    if not url.startswith("data:") or ";base64," not in url:
        return None
    try:
        head = base64.b64decode(url.split(";base64,", 1)[1][:65536] + "==", validate=False)
    except (binascii.Error, ValueError):
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:  # noqa: PLR2004 - IHDR
        width, height = struct.unpack(">II", head[16:24])
        return (width, height) if width and height else None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", head[6:10])
        return (width, height) if width and height else None
    return _jpeg_size(head)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:  # noqa: PLR2004 - marker prefix
            return None
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # noqa: PLR2004 - SOFn
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return (width, height) if width and height else None
        position += 2 + length
    return None
