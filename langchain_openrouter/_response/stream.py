"""Turning OpenRouter's SSE chunks into ``AIMessageChunk``s whose sum is the invoked message.

LangChain adds chunks with ``+``, which concatenates repeated strings and merges list
items that share an integer ``index``. The chunks are shaped so that this gives the
right result: ``finish_reason``, ``model_name``, usage and cost travel once, in a final
chunk; a tool call's ``id`` and ``name`` travel once; a reasoning detail's ``type``,
``format``, ``id`` and ``signature`` travel once, and only ``text``/``summary``/``data``
are repeated, so fragments merge per ``(type, index)`` as OpenRouter means them to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_openrouter._errors import error_from_payload, truncated_stream
from langchain_openrouter._http.response_headers import HEADERS_KEY
from langchain_openrouter._http.transport import ENDED_WITHOUT_DONE
from langchain_openrouter._response.completion import (
    MODEL_PROVIDER,
    create_usage_metadata,
    extras_without_details,
    raise_for_failed_choice,
    response_metadata,
    stream_end_metadata,
)

_CONCATENATED_DETAIL_KEYS = frozenset({"text", "summary", "data"})
_TEXT_ONLY_DELTA = frozenset({"role", "content"})
_ENVELOPE_KEYS = (
    "id",
    "model",
    "provider",
    "system_fingerprint",
    "service_tier",
    "created",
    "object",
    "openrouter_metadata",  # on the final chunk (docs: router-metadata#supported-endpoints)
    HEADERS_KEY,  # on the first chunk, by _transport
)


@dataclass
class _Slot:
    position: int
    sent: set[str] = field(default_factory=set)


class ReasoningFragments:
    """Rewrites streamed ``reasoning_details`` fragments so that LangChain merges them right.

    Each ``(type, index)`` group gets one integer slot (its own ``index`` unless another
    group already holds it), and every key but the concatenated ones is sent once.
    """

    def __init__(self) -> None:
        self._slots: dict[tuple[Any, Any], _Slot] = {}

    def _slot(self, fragment: dict[str, Any]) -> _Slot:
        key = (fragment.get("type"), fragment.get("index"))
        slot = self._slots.get(key)
        if slot is None:
            taken = {known.position for known in self._slots.values()}
            index = fragment.get("index")
            position = index if isinstance(index, int) and index not in taken else None
            if position is None:
                position = max(taken, default=-1) + 1
            slot = self._slots[key] = _Slot(position)
        return slot

    def rewrite(self, fragments: list[Any]) -> list[dict[str, Any]]:
        pieces = []
        for fragment in fragments:
            if not isinstance(fragment, dict):
                continue
            slot = self._slot(fragment)
            piece: dict[str, Any] = {}
            for name, value in fragment.items():
                if name == "index" or value is None or value == "":
                    continue
                if name in _CONCATENATED_DETAIL_KEYS or name not in slot.sent:
                    piece[name] = value
                    slot.sent.add(name)
            if piece:
                pieces.append({"index": slot.position, **piece})
        return pieces


@dataclass
class _ToolCallSeen:
    id_sent: bool = False
    name_sent: bool = False


class StreamAssembler:
    """Converts one stream's chunks; :meth:`final` gives the closing metadata chunk."""

    def __init__(self, *, report_usage: bool = True, model: str | None = None) -> None:
        """``model``: the requested model, named in the metadata if the stream names none."""
        self._report_usage = report_usage
        self._envelope: dict[str, Any] = {} if model is None else {"model": model}
        self._finish: dict[str, Any] = {}
        self._usage: dict[str, Any] | None = None
        self._reasoning = ReasoningFragments()
        self._tool_calls: dict[int, _ToolCallSeen] = {}
        self._answered = False  # content or a tool call arrived
        self._reasoned = False

    def convert(self, event: dict[str, Any]) -> ChatGenerationChunk | None:
        """The chunk for one SSE event, or None when it carries no message content.

        Raises :class:`~.._errors.OpenRouterStreamTruncatedError` at the end of a stream
        that brought neither ``[DONE]`` nor a ``finish_reason``.
        """
        if event is ENDED_WITHOUT_DONE:
            if not self._finish.get("finish_reason"):
                raise truncated_stream(self._envelope.get("id"))
            return None
        self._remember_envelope(event)
        if isinstance(event.get("error"), dict):
            raise error_from_payload(event["error"], generation_id=self._envelope.get("id"))
        choices = event.get("choices")
        if not choices:
            return None
        choice = choices[0]
        raise_for_failed_choice(choice, self._envelope.get("id"))
        for key in ("finish_reason", "native_finish_reason"):
            if choice.get(key) is not None:
                self._finish[key] = choice[key]
        return self._delta_chunk(choice.get("delta") or {}, choice.get("logprobs"))

    def _remember_envelope(self, event: dict[str, Any]) -> None:
        for key in _ENVELOPE_KEYS:
            if (value := event.get(key)) is not None:
                self._envelope[key] = value
        if isinstance(event.get("usage"), dict):
            self._usage = event["usage"]

    def _delta_chunk(self, delta: dict[str, Any], logprobs: object) -> ChatGenerationChunk | None:
        text_only = delta.keys() <= _TEXT_ONLY_DELTA  # most chunks: nothing else to look for
        extras = {} if text_only else extras_without_details(delta)
        details = None if text_only else delta.get("reasoning_details")
        if isinstance(details, list):
            pieces = self._reasoning.rewrite(details)
            if pieces or not details:  # an empty list is meaningful (DeepSeek)
                extras["reasoning_details"] = pieces
        content = delta.get("content") or ""
        tool_call_chunks = self._tool_call_chunks(delta.get("tool_calls"))
        if not (content or extras or tool_call_chunks or logprobs):
            return None
        self._answered = self._answered or bool(content or tool_call_chunks)
        self._reasoned = self._reasoned or "reasoning_content" in extras
        self._reasoned = self._reasoned or "reasoning_details" in extras
        # model_provider lets LangChain find our v1 block translator for each chunk.
        metadata: dict[str, Any] = {"model_provider": MODEL_PROVIDER}
        if logprobs:  # per chunk; chunks add up to the whole reply's logprobs
            metadata["logprobs"] = logprobs
        # Empty fields left to their defaults: validating them costs a text chunk a tenth.
        fields: dict[str, Any] = {"additional_kwargs": extras} if extras else {}
        if tool_call_chunks:
            fields["tool_call_chunks"] = tool_call_chunks
        message = AIMessageChunk(
            content=content, response_metadata=metadata, id=self._envelope.get("id"), **fields
        )
        return ChatGenerationChunk(message=message)

    def _tool_call_chunks(self, raw_calls: object) -> list[ToolCallChunk]:
        if not isinstance(raw_calls, list):
            return []
        chunks = []
        for position, call in enumerate(raw_calls):
            index = call.get("index", position) if isinstance(call, dict) else position
            seen = self._tool_calls.setdefault(index, _ToolCallSeen())
            function = call.get("function") or {}
            call_id = None if seen.id_sent else call.get("id")
            name = None if seen.name_sent else function.get("name")
            seen.id_sent = seen.id_sent or bool(call_id)
            seen.name_sent = seen.name_sent or bool(name)
            chunks.append(
                ToolCallChunk(
                    type="tool_call_chunk",
                    name=name,
                    args=function.get("arguments") or None,
                    id=call_id,
                    index=index,
                )
            )
        return chunks

    def final(self) -> ChatGenerationChunk:
        """The closing chunk: finish reason, model, provider, usage and cost, once."""
        metadata = stream_end_metadata(
            response_metadata(self._envelope, self._finish, self._usage),
            create_usage_metadata(self._usage),
            answered=self._answered,
            reasoned=self._reasoned,
        )
        message = AIMessageChunk(
            content="",
            response_metadata=metadata,
            usage_metadata=create_usage_metadata(self._usage) if self._report_usage else None,
            id=self._envelope.get("id"),
            chunk_position="last",
        )
        # generate() with streaming=True keeps the same generation_info as 0.2.x did:
        # finish reason, model, id, provider, created, ...
        info = {"finish_reason": self._finish.get("finish_reason"), **metadata}
        return ChatGenerationChunk(message=message, generation_info=info)
