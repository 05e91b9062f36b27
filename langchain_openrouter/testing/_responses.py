"""Replies for the emulator's ``/responses`` route (OpenRouter's Responses API).

A :class:`ResponsesReply` is a response object for a plain request and, for
``"stream": true``, the documented event sequence: ``response.created``,
``response.in_progress``, then per output item ``response.output_item.added``, its deltas
(``response.output_text.delta``, ``response.reasoning_summary_text.delta`` /
``response.reasoning_text.delta``, ``response.function_call_arguments.delta``) and
``response.output_item.done``, and last ``response.completed`` (or
``response.incomplete``) with the whole response. The faults: :class:`ResponseFailed`
(``status: "failed"``, or a ``response.failed`` event mid-stream),
:class:`ResponsesErrorEvent` (an ``error`` event mid-stream, an HTTP error when plain) and
:class:`TruncatedResponses` (a stream that stops before its terminal event).
See https://openrouter.ai/docs/api-reference/responses/basic-usage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter.testing._replies import (
    CREATED,
    HTTPError,
    Plan,
    StreamShape,
    _estimate_tokens,
    _json_plan,
    _pieces,
    _SSEWriter,
    provider_of,
    token_costs,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from langchain_openrouter.testing._server import RecordedRequest

RESPONSES_PATH: Final = "/responses"
Event = dict[str, Any]
_STATUS_OF_CODE: Final = {"invalid_prompt": 400, "rate_limit_exceeded": 429}


def responses_usage(  # noqa: PLR0913 - mirrors OpenRouter's usage object
    input_tokens: int = 12,
    output_tokens: int = 5,
    *,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
    reasoning_tokens: int = 0,
    cost: float | None = None,
) -> dict[str, Any]:
    """A Responses ``usage`` object, with OpenRouter's cost fields."""
    input_cost, output_cost = token_costs(input_tokens, output_tokens)
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {
            "cached_tokens": cached_tokens,
            "cache_write_tokens": cache_write_tokens,
        },
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
        "cost": cost if cost is not None else round(input_cost + output_cost, 9),
        "is_byok": False,
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_input_cost": input_cost,
            "upstream_inference_output_cost": output_cost,
        },
    }


