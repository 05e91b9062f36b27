"""Reading OpenRouter's responses: the one place a reply body is checked and read.

:mod:`.._http.transport` sends and translates failures; the readers here (passed to it,
run inside its retry loop) decide what a body means: :func:`read_completion` for a chat
completion, :func:`checked_first_chunk` for a stream's first event (later chunks:
:mod:`.stream`), :func:`checked_json` for the plain JSON endpoints.

Pieces shared by the invoke and stream paths live here: tool-call parsing, the
``additional_kwargs`` extras (reasoning, annotations, images, refusal, audio), usage and
response metadata. :mod:`.stream` reuses them for chunks.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_openrouter._errors import error_from_payload, malformed
from langchain_openrouter._http.response_headers import HEADERS_KEY

MODEL_PROVIDER = "openrouter"
PASSED_THROUGH_EXTRAS = ("annotations", "images", "audio", "refusal")
_TOP_LEVEL_METADATA = (
    "id",
    "provider",
    "system_fingerprint",
    "service_tier",
    "created",
    "object",
    "openrouter_metadata",  # https://openrouter.ai/docs/guides/features/router-metadata
)
_CHOICE_METADATA = ("finish_reason", "native_finish_reason", "logprobs")
REASONING_EXHAUSTED = "reasoning_exhausted_max_tokens"
"""``response_metadata`` flag: reasoning used the whole output budget, no answer came."""


def json_object(data: object) -> dict[str, Any]:
    """``data`` if it is a JSON object; otherwise the malformed-response error."""
    if not isinstance(data, dict):
        msg = f"expected a JSON object, got {type(data).__name__}"
        raise malformed(msg)
    return data


def checked_completion(data: object) -> dict[str, Any]:
    """The completion body, or the typed error it stands for.

    Catches what the ``openai`` SDK lets through as success: an HTTP 200 body with a
    top-level ``error``, ``choices`` null with no error (retryable), a choice-level
    ``error`` and ``finish_reason: "error"``. A completion nested under ``provider`` is
    unwrapped.
    """
    data = json_object(data)
    nested = data.get("provider")
    if not data.get("choices") and isinstance(nested, dict) and nested.get("choices"):
        data = nested
    generation_id = data.get("id")
    choices = data.get("choices")
    if not choices:
        if isinstance(data.get("error"), dict):
            raise error_from_payload(data["error"], generation_id=generation_id)
        error = malformed("the completion has no choices", generation_id)
        error.is_retryable = True
        raise error
    raise_for_failed_choice(choices[0], generation_id)
    return data


def checked_json(data: object) -> dict[str, Any]:
    """The response object, or the typed error it stands for.

    Every such endpoint answers ``{"data": ...}``; an HTTP 200 body carrying ``error``
    instead is an error, as on the chat path.
    """
    data = json_object(data)
    if "data" not in data:
        if isinstance(data.get("error"), dict):
            raise error_from_payload(data["error"])
        msg = f"the response has no 'data' (keys: {sorted(data)[:10]})"
        raise malformed(msg)
    return data


def checked_first_chunk(event: Any) -> Any:
    """A stream's first event, unless it already says the generation failed (retryable)."""
    if isinstance(event, dict):
        choices = event.get("choices")
        if choices and isinstance(choices[0], dict):
            raise_for_failed_choice(choices[0], event.get("id"))
    return event


def read_completion(data: object, requested_model: str) -> ChatResult:
    """The :class:`ChatResult` of a completion body, or the typed error it stands for.

    A reply that does not name its model is read as naming the requested one.
    """
    return completion_to_chat_result(naming_model(checked_completion(data), requested_model))


def naming_model(body: dict[str, Any], requested_model: str) -> dict[str, Any]:
    """``body``, naming the requested model when OpenRouter's reply names none."""
    return body if body.get("model") else {**body, "model": requested_model}


def raise_for_failed_choice(choice: dict[str, Any], generation_id: str | None) -> None:
    """Raise for a choice that carries ``error`` or finished with reason ``"error"``."""
    if isinstance(choice.get("error"), dict):
        raise error_from_payload(choice["error"], generation_id=generation_id)
    if choice.get("finish_reason") == "error":
        native = choice.get("native_finish_reason")
        message = "The generation failed (finish_reason 'error'"
        message += f", native_finish_reason {native!r})" if native else ")"
        payload = {"message": message, "metadata": {"native_finish_reason": native}}
        raise error_from_payload(payload, generation_id=generation_id, retryable=True)


