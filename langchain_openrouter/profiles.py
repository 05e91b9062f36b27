"""Refresh model profiles from OpenRouter's live catalogue into a user cache.

``ChatOpenRouter(...).profile`` comes from data bundled with the package. To have today's
models, run once (no API key needed: ``GET /api/v1/models`` is public)::

    python -m langchain_openrouter.profiles          # or: langchain-openrouter-profiles

or call :func:`refresh_profiles`. Profiles found in the cache are preferred to the bundled
ones; without a cache (or offline) the bundle is used, silently.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import httpx2

from langchain_openrouter._http.connection import DEFAULT_BASE_URL
from langchain_openrouter._profiles import cache_path

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

# Output modalities of a chat model; embedding, rerank and speech models are left out.
CHAT_OUTPUTS = frozenset({"text", "image", "audio", "video"})


def profile_from_openrouter(model: Mapping[str, Any]) -> dict[str, Any]:
    """The ModelProfile fields of one ``GET /models`` entry.

    Docs: https://openrouter.ai/docs/api-reference/list-available-models
    """
    architecture = model.get("architecture") or {}
    # OpenRouter's "file" input modality is documents: PDFs (docs: multimodal/pdfs).
    inputs = {"pdf" if m == "file" else m for m in architecture.get("input_modalities") or ()}
    outputs = set(architecture.get("output_modalities") or ())
    parameters = set(model.get("supported_parameters") or ())
    reasoning = model.get("reasoning") or {}
    efforts = list(reasoning.get("supported_efforts") or ())
    if reasoning.get("mandatory"):
        # Effort "none" is rejected when reasoning is mandatory.
        efforts = [effort for effort in efforts if effort != "none"]
    top_provider = model.get("top_provider") or {}
    return {
        "name": model.get("name"),
        "max_input_tokens": model.get("context_length") or top_provider.get("context_length"),
        "max_output_tokens": top_provider.get("max_completion_tokens"),
        **{f"{m}_inputs": m in inputs for m in ("text", "image", "pdf", "audio", "video")},
        **{f"{m}_outputs": m in outputs for m in ("text", "image", "audio", "video")},
        "reasoning_output": "reasoning" in parameters or bool(reasoning.get("mandatory")),
        # "structured_outputs" is the capability flag for json_schema response formats.
        "structured_output": "structured_outputs" in parameters,
        "temperature": "temperature" in parameters,
        "tool_calling": "tools" in parameters,
        "tool_choice": "tool_choice" in parameters,
        "reasoning_effort_levels": efforts or None,
        "reasoning_effort_default": reasoning.get("default_effort"),
    }


def chat_profiles(models: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The profiles of the chat models of a ``GET /models`` answer, without unset keys."""
    return {
        str(model["id"]): {k: v for k, v in profile_from_openrouter(model).items() if v is not None}
        for model in models
        if CHAT_OUTPUTS & set((model.get("architecture") or {}).get("output_modalities") or ())
    }


def refresh_profiles(
    *, base_url: str | None = None, path: Path | None = None, timeout: float = 30.0
) -> Path:
    """Fetch OpenRouter's live catalogue and write its chat models' profiles to the cache.

    Args:
        base_url: The API root to ask (``GET {base_url}/models?output_modalities=all``);
            default ``OPENROUTER_API_BASE``, else OpenRouter's.
        path: Where to write; default :func:`langchain_openrouter._profiles.cache_path`
            (``$LANGCHAIN_OPENROUTER_PROFILES`` or the user cache directory).
        timeout: Seconds to wait for the answer.

    Returns:
        The path written. Errors (offline, HTTP status) raise; the old cache stays.
    """
    root = base_url or os.environ.get("OPENROUTER_API_BASE") or DEFAULT_BASE_URL
    url = f"{root.rstrip('/')}/models"
    response = httpx2.get(url, params={"output_modalities": "all"}, timeout=timeout)
    response.raise_for_status()
    models = response.json().get("data")
    if not isinstance(models, list):
        msg = f"GET {url} answered without a `data` list of models."
        raise ValueError(msg)  # noqa: TRY004 - an unexpected answer, not a wrong argument
    fetched = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"source": f"GET {url}", "fetched": fetched, "profiles": chat_profiles(models)}
    target = path or cache_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    partial.replace(target)  # readers never see half a file
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m langchain_openrouter.profiles [--base-url URL] [--path FILE]``."""
    parser = argparse.ArgumentParser(description="Refresh OpenRouter model profiles.")
    parser.add_argument("--base-url", help="API root (default: OPENROUTER_API_BASE or OpenRouter)")
    parser.add_argument("--path", default=None, help=f"cache file (default {cache_path()})")
    args = parser.parse_args(argv)
    from pathlib import Path  # noqa: PLC0415 - only the command needs it at run time

    try:
        written = refresh_profiles(
            base_url=args.base_url, path=Path(args.path) if args.path else None
        )
    except (httpx2.HTTPError, ValueError) as error:
        sys.stderr.write(f"Could not refresh the profiles: {error}\n")
        return 1
    count = len(json.loads(written.read_text(encoding="utf-8"))["profiles"])
    sys.stdout.write(f"Wrote {count} model profiles to {written}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
