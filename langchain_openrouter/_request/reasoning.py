"""Which reasoning an assistant message sends back to OpenRouter, and in what form.

OpenRouter wants a turn's ``reasoning_details`` back unmodified, in order, with text and
encrypted entries alike (Gemini and Kimi reject tool-call turns without them; Anthropic
checks signatures). A few things must still be changed or left out, or providers refuse
the request (docs/openrouter-wire-notes.md#reasoning-replay):

* OpenAI ``rs_...`` item ids: OpenRouter does not store Responses items, so a replayed
  ``rs_`` id is "not found". The id is removed; the entry (and its encrypted data) stays.
* The same detail sent twice in one request: "Duplicate item found". Only its first
  occurrence is kept, with OpenRouter's own key (summary by ``summary``, encrypted by
  ``id`` or ``data``, text by ``text`` or ``signature``).
* Anthropic/Gemini ``reasoning.text`` without a ``signature``: "Invalid signature". Left out.
* DeepSeek's empty list means "no reasoning" and is sent back as ``[]``.

Reasoning is never sent as plain ``reasoning`` text: only as details. Reasoning from
elsewhere is converted when it can be replayed safely: an Anthropic ``thinking`` block
with a signature, a v1 ``reasoning`` block carrying its OpenRouter detail (see
:data:`DETAIL_EXTRA`). Anything else is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

Detail = dict[str, Any]
DETAIL_EXTRA = "openrouter_detail"
"""Key, in a v1 reasoning block's ``extras``, of the OpenRouter detail it came from."""
_SIGNED_FORMATS = frozenset({"anthropic-claude-v1", "google-gemini-v1"})
# The keys a streamed detail's fragments split (the others come once, or repeat).
_CONCATENATED = frozenset({"text", "summary", "data"})
_DEDUP_FIELDS = {
    "reasoning.summary": ("summary",),
    "reasoning.encrypted": ("id", "data"),
    "reasoning.text": ("text", "signature"),
}


def dedup_key(detail: Detail) -> tuple[str, str, str] | None:
    """OpenRouter's identity of a detail, or None when it has none (never de-duplicated)."""
    kind = detail.get("type")
    for name in _DEDUP_FIELDS.get(kind, ()) if isinstance(kind, str) else ():
        value = detail.get(name)
        if isinstance(value, str) and value:
            return (str(kind), name, value)
    return None


def is_replayable(detail: object) -> bool:
    """False for entries providers reject: non-dicts, signature-less Anthropic/Gemini text."""
    if not isinstance(detail, dict):
        return False
    return not (
        detail.get("type") == "reasoning.text"
        and detail.get("format") in _SIGNED_FORMATS
        and not detail.get("signature")
    )


def without_openai_item_id(detail: Detail) -> Detail:
    """The detail without an OpenAI ``rs_`` item id (OpenRouter cannot look those up)."""
    item_id = detail.get("id")
    if isinstance(item_id, str) and item_id.startswith("rs_"):
        return {key: value for key, value in detail.items() if key != "id"}
    return detail


def details_for_replay(details: Iterable[object], seen: set[tuple[str, str, str]]) -> list[Detail]:
    """``details`` as they may be sent back; ``seen`` collects keys across the request."""
    kept = []
    for detail in details:
        if not is_replayable(detail):
            continue
        assert isinstance(detail, dict)  # noqa: S101 - narrowed by is_replayable
        key = dedup_key(detail)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(without_openai_item_id(detail))
    return kept


def thinking_to_detail(block: dict[str, Any]) -> Detail | None:
    """An Anthropic ``thinking`` block as a ``reasoning.text`` detail, if it is signed."""
    signature = block.get("signature")
    if not isinstance(signature, str) or not signature:
        return None
    return {
        "type": "reasoning.text",
        "text": block.get("thinking") or "",
        "signature": signature,
        "format": "anthropic-claude-v1",
    }


def block_to_detail(block: object) -> Detail | None:
    """The detail a content block stands for: signed ``thinking``, v1 ``reasoning``."""
    if not isinstance(block, dict):
        return None
    if block.get("type") == "thinking":
        return thinking_to_detail(block)
    if block.get("type") == "reasoning":
        extras = block.get("extras")
        detail = extras.get(DETAIL_EXTRA) if isinstance(extras, dict) else None
        return dict(detail) if isinstance(detail, dict) else None
    return None


def message_details(additional_kwargs: dict[str, Any], content: object) -> list[object] | None:
    """The reasoning details of an assistant message, before the replay rules.

    ``additional_kwargs["reasoning_details"]`` (what OpenRouter sent) wins; without it,
    the details its content blocks stand for. None when it has no reasoning to send.
    """
    details = additional_kwargs.get("reasoning_details")
    if isinstance(details, list):
        return merged_fragments(details)
    if not isinstance(content, list):
        return None
    converted: list[object] = [
        detail for block in content if (detail := block_to_detail(block)) is not None
    ]
    return converted or None


def merged_fragments(details: list[object]) -> list[object]:
    """Consecutive fragments of one detail (same ``type`` and ``index``) joined into it.

    A stream sends a detail in fragments; langchain-openrouter 0.2.x kept them apart in
    ``additional_kwargs``, so a history it saved would replay text and signature as
    separate (unsigned, hence rejected) entries. Our own streams merge them as they come.
    """
    merged: list[object] = []
    for detail in details:
        last = merged[-1] if merged else None
        if isinstance(detail, dict) and isinstance(last, dict) and _fragments_of_one(last, detail):
            merged[-1] = _joined(last, detail)
        else:
            merged.append(detail)
    return merged


def _fragments_of_one(first: Detail, second: Detail) -> bool:
    """Whether ``second`` continues ``first`` (a repeated detail is a duplicate instead)."""
    return (
        first.get("index") is not None
        and first.get("index") == second.get("index")
        and first.get("type") == second.get("type")
        and first != second
    )


def _joined(first: Detail, second: Detail) -> Detail:
    joined = dict(first)
    for name, value in second.items():
        if name in _CONCATENATED and isinstance(value, str):
            joined[name] = (joined.get(name) or "") + value
        elif joined.get(name) in (None, ""):
            joined[name] = value
    return joined


def replayed_details(
    additional_kwargs: dict[str, Any], content: object, seen: set[tuple[str, str, str]]
) -> list[Detail] | None:
    """The ``reasoning_details`` to send on an assistant message, or None to send none.

    An empty list from OpenRouter is sent back as ``[]``; a list that the rules empty
    (all duplicates or unsigned) is not sent.
    """
    details = message_details(additional_kwargs, content)
    if details is None:
        return None
    if not details:
        return []
    return details_for_replay(details, seen) or None
