"""``OpenRouterRerank``: a LangChain document compressor on OpenRouter's ``POST /rerank``.

It is an :class:`~langchain_openrouter._http.connection.OpenRouterConnection`, as the chat
model and embeddings are: the same connection fields, shared pools, error classes
(:mod:`._errors`) and retry policy (:mod:`._http.retry`).
Request and response shapes: https://openrouter.ai/docs/api-reference/rerank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document
from langchain_core.documents.compressor import BaseDocumentCompressor
from pydantic import ConfigDict, field_validator, model_validator
from typing_extensions import Self, TypedDict

from langchain_openrouter._errors import error_from_payload, malformed
from langchain_openrouter._http.connection import ModelSlug, OpenRouterConnection
from langchain_openrouter._http.transport import JsonRequest, afetch_json, fetch_json
from langchain_openrouter._preflight import check_argument
from langchain_openrouter._response.completion import json_object
from langchain_openrouter._types import ProviderPreferences  # noqa: TC001 - pydantic needs it

if TYPE_CHECKING:
    from langchain_core.callbacks import Callbacks

PATH = "/rerank"
DEFAULT_MODEL = "cohere/rerank-v3.5"
_UNSET: Any = object()


class RerankUsage(TypedDict, total=False):
    """``usage`` of a rerank response, as OpenRouter reports it."""

    search_units: int
    """Search units billed (Cohere's unit)."""
    total_tokens: int
    cost: float
    """USD."""


class RerankedDocument(TypedDict):
    """One result: where the document was in the input, and how relevant it is."""

    index: int
    relevance_score: float
    document: dict[str, Any]
    """The document as OpenRouter echoes it (``text`` and/or ``image``)."""


@dataclass(frozen=True)
class RerankResult:
    """What :meth:`OpenRouterRerank.rerank` returns."""

    results: list[RerankedDocument]
    """Most relevant first, at most ``top_n``."""
    usage: RerankUsage
    model: str | None
    """The model that served."""
    provider: str | None
    id: str | None
    """The generation id, for ``ChatOpenRouter.get_generation``."""


DocumentLike = str | Document | dict[str, Any]


class OpenRouterRerank(OpenRouterConnection, BaseDocumentCompressor):
    """Rerank documents by relevance to a query with OpenRouter's rerank models.

    A ``BaseDocumentCompressor``, as LangChain's other rerankers: use it in a
    ``ContextualCompressionRetriever`` to keep the ``top_n`` most relevant documents.

    .. code-block:: python

        from langchain_openrouter import OpenRouterRerank

        reranker = OpenRouterRerank(model="cohere/rerank-v3.5", top_n=3)
        best = reranker.compress_documents(documents, "What is the capital of France?")
        best[0].metadata["relevance_score"]  # 0.98

        result = reranker.rerank("capital of France?", ["Paris is...", "Berlin is..."])
        result.results[0]["index"], result.usage  # 0, {'search_units': 1, 'cost': 0.002}

    Connection settings (``api_key``, ``base_url``, ``app_url``, ``app_title``,
    ``default_headers``, ``timeout``, ``max_retries``, ``http_client``, ...) have the
    same names, aliases and environment variables as on ``ChatOpenRouter``; errors are
    the same ``OpenRouterError`` classes, retried under the same policy.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, extra="forbid")

    model: ModelSlug = DEFAULT_MODEL
    """OpenRouter rerank model slug, e.g. ``"cohere/rerank-v3.5"``."""
    top_n: int | None = 3
    """Documents to keep (the most relevant); None keeps them all, reordered."""
    openrouter_provider: ProviderPreferences | None = None
    """Provider routing preferences (body ``provider``)."""

    @field_validator("model", "top_n", "max_retries", mode="before")
    @classmethod
    def _check_argument(cls, value: Any, info: Any) -> Any:
        """The checks of the README's "Argument checks" table."""
        return check_argument(str(info.field_name), value)

    @model_validator(mode="after")
    def _connect_now(self) -> Self:
        self._connect()
        return self

    # --- reranking ----------------------------------------------------------------------

    def rerank(
        self, query: str, documents: Sequence[DocumentLike], *, top_n: int | None = _UNSET
    ) -> RerankResult:
        """The documents' ranking for ``query``, with usage and cost.

        Args:
            query: What the documents are ranked against.
            documents: Strings, ``Document``s (their ``page_content``) or dicts with
                ``text`` and/or ``image``.
            top_n: Results to return; defaults to the ``top_n`` field (None: all).
        """
        request = self._request(query, documents, top_n)
        return _result(fetch_json(self._connection, request, _checked, self.max_retries), request)

    async def arerank(
        self, query: str, documents: Sequence[DocumentLike], *, top_n: int | None = _UNSET
    ) -> RerankResult:
        """Async :meth:`rerank`."""
        request = self._request(query, documents, top_n)
        body = await afetch_json(self._connection, request, _checked, self.max_retries)
        return _result(body, request)

    def compress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,  # noqa: ARG002 - the interface's
    ) -> Sequence[Document]:
        """The ``top_n`` most relevant documents, best first, with their scores.

        Each is a copy with ``metadata["relevance_score"]`` added; no request is sent
        for an empty list.
        """
        if not documents:
            return []
        return _ranked(documents, self.rerank(query, documents))

    async def acompress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,  # noqa: ARG002 - the interface's
    ) -> Sequence[Document]:
        """Async :meth:`compress_documents`."""
        if not documents:
            return []
        return _ranked(documents, await self.arerank(query, documents))

    def _request(
        self, query: str, documents: Sequence[DocumentLike], top_n: int | None
    ) -> JsonRequest:
        """The request; every argument checked before anything is sent."""
        top_n = self.top_n if top_n is _UNSET else check_argument("top_n", top_n)
        body: dict[str, Any] = {
            "model": self.model,
            "query": _checked_query(query),
            "documents": _checked_documents(documents),
        }
        if top_n is not None:
            body["top_n"] = top_n
        if self.openrouter_provider is not None:
            body["provider"] = self.openrouter_provider
        return JsonRequest(PATH, body=body)


