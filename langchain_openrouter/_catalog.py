"""OpenRouter's model catalogue (``GET /models``) and generation stats (``GET /generation``).

Results are plain dicts typed as ``TypedDict``s: the fields we document are validated
(``id`` must be there, numbers must be numbers), and every other field OpenRouter sends
is kept as is, since it adds fields without notice
(docs/openrouter-wire-notes.md#unknown-fields). Prices are OpenRouter's strings, in USD
per token (not per million), exactly as sent.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config
from typing_extensions import Required, TypedDict

from langchain_openrouter._errors import malformed
from langchain_openrouter._http.transport import JsonRequest
from langchain_openrouter._response.completion import checked_json

_OPEN = ConfigDict(extra="allow")
_T = TypeVar("_T")
Price = str | float | None
"""USD per token (per request, image, search, ... where the key says so), as a string."""
Count = int | float | None
"""A token count: OpenRouter may send floats (docs/openrouter-wire-notes.md#float-token-counts)."""


@with_config(_OPEN)
class ModelArchitecture(TypedDict, total=False):
    """``architecture`` of a model: what goes in and what comes out."""

    modality: str | None
    input_modalities: list[str]
    output_modalities: list[str]
    tokenizer: str | None
    instruct_type: str | None


@with_config(_OPEN)
class ModelPricing(TypedDict, total=False):
    """``pricing`` of a model, in USD per token (strings, as OpenRouter sends them)."""

    prompt: Price
    completion: Price
    request: Price
    image: Price
    web_search: Price
    internal_reasoning: Price
    input_cache_read: Price
    input_cache_write: Price
    audio: Price


@with_config(_OPEN)
class TopProvider(TypedDict, total=False):
    """``top_provider``: the limits of the endpoint OpenRouter routes to first."""

    context_length: int | None
    max_completion_tokens: int | None
    is_moderated: bool | None


@with_config(_OPEN)
class ModelReasoning(TypedDict, total=False):
    """``reasoning`` of a model; when ``mandatory``, effort ``"none"`` is rejected."""

    supported_efforts: list[str] | None
    default_effort: str | None
    default_enabled: bool | None
    mandatory: bool
    supports_max_tokens: bool | None


@with_config(_OPEN)
class ModelInfo(TypedDict, total=False):
    """One model of ``GET /api/v1/models``, with its pricing and capabilities."""

    id: Required[str]
    canonical_slug: str | None
    name: str | None
    created: int | None
    description: str | None
    context_length: int | None
    architecture: ModelArchitecture | None
    pricing: ModelPricing | None
    top_provider: TopProvider | None
    per_request_limits: dict[str, Any] | None
    supported_parameters: list[str] | None
    default_parameters: dict[str, Any] | None
    reasoning: ModelReasoning | None
    expiration_date: str | None
    knowledge_cutoff: str | None
    hugging_face_id: str | None


@with_config(_OPEN)
class GenerationStats(TypedDict, total=False):
    """One generation of ``GET /api/v1/generation``: cost, tokens, timings, provider.

    Costs are USD; ``latency``, ``generation_time`` and ``moderation_latency`` are
    milliseconds; ``native_*`` token counts are the provider's own tokenizer's.
    """

    id: Required[str]
    model: str | None
    provider_name: str | None
    total_cost: float | None
    usage: float | None
    upstream_inference_cost: float | None
    cache_discount: float | None
    is_byok: bool | None
    created_at: str | None
    finish_reason: str | None
    native_finish_reason: str | None
    streamed: bool | None
    cancelled: bool | None
    latency: float | None
    generation_time: float | None
    moderation_latency: float | None
    tokens_prompt: Count
    tokens_completion: Count
    native_tokens_prompt: Count
    native_tokens_completion: Count
    native_tokens_reasoning: Count
    native_tokens_cached: Count
    provider_responses: list[dict[str, Any]] | None
    upstream_id: str | None


@cache
def _models_adapter() -> TypeAdapter[list[ModelInfo]]:
    # Built on first use: a TypeAdapter costs milliseconds that the package import skips.
    return TypeAdapter(list[ModelInfo])


@cache
def _generation_adapter() -> TypeAdapter[GenerationStats]:
    return TypeAdapter(GenerationStats)


def query_value(name: str, value: object) -> str:
    """One query parameter as OpenRouter reads it: lists comma-joined, booleans lowercase."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    msg = (
        f"{name}={value!r}: pass a string, a number, a boolean or a list of strings "
        "(lists are sent comma-separated)."
    )
    raise TypeError(msg)


def models_request(**filters: object) -> JsonRequest:
    """``GET /models`` with ``filters`` as query parameters (``None`` values are not sent)."""
    query = {name: query_value(name, value) for name, value in filters.items() if value is not None}
    return JsonRequest("/models", query=query)


def generation_request(generation_id: str) -> JsonRequest:
    """``GET /generation?id=...`` for one generation id."""
    if not isinstance(generation_id, str) or not generation_id.strip():
        msg = (
            f"generation id must be a non-empty string, got {generation_id!r}: use "
            "msg.response_metadata['id'] of a ChatOpenRouter reply (it starts with 'gen-')."
        )
        raise ValueError(msg)
    return JsonRequest("/generation", query={"id": generation_id.strip()})


def read_models(body: object) -> list[ModelInfo]:
    """The validated ``data`` list of a ``GET /models`` response."""
    return _validated(_models_adapter(), checked_json(body)["data"], "model list")


def read_generation(body: object) -> GenerationStats:
    """The validated ``data`` object of a ``GET /generation`` response."""
    return _validated(_generation_adapter(), checked_json(body)["data"], "generation")


def _validated(adapter: TypeAdapter[_T], data: object, what: str) -> _T:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'data'}: {error['msg']}"
            for error in exc.errors()[:3]
        )
        msg = f"the {what} does not have the documented shape ({detail})"
        raise malformed(msg) from None
