"""The API key's limits and the account's credits: ``GET /key`` and ``GET /credits``.

Shapes from OpenRouter's OpenAPI spec (``getCurrentKey``, ``getCredits``;
https://openrouter.ai/docs/api-reference/api-keys/get-current-key). Amounts are USD.
``/credits`` needs a management key (https://openrouter.ai/docs/guides/overview/auth/management-api-keys);
an ordinary key gets ``OpenRouterPermissionDeniedError`` (403).
"""

from __future__ import annotations

from typing import Any, Final, cast

from typing_extensions import TypedDict

from langchain_openrouter._errors import malformed
from langchain_openrouter._http.transport import JsonRequest
from langchain_openrouter._response.completion import checked_json

KEY_REQUEST: Final = JsonRequest("/key")
CREDITS_REQUEST: Final = JsonRequest("/credits")


class KeyInfo(TypedDict, total=False):
    """The API key in use: its spending limit and what it has spent (USD)."""

    label: str
    limit: float | None
    """Spending limit; None when the key has none."""
    limit_remaining: float | None
    """What is left of ``limit``; None when the key has no limit."""
    limit_reset: str | None
    """When the limit resets (``"daily"``, ``"weekly"``, ``"monthly"``), or None."""
    usage: float
    usage_daily: float
    usage_weekly: float
    usage_monthly: float
    byok_usage: float
    byok_usage_daily: float
    byok_usage_weekly: float
    byok_usage_monthly: float
    include_byok_in_limit: bool
    is_free_tier: bool
    is_management_key: bool
    is_provisioning_key: bool
    creator_user_id: str | None
    expires_at: str | None
    """ISO 8601 UTC expiry, or None."""
    rate_limit: dict[str, Any]
    """Deprecated by OpenRouter; kept as sent."""


class Credits(TypedDict):
    """The account's credits (USD): bought, and used."""

    total_credits: float
    total_usage: float


def _data(body: dict[str, Any], what: str) -> dict[str, Any]:
    data = body["data"]
    if not isinstance(data, dict):
        msg = f"the {what} response's 'data' is not an object"
        raise malformed(msg)
    return data


def read_key_info(body: object) -> KeyInfo:
    """The ``data`` of a ``/key`` response, checked (the transport's reader for it)."""
    return cast(
        "KeyInfo", _data(checked_json(body), "/key")
    )  # as sent: fields OpenRouter adds stay


def read_credits(body: object) -> Credits:
    """The ``data`` of a ``/credits`` response, checked (the transport's reader for it)."""
    data = _data(checked_json(body), "/credits")
    try:
        return Credits(
            total_credits=float(data["total_credits"]), total_usage=float(data["total_usage"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"the /credits response lacks total_credits/total_usage as numbers ({exc!r})"
        raise malformed(msg) from None
