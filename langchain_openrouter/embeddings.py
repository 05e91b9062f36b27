"""``OpenRouterEmbeddings``: LangChain embeddings on OpenRouter's ``POST /embeddings``.

Requests go through the same connection base and transport as the chat model
(:mod:`._http.connection`, :mod:`._http.transport`): the same shared connection pools, error
mapping (:mod:`._errors`) and retry policy (:mod:`._http.retry`). Inputs are sent in batches
of ``batch_size``; vectors come back in input order.
"""

from __future__ import annotations

import base64
import sys
from array import array
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from langchain_core.embeddings import Embeddings
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from typing_extensions import Self, TypedDict

from langchain_openrouter._errors import malformed
from langchain_openrouter._http.connection import CONNECTION_FIELDS, OpenRouterConnection, SessionId
from langchain_openrouter._http.transport import JsonRequest, afetch_json, fetch_json
from langchain_openrouter._response.completion import checked_json
from langchain_openrouter._types import ProviderPreferences  # noqa: TC001 - pydantic needs it

if TYPE_CHECKING:
    from collections.abc import Sequence

PATH = "/embeddings"


class EmbeddingsUsage(TypedDict):
    """Token counts and cost, summed over the requests of one call."""

    prompt_tokens: int
    total_tokens: int
    cost: float | None
    """USD as reported by OpenRouter; None when no response reported a cost."""


@dataclass(frozen=True)
class EmbeddingsResult:
    """What :meth:`OpenRouterEmbeddings.embed_with_usage` returns."""

    embeddings: list[list[float]]
    """One vector per input text, in input order."""
    usage: EmbeddingsUsage
    """Totals over every request (batch) of the call."""
    response_metadata: list[dict[str, Any]]
    """Per request: ``id``, ``model`` (the one that served) and OpenRouter's ``usage`` as
    sent (``cost``, ``is_byok``, ``cost_details``, ``prompt_tokens_details``, ...)."""


