"""Reading OpenRouter's Responses API objects into the chat path's message contract.

A response's ``output`` items become what a chat completion gives: ``message`` items the
text content (``refusal`` parts and citations in ``additional_kwargs``), ``function_call``
items tool calls (their ``call_id`` as the id), ``reasoning`` items ``reasoning_details``
in OpenRouter's chat form (one detail per summary part, text part and encrypted blob,
each carrying the item's ``id`` and ``format``) so that the next request can rebuild the
items exactly. Usage is put in the chat form and read by :mod:`._response`'s readers; the
finish reason comes from ``status`` and ``incomplete_details``. :mod:`.responses_stream`
reuses these pieces per event.
"""

from __future__ import annotations

from typing import Any, Final

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_openrouter._errors import OpenRouterError, error_from_payload, malformed
from langchain_openrouter._response.completion import (
    create_usage_metadata,
    json_object,
    naming_model,
    note_reasoning_exhaustion,
    parse_tool_calls,
    reasoning_text,
    response_metadata,
)

Item = dict[str, Any]
# https://openrouter.ai/docs/api-reference/responses/overview: incomplete_details.reason.
_FINISH_OF_INCOMPLETE: Final = {"max_output_tokens": "length", "content_filter": "content_filter"}


def response_error(data: Item) -> OpenRouterError:
    """The typed error of a failed response (its ``error`` and canonical ``error_type``).

    See https://openrouter.ai/docs/api-reference/responses/error-handling.
    """
    error = dict(data.get("error") or {})
    error.setdefault("message", "The response failed")
    if data.get("error_type") and not error.get("error_type"):
        error["metadata"] = {**(error.get("metadata") or {}), "error_type": data["error_type"]}
    return error_from_payload(error, generation_id=data.get("id"))


def checked_response(data: object) -> Item:
    """The response object, or the typed error it stands for."""
    data = json_object(data)
    if data.get("status") == "failed" or (
        isinstance(data.get("error"), dict) and not data.get("output")
    ):
        raise response_error(data)
    if not isinstance(data.get("output"), list):
        error = malformed("the response has no output", data.get("id"))
        error.is_retryable = True
        raise error
    return data


def annotation(raw: object) -> object:
    """A Responses ``url_citation`` in the chat form (nested under ``url_citation``)."""
    if not isinstance(raw, dict) or raw.get("type") != "url_citation" or "url_citation" in raw:
        return raw
    citation = {key: value for key, value in raw.items() if key != "type"}
    return {"type": "url_citation", "url_citation": citation}


def reasoning_details(item: Item, first_index: int) -> list[Item]:
    """A ``reasoning`` item as chat-form details, numbered from ``first_index``."""
    base = {key: item[key] for key in ("id", "format") if item.get(key) is not None}
    details: list[Item] = []
    for part in item.get("summary") or []:
        text = part.get("text") if isinstance(part, dict) else part
        details.append({"type": "reasoning.summary", "summary": text or "", **base})
    for part in item.get("content") or []:
        text = part.get("text") if isinstance(part, dict) else part
        details.append({"type": "reasoning.text", "text": text or "", **base})
    if item.get("signature"):
        texts = [detail for detail in details if detail["type"] == "reasoning.text"]
        if texts:
            texts[-1]["signature"] = item["signature"]
        else:
            details.append(
                {"type": "reasoning.text", "text": "", "signature": item["signature"], **base}
            )
    if item.get("encrypted_content"):
        details.append({"type": "reasoning.encrypted", "data": item["encrypted_content"], **base})
    return [{**detail, "index": first_index + n} for n, detail in enumerate(details)]


def generated_image(item: Item) -> Item | None:
    """An image generation item as a chat-form ``images`` entry (``image_url``), if done.

    ``image_generation_call`` carries base64 PNG in ``result``; OpenRouter's
    ``openrouter:image_generation`` a URL or base64 (the OpenAPI spec's output items).
    """
    url = item.get("imageUrl")
    data = item.get("imageB64") or item.get("result")
    if not url and isinstance(data, str) and data:
        url = (
            data
            if data.startswith(("http://", "https://", "data:"))
            else f"data:image/png;base64,{data}"
        )
    return (
        {"type": "image_url", "image_url": {"url": url}} if isinstance(url, str) and url else None
    )


IMAGE_ITEMS: Final = frozenset({"image_generation_call", "openrouter:image_generation"})


def function_call(item: Item) -> Item:
    """A ``function_call`` item as a chat-form tool call."""
    return {
        "id": item.get("call_id") or item.get("id"),
        "type": "function",
        "function": {"name": item.get("name") or "", "arguments": item.get("arguments")},
    }


