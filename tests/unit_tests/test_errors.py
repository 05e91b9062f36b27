"""Errors: typed exceptions, their attributes, retries, in-body and mid-stream errors."""

from __future__ import annotations

from functools import reduce
from operator import add
from typing import TYPE_CHECKING, Any

import httpx2
import openai
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_openrouter import OpenRouterError, OpenRouterRateLimitError
from langchain_openrouter.testing import (
    GENERATION_ID,
    JSONReply,
    OpenRouterEmulator,
    RawReply,
    RecordedRequest,
    Reply,
    SSEReply,
    chunk,
    completion_body,
    text_stream,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

API_KEY = "sk-or-v1-0123456789abcdef-secret"
NO_WAIT = {"Retry-After": "0"}


def error_body(code: int, message: str = "Something went wrong", **metadata: Any) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, "metadata": metadata},
        "user_id": "user_2dH",
    }


def raised(fake: OpenRouterEmulator, **kwargs: Any) -> OpenRouterError:
    with pytest.raises(OpenRouterError) as info:
        fake.chat_model(**kwargs).invoke("hi")
    return info.value


STATUS_CLASSES = [
    (400, ModelInvalidRequestError, openai.BadRequestError),
    (401, ModelAuthenticationError, openai.AuthenticationError),
    (402, ModelError, openai.APIStatusError),
    (403, ModelPermissionDeniedError, openai.PermissionDeniedError),
    (404, ModelNotFoundError, openai.NotFoundError),
    (408, ModelTimeoutError, openai.APIError),
    (413, ModelError, openai.APIStatusError),
    (422, ModelError, openai.APIStatusError),
    (429, ModelRateLimitError, openai.RateLimitError),
    (500, ModelAPIError, openai.InternalServerError),
    (502, ModelAPIError, openai.InternalServerError),
    (503, ModelAPIError, openai.InternalServerError),
    (524, ModelAPIError, openai.InternalServerError),
    (529, ModelAPIError, openai.InternalServerError),
]
RETRIED = [408, 429, 500, 502, 503, 524, 529]
NOT_RETRIED = [400, 401, 402, 403, 404]


@pytest.mark.parametrize(("status", "core_class", "sdk_class"), STATUS_CLASSES)
def test_http_error_classes(
    fake: OpenRouterEmulator, status: int, core_class: type, sdk_class: type
) -> None:
    fake.script(
        JSONReply(
            body=error_body(status, f"Failure number {status}"), status=status, headers=NO_WAIT
        )
    )
    error = raised(fake, max_retries=0)
    assert isinstance(error, core_class)
    assert isinstance(error, sdk_class)
    assert error.status_code == status
    assert str(error.code) == str(status)
    assert f"Failure number {status}" in str(error)
    assert not isinstance(error, ContextOverflowError)


@pytest.mark.parametrize(
    "error",
    [
        {"code": 400, "message": "This endpoint's maximum context length is 8192 tokens."},
        {
            "code": 400,
            "message": "Input is too long for requested model.",
            "metadata": {"error_type": "context_length_exceeded"},
        },
    ],
    ids=["message", "error_type"],
)
def test_context_overflow(fake: OpenRouterEmulator, error: dict[str, Any]) -> None:
    fake.script(JSONReply(body={"error": error}, status=400))
    exc = raised(fake)
    assert isinstance(exc, ContextOverflowError)
    assert isinstance(exc, ModelInvalidRequestError)
    assert isinstance(exc, openai.BadRequestError)
    assert error["message"] in str(exc)
    assert len(fake.requests) == 1


def test_error_attributes(fake: OpenRouterEmulator) -> None:
    metadata = {
        "error_type": "rate_limit_exceeded",
        "provider_name": "Kluster",
        "raw": "error code: 1015",
        "provider_code": "1015",
    }
    headers = {"Retry-After": "7", "X-Generation-Id": GENERATION_ID}
    fake.script(
        JSONReply(
            body=error_body(429, "Provider returned error", **metadata), status=429, headers=headers
        )
    )
    error = raised(fake, max_retries=0)
    assert isinstance(error, OpenRouterRateLimitError)
    assert error.status_code == 429
    assert str(error.code) == "429"
    assert error.error_type == "rate_limit_exceeded"
    assert error.metadata == metadata
    assert error.provider_name == "Kluster"
    assert error.is_retryable is True
    assert error.retry_after == 7
    assert error.generation_id == GENERATION_ID
    assert "Provider returned error" in str(error)
    assert "[Kluster] error code: 1015" in str(error)


@pytest.mark.parametrize(
    "raw",
    [
        '{"error": {"message": "Quota exceeded for model", "type": "quota"}}',
        {"error": {"message": "Quota exceeded for model"}},
    ],
    ids=["json-string", "object"],
)
def test_structured_upstream_reason(fake: OpenRouterEmulator, raw: object) -> None:
    body = error_body(429, "Provider returned error", raw=raw, provider_name="Google AI Studio")
    fake.script(JSONReply(body=body, status=429))
    error = raised(fake, max_retries=0)
    assert "Provider returned error" in str(error)
    assert "[Google AI Studio] Quota exceeded for model" in str(error)


