"""Functions run in spawned worker processes by test_process_models (importable by name)."""

from __future__ import annotations

import os
from typing import Any


def answer(model: Any, prompt: str) -> tuple[int, str]:
    """Invoke a model (or runnable) that arrived pickled; the worker's pid and the reply."""
    reply = model.invoke(prompt)
    content = reply.content if hasattr(reply, "content") else reply
    return os.getpid(), str(content)


def embed(embeddings: Any, text: str) -> list[float]:
    """Embed one text with embeddings that arrived pickled."""
    vector: list[float] = embeddings.embed_query(text)
    return vector
