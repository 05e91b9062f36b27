"""The exception tree, and the one seam that maps every failure onto it.

Every error ChatOpenRouter raises for a failed request is an :class:`OpenRouterError`.
Each class also inherits the matching ``langchain_core.exceptions`` class and, for HTTP
errors, the ``openai`` SDK's class, so code that catches any of the three keeps working::

    OpenRouterError (langchain_core ModelError)
    ├── OpenRouterBadRequestError           400/413/422   ModelInvalidRequestError
    │   └── OpenRouterContextOverflowError  400 (context) ContextOverflowError
    ├── OpenRouterAuthenticationError       401           ModelAuthenticationError
    ├── OpenRouterInsufficientCreditsError  402           (ModelError only)
    ├── OpenRouterPermissionDeniedError     403           ModelPermissionDeniedError
    ├── OpenRouterNotFoundError             404           ModelNotFoundError
    ├── OpenRouterTimeoutError              client        ModelTimeoutError
    │   └── OpenRouterRequestTimeoutError   408           ModelTimeoutError
    ├── OpenRouterRateLimitError            429           ModelRateLimitError
    ├── OpenRouterServerError               5xx/524/529   ModelAPIError
    ├── OpenRouterResponseError             bad response  ModelAPIError
    └── OpenRouterConnectionError           unreachable   ModelConnectionError
        └── OpenRouterStreamTruncatedError  cut stream    ModelConnectionError

The ``openai`` classes mixed in are, in the same order: ``BadRequestError``,
``AuthenticationError``, ``APIStatusError``, ``PermissionDeniedError``, ``NotFoundError``,
``APITimeoutError`` (for 408 also ``APIStatusError``), ``RateLimitError``,
``InternalServerError``, ``APIError`` and ``APIConnectionError``.

Every instance carries ``status_code``, ``code``, ``message``, ``error_type``, ``metadata``,
``provider_name``, ``is_retryable``, ``retry_after`` (seconds) and ``generation_id``.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any, ClassVar

import openai
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_openrouter._error_bodies import ErrorObject

_CONTEXT_ERROR_TYPES = frozenset({"context_length_exceeded", "token_limit_exceeded"})
_CONTEXT_PHRASES = ("context length", "context window", "maximum context", "too many tokens")
_RAW_MESSAGE_KEYS = ("message", "error", "detail", "details", "msg")


class OpenRouterError(ModelError):
    """Base class of every error ChatOpenRouter raises for a failed request."""

    default_retryable: ClassVar[bool] = False
    openrouter_metadata: dict[str, Any] | None = None
    """What the router did, on an error to a request with ``router_metadata=True``."""

    def __init__(  # noqa: PLR0913 - each attribute is part of the documented error contract
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | str | None = None,
        error_type: str | None = None,
        metadata: dict[str, Any] | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        generation_id: str | None = None,
        body: object | None = None,
        response: Any = None,
        request: Any = None,
    ) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.status_code = status_code
        self.code = None if code is None else str(code)
        self.error_type = error_type
        self.metadata: dict[str, Any] = metadata or {}
        self.provider_name: str | None = self.metadata.get("provider_name")
        self.is_retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        self.generation_id = generation_id
        self.body = body
        self.response = response
        self.request = request
        # Attributes the openai SDK's exceptions expose.
        self.param: str | None = None
        self.type: str | None = error_type
        self.request_id: str | None = (
            response.headers.get("x-request-id") if response is not None else None
        )


# The openai SDK types ``status_code`` as a fixed int; ours may be None (an error inside
# a 200 body or a stream has no HTTP status), hence the ``type: ignore[misc]`` below.
class OpenRouterBadRequestError(OpenRouterError, ModelInvalidRequestError, openai.BadRequestError):  # type: ignore[misc]
    """The request was rejected as invalid (400, 413, 422)."""


class OpenRouterContextOverflowError(OpenRouterBadRequestError, ContextOverflowError):  # type: ignore[misc]
    """The prompt does not fit the model's context window."""


class OpenRouterAuthenticationError(  # type: ignore[misc]
    OpenRouterError, ModelAuthenticationError, openai.AuthenticationError
):
    """The API key is missing, invalid or disabled (401)."""


class OpenRouterInsufficientCreditsError(OpenRouterError, openai.APIStatusError):  # type: ignore[misc]
    """The account or key lacks the credits for this request (402).

    Lowering ``max_tokens`` can help: OpenRouter checks credits against it.
    """