def parse_arguments(raw: object) -> tuple[dict[str, Any] | None, str | None]:
    """Tool-call arguments as a dict (missing, null or ``""`` mean ``{}``), or an error."""
    if raw is None or raw == "":
        return {}, None
    if isinstance(raw, dict):
        return raw, None
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        return None, f"arguments are not valid JSON: {exc}"
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return None, f"arguments must be a JSON object, got {type(value).__name__}"
    return value, None


def parse_tool_calls(raw_calls: object) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Split OpenAI-format ``tool_calls`` into valid and invalid LangChain tool calls."""
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in raw_calls if isinstance(raw_calls, list) else []:
        function = call.get("function") or {}
        name, call_id, raw = function.get("name") or "", call.get("id"), function.get("arguments")
        args, problem = parse_arguments(raw)
        if args is None:
            invalid.append(
                InvalidToolCall(
                    type="invalid_tool_call", name=name, args=raw, id=call_id, error=problem
                )
            )
        else:
            valid.append(ToolCall(type="tool_call", name=name, args=args, id=call_id))
    return valid, invalid


def reasoning_text(reasoning: object, details: object) -> str:
    """Reasoning shown once: ``reasoning``, else the details' text, else their summaries."""
    if isinstance(reasoning, str) and reasoning:
        return reasoning
    entries = (
        [entry for entry in details if isinstance(entry, dict)] if isinstance(details, list) else []
    )
    for key in ("text", "summary"):
        if text := "".join(e[key] for e in entries if isinstance(e.get(key), str)):
            return text
    return ""


def extras_without_details(message: dict[str, Any]) -> dict[str, Any]:
    """``additional_kwargs`` of a message or delta, but for ``reasoning_details``.

    The extras OpenRouter adds pass on unchanged; the reasoning text is shown once.
    """
    extras = {key: message[key] for key in PASSED_THROUGH_EXTRAS if message.get(key)}
    reasoning = message.get("reasoning") or message.get("reasoning_content")
    if text := reasoning_text(reasoning, message.get("reasoning_details")):
        extras["reasoning_content"] = text
    return extras


def message_extras(message: dict[str, Any]) -> dict[str, Any]:
    """``additional_kwargs`` of a complete (non-streamed) assistant message."""
    extras = extras_without_details(message)
    details = message.get("reasoning_details")
    if isinstance(details, list):
        extras["reasoning_details"] = details
    return extras


def create_usage_metadata(raw_usage: object) -> UsageMetadata | None:
    """LangChain usage from OpenRouter's ``usage``.

    Cache reads and writes are parts of ``prompt_tokens``, not additions to it
    (docs/openrouter-wire-notes.md#cached-tokens); token counts may be floats and are cast
    to int. A plain read of the dict: this runs once per response, and a count that is
    absent or not a number counts as 0 rather than failing a response that has arrived.
    """
    if not isinstance(raw_usage, dict):
        return None
    prompt = _details(raw_usage.get("prompt_tokens_details"))
    completion = _details(raw_usage.get("completion_tokens_details"))
    input_details = InputTokenDetails(
        cache_read=_count(prompt.get("cached_tokens")),
        cache_creation=_count(prompt.get("cache_write_tokens")),
    )
    output_details = OutputTokenDetails(reasoning=_count(completion.get("reasoning_tokens")))
    if _number(prompt.get("audio_tokens")):
        input_details["audio"] = _count(prompt["audio_tokens"])
    if _number(completion.get("audio_tokens")):
        output_details["audio"] = _count(completion["audio_tokens"])
    input_tokens = _count(raw_usage.get("prompt_tokens"))
    output_tokens = _count(raw_usage.get("completion_tokens"))
    total = _number(raw_usage.get("total_tokens"))
    return UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens if total is None else int(total),
        input_token_details=input_details,
        output_token_details=output_details,
    )


