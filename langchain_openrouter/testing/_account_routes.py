"""The emulator's default answers on ``/rerank``, ``/key`` and ``/credits``.

Shapes from OpenRouter's OpenAPI spec (https://openrouter.ai/openapi.json: ``createRerank``,
``getCurrentKey``, ``getCredits``). The reranker scores by word overlap with the query, so
that tests and offline demos get a deterministic, plausible order.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter.testing._replies import HTTPError, JSONReply, provider_of

if TYPE_CHECKING:
    from langchain_openrouter.testing._replies import Reply
    from langchain_openrouter.testing._server import RecordedRequest

RERANK_PATH: Final = "/rerank"
KEY_PATH: Final = "/key"
CREDITS_PATH: Final = "/credits"
RERANK_COST_PER_SEARCH_UNIT: Final = 0.002

KEY_INFO: Final[dict[str, Any]] = {
    "label": "sk-or-v1-emu...key",
    "limit": 100.0,
    "limit_remaining": 74.5,
    "limit_reset": "monthly",
    "usage": 25.5,
    "usage_daily": 1.5,
    "usage_weekly": 7.25,
    "usage_monthly": 25.5,
    "byok_usage": 0.0,
    "byok_usage_daily": 0.0,
    "byok_usage_weekly": 0.0,
    "byok_usage_monthly": 0.0,
    "is_free_tier": False,
    "is_management_key": False,
    "is_provisioning_key": False,
    "include_byok_in_limit": False,
    "creator_user_id": "user_emulator",
    "expires_at": None,
    "rate_limit": {"requests": -1, "interval": "10s", "note": "deprecated"},
}
CREDITS: Final[dict[str, Any]] = {"total_credits": 100.0, "total_usage": 25.5}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _document_text(document: object) -> str:
    if isinstance(document, dict):
        return str(document.get("text") or "")
    return str(document)


def rerank(request: RecordedRequest) -> Reply:
    """Documents ordered by the share of the query's words they contain."""
    body = request.body if isinstance(request.body, dict) else {}
    documents, query = body.get("documents"), body.get("query")
    if not isinstance(documents, list) or not documents or not isinstance(query, str):
        return HTTPError(status=400, message="query and a non-empty documents list are required")
    asked = _words(query) or {""}
    scored: list[dict[str, Any]] = [
        {
            "index": index,
            "relevance_score": round(len(asked & _words(_document_text(doc))) / len(asked), 6),
            "document": doc if isinstance(doc, dict) else {"text": doc},
        }
        for index, doc in enumerate(documents)
    ]
    scored.sort(key=lambda result: (-result["relevance_score"], result["index"]))
    top_n = body.get("top_n")
    model = str(body.get("model") or "cohere/rerank-v3.5")
    tokens = sum(len(_document_text(d)) // 4 + 1 for d in documents) + len(query) // 4
    return JSONReply(
        body={
            "id": request.generation_id,
            "model": model,
            "provider": provider_of(model),
            "results": scored[:top_n] if isinstance(top_n, int) else scored,
            "usage": {
                "search_units": 1,
                "total_tokens": tokens,
                "cost": RERANK_COST_PER_SEARCH_UNIT,
            },
        }
    )


def key_info(request: RecordedRequest) -> Reply:  # noqa: ARG001 - one key
    """``GET /key``: the emulator's key, with a limit and some usage."""
    return JSONReply(body={"data": KEY_INFO})


def credits_info(request: RecordedRequest) -> Reply:  # noqa: ARG001 - one account
    """``GET /credits``: credits bought and used."""
    return JSONReply(body={"data": CREDITS})


DEFAULT_ROUTES: Final = {RERANK_PATH: rerank, KEY_PATH: key_info, CREDITS_PATH: credits_info}
