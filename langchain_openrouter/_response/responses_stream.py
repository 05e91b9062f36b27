"""Folding a Responses API event stream (``response.*`` events) into ``AIMessageChunk``s.

The chunks add up to the message :mod:`.responses` reads from the whole response:
text, refusal and citation deltas as they come; a tool call's ``call_id`` and name once
(when its item is added), then its argument deltas under the item's ``output_index``; a
reasoning item's text live as ``reasoning_content`` and, when the item is done, whole as
``reasoning_details`` (numbered as invoke numbers them). Finish reason, usage and cost
come once, from the terminal ``response.completed`` / ``response.incomplete`` event. A
``response.failed`` or ``error`` event raises its typed error; a stream that ends with no
terminal event raises :class:`~._errors.OpenRouterStreamTruncatedError`.
Event names: https://openrouter.ai/docs/api-reference/responses/basic-usage and the
``StreamEvents`` schema of OpenRouter's OpenAPI spec.
"""

from __future__ import annotations

from typing import Any, Final

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_openrouter._errors import error_from_payload, truncated_stream
from langchain_openrouter._response.completion import (
    MODEL_PROVIDER,
    create_usage_metadata,
    stream_end_metadata,
)
from langchain_openrouter._response.responses import (
    IMAGE_ITEMS,
    annotation,
    chat_usage,
    finish_reasons,
    generated_image,
    metadata,
    reasoning_details,
    response_error,
)

Event = dict[str, Any]
# The documented examples also use the older names (content_part.delta, reasoning.delta,
# response.done): both are read.
_TEXT_DELTAS: Final = frozenset({"response.output_text.delta", "response.content_part.delta"})
_EXTRA_OF_DELTA: Final = {
    "response.reasoning_text.delta": "reasoning_content",
    "response.reasoning_summary_text.delta": "reasoning_content",
    "response.reasoning.delta": "reasoning_content",
    "response.refusal.delta": "refusal",
}
_TERMINAL: Final = frozenset({"response.completed", "response.incomplete", "response.done"})
_ENVELOPE: Final = frozenset({"response.created", "response.in_progress"})


