"""A local OpenRouter emulator, for your tests and offline demos.

``OpenRouterEmulator`` serves OpenRouter's HTTP API on 127.0.0.1 from scripted replies:
completions with text, tool calls, reasoning details in each vendor's format, citations,
images and usage with cache and cost; SSE streams with keep-alive comments, configurable
chunking and pacing; and every failure OpenRouter produces, including errors inside a
200 body or mid-stream, dropped connections and ``Retry-After``. It records the requests
it receives and counts connections, and needs nothing beyond the standard library.
Without a socket, ``emulator.transport()`` serves the same replies in process, as an
httpx2 transport (``httpx2.MockTransport`` style), and an emulator that is not started
hands out in-process models from ``chat_model()``.

Example::

    from langchain_openrouter.testing import Completion, HTTPError, OpenRouterEmulator

    with OpenRouterEmulator() as emulator:
        emulator.enqueue(HTTPError(status=503, retry_after=0), Completion(content="Hi!"))
        model = emulator.chat_model(model="anthropic/claude-sonnet-4.5", max_retries=1)
        assert model.invoke("Hello").content == "Hi!"
        assert len(emulator.requests) == 2
"""

from langchain_openrouter.testing._emulator import (
    ANY_PATH,
    API_ROOT,
    CHAT_PATH,
    EMULATOR_API_KEY,
    OpenRouterEmulator,
    echo,
)
from langchain_openrouter.testing._replies import (
    GENERATION_ID,
    Comment,
    Completion,
    DropConnection,
    EmptyChoices,
    ErrorIn200,
    FinishError,
    HTTPError,
    JSONReply,
    Malformed,
    MidStreamError,
    NestedCompletion,
    Plan,
    RawReply,
    Reply,
    SSEReply,
    StreamShape,
    TruncatedStream,
    anthropic_reasoning,
    chunk,
    completion_body,
    error_object,
    gemini_reasoning,
    openai_reasoning,
    provider_of,
    router_metadata,
    text_stream,
    tool_call,
    usage,
)
from langchain_openrouter.testing._response_cache import ResponseCache
from langchain_openrouter.testing._responses import (
    RESPONSES_PATH,
    ResponseFailed,
    ResponsesErrorEvent,
    ResponsesReply,
    TruncatedResponses,
    echo_response,
    function_call,
    reasoning_item,
    responses_usage,
)
from langchain_openrouter.testing._server import ConnectionStats, RecordedRequest

__all__ = [
    "ANY_PATH",
    "API_ROOT",
    "CHAT_PATH",
    "EMULATOR_API_KEY",
    "GENERATION_ID",
    "RESPONSES_PATH",
    "Comment",
    "Completion",
    "ConnectionStats",
    "DropConnection",
    "EmptyChoices",
    "ErrorIn200",
    "FinishError",
    "HTTPError",
    "JSONReply",
    "Malformed",
    "MidStreamError",
    "NestedCompletion",
    "OpenRouterEmulator",
    "Plan",
    "RawReply",
    "RecordedRequest",
    "Reply",
    "ResponseCache",
    "ResponseFailed",
    "ResponsesErrorEvent",
    "ResponsesReply",
    "SSEReply",
    "StreamShape",
    "TruncatedResponses",
    "TruncatedStream",
    "anthropic_reasoning",
    "chunk",
    "completion_body",
    "echo",
    "echo_response",
    "error_object",
    "function_call",
    "gemini_reasoning",
    "openai_reasoning",
    "provider_of",
    "reasoning_item",
    "responses_usage",
    "router_metadata",
    "text_stream",
    "tool_call",
    "usage",
]
