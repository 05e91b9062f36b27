"""OpenRouter's response cache, as the emulator plays it.

https://openrouter.ai/docs/guides/features/response-caching: a request with
``X-OpenRouter-Cache: true`` is answered from the cache when an identical one (same key,
path, streaming mode and body) was answered within its TTL: a ``HIT`` with zeroed usage,
a new generation id, no ``openrouter_metadata``, and the ``X-OpenRouter-Cache-*`` headers.
Only successful completions are stored. ``X-OpenRouter-Cache-Clear: true`` refreshes the
entry.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from langchain_openrouter.testing._replies import Completion, usage

if TYPE_CHECKING:
    from langchain_openrouter.testing._replies import Plan, Reply
    from langchain_openrouter.testing._server import RecordedRequest

DEFAULT_TTL: Final = 300
_MAX_TTL: Final = 86400
_ZERO_USAGE: Final = usage(0, 0, cost=0.0)


def _ttl(request: RecordedRequest) -> int:
    """The TTL header as OpenRouter reads it: leading digits, clamped to 1..86400."""
    raw = request.headers.get("x-openrouter-cache-ttl", "").strip()
    digits = raw[: len(raw) - len(raw.lstrip("0123456789"))]
    return min(max(int(digits), 1), _MAX_TTL) if digits else DEFAULT_TTL


def _enabled(request: RecordedRequest, name: str) -> bool:
    return request.headers.get(name, "").strip().lower() == "true"


@dataclass(frozen=True)
class _Entry:
    completion: Completion
    source_id: str
    stored_at: float
    ttl: int


class ResponseCache:
    """Cached completions by request; thread-safe (the server answers on its threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, bool, bytes], _Entry] = {}

    def clear(self) -> None:
        """Forget every cached response."""
        with self._lock:
            self._entries.clear()

    def replay(self, request: RecordedRequest) -> Plan | None:
        """The HIT for ``request``, or None when it is not cached (or not cacheable)."""
        if not _enabled(request, "x-openrouter-cache"):
            return None
        key = self._key(request)
        with self._lock:
            if _enabled(request, "x-openrouter-cache-clear"):
                self._entries.pop(key, None)
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry.stored_at >= entry.ttl:
                del self._entries[key]
                entry = None
        if entry is None:
            return None
        age = int(time.monotonic() - entry.stored_at)
        hit = replace(entry.completion, usage=_ZERO_USAGE, openrouter_metadata=None, headers={})
        plan = hit.plan(_without_metadata_opt_in(request))
        plan.headers.update(
            {
                "X-OpenRouter-Cache-Status": "HIT",
                "X-OpenRouter-Cache-Age": str(age),
                "X-OpenRouter-Cache-TTL": str(max(entry.ttl - age, 0)),
                "X-OpenRouter-Cache-Source-Id": entry.source_id,
            }
        )
        return plan

    def store(self, request: RecordedRequest, reply: Reply, plan: Plan) -> Plan:
        """Keep a successful completion for requests that asked for caching; mark the MISS."""
        if not _enabled(request, "x-openrouter-cache") or plan.status != 200:  # noqa: PLR2004
            return plan
        if isinstance(reply, Completion):
            entry = _Entry(reply, request.generation_id, time.monotonic(), _ttl(request))
            with self._lock:
                self._entries[self._key(request)] = entry
        plan.headers.update(
            {"X-OpenRouter-Cache-Status": "MISS", "X-OpenRouter-Cache-TTL": str(_ttl(request))}
        )
        return plan

    @staticmethod
    def _key(request: RecordedRequest) -> tuple[str, str, bool, bytes]:
        # The key scopes the cache (response-caching#how-it-works); only its hash is kept.
        key = hashlib.sha256(request.headers.get("authorization", "").encode()).hexdigest()
        return (key, request.path, request.stream, request.raw_body)


def _without_metadata_opt_in(request: RecordedRequest) -> RecordedRequest:
    """Cache replays strip ``openrouter_metadata`` (router-metadata#cache-hits)."""
    headers = {k: v for k, v in request.headers.items() if k != "x-openrouter-metadata"}
    return replace(request, headers=headers)