class OpenRouterPermissionDeniedError(  # type: ignore[misc]
    OpenRouterError, ModelPermissionDeniedError, openai.PermissionDeniedError
):
    """Forbidden: moderation, a guardrail, or a region restriction (403).

    Moderation details are in ``metadata["reasons"]`` and ``metadata["flagged_input"]``.
    """


class OpenRouterNotFoundError(OpenRouterError, ModelNotFoundError, openai.NotFoundError):  # type: ignore[misc]
    """No such model, or no endpoint satisfies the routing constraints (404)."""


class OpenRouterTimeoutError(OpenRouterError, ModelTimeoutError, openai.APITimeoutError):
    """The request timed out, at OpenRouter (408) or on the client."""

    default_retryable = True


class OpenRouterRequestTimeoutError(OpenRouterTimeoutError, openai.APIStatusError):  # type: ignore[misc]
    """OpenRouter answered HTTP 408: also an ``openai.APIStatusError``, as the SDK raises."""


class OpenRouterRateLimitError(OpenRouterError, ModelRateLimitError, openai.RateLimitError):  # type: ignore[misc]
    """Rate limited by OpenRouter or the upstream provider (429)."""

    default_retryable = True


class OpenRouterServerError(OpenRouterError, ModelAPIError, openai.InternalServerError):  # type: ignore[misc]
    """OpenRouter or the upstream provider failed (5xx, 524, 529)."""

    default_retryable = True


class OpenRouterResponseError(OpenRouterError, ModelAPIError, openai.APIError, ValueError):
    """The response could not be used: malformed, empty, or a generation that failed.

    Also a ``ValueError``, as langchain-openrouter 0.2.x raised for these.
    """


class OpenRouterConnectionError(OpenRouterError, ModelConnectionError, openai.APIConnectionError):
    """OpenRouter could not be reached, or dropped the connection part-way."""

    default_retryable = True


class OpenRouterStreamTruncatedError(OpenRouterConnectionError):
    """A stream ended with neither ``[DONE]`` nor a ``finish_reason``: an incomplete answer.

    A proxy or load balancer that cuts a close-delimited response makes the end of the
    body look like a normal end; only the missing terminator shows that the answer was
    cut short. The chunks already received were delivered; nothing is replayed.
    """


_BY_STATUS: dict[int, type[OpenRouterError]] = {
    400: OpenRouterBadRequestError,
    401: OpenRouterAuthenticationError,
    402: OpenRouterInsufficientCreditsError,
    403: OpenRouterPermissionDeniedError,
    404: OpenRouterNotFoundError,
    408: OpenRouterRequestTimeoutError,
    413: OpenRouterBadRequestError,
    422: OpenRouterBadRequestError,
    429: OpenRouterRateLimitError,
}


def _reported_in_body(cls: type[OpenRouterError]) -> type[OpenRouterError]:
    """``cls`` that is also a ``ValueError``: for an error OpenRouter sent in a 200 body.

    langchain-openrouter 0.2.x raised ``ValueError`` for an ``error`` in a 200 body and
    for an error chunk in a stream; ``except ValueError`` written for it keeps working.
    The variant is a module attribute (``<Name>InBody``) so that it pickles.
    """
    if issubclass(cls, ValueError):
        return cls
    name = f"{cls.__name__}InBody"
    doc = f"{cls.__doc__}\n\nReported inside a 200 body or a stream: also a ``ValueError``."
    variant = type(name, (cls, ValueError), {"__module__": __name__, "__doc__": doc})
    globals()[name] = variant
    return variant


_IN_BODY = {
    cls: _reported_in_body(cls)
    for cls in (*_BY_STATUS.values(), OpenRouterContextOverflowError, OpenRouterServerError)
}


def _class_for(status: int | None, payload: ErrorObject) -> type[OpenRouterError]:
    if status is None:
        return OpenRouterResponseError
    if status == 400 and _is_context_overflow(payload):  # noqa: PLR2004
        return OpenRouterContextOverflowError
    if status >= 500:  # noqa: PLR2004
        return OpenRouterServerError
    return _BY_STATUS.get(status, OpenRouterResponseError)


def _is_context_overflow(payload: ErrorObject) -> bool:
    error_type = payload.error_type or (payload.metadata or {}).get("error_type")
    if error_type in _CONTEXT_ERROR_TYPES:
        return True
    text = f"{payload.message or ''} {(payload.metadata or {}).get('raw') or ''}".lower()
    return any(phrase in text for phrase in _CONTEXT_PHRASES)


