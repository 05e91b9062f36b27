"""What the emulator answers: scripted replies, each rendered as JSON or as an SSE stream.

Every reply serves both kinds of request. A :class:`Completion` becomes a completion body
for a plain request and a chunk stream for ``"stream": true``; each fault becomes the form
OpenRouter uses for it on that path (docs/openrouter-wire-notes.md, "Streaming" and
"Errors"). Rendering produces a :class:`Plan`: the status, the headers and the body
parts, with pauses and a dropped connection as parts of their own, so the server stays a
dumb writer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from langchain_openrouter.testing._server import RecordedRequest

CREATED: Final = 1764031697
GENERATION_ID: Final = "gen-1764031697-vqvW0uz7ouT4gsp3FYqp"
"""The generation id of bodies built without a request (:func:`completion_body`, :func:`chunk`)."""
KEEPALIVE: Final = ": OPENROUTER PROCESSING"
_VENDOR_PROVIDERS: Final = {
    "anthropic": "Anthropic",
    "openai": "OpenAI",
    "google": "Google AI Studio",
    "deepseek": "DeepSeek",
    "x-ai": "xAI",
    "mistralai": "Mistral",
    "meta-llama": "Together",
    "qwen": "Alibaba",
}


class Drop:
    """A body part meaning: cut the connection here, without finishing the response."""

    def __repr__(self) -> str:
        return "DROP"


DROP: Final = Drop()


@dataclass(frozen=True)
class Comment:
    """An SSE comment line among an :class:`SSEReply`'s events (by default the keep-alive)."""

    text: str = KEEPALIVE.removeprefix(": ")


@dataclass
class Plan:
    """How to answer one request: what the server writes, in order."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    parts: list[bytes | float | Drop] = field(default_factory=list)
    streamed: bool = False
    """Sent with chunked transfer encoding, one HTTP chunk per bytes part."""
    close_delimited: bool = False
    """Sent with neither a length nor chunked encoding (RFC 9112 section 6.3).

    The body ends when the server closes the connection, so a cut looks like a normal end.
    """
    delay: float = 0.0
    """Seconds before the status line is written."""


class Reply(Protocol):
    """Anything that can plan the answer to a recorded request."""

    def plan(self, request: RecordedRequest) -> Plan:
        """The answer to ``request``."""
        ...


@dataclass(frozen=True, kw_only=True)
class StreamShape:
    r"""How a streamed reply is cut up and paced.

    ``chunk_size`` characters of content, reasoning or tool arguments per chunk;
    ``keepalives`` comment lines before the first chunk; ``chunk_delay`` seconds between
    events; ``fragment_bytes`` re-cuts the byte stream into writes of that size, splitting
    events mid-line as a network may; ``line_ending="\\r\\n"`` exercises CRLF framing;
    ``usage_choices`` ``"empty"`` sends the final usage chunk with ``choices: []`` as the
    docs describe instead of the observed one-choice form.
    """

    chunk_size: int = 8
    keepalives: int = 1
    chunk_delay: float = 0.0
    fragment_bytes: int | None = None
    line_ending: Literal["\n", "\r\n"] = "\n"
    usage_choices: Literal["observed", "empty"] = "observed"
    done: bool = True
    """Send the ``data: [DONE]`` terminator."""


def token_costs(prompt_tokens: int, completion_tokens: int) -> tuple[float, float]:
    """The emulator's price, in USD: $1 per million prompt and $2 per million output tokens."""
    return round(prompt_tokens * 1e-6, 9), round(completion_tokens * 2e-6, 9)


def usage(  # noqa: PLR0913 - mirrors OpenRouter's usage object
    prompt_tokens: int = 12,
    completion_tokens: int = 5,
    *,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
    reasoning_tokens: int = 0,
    cost: float | None = None,
    is_byok: bool = False,
    split: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """An OpenRouter ``usage`` object, with cost and cost details.

    ``split`` gives the prompt and completion costs (default: $1 and $2 per million tokens).
    See docs/openrouter-wire-notes.md#usage.
    """
    prompt_cost, completion_cost = split or token_costs(prompt_tokens, completion_tokens)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": cost if cost is not None else round(prompt_cost + completion_cost, 9),
        "is_byok": is_byok,
        "prompt_tokens_details": {
            "cached_tokens": cached_tokens,
            "cache_write_tokens": cache_write_tokens,
            "audio_tokens": 0,
            "video_tokens": 0,
        },
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": prompt_cost,
            "upstream_inference_completions_cost": completion_cost,
        },
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens, "image_tokens": 0},
    }