class ResponsesStreamAssembler:
    """Converts one Responses stream's events; :meth:`final` gives the closing chunk."""

    def __init__(self, *, report_usage: bool = True, model: str | None = None) -> None:
        """``model``: the requested model, named in the metadata if the stream names none."""
        self._report_usage = report_usage
        self._envelope: Event = {} if model is None else {"model": model}
        self._terminal: Event | None = None
        self._details = 0  # reasoning details sent so far (their index)
        self._texted: set[Any] = set()  # output indexes whose text came as deltas
        self._argued: set[Any] = set()  # output indexes whose arguments came
        self._reasoned_text: set[Any] = set()  # output indexes whose reasoning text came
        self._called = False
        self._answered = False
        self._reasoned = False

    def convert(self, event: Event) -> ChatGenerationChunk | None:
        """The chunk for one event, or None when it carries no message content."""
        kind = event.get("type")
        if kind in _ENVELOPE or kind in _TERMINAL:
            self._envelope.update(_present(event.get("response")))
            if kind in _TERMINAL:
                self._terminal = {**self._envelope, **_present(event.get("response"))}
            return None
        raise_for_failure(event, self._envelope)
        return self._content_chunk(kind, event)

    def _content_chunk(self, kind: object, event: Event) -> ChatGenerationChunk | None:
        index = event.get("output_index")
        if kind in _TEXT_DELTAS:
            self._texted.add(index)
            return self._chunk(content=event.get("delta") or "")
        if kind in _EXTRA_OF_DELTA:
            # Per item, the text is shown, else the summary (as the reader does).
            if kind == "response.reasoning_summary_text.delta" and index in self._reasoned_text:
                return None
            if kind == "response.reasoning_text.delta":
                self._reasoned_text.add(index)
            return self._chunk(extras={_EXTRA_OF_DELTA[kind]: event.get("delta") or ""})
        if kind == "response.output_text.annotation.added":
            return self._chunk(extras={"annotations": [annotation(event.get("annotation"))]})
        if kind == "response.function_call_arguments.delta":
            self._argued.add(index)
            return self._chunk(calls=[_call_chunk(index, args=event.get("delta"))])
        return self._item_chunk(kind, index, event.get("item"))

    def _item_chunk(self, kind: object, index: object, item: object) -> ChatGenerationChunk | None:
        if not isinstance(item, dict):
            return None
        if kind == "response.output_item.added":
            return self._item_added(index, item)
        return self._item_done(index, item) if kind == "response.output_item.done" else None

    def _item_added(self, index: object, item: Event) -> ChatGenerationChunk | None:
        if item.get("type") != "function_call":
            return None
        self._called = True
        if item.get("arguments"):
            self._argued.add(index)
        call = _call_chunk(index, args=item.get("arguments"))
        call["id"] = item.get("call_id") or item.get("id")
        call["name"] = item.get("name")
        return self._chunk(calls=[call])

    def _item_done(self, index: object, item: Event) -> ChatGenerationChunk | None:
        """What a done item holds that no delta brought (or, for reasoning, the details)."""
        kind = item.get("type")
        if kind == "reasoning":
            details = reasoning_details(item, self._details)
            self._details += len(details)
            return self._chunk(extras={"reasoning_details": details}) if details else None
        if kind in IMAGE_ITEMS:
            image = generated_image(item)
            return self._chunk(extras={"images": [image]}) if image else None
        if kind == "function_call" and index not in self._argued and item.get("arguments"):
            self._argued.add(index)
            return self._chunk(calls=[_call_chunk(index, args=item["arguments"])])
        if kind == "message" and index not in self._texted:
            parts = [p for p in item.get("content") or [] if p.get("type") == "output_text"]
            cited = [annotation(a) for p in parts for a in p.get("annotations") or []]
            text = "".join(p.get("text") or "" for p in parts)
            return self._chunk(content=text, extras={"annotations": cited} if cited else {})
        return None

    def _chunk(
        self,
        *,
        content: str = "",
        extras: dict[str, Any] | None = None,
        calls: list[ToolCallChunk] | None = None,
    ) -> ChatGenerationChunk | None:
        extras = {key: value for key, value in (extras or {}).items() if value}
        if not (content or extras or calls):
            return None
        self._answered = self._answered or bool(content or calls)
        self._reasoned = (
            self._reasoned or "reasoning_content" in extras or "reasoning_details" in extras
        )
        message = AIMessageChunk(
            content=content,
            additional_kwargs=extras,
            tool_call_chunks=calls or [],
            response_metadata={"model_provider": MODEL_PROVIDER},
            id=self._envelope.get("id"),
        )
        return ChatGenerationChunk(message=message)

    def final(self) -> ChatGenerationChunk:
        """The closing chunk: finish reason, model, provider, usage and cost, once."""
        if self._terminal is None:
            raise truncated_stream(self._envelope.get("id"))
        finish = finish_reasons(self._terminal, called_tools=self._called)
        meta = metadata(self._terminal, finish)
        usage = create_usage_metadata(chat_usage(self._terminal.get("usage")))
        meta = stream_end_metadata(meta, usage, answered=self._answered, reasoned=self._reasoned)
        message = AIMessageChunk(
            content="",
            response_metadata=meta,
            usage_metadata=usage if self._report_usage else None,
            id=self._envelope.get("id"),
            chunk_position="last",
        )
        return ChatGenerationChunk(
            message=message, generation_info={"finish_reason": finish["finish_reason"], **meta}
        )


def raise_for_failure(event: Any, envelope: Event | None = None) -> Any:
    """The event, unless it is ``response.failed`` or ``error``: then its typed error.

    ``envelope``: what the stream said of the response so far (its id, for the error).
    """
    kind = event.get("type") if isinstance(event, dict) else None
    if kind == "response.failed":
        raise response_error({**(envelope or {}), **_present(event.get("response"))})
    if kind == "error":
        payload = {
            key: value for key, value in event.items() if key not in ("type", "sequence_number")
        }
        raise error_from_payload(payload, generation_id=(envelope or {}).get("id"))
    return event


def _present(response: object) -> Event:
    """The fields of an event's ``response`` that carry a value (``output`` aside)."""
    if not isinstance(response, dict):
        return {}
    return {key: value for key, value in response.items() if value is not None and key != "output"}


def _call_chunk(index: object, *, args: object) -> ToolCallChunk:
    return ToolCallChunk(
        type="tool_call_chunk",
        name=None,
        args=args if isinstance(args, str) and args else None,
        id=None,
        index=index if isinstance(index, int) else None,
    )
