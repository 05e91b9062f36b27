"""What ``import langchain_openrouter`` costs, checked by what it loads (not by timing).

Only the ``tenacity`` retry library (and what it loads itself: ``tornado``, when that is
installed, as it is with the ``dask`` test dependencies) may load beyond what
``BaseChatModel`` and ``openai`` already load; the rest (tool classes, output parsers,
error-body validators) loads on the first call that needs it. Usage, which used to be a
pydantic model built at import, is now a plain read of the dict: the tests below pin how
it reads odd values.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from langchain_openrouter.testing import (
    JSONReply,
    OpenRouterEmulator,
    completion_body,
)
from langchain_openrouter.testing import (
    usage as default_usage,
)

PROBE = """
import json, sys
import openai
from langchain_core.language_models import BaseChatModel
before = set(sys.modules)
from langchain_openrouter import ChatOpenRouter
from langchain_openrouter._error_bodies import ErrorObject
added = set(sys.modules) - before
for name in added:
    sys.modules.pop(name)
import tenacity
print(json.dumps({
    "added": sorted(added),
    "tenacity_loads": sorted(set(sys.modules) - before),
    "error_schema_built": ErrorObject.__pydantic_complete__,
}))
"""


# pydantic's own machinery for defining a model class: pydantic 2.7 (our floor) loads it when
# the first BaseModel subclass is defined, later releases while langchain-core imports.
MODEL_BUILDING = {"pydantic.dataclasses", "pydantic._internal._dataclasses"}


def test_import_loads_only_our_modules_and_tenacity() -> None:
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE], check=True, capture_output=True, text=True
    ).stdout
    probe = json.loads(out)
    others = [m for m in probe["added"] if not m.startswith("langchain_openrouter")]
    assert "tenacity" in probe["tenacity_loads"]
    unexpected = [m for m in others if m not in probe["tenacity_loads"] and m not in MODEL_BUILDING]
    assert unexpected == []
    assert "langchain_openrouter.chat_models" in probe["added"]
    assert probe["error_schema_built"] is False


# --- usage, read without a pydantic model -------------------------------------------------


def invoke_usage(fake: OpenRouterEmulator, **fields: object) -> dict[str, object]:
    fake.script(JSONReply(body=completion_body("Hi", usage={**default_usage(), **fields})))
    message = fake.chat_model().invoke("hi")
    assert message.usage_metadata is not None  # type: ignore[attr-defined]
    return dict(message.usage_metadata)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("sent", "expected"),
    [("12", 12), ("12.7", 12), (None, 0), ("many", 0), (True, 0), ("nan", 0), ("inf", 0), ([3], 0)],
)
def test_odd_token_counts_read_as_numbers_or_zero(
    fake: OpenRouterEmulator, sent: object, expected: int
) -> None:
    usage = invoke_usage(fake, prompt_tokens=sent, completion_tokens=5, total_tokens=None)
    assert usage["input_tokens"] == expected
    assert usage["total_tokens"] == expected + 5


def test_odd_details_are_ignored(fake: OpenRouterEmulator) -> None:
    usage = invoke_usage(
        fake,
        prompt_tokens_details=["not", "a", "dict"],
        completion_tokens_details={"reasoning_tokens": "4", "audio_tokens": 2.0},
    )
    assert usage["input_token_details"] == {"cache_read": 0, "cache_creation": 0}
    assert usage["output_token_details"] == {"reasoning": 4, "audio": 2}
    assert usage["total_tokens"] == 17