def _default_usage() -> dict[str, Any]:
    return usage()


def tool_call(
    name: str, arguments: dict[str, Any] | str, call_id: str | None = None
) -> dict[str, Any]:
    """An OpenAI-format tool call; ``arguments`` as a dict or as the raw JSON string."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {
        "id": call_id or f"call_{name}",
        "type": "function",
        "function": {"name": name, "arguments": raw},
    }


def anthropic_reasoning(text: str, signature: str = "EmulatorSignature==") -> list[dict[str, Any]]:
    """Claude's reasoning details: signed ``reasoning.text`` (format ``anthropic-claude-v1``)."""
    return [
        {
            "type": "reasoning.text",
            "text": text,
            "signature": signature,
            "format": "anthropic-claude-v1",
            "index": 0,
        }
    ]


def openai_reasoning(summary: str, encrypted: str = "gAAAAEmulator==") -> list[dict[str, Any]]:
    """OpenAI's reasoning details: a summary and an encrypted item with an ``rs_`` id."""
    item = {"id": "rs_emulator", "format": "openai-responses-v1", "index": 0}
    return [
        {"type": "reasoning.summary", "summary": summary, **item},
        {"type": "reasoning.encrypted", "data": encrypted, **item},
    ]


def gemini_reasoning(text: str, tool_call_id: str | None = None) -> list[dict[str, Any]]:
    """Gemini's reasoning details: text, and a thought signature keyed by tool-call id."""
    details: list[dict[str, Any]] = [
        {"type": "reasoning.text", "text": text, "format": "google-gemini-v1", "index": 0}
    ]
    if tool_call_id is not None:
        details.append(
            {
                "type": "reasoning.encrypted",
                "data": "EmulatorThoughtSignature==",
                "id": tool_call_id,
                "format": "google-gemini-v1",
                "index": 1,
            }
        )
    return details


def provider_of(model: str) -> str:
    """The provider name OpenRouter would report for a model slug."""
    vendor = model.lstrip("~").split("/", 1)[0]
    return _VENDOR_PROVIDERS.get(vendor, vendor.title() or "OpenRouter")


def router_metadata(model: str, provider: str | None = None) -> dict[str, Any]:
    """An ``openrouter_metadata`` object for a direct route to ``model``.

    The shape of https://openrouter.ai/docs/guides/features/router-metadata#response-shape.
    """
    served_by = provider or provider_of(model)
    return {
        "requested": model,
        "strategy": "direct",
        "region": "emu",
        "summary": f"available=1, selected={served_by}",
        "attempt": 1,
        "is_byok": False,
        "endpoints": {
            "total": 1,
            "available": [{"provider": served_by, "model": model, "selected": True}],
        },
        "attempts": [{"provider": served_by, "model": model, "status": 200}],
    }


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), max(size, 1))]


def _estimate_tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def _envelope(
    request: RecordedRequest, model: str | None, provider: str | None, kind: str
) -> dict[str, Any]:
    slug = model or request.model or "openrouter/auto"
    return _envelope_of(request.generation_id, slug, provider, kind)


def _envelope_of(
    generation_id: str,
    model: str,
    provider: str | None,
    kind: str,
    stamp: tuple[int, str | None] = (CREATED, None),
) -> dict[str, Any]:
    """The fields every body and chunk opens with, in OpenRouter's order."""
    envelope: dict[str, Any] = {
        "id": generation_id,
        "provider": provider or provider_of(model),
        "model": model,
        "object": kind,
        "created": stamp[0],
    }
    if stamp[1] is not None:
        envelope["system_fingerprint"] = stamp[1]
    return envelope


def _completion_document(
    envelope: dict[str, Any],
    message: dict[str, Any],
    finish: tuple[str | None, str | None],
    usage_object: dict[str, Any],
) -> dict[str, Any]:
    choice = {
        "index": 0,
        "logprobs": None,
        "finish_reason": finish[0],
        "native_finish_reason": finish[1],
        "message": message,
    }
    return {**envelope, "choices": [choice], "usage": usage_object}


