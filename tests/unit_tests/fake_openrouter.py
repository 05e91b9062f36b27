"""An OpenRouter stand-in at the HTTP boundary, for unit tests.

``FakeOpenRouter`` is an ``httpx2.MockTransport`` handler: the real ``openai`` SDK and
the real ChatOpenRouter code run end to end, and only the socket is replaced. Replies
are scripted as OpenRouter-shaped JSON bodies or SSE streams written from the wire
format in OpenRouter's docs; every request received is recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2

from langchain_openrouter import ChatOpenRouter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

GENERATION_ID = "gen-1764031697-vqvW0uz7ouT4gsp3FYqp"


def completion(  # noqa: PLR0913
    content: str | None = "Hello!",
    *,
    model: str = "openai/gpt-4o-mini",
    provider: str = "OpenAI",
    finish_reason: str = "stop",
    native_finish_reason: str = "stop",
    usage: dict[str, Any] | None = None,
    **message_extras: Any,
) -> dict[str, Any]:
    """A non-streaming chat completion body."""
    return {
        "id": GENERATION_ID,
        "provider": provider,
        "model": model,
        "object": "chat.completion",
        "created": 1764031697,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": finish_reason,
                "native_finish_reason": native_finish_reason,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": None,
                    **message_extras,
                },
            }
        ],
        "usage": usage if usage is not None else default_usage(),
    }


def default_usage() -> dict[str, Any]:
    return {
        "prompt_tokens": 12,
        "completion_tokens": 5,
        "total_tokens": 17,
        "cost": 0.000021,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0.000012,
            "upstream_inference_completions_cost": 0.000009,
        },
    }


def chunk(  # noqa: PLR0913 - mirrors the fields of a chunk
    delta: dict[str, Any] | None = None,
    *,
    finish_reason: str | None = None,
    native_finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    model: str = "openai/gpt-4o-mini",
    provider: str = "OpenAI",
) -> dict[str, Any]:
    """One streamed chunk, shaped as OpenRouter sends it (role on every delta)."""
    body: dict[str, Any] = {
        "id": GENERATION_ID,
        "provider": provider,
        "model": model,
        "object": "chat.completion.chunk",
        "created": 1764031697,
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", **(delta or {"content": ""})},
                "finish_reason": finish_reason,
                "native_finish_reason": native_finish_reason,
                "logprobs": None,
            }
        ],
    }
    if usage is not None:
        body["usage"] = usage
    return body


def sse(events: Iterable[dict[str, Any] | str], *, keepalive: bool = True) -> str:
    """An SSE body: ``: OPENROUTER PROCESSING`` comments, ``data:`` events, ``[DONE]``."""
    lines = [": OPENROUTER PROCESSING\n\n"] if keepalive else []
    for event in events:
        payload = event if isinstance(event, str) else json.dumps(event)
        lines.append(f"data: {payload}\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines)


def text_stream(*pieces: str, usage: dict[str, Any] | None = None) -> str:
    """A complete stream of text pieces, a finish chunk and the usage chunk."""
    events = [chunk({"content": piece}) for piece in pieces]
    events.append(chunk({"content": ""}, finish_reason="stop", native_finish_reason="stop"))
    events.append(chunk({"content": ""}, usage=usage or default_usage()))
    return sse(events)


@dataclass
class Reply:
    """One scripted HTTP reply."""

    status: int = 200
    json_body: Any = None
    sse_body: str | None = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self) -> httpx2.Response:
        if self.sse_body is not None:
            headers = {"content-type": "text/event-stream", **self.headers}
            return httpx2.Response(self.status, content=self.sse_body.encode(), headers=headers)
        if self.raw is not None:
            headers = {"content-type": "application/json", **self.headers}
            return httpx2.Response(self.status, content=self.raw, headers=headers)
        return httpx2.Response(self.status, json=self.json_body, headers=self.headers)


@dataclass
class FakeOpenRouter:
    """Scripted replies, served in order (the last one repeats); requests recorded."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[httpx2.Request] = field(default_factory=list)
    on_request: Callable[[httpx2.Request], None] | None = None

    def reply_json(self, body: Any, status: int = 200, **headers: str) -> FakeOpenRouter:
        self.replies.append(Reply(status=status, json_body=body, headers=headers))
        return self

    def reply_sse(self, body: str, status: int = 200) -> FakeOpenRouter:
        self.replies.append(Reply(status=status, sse_body=body))
        return self

    def reply_raw(self, raw: bytes, status: int = 200) -> FakeOpenRouter:
        self.replies.append(Reply(status=status, raw=raw))
        return self

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)
        index = min(len(self.requests), len(self.replies)) - 1
        return self.replies[index].to_response()

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]

    @property
    def body(self) -> dict[str, Any]:
        """The body of the last request."""
        return self.bodies[-1]

    def model(self, **kwargs: Any) -> ChatOpenRouter:
        """A ChatOpenRouter whose HTTP traffic (sync and async) goes to this fake."""
        transport = httpx2.MockTransport(self)
        if "model_name" not in kwargs:
            kwargs.setdefault("model", "openai/gpt-4o-mini")
        if "openrouter_api_key" not in kwargs:
            kwargs.setdefault("api_key", "sk-or-test-key")
        return ChatOpenRouter(
            http_client=httpx2.Client(transport=transport),
            http_async_client=httpx2.AsyncClient(transport=transport),
            **kwargs,
        )
