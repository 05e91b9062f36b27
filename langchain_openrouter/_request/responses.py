"""A chat request, rewritten for OpenRouter's Responses API (``POST /responses``).

The request is first built exactly as for chat completions (settings, ``model_kwargs``,
per-call arguments, content blocks, cache breakpoints, tools), then each part is put in
the Responses form (docs/openrouter-wire-notes.md#responses-api):
messages become ``input`` items, tool calls ``function_call`` items and tool results
``function_call_output`` items; earlier reasoning goes back as ``reasoning`` items with
their ``encrypted_content``. The API is stateless: ``store`` is always false and
``previous_response_id`` is refused. Parameters it does not take raise
:class:`~._preflight.InvalidArgumentError` before anything is sent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from langchain_core.messages import AIMessage

from langchain_openrouter._preflight import InvalidArgumentError
from langchain_openrouter._request.feature_headers import METADATA as ROUTER_METADATA
from langchain_openrouter._request.messages import UnsupportedContentError
from langchain_openrouter._request.reasoning import dedup_key, is_replayable, message_details

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from langchain_core.messages import BaseMessage

    from langchain_openrouter._http.transport import Request

Item = dict[str, Any]
RESPONSES_PATH: Final = "/responses"
"""OpenRouter's Responses API (https://openrouter.ai/docs/api-reference/responses/overview)."""
ENCRYPTED_REASONING: Final = "reasoning.encrypted_content"
# Chat-completions parameters /responses has no equivalent for, and what to do instead
# (https://openrouter.ai/docs/api-reference/responses/overview, the request schema).
CHAT_ONLY: Final = {
    "stop": "stop sequences",
    "n": "several choices per request (n > 1)",
    "seed": "a sampling seed",
    "logit_bias": "logit_bias",
    "logprobs": "logprobs",
    "top_logprobs": "top_logprobs (its logprobs are not read on this path)",
    "min_p": "min_p",
    "top_a": "top_a",
    "repetition_penalty": "repetition_penalty",
    "transforms": "message transforms",
    "usage": "the legacy usage option (usage is always reported)",
    "stream_options": "stream_options (usage is always reported)",
    "prediction": "predicted outputs",
    "web_search_options": "web_search_options (use the openrouter:web_search server tool)",
}
# Body keys moved under another name: chat key -> Responses key.
_RENAMED: Final = {"max_tokens": "max_output_tokens", "max_completion_tokens": "max_output_tokens"}
_BREAKPOINT: Final = {"mode": "explicit"}
_DEFAULT_TTL: Final = "5m"
_LOCAL_ID: Final = "rs_local_"
_INPUT_ROLES: Final = frozenset({"user", "system", "developer"})


def _unsupported(name: str, what: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"{name} is not available on OpenRouter's Responses API (use_responses_api=True): "
        f"it has no {what}. Drop {name}, or send this call to chat completions "
        "(use_responses_api=False)."
    )


def check_responses_params(params: Mapping[str, Any]) -> None:
    """Refuse body parameters /responses does not take (a model's, before any call)."""
    for key, value in params.items():
        if key in CHAT_ONLY and value is not None and not (key == "n" and value == 1):
            raise _unsupported(key, CHAT_ONLY[key])
    _check_stateless(dict(params))


def responses_request(request: Request, messages: Sequence[BaseMessage]) -> Request:
    """``request`` (built for chat completions from ``messages``) in the Responses form."""
    chat = dict(request.body)
    _check_stateless(chat)
    body: dict[str, Any] = {"model": chat.pop("model")}
    body["input"] = input_items(chat.pop("messages"), messages)
    for key, value in chat.items():
        if key in CHAT_ONLY:
            raise _unsupported(key, CHAT_ONLY[key])
        converter = _BODY_CONVERTERS.get(key)
        if converter is None:
            body[_RENAMED.get(key, key)] = value
        else:
            converter(body, value)
    body["store"] = False
    if _reasoning_on(body.get("reasoning")):
        include = list(body.get("include") or [])
        body["include"] = (
            include if ENCRYPTED_REASONING in include else [*include, ENCRYPTED_REASONING]
        )
    # A response object names no provider; the opt-in router metadata does
    # (https://openrouter.ai/docs/guides/features/router-metadata).
    headers = {**(request.headers or {}), ROUTER_METADATA: "enabled"}
    return replace(request, body=body, path=RESPONSES_PATH, headers=headers)


def _check_stateless(chat: dict[str, Any]) -> None:
    """Refuse the stateful options: OpenRouter answers them with a 400."""
    if chat.pop("store", False):
        msg = (
            "store=True is not available on OpenRouter's Responses API: it is stateless and "
            "stores nothing (https://openrouter.ai/docs/api-reference/responses/overview). "
            "Drop store; the whole history is sent with every call."
        )
        raise InvalidArgumentError(msg)
    if chat.pop("previous_response_id", None) is not None:
        msg = (
            "previous_response_id is not available on OpenRouter's Responses API: it is "
            "stateless (https://openrouter.ai/docs/api-reference/responses/overview). Drop "
            "it and pass the whole conversation as messages."
        )
        raise InvalidArgumentError(msg)