def function_call(name: str, arguments: dict[str, Any] | str, call_id: str | None = None) -> Event:
    """A ``function_call`` output item; ``arguments`` as a dict or the raw JSON string."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    call_id = call_id or f"call_{name}"
    return {
        "type": "function_call",
        "id": f"fc_{call_id}",
        "call_id": call_id,
        "name": name,
        "arguments": raw,
        "status": "completed",
    }


def reasoning_item(  # noqa: PLR0913 - one argument per field of the item
    *,
    summary: str | None = None,
    text: str | None = None,
    encrypted: str | None = None,
    signature: str | None = None,
    item_id: str = "rs_emulator",
    reasoning_format: str | None = "openai-responses-v1",
) -> Event:
    """A ``reasoning`` output item: OpenAI's (summary + encrypted) or Claude's (signed text)."""
    item: Event = {"type": "reasoning", "id": item_id, "summary": []}
    if summary is not None:
        item["summary"] = [{"type": "summary_text", "text": summary}]
    if text is not None:
        item["content"] = [{"type": "reasoning_text", "text": text}]
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    if signature is not None:
        item["signature"] = signature
    if reasoning_format is not None:
        item["format"] = reasoning_format
    return item


@dataclass(frozen=True, kw_only=True)
class ResponsesReply:
    """A successful response: ``text``, ``function_calls``, ``reasoning`` items, citations.

    ``annotations`` are Responses-form citations on the text (``{"type": "url_citation",
    "url": ...}``); ``status="incomplete"`` with ``incomplete_reason`` is a cut answer.
    """

    text: str | None = "Hello from the OpenRouter emulator."
    function_calls: Sequence[Event] = ()
    reasoning: Sequence[Event] = ()
    annotations: Sequence[Event] = ()
    refusal: str | None = None
    images: Sequence[str] = ()
    """Generated images (base64 PNG), as ``image_generation_call`` items."""
    usage: dict[str, Any] | None = None
    status: str = "completed"
    incomplete_reason: str | None = None
    model: str | None = None
    provider: str | None = None
    delay: float = 0.0
    stream: StreamShape = field(default_factory=StreamShape)

    def output(self) -> list[Event]:
        """The ``output`` items, in the order a model produces them."""
        items: list[Event] = [dict(item) for item in self.reasoning]
        content: list[Event] = []
        if self.text:
            content.append(
                {"type": "output_text", "text": self.text, "annotations": list(self.annotations)}
            )
        if self.refusal:
            content.append({"type": "refusal", "refusal": self.refusal})
        if content:
            items.append(
                {
                    "type": "message",
                    "id": "msg_emulator",
                    "role": "assistant",
                    "status": "completed",
                    "content": content,
                }
            )
        images = [
            {
                "type": "image_generation_call",
                "id": f"img_{n}",
                "status": "completed",
                "result": data,
            }
            for n, data in enumerate(self.images)
        ]
        return items + images + [dict(call) for call in self.function_calls]

    def body(self, request: RecordedRequest) -> Event:
        """The whole response object."""
        slug = self.model or request.model or "openrouter/auto"
        reasoning = sum(_estimate_tokens(json.dumps(item)) for item in self.reasoning)
        incomplete = {"reason": self.incomplete_reason} if self.incomplete_reason else None
        estimated = responses_usage(
            request.prompt_tokens,
            _estimate_tokens(self.text or "") + reasoning,
            reasoning_tokens=reasoning,
        )
        body: Event = {
            "id": f"resp-{request.generation_id}",
            "object": "response",
            "created_at": CREATED,
            "model": slug,
            "status": self.status,
            "incomplete_details": incomplete,
            "error": None,
            "output": self.output(),
            "usage": self.usage or estimated,
        }
        # A response names its provider only in the opt-in router metadata.
        if request.headers.get("x-openrouter-metadata", "").lower() == "enabled":
            body["openrouter_metadata"] = router_metadata(slug, self.provider or provider_of(slug))
        return body

    def events(self, request: RecordedRequest) -> list[Event]:
        """The stream: created, in progress, each item's events, then the terminal event."""
        whole = self.body(request)
        opening = {**whole, "status": "in_progress", "output": [], "usage": None}
        events: list[Event] = [
            {"type": "response.created", "response": opening},
            {"type": "response.in_progress", "response": opening},
        ]
        for index, item in enumerate(whole["output"]):
            events += _item_events(index, item, self.stream.chunk_size)
        terminal = "response.incomplete" if self.status == "incomplete" else "response.completed"
        events.append({"type": terminal, "response": whole})
        return [{**event, "sequence_number": n} for n, event in enumerate(events)]

    def plan(self, request: RecordedRequest) -> Plan:
        """JSON for a plain request, SSE for a streaming one."""
        if not request.stream:
            return replace(_json_plan(self.body(request)), delay=self.delay)
        writer = _SSEWriter(self.stream)
        for event in self.events(request):
            writer.event(event)
        return replace(writer.finish(), delay=self.delay)


def router_metadata(model: str, provider: str) -> Event:
    """The opt-in ``openrouter_metadata`` of a direct route to ``provider``.

    See https://openrouter.ai/docs/guides/features/router-metadata.
    """
    return {
        "requested": model,
        "strategy": "direct",
        "attempt": 1,
        "is_byok": False,
        "summary": f"available=1, selected={provider}",
        "endpoints": {
            "available": [{"provider": provider, "model": model, "selected": True}],
            "total": 1,
        },
    }


def _item_events(index: int, item: Event, size: int) -> Iterator[Event]:
    where = {"output_index": index, "item_id": item.get("id")}
    kind = item.get("type")
    yield {"type": "response.output_item.added", "output_index": index, "item": _opened(item)}
    if kind == "message":
        for part_index, part in enumerate(item["content"]):
            yield from _part_events({**where, "content_index": part_index}, part, size)
    elif kind == "reasoning":
        for part in item.get("content") or []:
            for piece in _pieces(part["text"], size):
                yield {"type": "response.reasoning_text.delta", **where, "delta": piece}
        for summary_index, part in enumerate(item.get("summary") or []):
            for piece in _pieces(part["text"], size):
                yield {
                    "type": "response.reasoning_summary_text.delta",
                    **where,
                    "summary_index": summary_index,
                    "delta": piece,
                }
    elif kind == "function_call":
        for piece in _pieces(item["arguments"], size):
            yield {"type": "response.function_call_arguments.delta", **where, "delta": piece}
        yield {
            "type": "response.function_call_arguments.done",
            **where,
            "arguments": item["arguments"],
        }
    yield {"type": "response.output_item.done", "output_index": index, "item": item}