def completion_body(  # noqa: PLR0913 - mirrors the fields of a completion
    content: str | None = "Hello!",
    *,
    model: str = "openai/gpt-4o-mini",
    provider: str | None = None,
    finish_reason: str | None = "stop",
    native_finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    generation_id: str = GENERATION_ID,
    stamp: tuple[int, str | None] = (CREATED, None),
    **message: Any,
) -> dict[str, Any]:
    """A non-streaming completion body, for a :class:`JSONReply` you then edit by hand.

    ``message`` adds fields to the assistant message (``tool_calls=``, ``reasoning=``...);
    ``usage`` defaults to :func:`usage`; the provider to the model's vendor; ``stamp`` is
    ``(created, system_fingerprint)`` (no fingerprint when ``None``).
    """
    assistant = {"role": "assistant", "content": content, "refusal": None, **message}
    return _completion_document(
        _envelope_of(generation_id, model, provider, "chat.completion", stamp),
        assistant,
        (finish_reason, native_finish_reason or finish_reason),
        _default_usage() if usage is None else usage,
    )


def chunk(  # noqa: PLR0913 - mirrors the fields of a chunk
    delta: dict[str, Any] | None = None,
    *,
    finish_reason: str | None = None,
    native_finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    model: str = "openai/gpt-4o-mini",
    provider: str | None = None,
    generation_id: str = GENERATION_ID,
    stamp: tuple[int, str | None] = (CREATED, None),
) -> dict[str, Any]:
    """One stream chunk as OpenRouter sends it (``role`` on every delta), for :class:`SSEReply`."""
    envelope = _envelope_of(generation_id, model, provider, "chat.completion.chunk", stamp)
    event = _with_delta(envelope, delta or {}, finish_reason, native_finish_reason)
    if usage is not None:
        event["usage"] = usage
    return event


def text_stream(*pieces: str, usage: dict[str, Any] | None = None) -> SSEReply:
    """A stream of exactly these content pieces, then the finish chunk and the usage chunk."""
    events = [chunk({"content": piece}) for piece in pieces]
    events.append(chunk(finish_reason="stop", native_finish_reason="stop"))
    events.append(chunk(usage=_default_usage() if usage is None else usage))
    return SSEReply(events=events)