def _reasoning_on(reasoning: object) -> bool:
    if not isinstance(reasoning, dict) or not reasoning:
        return False
    return reasoning.get("enabled") is not False and reasoning.get("effort") != "none"


# --- top-level parameters ------------------------------------------------------------


def _text_format(body: dict[str, Any], response_format: Any) -> None:
    """``response_format`` as ``text.format`` (json_schema flattened, as Responses wants)."""
    if not isinstance(response_format, dict):
        body.setdefault("text", {})["format"] = response_format
        return
    if response_format.get("type") == "json_schema":
        schema = dict(response_format.get("json_schema") or {})
        body.setdefault("text", {})["format"] = {"type": "json_schema", **schema}
    else:
        body.setdefault("text", {})["format"] = dict(response_format)


def _verbosity(body: dict[str, Any], verbosity: Any) -> None:
    body.setdefault("text", {})["verbosity"] = verbosity


def _effort(body: dict[str, Any], effort: Any) -> None:
    body["reasoning"] = {**(body.get("reasoning") or {}), "effort": effort}


def _reasoning(body: dict[str, Any], reasoning: Any) -> None:
    body["reasoning"] = {**dict(reasoning), **(body.get("reasoning") or {})}


def _tools(body: dict[str, Any], tools: Any) -> None:
    body["tools"] = [responses_tool(tool) for tool in tools]


def _tool_choice(body: dict[str, Any], choice: Any) -> None:
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        choice = {"type": "function", "name": choice["function"].get("name")}
    body["tool_choice"] = choice


def _text_config(body: dict[str, Any], text: Any) -> None:
    body["text"] = {**dict(text), **(body.get("text") or {})}


_BODY_CONVERTERS: Final[dict[str, Callable[[dict[str, Any], Any], None]]] = {
    "response_format": _text_format,
    "verbosity": _verbosity,
    "reasoning_effort": _effort,
    "reasoning": _reasoning,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "text": _text_config,
}


def responses_tool(tool: Item) -> Item:
    """A chat-form function tool flattened (``name`` at the top); others as they are."""
    if "cache_control" in tool:
        msg = (
            "cache_tool_definitions (cache_control on a tool) is not available on "
            "OpenRouter's Responses API: its tools take no cache breakpoint. Use "
            "cache_messages or automatic_cache instead, or chat completions."
        )
        raise InvalidArgumentError(msg)
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, dict):
        return tool
    return {"type": "function", **function}


# --- input items -----------------------------------------------------------------------


def input_items(wire: list[Item], messages: Sequence[BaseMessage]) -> list[Item]:
    """The chat ``messages`` (``wire``, one per LangChain message) as ``input`` items."""
    items: list[Item] = []
    seen: set[tuple[str, str, str]] = set()
    for position, (chat, message) in enumerate(zip(wire, messages, strict=True)):
        role = chat["role"]
        if role == "assistant":
            if isinstance(message, AIMessage):
                items += reasoning_items(message, seen, f"{position}_")
            items += _assistant_items(chat, position)
        elif role == "tool":
            output = chat["content"]
            if isinstance(output, list):
                output = [input_part(part, "tool") for part in output]
            items.append(
                {"type": "function_call_output", "call_id": chat["tool_call_id"], "output": output}
            )
        else:
            items.append(_input_message(role, chat["content"]))
    return items


def _input_message(role: str, content: object) -> Item:
    if role not in _INPUT_ROLES:
        msg = (
            f"A message with role {role!r} cannot be sent on OpenRouter's Responses API: "
            f"its input messages take the roles {', '.join(sorted(_INPUT_ROLES))}."
        )
        raise ValueError(msg)
    if isinstance(content, list):
        content = [input_part(part, role) for part in content]
    return {"type": "message", "role": role, "content": content}


def _assistant_items(chat: Item, position: int) -> list[Item]:
    items: list[Item] = []
    text = _assistant_text(chat.get("content"))
    if text:
        part = {"type": "output_text", "text": text, "annotations": []}
        # id and status are required on assistant messages; OpenRouter looks nothing up.
        items.append(
            {
                "type": "message",
                "role": "assistant",
                "id": f"msg_{position}",
                "status": "completed",
                "content": [part],
            }
        )
    for call in chat.get("tool_calls") or []:
        function = call["function"]
        items.append(
            {
                "type": "function_call",
                "call_id": call["id"],
                "name": function["name"],
                "arguments": function["arguments"],
            }
        )
    return items


def _assistant_text(content: object) -> str:
    if not isinstance(content, list):
        return content if isinstance(content, str) else ""
    texts = []
    for part in content:
        if part.get("type") != "text":
            msg = (
                f"An assistant message's {part.get('type')!r} block cannot be sent back on "
                "OpenRouter's Responses API: earlier assistant turns take text only."
            )
            raise UnsupportedContentError(msg)
        texts.append(part.get("text") or "")
    return "".join(texts)


# --- content parts -----------------------------------------------------------------------


def _input_text(part: Item) -> Item:
    return {"type": "input_text", "text": part.get("text") or ""}