# OpenRouter's documented `error_type` values (also seen as string `code`s in streams).
_STATUS_OF_ERROR_TYPE = {
    **dict.fromkeys(
        (
            "context_length_exceeded",
            "max_tokens_exceeded",
            "token_limit_exceeded",
            "string_too_long",
            "invalid_request",
            "invalid_prompt",
            "content_policy_violation",
            "refusal",
            "invalid_image",
            "image_too_large",
            "image_too_small",
            "unsupported_image_format",
            "image_download_failed",
        ),
        400,
    ),
    "authentication": 401,
    "payment_required": 402,
    "permission_denied": 403,
    "not_found": 404,
    "image_not_found": 404,
    "payload_too_large": 413,
    "unprocessable": 422,
    "rate_limit_exceeded": 429,
    "server": 500,
    "server_error": 500,
    "unmapped": 500,
    "provider_unavailable": 502,
    "provider_overloaded": 503,
    "timeout": 504,
}


def _status_of(payload: ErrorObject, http_status: int | None) -> int | None:
    """The status an error stands for.

    An in-body numeric code wins, then the HTTP status, then what the documented
    ``error_type`` (or a string ``code`` such as ``"server_error"``) implies.
    """
    for candidate in (payload.code, payload.http_status):
        if isinstance(candidate, int) or (isinstance(candidate, str) and candidate.isdigit()):
            return int(candidate)
    if http_status and http_status >= 400:  # noqa: PLR2004
        return http_status
    for name in (_error_type(payload), payload.code):
        if isinstance(name, str) and name in _STATUS_OF_ERROR_TYPE:
            return _STATUS_OF_ERROR_TYPE[name]
    return None


def _raw_reason(raw: object, depth: int = 0) -> str | None:
    """The human-readable reason inside ``metadata.raw`` (a string, JSON, or nested dict)."""
    if depth > 4:  # noqa: PLR2004
        return None
    if isinstance(raw, str):
        try:
            decoded = json.loads(raw)
        except ValueError:
            return raw.strip() or None
        return _raw_reason(decoded, depth + 1) if isinstance(decoded, dict) else raw
    if isinstance(raw, dict):
        for key in _RAW_MESSAGE_KEYS:
            if (found := _raw_reason(raw.get(key), depth + 1)) is not None:
                return found
    return None


def describe(payload: ErrorObject, status: int | None, generation_id: str | None) -> str:
    """A message that names the real reason, not only "Provider returned error"."""
    metadata = payload.metadata or {}
    text = payload.message or "OpenRouter API returned an error"
    reason = _raw_reason(metadata.get("raw"))
    provider = metadata.get("provider_name")
    if reason and reason not in text:
        text += f": [{provider}] {reason}" if provider else f": {reason}"
    elif provider and str(provider) not in text:
        text += f" (provider: {provider})"
    if reasons := metadata.get("reasons"):
        text += f"; flagged for {', '.join(map(str, reasons))}"
    details = [f"HTTP {status}" if status else None, _error_type(payload)]
    details.append(f"generation {generation_id}" if generation_id else None)
    shown = [detail for detail in details if detail]
    return f"{text} ({', '.join(shown)})" if shown else text