def _details(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: object) -> float | None:
    """A finite token count as sent (a number or a numeric string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def _count(value: object) -> int:
    return int(_number(value) or 0)


def usage_response_metadata(raw_usage: object) -> dict[str, Any]:
    """Cost and billing facts from ``usage`` that belong in ``response_metadata``."""
    if not isinstance(raw_usage, dict):
        return {}
    facts = {key: raw_usage.get(key) for key in ("cost", "is_byok", "cost_details")}
    facts["server_tool_use"] = raw_usage.get("server_tool_use_details") or raw_usage.get(
        "server_tool_use"
    )
    return {key: value for key, value in facts.items() if value is not None}


def response_metadata(
    top: dict[str, Any], choice: dict[str, Any], raw_usage: object
) -> dict[str, Any]:
    """``response_metadata`` from the envelope, the first choice and the usage."""
    metadata: dict[str, Any] = {"model_provider": MODEL_PROVIDER}
    if top.get("model") is not None:
        metadata["model_name"] = top["model"]
    for key in _TOP_LEVEL_METADATA:
        if top.get(key) is not None:
            metadata[key] = top[key]
    for key in _CHOICE_METADATA:
        if choice.get(key) is not None:
            metadata[key] = choice[key]
    metadata.update(usage_response_metadata(raw_usage))
    if (header_facts := top.get(HEADERS_KEY)) is not None:
        metadata.update(header_facts)
    return metadata


def completion_to_chat_result(data: dict[str, Any]) -> ChatResult:
    """A :class:`ChatResult` from a checked completion body."""
    generations = []
    usage = create_usage_metadata(data.get("usage"))
    for choice in data["choices"]:
        message = choice.get("message") or {}
        tool_calls, invalid_tool_calls = parse_tool_calls(message.get("tool_calls"))
        ai_message = AIMessage(
            content=message.get("content") or "",
            additional_kwargs=message_extras(message),
            tool_calls=tool_calls,
            invalid_tool_calls=invalid_tool_calls,
            usage_metadata=usage,
            response_metadata=response_metadata(data, choice, data.get("usage")),
            id=data.get("id"),
        )
        note_reasoning_exhaustion(ai_message)
        info = {"finish_reason": choice.get("finish_reason")}
        generations.append(ChatGeneration(message=ai_message, generation_info=info))
    llm_output = {"model_name": data.get("model")}
    llm_output.update({key: data[key] for key in ("id", "created", "object") if data.get(key)})
    return ChatResult(generations=generations, llm_output=llm_output)


# --- reasoning that exhausts max_tokens ------------------------------------------------


def stream_end_metadata(
    metadata: dict[str, Any], usage: UsageMetadata | None, *, answered: bool, reasoned: bool
) -> dict[str, Any]:
    """A stream's closing ``response_metadata``, judged as invoke judges the whole message.

    ``answered``: content or a tool call arrived; ``reasoned``: reasoning did.
    """
    if answered:
        return metadata
    marker = AIMessage(
        content="",
        additional_kwargs={"reasoning_content": "x"} if reasoned else {},
        usage_metadata=usage,
        response_metadata=metadata,
    )
    note_reasoning_exhaustion(marker)
    return marker.response_metadata


def note_reasoning_exhaustion(message: AIMessage) -> None:
    """Flag, and warn about, a reply cut at ``max_tokens`` before any answer.

    The model reasoned until the output budget ran out (``finish_reason`` "length") and
    returned no content and no tool call: not an empty success. ``response_metadata``
    keeps ``finish_reason`` "length" and gets ``reasoning_exhausted_max_tokens: True``.
    """
    if message.response_metadata.get("finish_reason") != "length":
        return
    if message.content or message.tool_calls or message.invalid_tool_calls:
        return
    usage = message.usage_metadata
    reasoning_tokens = (usage.get("output_token_details") or {}).get("reasoning") if usage else 0
    reasoned = bool(
        message.additional_kwargs.get("reasoning_content")
        or message.additional_kwargs.get("reasoning_details")
        or reasoning_tokens
    )
    if not reasoned:
        return
    message.response_metadata[REASONING_EXHAUSTED] = True
    warnings.warn(
        "The model spent its whole output budget on reasoning and returned no answer "
        "(finish_reason 'length', empty content). Raise `max_tokens`, or reason less: "
        "a lower reasoning effort (reasoning={'effort': 'low'}) or a smaller "
        "reasoning['max_tokens'] than max_tokens.",
        UserWarning,
        stacklevel=2,
    )