def compact(data: object) -> str:
    """JSON as OpenRouter writes it: no spaces, non-ASCII characters kept."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _json_plan(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Plan:
    payload = compact(body).encode()
    return Plan(
        status=status,
        headers={"content-type": "application/json", **(headers or {})},
        parts=[payload],
    )


class _SSEWriter:
    """Collects SSE events and pauses into plan parts, framed as a :class:`StreamShape` says."""

    def __init__(self, shape: StreamShape) -> None:
        self.shape = shape
        self.parts: list[bytes | float | Drop] = []
        for _ in range(shape.keepalives):
            self._write(KEEPALIVE)

    def _write(self, line: str) -> None:
        end = self.shape.line_ending
        self.parts.append(f"{line}{end}{end}".encode())

    def event(self, data: dict[str, Any] | str | Comment) -> None:
        if isinstance(data, Comment):
            self._write(f": {data.text}")
            return
        if self.shape.chunk_delay and len(self.parts) > self.shape.keepalives:
            self.parts.append(self.shape.chunk_delay)
        self._write("data: " + (data if isinstance(data, str) else compact(data)))

    def finish(
        self, *, done: bool | None = None, drop: bool = False, close_delimited: bool = False
    ) -> Plan:
        if drop:
            self.parts.append(DROP)
        elif self.shape.done if done is None else done:
            self._write("data: [DONE]")
        return Plan(
            headers={"content-type": "text/event-stream", "cache-control": "no-cache"},
            parts=self._fragmented(),
            streamed=not close_delimited,
            close_delimited=close_delimited,
        )

    def _fragmented(self) -> list[bytes | float | Drop]:
        size = self.shape.fragment_bytes
        if not size:
            return self.parts
        recut: list[bytes | float | Drop] = []
        for part in self.parts:
            if isinstance(part, bytes):
                recut.extend(part[start : start + size] for start in range(0, len(part), size))
            else:
                recut.append(part)
        return recut


@dataclass(frozen=True, kw_only=True)
class Completion:
    """A successful generation, as a completion body or as a chunk stream.

    Everything OpenRouter can put on an assistant message is scriptable: ``content``,
    ``tool_calls`` (see :func:`tool_call`), ``reasoning`` and ``reasoning_details`` (see
    :func:`anthropic_reasoning`, :func:`openai_reasoning`, :func:`gemini_reasoning`),
    ``annotations`` (URL citations), ``images``, ``refusal``; plus ``usage`` (see
    :func:`usage`; estimated from the text when omitted), the finish reasons, the
    model and provider (default: the requested model and its vendor), a ``delay`` before
    the response starts, and the ``stream`` shape. ``openrouter_metadata`` is sent (on the
    body, or the last chunk) to a request with ``X-OpenRouter-Metadata: enabled``: the given
    one, else :func:`router_metadata` for the requested model. ``headers`` are added to
    the response's.
    """

    content: str | None = "Hello from the OpenRouter emulator."
    tool_calls: Sequence[dict[str, Any]] = ()
    reasoning: str | None = None
    reasoning_details: Sequence[dict[str, Any]] | None = None
    annotations: Sequence[dict[str, Any]] = ()
    images: Sequence[dict[str, Any]] = ()
    refusal: str | None = None
    usage: dict[str, Any] | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    model: str | None = None
    provider: str | None = None
    delay: float = 0.0
    stream: StreamShape = field(default_factory=StreamShape)
    openrouter_metadata: dict[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def reasoning_text(self) -> str | None:
        """``reasoning`` as OpenRouter fills it: the given text, else the details' text."""
        if self.reasoning is not None:
            return self.reasoning
        texts = [d.get("text") or "" for d in self.reasoning_details or () if "text" in d]
        return "".join(texts) or None

    @property
    def finish(self) -> str:
        """The finish reason, ``tool_calls`` when tool calls were scripted."""
        return self.finish_reason or ("tool_calls" if self.tool_calls else "stop")

    def usage_for(self, request: RecordedRequest) -> dict[str, Any]:
        """The scripted usage, or one estimated from the prompt and the reply."""
        if self.usage is not None:
            return self.usage
        reasoning = _estimate_tokens(self.reasoning_text) if self.reasoning_text else 0
        output = _estimate_tokens(self.content or "") + reasoning
        return usage(request.prompt_tokens, output, reasoning_tokens=reasoning)

    def message(self) -> dict[str, Any]:
        """The assistant message of the completion body."""
        message: dict[str, Any] = {
            "role": "assistant",
            "content": self.content,
            "refusal": self.refusal,
            "reasoning": self.reasoning_text,
        }
        if self.reasoning_details is not None:
            message["reasoning_details"] = list(self.reasoning_details)
        if self.tool_calls:
            message["tool_calls"] = list(self.tool_calls)
        if self.annotations:
            message["annotations"] = list(self.annotations)
        if self.images:
            message["images"] = list(self.images)
        return message

    def body(self, request: RecordedRequest) -> dict[str, Any]:
        """The non-streaming completion body."""
        document = _completion_document(
            _envelope(request, self.model, self.provider, "chat.completion"),
            self.message(),
            (self.finish, self.native_finish_reason or self.finish),
            self.usage_for(request),
        )
        return {**document, **self.router_metadata_for(request)}

    def router_metadata_for(self, request: RecordedRequest) -> dict[str, Any]:
        """``{"openrouter_metadata": ...}`` if the request opted in, else ``{}``.

        See https://openrouter.ai/docs/guides/features/router-metadata.
        """
        if request.headers.get("x-openrouter-metadata", "").lower() != "enabled":
            return {}
        slug = self.model or request.model or "openrouter/auto"
        metadata = self.openrouter_metadata or router_metadata(slug, self.provider)
        return {"openrouter_metadata": metadata}

    def chunks(self, request: RecordedRequest) -> Iterator[dict[str, Any]]:
        """The stream's chunks: deltas, the finish chunk, then the usage chunk."""
        envelope = self.chunk_envelope(request)
        for delta in self.deltas():
            yield _with_delta(envelope, delta)
        native = self.native_finish_reason or self.finish
        yield _with_delta(envelope, {}, self.finish, native)
        final = _with_delta(envelope, {})
        if self.stream.usage_choices == "empty":
            final["choices"] = []
        yield {**final, "usage": self.usage_for(request), **self.router_metadata_for(request)}

    def chunk_envelope(self, request: RecordedRequest) -> dict[str, Any]:
        """The fields every chunk of this stream repeats."""
        return _envelope(request, self.model, self.provider, "chat.completion.chunk")

    def deltas(self) -> Iterator[dict[str, Any]]:
        """The content-bearing deltas, in the order OpenRouter streams them."""
        size = self.stream.chunk_size
        yield from _reasoning_deltas(self.reasoning_details, self.reasoning, size)
        for piece in _pieces(self.content or "", size):
            yield {"content": piece}
        if self.refusal:
            yield {"refusal": self.refusal}
        for position, call in enumerate(self.tool_calls):
            yield from _tool_call_deltas(position, call, size)
        if self.annotations:
            yield {"annotations": list(self.annotations)}
        if self.images:
            yield {"images": list(self.images)}

    def plan(self, request: RecordedRequest) -> Plan:
        """JSON for a plain request, SSE for a streaming one."""
        if not request.stream:
            plan = _json_plan(self.body(request))
        else:
            writer = _SSEWriter(self.stream)
            for event in self.chunks(request):
                writer.event(event)
            plan = writer.finish()
        plan.headers.update(self.headers)
        return replace(plan, delay=self.delay)


