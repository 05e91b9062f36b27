"""Write the integration-test cassettes offline, from OpenRouter's documented wire format.

    .venv/bin/python scripts/write_cassettes.py [pytest arguments, e.g. -k TestGeneralModel]

1. Writes the shared ``assets.yaml.gz`` (the standard suite's file downloads, answered
   with the small files of ``tests/integration_tests/assets.py``).
2. Starts the emulator (``langchain_openrouter.testing``) on 127.0.0.1, answering chat
   completions with the rules of ``openrouter_responder.py``.
3. Runs the integration suite in record mode (``RECORD=1``) with ``OPENROUTER_API_BASE``
   pointing at the responder and a throw-away key; ``recording.py`` stores each request
   under OpenRouter's own URL and writes the generator's header comment.

Nothing leaves the machine: pytest-socket allows 127.0.0.1 only. With a real key,
``RECORD=1 make integration_tests`` records real OpenRouter traffic instead.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openrouter_responder import Responder  # noqa: E402

from langchain_openrouter.testing import OpenRouterEmulator  # noqa: E402
from tests.integration_tests import recording  # noqa: E402
from tests.integration_tests.assets import ALL_ASSETS, DOWNLOADS  # noqa: E402


def asset_interactions() -> dict[str, list[object]]:
    """One GET per download URL, answered with the asset's bytes."""
    from vcr.request import Request  # noqa: PLC0415 - vcr is a test dependency

    requests, responses = [], []
    for url, asset in DOWNLOADS.items():
        requests.append(Request("GET", url, b"", {}))
        responses.append(
            {
                "status": {"code": 200, "message": "OK"},
                "headers": {"content-type": [asset.mime_type]},
                "body": {"string": asset.content},
            }
        )
    return {"requests": requests, "responses": responses}


def main(pytest_args: list[str]) -> int:
    serializer = recording.GzipYamlSerializer(header=recording.ASSETS_HEADER)
    recording.write_cassette(recording.ASSETS_CASSETTE, asset_interactions(), serializer)
    known = {asset.sha256: asset for asset in ALL_ASSETS} | dict(DOWNLOADS)
    responder = Responder(assets=known)
    # A fresh throw-away key each run: the cassette checks grep for its shape.
    key = "sk-or-v1-" + secrets.token_hex(32)
    with OpenRouterEmulator(api_key=key, default=responder.reply) as emulator:
        # TestResponsesApi's cassettes come from write_responses_cassettes.py (its own rules);
        # a -k of the caller's replaces this one.
        others = ["-k", "not TestResponsesApi", *pytest_args]
        code = record(emulator, key, recording.GENERATOR_ORIGIN, others)
    print(f"{responder.requests} requests answered by the responder's rules.")
    return code


def record(emulator: OpenRouterEmulator, key: str, origin: str, pytest_args: list[str]) -> int:
    """Run the integration suite in record mode against ``emulator``; pytest's exit code.

    ``origin`` goes into every cassette's header comment (``recording.py``).
    """
    os.environ.update(
        {
            "RECORD": "1",
            "OPENROUTER_API_BASE": emulator.base_url,
            "OPENROUTER_API_KEY": key,
            recording.ORIGIN_ENV: origin,
        }
    )
    options = ["-p", "no:cacheprovider", "--allow-hosts=127.0.0.1", "-q"]
    tests = str(ROOT / "tests" / "integration_tests")
    return int(pytest.main([tests, *options, *pytest_args]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