def _input_image(part: Item) -> Item:
    image_url = part["image_url"]
    return {
        "type": "input_image",
        "image_url": image_url["url"],
        "detail": image_url.get("detail") or "auto",
    }


def _input_file(part: Item) -> Item:
    file = dict(part["file"])
    data = file.pop("file_data", None)
    if isinstance(data, str) and data.startswith(("http://", "https://")):
        file["file_url"] = data
    elif data is not None:
        file["file_data"] = data
    return {"type": "input_file", **file}


def _input_video(part: Item) -> Item:
    video = part.get("video_url")
    url = video.get("url") if isinstance(video, dict) else video
    return {"type": "input_video", "video_url": url}


_PART_CONVERTERS: Final[dict[str, Callable[[Item], Item]]] = {
    "text": _input_text,
    "image_url": _input_image,
    "file": _input_file,
    "input_audio": lambda part: {"type": "input_audio", "input_audio": part["input_audio"]},
    "video_url": _input_video,
    "input_video": _input_video,
}


def input_part(part: Item, role: str) -> Item:
    """One chat content part as a Responses input part, its cache breakpoint kept."""
    converter = _PART_CONVERTERS.get(part.get("type", ""))
    if converter is None:
        msg = (
            f"Content block type {part.get('type')!r} in a {role} message cannot be sent on "
            f"OpenRouter's Responses API. Supported: text, image, file, audio, video."
        )
        raise UnsupportedContentError(msg)
    converted = converter(part)
    if part.get("prompt_cache_breakpoint") is not None:
        converted["prompt_cache_breakpoint"] = part["prompt_cache_breakpoint"]
    if "cache_control" in part:
        converted["prompt_cache_breakpoint"] = _breakpoint(part["cache_control"])
    return converted


def _breakpoint(cache_control: object) -> dict[str, str]:
    """A ``cache_control`` breakpoint as Responses' ``prompt_cache_breakpoint``.

    Responses input parts take ``prompt_cache_breakpoint``, which OpenRouter turns into
    ``cache_control`` for Anthropic-style vendors; it carries no TTL.
    """
    ttl = cache_control.get("ttl") if isinstance(cache_control, dict) else None
    if ttl not in (None, _DEFAULT_TTL):
        msg = (
            f"A cache breakpoint with ttl={ttl!r} is not available on OpenRouter's Responses "
            "API: its prompt_cache_breakpoint has no TTL (5 minutes). Use True or '5m', "
            "automatic_cache='1h' (the top-level cache_control), or chat completions."
        )
        raise InvalidArgumentError(msg)
    return dict(_BREAKPOINT)


# --- reasoning replay ----------------------------------------------------------------------


def reasoning_items(
    message: AIMessage, seen: set[tuple[str, str, str]], local_prefix: str = ""
) -> list[Item]:
    """An assistant turn's reasoning as the ``reasoning`` items it came from.

    The details (as :mod:`.._response.responses` reads them) are grouped back by item ``id``
    and the item is rebuilt as it arrived; unlike chat completions, its ``rs_`` id stays, as
    the encrypted content is matched to it. Unsigned Anthropic/Gemini text and repeats
    are left out, as on the chat path. Details that came without an id get one made of
    ``local_prefix`` (unique in the request) and their item's position.
    """
    details = message_details(message.additional_kwargs, message.content) or []
    items: list[Item] = []
    for detail in details:
        if not is_replayable(detail):
            continue
        assert isinstance(detail, dict)  # noqa: S101 - narrowed by is_replayable
        key = dedup_key(detail)
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        if not items or not _continues(items[-1], detail):
            items.append(_new_item(detail, f"{local_prefix}{len(items)}"))
        _add_detail(items[-1], detail)
    return items


def _continues(item: Item, detail: Item) -> bool:
    """Whether ``detail`` belongs to ``item``: the same id, or, without ids, an unsealed item.

    Details from chat completions may have no id (Anthropic's signed text): each signed or
    encrypted entry then closes its item.
    """
    if detail.get("id") is not None:
        return bool(item.get("id") == detail["id"])
    sealed = "signature" in item or "encrypted_content" in item
    return str(item["id"]).startswith(_LOCAL_ID) and not sealed


def _new_item(detail: Item, local_id: str) -> Item:
    # `id` and `summary` are required on reasoning items (OpenRouter's ReasoningItem
    # schema); a detail without one gets a local id, which OpenRouter does not look up.
    item_id = detail.get("id") or f"{_LOCAL_ID}{local_id}"
    item: Item = {"type": "reasoning", "id": item_id, "summary": []}
    if detail.get("format"):
        item["format"] = detail["format"]
    return item


def _add_detail(item: Item, detail: Item) -> None:
    kind = detail.get("type")
    if kind == "reasoning.summary":
        item["summary"].append({"type": "summary_text", "text": detail.get("summary") or ""})
    elif kind == "reasoning.text":
        item.setdefault("content", []).append(
            {"type": "reasoning_text", "text": detail.get("text") or ""}
        )
        if detail.get("signature"):
            item["signature"] = detail["signature"]
    elif kind == "reasoning.encrypted":
        item["encrypted_content"] = detail.get("data")