def _opened(item: Event) -> Event:
    """An item as ``response.output_item.added`` shows it: started, nothing produced yet."""
    opened = {**item, "status": "in_progress"}
    for key, empty in (("content", []), ("summary", []), ("arguments", ""), ("result", None)):
        if key in opened:
            opened[key] = empty
    opened.pop("encrypted_content", None)
    return opened


def _part_events(where: Event, part: Event, size: int) -> Iterator[Event]:
    if part["type"] == "refusal":
        yield {"type": "response.refusal.delta", **where, "delta": part["refusal"]}
        return
    for piece in _pieces(part["text"], size):
        yield {"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []}
    for annotation_index, annotation in enumerate(part.get("annotations") or []):
        yield {
            "type": "response.output_text.annotation.added",
            **where,
            "annotation_index": annotation_index,
            "annotation": annotation,
        }
    yield {"type": "response.output_text.done", **where, "text": part["text"]}


def echo_response(request: RecordedRequest) -> ResponsesReply:
    """The default ``/responses`` reply: repeats the last user input's text."""
    body = request.body if isinstance(request.body, dict) else {}
    said = body.get("input")
    if isinstance(said, list):
        users = [item for item in said if isinstance(item, dict) and item.get("role") == "user"]
        said = users[-1].get("content") if users else ""
    if isinstance(said, list):
        said = " ".join(part.get("text", "") for part in said if isinstance(part, dict))
    return ResponsesReply(text=f"(OpenRouter emulator) You said: {said or ''}")


@dataclass(frozen=True, kw_only=True)
class ResponseFailed:
    """A response that fails: ``status: "failed"`` with ``error`` and ``error_type``.

    Streaming, the first ``after_events`` events of ``reply`` come first, then the
    ``response.failed`` event (https://openrouter.ai/docs/api-reference/responses/error-handling).
    """

    code: str = "server_error"
    message: str = "Provider returned error"
    error_type: str | None = "provider_unavailable"
    after_events: int = 2
    reply: ResponsesReply = field(default_factory=ResponsesReply)

    def failed(self, request: RecordedRequest) -> Event:
        """The failed response object."""
        body = {**self.reply.body(request), "status": "failed", "output": []}
        body["error"] = {"code": self.code, "message": self.message}
        if self.error_type is not None:
            body["error_type"] = self.error_type
        return body

    def plan(self, request: RecordedRequest) -> Plan:
        """The failed response, or the stream that ends with ``response.failed``."""
        if not request.stream:
            return _json_plan(self.failed(request))
        writer = _partial(self.reply, request, self.after_events)
        writer.event({"type": "response.failed", "response": self.failed(request)})
        return writer.finish()


@dataclass(frozen=True, kw_only=True)
class ResponsesErrorEvent:
    """An ``error`` event after ``after_events`` events; a plain request gets the HTTP error."""

    code: str = "rate_limit_exceeded"
    message: str = "Rate limit exceeded. Please try again later."
    after_events: int = 2
    reply: ResponsesReply = field(default_factory=ResponsesReply)

    def plan(self, request: RecordedRequest) -> Plan:
        """The error event mid-stream, or the error status with its body."""
        if not request.stream:
            status = _STATUS_OF_CODE.get(self.code, 500)
            body = {"error": {"code": self.code, "message": self.message}, "metadata": None}
            return HTTPError(status=status, body=body).plan(request)
        writer = _partial(self.reply, request, self.after_events)
        writer.event({"type": "error", "code": self.code, "message": self.message, "param": None})
        return writer.finish()


@dataclass(frozen=True, kw_only=True)
class TruncatedResponses:
    """A stream that stops after ``after_events`` events, with no terminal event.

    It ends cleanly (``drop=False``: a proxy's cut) or by a dropped connection. A plain
    request gets half its body.
    """

    after_events: int = 4
    drop: bool = False
    reply: ResponsesReply = field(default_factory=ResponsesReply)

    def plan(self, request: RecordedRequest) -> Plan:
        """The first events, then the end."""
        if not request.stream:
            whole = json.dumps(self.reply.body(request)).encode()
            return Plan(
                headers={"content-type": "application/json"},
                parts=[whole[: len(whole) // 2]],
                close_delimited=True,
            )
        writer = _partial(self.reply, request, self.after_events)
        if self.drop:
            return writer.finish(drop=True)
        return writer.finish(done=False, close_delimited=True)


def _partial(reply: ResponsesReply, request: RecordedRequest, count: int) -> _SSEWriter:
    writer = _SSEWriter(reply.stream)
    for event in reply.events(request)[:count]:
        writer.event(event)
    return writer