def _error_type(payload: ErrorObject) -> str | None:
    return payload.error_type or (payload.metadata or {}).get("error_type")


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``retry-after`` (seconds or HTTP date)."""
    if headers is None:
        return None
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


def error_from_payload(  # noqa: PLR0913 - the seam takes what each failure form provides
    error: object,
    *,
    http_status: int | None = None,
    generation_id: str | None = None,
    headers: Any = None,
    response: Any = None,
    request: Any = None,
    retryable: bool | None = None,
) -> OpenRouterError:
    """The typed exception for an OpenRouter ``error`` object (any of its forms)."""
    payload = ErrorObject.model_validate(error if isinstance(error, dict) else {})
    status = _status_of(payload, http_status)
    availability = payload.availability
    if retryable is None and availability is not None:
        retryable = availability.retryable
    retry_after = parse_retry_after(headers)
    if retry_after is None:
        hints = (availability.retry_after if availability else None, payload.retry_after)
        retry_after = next((hint for hint in hints if hint is not None), None)
    error_class = _class_for(status, payload)
    if not http_status or http_status < 400:  # noqa: PLR2004 - sent inside a success
        error_class = _IN_BODY.get(error_class, error_class)
    return error_class(
        describe(payload, status, generation_id),
        status_code=status,
        code=payload.code,
        error_type=_error_type(payload),
        metadata=payload.metadata,
        retryable=retryable,
        retry_after=retry_after,
        generation_id=generation_id,
        body=error,
        response=response,
        request=request,
    )


def error_from_openai(exc: openai.OpenAIError, generation_id: str | None = None) -> OpenRouterError:
    """Translate an exception raised by the ``openai`` SDK."""
    if isinstance(exc, OpenRouterError):
        return exc
    request = getattr(exc, "request", None)
    if isinstance(exc, openai.APIConnectionError):  # APITimeoutError included
        return _transport_failure(exc, generation_id)
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
        if not error.get("message"):
            error = {**error, "message": _plain_message(exc)}
        translated = error_from_payload(
            error,
            http_status=exc.status_code,
            generation_id=generation_id or exc.response.headers.get("x-generation-id"),
            headers=exc.response.headers,
            response=exc.response,
            request=request,
        )
        translated.openrouter_metadata = _router_metadata_of(exc.response)
        return translated
    if isinstance(exc, openai.APIError):  # an SSE chunk carrying `error`
        return error_from_payload(
            exc.body if isinstance(exc.body, dict) else {"message": exc.message},
            generation_id=generation_id,
            request=request,
        )
    return OpenRouterResponseError(f"OpenRouter client error: {exc}")


def _router_metadata_of(response: Any) -> dict[str, Any] | None:
    """``openrouter_metadata`` of an error envelope, or None.

    It is a sibling of ``error``, and the SDK keeps only ``error``
    (https://openrouter.ai/docs/guides/features/router-metadata#error-responses).
    """
    try:
        envelope = response.json()
    except ValueError:
        return None
    metadata = envelope.get("openrouter_metadata") if isinstance(envelope, dict) else None
    return metadata if isinstance(metadata, dict) else None


def _transport_failure(
    exc: openai.APIConnectionError, generation_id: str | None
) -> OpenRouterTimeoutError | OpenRouterConnectionError:
    """A timeout or a lost connection, saying when it happened and what the socket said.

    ``generation_id`` is known once a stream has started: the failure is then mid-stream,
    the chunks already yielded stand, and nothing is replayed.
    """
    cause = exc.__cause__ or exc
    detail = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if generation_id is not None:
        what = "stopped sending" if isinstance(exc, openai.APITimeoutError) else "dropped"
        message = (
            f"OpenRouter {what} the stream of generation {generation_id} part-way ({detail}); "
            "the chunks already received were delivered and are not sent again"
        )
    elif isinstance(exc, openai.APITimeoutError):
        message = f"Request to OpenRouter timed out ({detail}); raise `timeout` (seconds) if needed"
    else:
        message = f"Could not reach OpenRouter at {url} ({detail})"
    if isinstance(exc, openai.APITimeoutError):
        return OpenRouterTimeoutError(
            message, request=request, error_type="timeout", generation_id=generation_id
        )
    return OpenRouterConnectionError(message, request=request, generation_id=generation_id)


def _plain_message(exc: openai.APIStatusError) -> str:
    text = exc.response.text if not exc.response.is_stream_consumed else ""
    return text.strip()[:500] or f"HTTP {exc.status_code} from OpenRouter"


def malformed(detail: str, generation_id: str | None = None) -> OpenRouterResponseError:
    """The error for a response that is not a usable chat completion."""
    return OpenRouterResponseError(
        f"OpenRouter sent a malformed response: {detail}",
        error_type="malformed_response",
        generation_id=generation_id,
        retryable=False,
    )


def truncated_stream(generation_id: str | None) -> OpenRouterStreamTruncatedError:
    """The error for a stream that ended with neither ``[DONE]`` nor a ``finish_reason``."""
    which = f"generation {generation_id}" if generation_id else "the generation"
    message = (
        f"The stream of {which} ended before the answer was complete: the connection closed "
        "with neither a finish_reason nor [DONE] (a proxy or load balancer may have cut it). "
        "The answer is incomplete; the chunks already received were delivered and are not "
        "sent again."
    )
    return OpenRouterStreamTruncatedError(
        message, error_type="stream_truncated", generation_id=generation_id
    )