def _reasoning_deltas(
    details: Sequence[dict[str, Any]] | None, reasoning: str | None, size: int
) -> Iterator[dict[str, Any]]:
    """Reasoning as OpenRouter streams it: fragments per detail, text in ``reasoning`` too.

    A detail's text arrives in pieces sharing its ``type`` and ``index``; a signature
    arrives last in a text-less fragment (docs/openrouter-wire-notes.md#reasoning-fragments).
    """
    if not details:
        for piece in _pieces(reasoning or "", size):
            yield {"reasoning": piece}
        return
    for detail in details:
        head = {key: value for key, value in detail.items() if key not in {"text", "signature"}}
        text = detail.get("text")
        if isinstance(text, str):
            for piece in _pieces(text, size):
                yield {"reasoning": piece, "reasoning_details": [{**head, "text": piece}]}
        elif detail.get("type") != "reasoning.text":
            yield {"reasoning_details": [head]}
        if detail.get("signature"):
            yield {"reasoning_details": [{**head, "signature": detail["signature"]}]}


def _tool_call_deltas(position: int, call: dict[str, Any], size: int) -> Iterator[dict[str, Any]]:
    """A tool call streamed by ``index``: id and name first, then argument pieces."""
    function = call.get("function", {})
    yield {
        "tool_calls": [
            {
                "index": position,
                "id": call.get("id"),
                "type": "function",
                "function": {"name": function.get("name"), "arguments": ""},
            }
        ]
    }
    for piece in _pieces(function.get("arguments") or "", size):
        yield {"tool_calls": [{"index": position, "function": {"arguments": piece}}]}