def finish_reasons(data: Item, *, called_tools: bool) -> dict[str, Any]:
    """``finish_reason`` (chat vocabulary) and ``native_finish_reason`` of a response."""
    status = data.get("status")
    if status == "incomplete":
        reason = str((data.get("incomplete_details") or {}).get("reason") or "")
        return {
            "finish_reason": _FINISH_OF_INCOMPLETE.get(reason, reason or "length"),
            "native_finish_reason": reason or status,
        }
    return {
        "finish_reason": "tool_calls" if called_tools else "stop",
        "native_finish_reason": status,
    }


def chat_usage(raw: object) -> Item | None:
    """Responses ``usage`` in the chat form the shared usage readers take."""
    if not isinstance(raw, dict):
        return None
    usage = {
        key: raw[key]
        for key in ("cost", "is_byok", "cost_details", "server_tool_use_details")
        if key in raw
    }
    usage.update(
        prompt_tokens=raw.get("input_tokens"),
        completion_tokens=raw.get("output_tokens"),
        total_tokens=raw.get("total_tokens"),
        prompt_tokens_details=raw.get("input_tokens_details") or {},
        completion_tokens_details=raw.get("output_tokens_details") or {},
    )
    return usage


def serving_provider(router_metadata: object) -> str | None:
    """The provider the router selected, from ``openrouter_metadata.endpoints``.

    See https://openrouter.ai/docs/guides/features/router-metadata.
    """
    endpoints = router_metadata.get("endpoints") if isinstance(router_metadata, dict) else None
    available = endpoints.get("available") if isinstance(endpoints, dict) else None
    for endpoint in available if isinstance(available, list) else []:
        if isinstance(endpoint, dict) and endpoint.get("selected"):
            provider = endpoint.get("provider")
            return provider if isinstance(provider, str) else None
    return None


def metadata(data: Item, finish: dict[str, Any]) -> dict[str, Any]:
    """``response_metadata``: as on the chat path, plus the response's ``status``."""
    envelope = {**data, "created": data.get("created_at")}
    envelope["provider"] = data.get("provider") or serving_provider(data.get("openrouter_metadata"))
    meta = response_metadata(envelope, finish, chat_usage(data.get("usage")))
    for key in ("status", "incomplete_details"):
        if data.get(key):
            meta[key] = data[key]
    return meta


class _Output:
    """The parts of a response's output, gathered item by item."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.refusal: list[str] = []
        self.annotations: list[object] = []
        self.details: list[Item] = []
        self.reasoning: list[str] = []
        self.images: list[Item] = []
        self.calls: list[Item] = []

    def add(self, item: Item) -> None:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or []:
                if part.get("type") == "output_text":
                    self.text.append(part.get("text") or "")
                    self.annotations += [annotation(a) for a in part.get("annotations") or []]
                elif part.get("type") == "refusal":
                    self.refusal.append(part.get("refusal") or "")
        elif kind == "reasoning":
            details = reasoning_details(item, len(self.details))
            self.details += details
            self.reasoning.append(reasoning_text(None, details))
        elif kind == "function_call":
            self.calls.append(function_call(item))
        elif kind in IMAGE_ITEMS and (image := generated_image(item)) is not None:
            self.images.append(image)

    def extras(self) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        if text := "".join(self.reasoning):
            extras["reasoning_content"] = text
        if self.details:
            extras["reasoning_details"] = self.details
        if self.annotations:
            extras["annotations"] = self.annotations
        if self.refusal:
            extras["refusal"] = "".join(self.refusal)
        if self.images:
            extras["images"] = self.images
        return extras


def read_response(data: object, requested_model: str) -> ChatResult:
    """The :class:`ChatResult` of a Responses API body, or the typed error it stands for.

    A reply that does not name its model is read as naming the requested one.
    """
    return response_to_chat_result(naming_model(checked_response(data), requested_model))


def response_to_chat_result(data: Item) -> ChatResult:
    """A :class:`ChatResult` from a checked response object."""
    output = _Output()
    for item in data["output"]:
        if isinstance(item, dict):
            output.add(item)
    tool_calls, invalid_tool_calls = parse_tool_calls(output.calls)
    finish = finish_reasons(data, called_tools=bool(output.calls))
    message = AIMessage(
        content="".join(output.text),
        additional_kwargs=output.extras(),
        tool_calls=tool_calls,
        invalid_tool_calls=invalid_tool_calls,
        usage_metadata=create_usage_metadata(chat_usage(data.get("usage"))),
        response_metadata=metadata(data, finish),
        id=data.get("id"),
    )
    note_reasoning_exhaustion(message)
    generation = ChatGeneration(
        message=message, generation_info={"finish_reason": finish["finish_reason"]}
    )
    llm_output = {key: data[key] for key in ("id", "object") if data.get(key)}
    return ChatResult(
        generations=[generation], llm_output={"model_name": data.get("model"), **llm_output}
    )