def test_retry_after_from_availability(fake: OpenRouterEmulator) -> None:
    body = {
        "error": {
            "message": "All providers for anthropic/claude-sonnet-4.5 are at capacity.",
            "error_type": "rate_limit_exceeded",
            "http_status": 429,
            "availability": {"code": "capacity_exhausted", "retryable": True, "retry_after": 40},
        }
    }
    fake.script(JSONReply(body=body, status=429))
    error = raised(fake, max_retries=0)
    assert isinstance(error, ModelRateLimitError)
    assert error.retry_after == 40
    assert error.is_retryable is True
    assert "are at capacity" in str(error)


def test_client_error_is_not_retryable(fake: OpenRouterEmulator) -> None:
    fake.script(
        JSONReply(body=error_body(400, "Bad param", error_type="invalid_request"), status=400)
    )
    error = raised(fake)
    assert error.is_retryable is False
    assert error.error_type == "invalid_request"


# --- retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", RETRIED + NOT_RETRIED)
def test_max_retries_zero_sends_one_request(fake: OpenRouterEmulator, status: int) -> None:
    fake.script(JSONReply(body=error_body(status), status=status, headers=NO_WAIT))
    raised(fake, max_retries=0)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("status", RETRIED)
def test_retryable_statuses_are_retried(fake: OpenRouterEmulator, status: int) -> None:
    fake.script(JSONReply(body=error_body(status), status=status, headers=NO_WAIT))
    error = raised(fake, max_retries=2)
    assert error.status_code == status
    assert len(fake.requests) == 3


@pytest.mark.parametrize("status", NOT_RETRIED)
def test_client_errors_are_not_retried(fake: OpenRouterEmulator, status: int) -> None:
    fake.script(JSONReply(body=error_body(status), status=status, headers=NO_WAIT))
    raised(fake, max_retries=2)
    assert len(fake.requests) == 1


class RetryRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.retries: list[Any] = []

    def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
        self.retries.append((retry_state.attempt_number, kwargs["run_id"]))


def test_retry_then_success(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(503, "Overloaded"), status=503, headers=NO_WAIT))
    fake.script(JSONReply(body=completion_body("Recovered")))
    recorder = RetryRecorder()
    message = fake.chat_model(max_retries=2).invoke("hi", config={"callbacks": [recorder]})
    assert message.content == "Recovered"
    assert len(fake.requests) == 2
    assert [attempt for attempt, _ in recorder.retries] == [1]


async def test_async_retry_then_success(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(429, "Slow down"), status=429, headers=NO_WAIT))
    fake.script(JSONReply(body=error_body(502, "Bad gateway"), status=502, headers=NO_WAIT))
    fake.script(JSONReply(body=completion_body("Recovered")))
    recorder = RetryRecorder()
    message = await fake.chat_model(max_retries=2).ainvoke("hi", config={"callbacks": [recorder]})
    assert message.content == "Recovered"
    assert len(fake.requests) == 3
    assert [attempt for attempt, _ in recorder.retries] == [1, 2]


def test_http_429_before_stream_is_retried(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(429, "Slow down"), status=429, headers=NO_WAIT))
    fake.script(text_stream("Hel", "lo"))
    streamed = reduce(add, fake.chat_model(max_retries=2).stream("hi"))
    assert streamed.content == "Hello"
    assert len(fake.requests) == 2


async def test_http_429_before_astream_is_retried(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=error_body(429, "Slow down"), status=429, headers=NO_WAIT))
    fake.script(text_stream("Hel", "lo"))
    chunks = [c async for c in fake.chat_model(max_retries=2).astream("hi")]
    assert reduce(add, chunks).content == "Hello"
    assert len(fake.requests) == 2


# --- errors in HTTP 200 bodies -------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "core_class"),
    [
        (400, ModelInvalidRequestError),
        (401, ModelAuthenticationError),
        (403, ModelPermissionDeniedError),
        (404, ModelNotFoundError),
        (429, ModelRateLimitError),
        (502, ModelAPIError),
    ],
)
def test_error_in_200_body(fake: OpenRouterEmulator, code: int, core_class: type) -> None:
    body = error_body(
        code, "Provider returned error", raw="error code: 1015", provider_name="Kluster"
    )
    fake.script(JSONReply(body=body))
    error = raised(fake, max_retries=0)
    assert isinstance(error, core_class)
    assert error.status_code == code
    assert "Provider returned error" in str(error)
    assert "[Kluster] error code: 1015" in str(error)
    assert len(fake.requests) == 1


def test_null_choices_is_a_retryable_error(fake: OpenRouterEmulator) -> None:
    body = completion_body("ignored")
    body["choices"] = None
    fake.script(JSONReply(body=body))
    error = raised(fake, max_retries=0)
    assert error.is_retryable is True
    assert len(fake.requests) == 1