def _checked_query(query: object) -> str:
    if not isinstance(query, str) or not query.strip():
        msg = f"query={query!r} is invalid: the query must be a non-empty string."
        raise ValueError(msg)
    return query


def _checked_documents(documents: object) -> list[str | dict[str, Any]]:
    """Documents as OpenRouter takes them: strings, or dicts with ``text``/``image``."""
    if isinstance(documents, (str, Document)) or not isinstance(documents, Sequence):
        msg = "documents must be a list of strings, Documents or {'text': ...} dicts."
        raise TypeError(msg)
    if not documents:
        msg = "documents is empty: OpenRouter ranks at least one document."
        raise ValueError(msg)
    return [_checked_document(document, index) for index, document in enumerate(documents)]


def _checked_document(document: object, index: int) -> str | dict[str, Any]:
    if isinstance(document, Document):
        document = document.page_content
    if isinstance(document, str) and document:
        return document
    if isinstance(document, dict) and (document.get("text") or document.get("image")):
        return document
    msg = (
        f"documents[{index}]={document!r} is invalid: pass a non-empty string, a Document "
        "with page_content, or a dict with 'text' and/or 'image'."
    )
    raise ValueError(msg)


def _checked(data: object) -> dict[str, Any]:
    """The rerank response, or the typed error an HTTP 200 body carrying ``error`` means."""
    data = json_object(data)
    if not isinstance(data.get("results"), list):
        if isinstance(data.get("error"), dict):
            raise error_from_payload(data["error"], generation_id=data.get("id"))
        msg = f"the rerank response has no 'results' list (keys: {sorted(data)[:10]})"
        raise malformed(msg, data.get("id"))
    return data


def _result(body: dict[str, Any], request: JsonRequest) -> RerankResult:
    sent = len((request.body or {})["documents"])
    results: list[RerankedDocument] = []
    for entry in body["results"]:
        index = entry.get("index") if isinstance(entry, dict) else None
        score = entry.get("relevance_score") if isinstance(entry, dict) else None
        if (
            not isinstance(index, int)
            or not 0 <= index < sent
            or not isinstance(score, (int, float))
        ):
            msg = f"a rerank result is not an index below {sent} with a score: {entry!r}"
            raise malformed(msg, body.get("id"))
        document = entry.get("document")
        results.append(
            RerankedDocument(
                index=index,
                relevance_score=float(score),
                document=document if isinstance(document, dict) else {},
            )
        )
    usage = body.get("usage")
    return RerankResult(
        results=results,
        usage=RerankUsage(**usage) if isinstance(usage, dict) else RerankUsage(),  # type: ignore[typeddict-item]
        model=body.get("model"),
        provider=body.get("provider"),
        id=body.get("id"),
    )


def _ranked(documents: Sequence[Document], result: RerankResult) -> list[Document]:
    """Copies of the ranked documents, best first, with their relevance scores."""
    ranked = []
    for entry in result.results:
        original = documents[entry["index"]]
        metadata = {**original.metadata, "relevance_score": entry["relevance_score"]}
        ranked.append(
            Document(page_content=original.page_content, metadata=metadata, id=original.id)
        )
    return ranked


__all__ = ["OpenRouterRerank", "RerankResult", "RerankUsage", "RerankedDocument"]