class OpenRouterEmbeddings(OpenRouterConnection, Embeddings):
    """OpenRouter embedding models (``openai/text-embedding-3-small``, ``qwen/...``, ...).

    Setup:
        Set ``OPENROUTER_API_KEY`` (or pass ``api_key``).

    Instantiate:
        .. code-block:: python

            from langchain_openrouter import OpenRouterEmbeddings

            embeddings = OpenRouterEmbeddings(model="openai/text-embedding-3-small")

    Embed:
        .. code-block:: python

            vectors = embeddings.embed_documents(["first text", "second text"])
            query = embeddings.embed_query("a question")
            vectors = await embeddings.aembed_documents(["first text"])

    Usage and cost:
        .. code-block:: python

            result = embeddings.embed_with_usage(["first text", "second text"])
            result.embeddings  # the vectors
            result.usage  # {'prompt_tokens': 6, 'total_tokens': 6, 'cost': 1.2e-07}

    Connection settings (``api_key``, ``base_url``, ``app_url``, ``app_title``,
    ``default_headers``, ``timeout``, ``max_retries``, ``http_client``, ...) have the
    same names, aliases and environment variables as on ``ChatOpenRouter``, and errors
    are the same ``OpenRouterError`` classes, retried under the same policy.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    # --- client (connection fields: OpenRouterConnection) ---------------------------
    session_id: SessionId
    """Groups requests in OpenRouter's logs; sent as the ``x-session-id`` header (the
    embeddings body has no ``session_id``). Env ``OPENROUTER_SESSION_ID``."""

    # --- request ----------------------------------------------------------------------
    dimensions: int | None = Field(default=None, ge=1)
    """Size of the vectors, for models that can shorten them."""
    # base64 by default, as the openai SDK sends it (openai/lib/_parsing/_embeddings.py): about
    # 4x smaller than JSON floats and 5x faster to read. A float list in reply is read too.
    encoding_format: Literal["float", "base64"] | None = "base64"
    """Wire format of the vectors (they are always returned as floats); None = not sent."""
    input_type: str | None = None
    """What the inputs are, for models that care, e.g. ``"search_query"`` or
    ``"search_document"``."""
    openrouter_provider: ProviderPreferences | None = None
    """Provider routing preferences (body ``provider``)."""
    user: str | None = None
    """Stable id of your end user."""
    batch_size: int = Field(default=100, ge=1)
    """Most inputs sent in one request; longer lists are split, order preserved."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Any other request-body parameters, sent verbatim."""

    _connection_fields: ClassVar[frozenset[str]] = CONNECTION_FIELDS | {"session_id"}

    # --- construction ------------------------------------------------------------------

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_arguments(cls, values: Any) -> Any:
        """Name unknown constructor arguments instead of ignoring them."""
        if isinstance(values, dict) and (unknown := sorted(set(values) - _known_names())):
            msg = (
                f"OpenRouterEmbeddings got unknown argument(s) {', '.join(unknown)}: pass "
                "other request-body parameters as model_kwargs={...}."
            )
            raise ValueError(msg)
        return values

    @model_validator(mode="after")
    def _validate_and_connect(self) -> Self:
        if not self.model or not self.model.strip():
            msg = (
                "model is empty: pass an OpenRouter embedding model slug such as "
                "'openai/text-embedding-3-small'."
            )
            raise ValueError(msg)
        if clashes := sorted(set(self.model_kwargs) & {"input", "provider", *_known_names()}):
            msg = (
                f"model_kwargs may not set {', '.join(clashes)}: pass them as "
                "OpenRouterEmbeddings arguments, and the texts to the embed methods."
            )
            raise ValueError(msg)
        self._connect()
        return self

    def _header_session_id(self) -> str | None:
        return self.session_id

    # --- Embeddings ---------------------------------------------------------------------

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order (sent in batches of ``batch_size``)."""
        return self.embed_with_usage(texts).embeddings

    def embed_query(self, text: str) -> list[float]:
        """The vector of one text."""
        return self.embed_documents([_check_text(text)])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents`."""
        return (await self.aembed_with_usage(texts)).embeddings

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query`."""
        return (await self.aembed_documents([_check_text(text)]))[0]

    def embed_with_usage(self, texts: Sequence[str]) -> EmbeddingsResult:
        """The vectors of ``texts`` with token usage and cost, as OpenRouter reports them."""
        requests = self._requests(texts)
        bodies = [
            fetch_json(self._connection, request, checked_json, self.max_retries)
            for request in requests
        ]
        return _result(requests, bodies)

    async def aembed_with_usage(self, texts: Sequence[str]) -> EmbeddingsResult:
        """Async :meth:`embed_with_usage`."""
        requests = self._requests(texts)
        bodies = [
            await afetch_json(self._connection, r, checked_json, self.max_retries) for r in requests
        ]
        return _result(requests, bodies)

    def _requests(self, texts: Sequence[str]) -> list[JsonRequest]:
        """One request per batch; checks every text before anything is sent."""
        if isinstance(texts, str):
            msg = "embed_documents takes a list of texts; use embed_query for a single text."
            raise TypeError(msg)
        checked = [_check_text(text, index) for index, text in enumerate(texts)]
        params = self._body_params()
        size = self.batch_size
        return [
            JsonRequest(PATH, body={**params, "input": checked[start : start + size]})
            for start in range(0, len(checked), size)
        ]

    def _body_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        for name in _BODY_FIELDS:
            if (value := getattr(self, name)) is not None:
                params["provider" if name == "openrouter_provider" else name] = value
        params.update(self.model_kwargs)
        return params


# Every field but the connection's (model included), session_id (a header), the batching
# and model_kwargs is a body field of the same name (openrouter_provider: provider).
_NOT_BODY_FIELDS = {*OpenRouterConnection.model_fields, "session_id", "batch_size", "model_kwargs"}
_BODY_FIELDS = tuple(
    name for name in OpenRouterEmbeddings.model_fields if name not in _NOT_BODY_FIELDS
)


@cache
def _known_names() -> frozenset[str]:
    names = set(OpenRouterEmbeddings.model_fields)
    for info in OpenRouterEmbeddings.model_fields.values():
        if isinstance(info.validation_alias, AliasChoices):
            names.update(str(choice) for choice in info.validation_alias.choices)
    return frozenset(names)


def _check_text(text: object, index: int | None = None) -> str:
    where = "text" if index is None else f"texts[{index}]"
    if not isinstance(text, str):
        msg = f"{where} is a {type(text).__name__}: embeddings take strings."
        raise TypeError(msg)
    if not text:
        # OpenRouter rejects empty inputs (openapi.yaml createEmbeddings: minLength 1).
        msg = f"{where} is empty: OpenRouter rejects empty inputs; drop it or replace it."
        raise ValueError(msg)
    return text


# --- responses ---------------------------------------------------------------------------


class _Usage(BaseModel):
    """``usage`` of an embeddings response; counts may arrive as floats."""

    model_config = ConfigDict(extra="allow")

    prompt_tokens: float = 0
    total_tokens: float | None = None
    cost: float | None = None


class _Embedding(BaseModel):
    model_config = ConfigDict(extra="allow")

    index: int | None = None
    embedding: list[float] | str


class _EmbeddingsResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | None = None
    model: str | None = None
    data: list[_Embedding]
    usage: _Usage | None = None


def _result(requests: list[JsonRequest], bodies: list[dict[str, Any]]) -> EmbeddingsResult:
    """Vectors in input order and usage summed, from each request's response body."""
    embeddings: list[list[float]] = []
    metadata: list[dict[str, Any]] = []
    usage = EmbeddingsUsage(prompt_tokens=0, total_tokens=0, cost=None)
    for request, body in zip(requests, bodies, strict=True):
        response = _validated(body)
        embeddings.extend(_vectors(response, len((request.body or {})["input"])))
        metadata.append({"id": response.id, "model": response.model, "usage": body.get("usage")})
        if response.usage is not None:
            _add_usage(usage, response.usage)
    return EmbeddingsResult(embeddings=embeddings, usage=usage, response_metadata=metadata)


def _validated(body: dict[str, Any]) -> _EmbeddingsResponse:
    try:
        return _EmbeddingsResponse.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        msg = f"the embeddings response is not as documented ({where}: {first['msg']})"
        raise malformed(msg) from None


def _vectors(response: _EmbeddingsResponse, sent: int) -> list[list[float]]:
    """The vectors ordered by ``index`` (missing indices mean list order)."""
    items = response.data
    if len(items) != sent:
        msg = f"{sent} inputs were sent but {len(items)} embeddings came back"
        raise malformed(msg, response.id)
    indices = [item.index if item.index is not None else n for n, item in enumerate(items)]
    if sorted(indices) != list(range(sent)):
        msg = f"the embedding indices {indices} are not 0..{sent - 1}"
        raise malformed(msg, response.id)
    by_index = dict(zip(indices, items, strict=True))
    return [_floats(by_index[n].embedding, response.id) for n in range(sent)]


def _floats(embedding: list[float] | str, response_id: str | None) -> list[float]:
    if isinstance(embedding, list):
        return embedding
    try:
        raw = base64.b64decode(embedding, validate=True)
        values = array("f", raw)  # little-endian float32, as OpenAI-style APIs send
    except ValueError as exc:
        msg = f"an embedding is neither a list of numbers nor base64 float32 ({exc})"
        raise malformed(msg, response_id) from None
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


def _add_usage(total: EmbeddingsUsage, usage: _Usage) -> None:
    total["prompt_tokens"] += int(usage.prompt_tokens)
    total["total_tokens"] += int(usage.total_tokens or usage.prompt_tokens)
    if usage.cost is not None:
        total["cost"] = (total["cost"] or 0.0) + usage.cost


__all__ = ["EmbeddingsResult", "EmbeddingsUsage", "OpenRouterEmbeddings"]