def test_null_choices_is_retried(fake: OpenRouterEmulator) -> None:
    body = completion_body("ignored")
    body["choices"] = None
    fake.script(JSONReply(body=body))
    fake.script(JSONReply(body=completion_body("Second time lucky")))
    assert fake.chat_model(max_retries=2).invoke("hi").content == "Second time lucky"
    assert len(fake.requests) == 2


def test_completion_nested_under_provider_is_unwrapped(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body={"provider": completion_body("Nested hello")}))
    message = fake.chat_model().invoke("hi")
    assert message.content == "Nested hello"
    assert message.response_metadata["finish_reason"] == "stop"
    assert len(fake.requests) == 1


def test_choice_level_error(fake: OpenRouterEmulator) -> None:
    body = completion_body("Partial answ", finish_reason="error", native_finish_reason="error")
    body["choices"][0]["error"] = {
        "code": 502,
        "message": "Upstream disconnected mid-generation",
        "metadata": {"provider_name": "DeepInfra"},
    }
    fake.script(JSONReply(body=body))
    error = raised(fake, max_retries=0)
    assert isinstance(error, ModelAPIError)
    assert "Upstream disconnected mid-generation" in str(error)


def test_finish_reason_error_without_error_object(fake: OpenRouterEmulator) -> None:
    fake.script(
        JSONReply(
            body=completion_body(
                "", finish_reason="error", native_finish_reason="MALFORMED_FUNCTION_CALL"
            )
        )
    )
    error = raised(fake, max_retries=0)
    assert "MALFORMED_FUNCTION_CALL" in str(error)
    assert len(fake.requests) == 1


def test_malformed_json_body(fake: OpenRouterEmulator) -> None:
    fake.script(RawReply(body=b"{not json"))
    error = raised(fake, max_retries=0)
    assert isinstance(error, ModelError)
    assert "malformed" in str(error).lower()


# --- mid-stream errors ---------------------------------------------------------------

MID_STREAM_ERROR = {
    "id": GENERATION_ID,
    "object": "chat.completion.chunk",
    "created": 1764031697,
    "model": "openai/gpt-4o",
    "provider": "OpenAI",
    "error": {
        "code": 429,
        "message": "Rate limit exceeded",
        "metadata": {"error_type": "rate_limit_exceeded"},
    },
    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
}
BROKEN_STREAM = SSEReply(
    events=[chunk({"content": "Hello"}), chunk({"content": " wor"}), MID_STREAM_ERROR]
)


def test_mid_stream_error(fake: OpenRouterEmulator) -> None:
    fake.script(BROKEN_STREAM)
    received = []
    with pytest.raises(OpenRouterRateLimitError) as info:
        received.extend(fake.chat_model(max_retries=2).stream("hi"))
    assert [piece.content for piece in received] == ["Hello", " wor"]
    assert isinstance(info.value, ModelRateLimitError)
    assert "Rate limit exceeded" in str(info.value)
    assert len(fake.requests) == 1


async def collect(stream: AsyncIterator[Any], into: list[Any]) -> None:
    async for piece in stream:
        into.append(piece)  # noqa: PERF401 - keeps what arrived before the error


async def test_mid_stream_error_async(fake: OpenRouterEmulator) -> None:
    fake.script(BROKEN_STREAM)
    received = []
    with pytest.raises(OpenRouterRateLimitError) as info:
        await collect(fake.chat_model(max_retries=2).astream("hi"), received)
    assert [piece.content for piece in received] == ["Hello", " wor"]
    assert "Rate limit exceeded" in str(info.value)
    assert len(fake.requests) == 1


# --- the API key never leaks ---------------------------------------------------------


def refuse_connection(request: RecordedRequest) -> Reply:
    message = f"connection refused for {request.path}"
    raise httpx2.ConnectError(message)


@pytest.mark.parametrize(
    "scenario",
    ["http-401", "body-error", "malformed", "mid-stream", "connection"],
)
def test_api_key_never_in_error(fake: OpenRouterEmulator, scenario: str) -> None:
    if scenario == "http-401":
        fake.script(JSONReply(body=error_body(401, "User not found."), status=401))
    elif scenario == "body-error":
        fake.script(JSONReply(body=error_body(429, "Provider returned error", raw="quota")))
    elif scenario == "malformed":
        fake.script(RawReply(body=b"{not json"))
    elif scenario == "mid-stream":
        fake.script(BROKEN_STREAM)
    else:
        fake.script(refuse_connection)
    llm = fake.chat_model(api_key=API_KEY, max_retries=0)
    call = (
        (lambda: list(llm.stream("hi"))) if scenario == "mid-stream" else (lambda: llm.invoke("hi"))
    )
    with pytest.raises(OpenRouterError) as info:
        call()
    assert fake.requests[0].headers["authorization"] == f"Bearer {API_KEY}"
    for text in (str(info.value), repr(info.value)):
        assert API_KEY not in text
        assert "0123456789abcdef" not in text