def error_object(
    code: int | str | None,
    message: str,
    *,
    error_type: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """OpenRouter's ``error`` object; ``error_type`` goes in ``metadata``.

    See docs/openrouter-wire-notes.md#error-envelope.
    """
    meta = dict(metadata or {})
    if error_type is not None:
        meta.setdefault("error_type", error_type)
    error: dict[str, Any] = {} if code is None else {"code": code}
    error["message"] = message
    if meta:
        error["metadata"] = meta
    return error


@dataclass(frozen=True, kw_only=True)
class HTTPError:
    """An HTTP error status with OpenRouter's error envelope, on either path.

    ``retry_after`` sends a ``Retry-After`` header (seconds); ``availability`` adds the
    model-availability object (docs/openrouter-wire-notes.md#availability-errors); ``body``
    replaces the envelope entirely.
    """

    status: int
    message: str = "Provider returned error"
    error_type: str | None = None
    metadata: dict[str, Any] | None = None
    availability: dict[str, Any] | None = None
    retry_after: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0

    def plan(self, request: RecordedRequest) -> Plan:  # noqa: ARG002 - same on both paths
        """Pre-stream errors are plain JSON on both paths.

        See docs/openrouter-wire-notes.md#sse-framing.
        """
        body = self.body
        if body is None:
            error = error_object(
                self.status, self.message, error_type=self.error_type, metadata=self.metadata
            )
            if self.availability is not None:
                error["availability"] = self.availability
            body = {"error": error, "user_id": "user_emulator"}
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers["retry-after"] = f"{self.retry_after:g}"
        return replace(_json_plan(body, self.status, headers), delay=self.delay)


@dataclass(frozen=True, kw_only=True)
class ErrorIn200:
    """An error OpenRouter reports with HTTP 200.

    See docs/openrouter-wire-notes.md#errors-with-status-200.

    A plain request gets a body whose top-level ``error`` replaces ``choices``; a
    streaming one gets the error as its first SSE event.
    """

    code: int | str = 502
    message: str = "Provider returned error"
    error_type: str | None = None
    metadata: dict[str, Any] | None = None
    stream: StreamShape = field(default_factory=StreamShape)

    def plan(self, request: RecordedRequest) -> Plan:
        """The 200 error body, or a stream opening with the error event."""
        error = error_object(
            self.code, self.message, error_type=self.error_type, metadata=self.metadata
        )
        if not request.stream:
            return _json_plan({"error": error, "user_id": "user_emulator"})
        writer = _SSEWriter(self.stream)
        envelope = _envelope(request, None, None, "chat.completion.chunk")
        writer.event({**envelope, "error": error, "choices": []})
        return writer.finish(done=False)


@dataclass(frozen=True, kw_only=True)
class MidStreamError:
    """A generation that fails after ``after_chunks`` deltas of ``completion``.

    Streaming, the deltas are sent, then OpenRouter's in-band error chunk (non-empty
    ``choices``, ``finish_reason: "error"``, docs/openrouter-wire-notes.md#mid-stream-errors)
    and the stream ends. A plain request gets the partial message with a choice-level
    ``error`` (docs/openrouter-wire-notes.md#errors-with-status-200).
    """

    completion: Completion = field(default_factory=Completion)
    after_chunks: int = 1
    code: int | str = 502
    message: str = "Provider disconnected unexpectedly"
    error_type: str | None = "provider_unavailable"
    metadata: dict[str, Any] | None = None

    def _error(self) -> dict[str, Any]:
        return error_object(
            self.code, self.message, error_type=self.error_type, metadata=self.metadata
        )

    def plan(self, request: RecordedRequest) -> Plan:
        """The partial output, then the error, on the requested path."""
        deltas = list(self.completion.deltas())[: self.after_chunks]
        if not request.stream:
            partial = "".join(delta.get("content", "") for delta in deltas)
            body = replace(self.completion, content=partial, tool_calls=(), finish_reason="error")
            completion = body.body(request)
            completion["choices"][0]["error"] = self._error()
            return _json_plan(completion)
        writer = _partial_stream(self.completion, request, self.after_chunks)
        failing = _with_delta(self.completion.chunk_envelope(request), {}, "error")
        writer.event({**failing, "error": self._error()})
        return writer.finish(done=False)


def _with_delta(
    envelope: dict[str, Any],
    delta: dict[str, Any],
    finish_reason: str | None = None,
    native_finish_reason: str | None = None,
) -> dict[str, Any]:
    """One chunk; every delta carries ``role``, as in observed traffic.

    See docs/openrouter-wire-notes.md#stream-chunks.
    """
    choice = {
        "index": 0,
        "delta": {"role": "assistant", "content": "", **delta},
        "finish_reason": finish_reason,
        "native_finish_reason": native_finish_reason,
        "logprobs": None,
    }
    return {**envelope, "choices": [choice]}


def _partial_stream(completion: Completion, request: RecordedRequest, count: int) -> _SSEWriter:
    """A stream holding the first ``count`` deltas of ``completion``, still open."""
    envelope = completion.chunk_envelope(request)
    writer = _SSEWriter(completion.stream)
    for delta in list(completion.deltas())[:count]:
        writer.event(_with_delta(envelope, delta))
    return writer


@dataclass(frozen=True, kw_only=True)
class FinishError:
    """A generation that ends with ``finish_reason: "error"`` and no error object.

    As Gemini does on a malformed function call (docs/openrouter-wire-notes.md#finish-reason-error).
    """

    completion: Completion = field(default_factory=lambda: Completion(content=""))
    native_finish_reason: str = "MALFORMED_FUNCTION_CALL"

    def plan(self, request: RecordedRequest) -> Plan:
        """The completion with its finish reason replaced."""
        failing = replace(
            self.completion,
            finish_reason="error",
            native_finish_reason=self.native_finish_reason,
        )
        return failing.plan(request)


@dataclass(frozen=True, kw_only=True)
class EmptyChoices:
    """HTTP 200 with ``choices: null`` and no error; streaming, a stream with no chunk."""

    stream: StreamShape = field(default_factory=StreamShape)

    def plan(self, request: RecordedRequest) -> Plan:
        """The empty answer on the requested path."""
        if request.stream:
            return _SSEWriter(self.stream).finish()
        return _json_plan({**_envelope(request, None, None, "chat.completion"), "choices": None})


@dataclass(frozen=True, kw_only=True)
class NestedCompletion:
    """A completion body nested under ``provider``, as some upstreams return it."""

    completion: Completion = field(default_factory=Completion)

    def plan(self, request: RecordedRequest) -> Plan:
        """The nested body; streams are not nested."""
        if request.stream:
            return self.completion.plan(request)
        return _json_plan({"provider": self.completion.body(request)})


@dataclass(frozen=True, kw_only=True)
class Malformed:
    """A body that is not valid JSON: the whole body, or one SSE event after ``after_chunks``."""

    text: str = '{"id": "gen-broken", "choices": [{"index": 0, "message": '
    completion: Completion = field(default_factory=Completion)
    after_chunks: int = 0

    def plan(self, request: RecordedRequest) -> Plan:
        """The broken body or stream."""
        if not request.stream:
            return Plan(headers={"content-type": "application/json"}, parts=[self.text.encode()])
        writer = _partial_stream(self.completion, request, self.after_chunks)
        writer.event(self.text)
        return writer.finish()


@dataclass(frozen=True, kw_only=True)
class DropConnection:
    """The connection is cut: before any response, or after ``after_chunks`` streamed deltas."""

    after_chunks: int | None = None
    completion: Completion = field(default_factory=Completion)

    def plan(self, request: RecordedRequest) -> Plan:
        """No answer at all, or a stream cut short."""
        if not request.stream or self.after_chunks is None:
            return Plan(parts=[DROP])
        writer = _partial_stream(self.completion, request, self.after_chunks)
        return writer.finish(drop=True)


@dataclass(frozen=True, kw_only=True)
class TruncatedStream:
    """A stream cut after ``after_chunks`` deltas that still ends cleanly, as a proxy leaves it.

    No ``finish_reason`` and no ``[DONE]`` arrive.

    ``close_delimited`` (the default) sends the body without a length or chunked
    encoding and closes the connection after it, so the client sees a normal end of
    body; ``False`` ends a chunked body properly instead. A plain request is cut the same
    way, mid-body, which the client sees as invalid JSON.
    """

    after_chunks: int = 1
    completion: Completion = field(default_factory=Completion)
    close_delimited: bool = True
    then_done: bool = False
    """Send ``[DONE]`` after the deltas: a stream that never names a finish reason but is
    terminated properly (which makes it complete, not cut)."""

    def plan(self, request: RecordedRequest) -> Plan:
        """The first deltas of the stream, then a clean end."""
        if not request.stream:
            whole = compact(self.completion.body(request)).encode()
            return Plan(
                headers={"content-type": "application/json"},
                parts=[whole[: len(whole) // 2]],
                close_delimited=True,
            )
        writer = _partial_stream(self.completion, request, self.after_chunks)
        return writer.finish(done=self.then_done, close_delimited=self.close_delimited)


@dataclass(frozen=True, kw_only=True)
class JSONReply:
    """Any JSON body with any status, for endpoints other than chat completions."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def plan(self, request: RecordedRequest) -> Plan:  # noqa: ARG002 - the body is fixed
        """The body as given."""
        return _json_plan(self.body, self.status, self.headers)


@dataclass(frozen=True, kw_only=True)
class SSEReply:
    """Any SSE stream: the given events verbatim (dicts as JSON), then ``[DONE]``.

    A :class:`Comment` among them is written as a comment line, where it stands.
    """

    events: Sequence[dict[str, Any] | str | Comment]
    stream: StreamShape = field(default_factory=StreamShape)

    def plan(self, request: RecordedRequest) -> Plan:  # noqa: ARG002 - the events are fixed
        """The events as given."""
        writer = _SSEWriter(self.stream)
        for event in self.events:
            writer.event(event)
        return writer.finish()


@dataclass(frozen=True, kw_only=True)
class RawReply:
    """Any bytes with any status and content type, verbatim (text is UTF-8 encoded)."""

    body: bytes | str
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def plan(self, request: RecordedRequest) -> Plan:  # noqa: ARG002 - the body is fixed
        """The body as given."""
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return Plan(
            status=self.status,
            headers={"content-type": self.content_type, **self.headers},
            parts=[body],
        )
