"""``stream``/``astream`` that keep a running sum of the chunks instead of every chunk.

langchain-core's ``BaseChatModel.stream``/``astream`` append each chunk to a list so that they
can merge the list for ``on_llm_end``; that holds about 2.5 KB per chunk for the whole stream,
even when the caller keeps nothing. The functions here follow those methods (langchain-core
1.6 to 1.8) step for step: the same callbacks with the same arguments, run ids, rate limiter,
``output_version="v1"`` conversion, closing ``chunk_position="last"`` chunk and error reports.
The one difference is that chunks are folded into a :class:`RunningMerge` as they pass.
When a call should not stream (``disable_streaming``, no streaming implementation), the
langchain-core method itself runs, which falls back to ``invoke``.

These functions lean on langchain-core's private helpers, so they run only on the core release
series they were checked against (:data:`CHECKED_CORE_SERIES`, the one place that names them).
On any other release, or if a helper is gone, ``BaseChatModel.stream``/``astream`` run instead,
with one warning: correct output, core's memory profile.
"""

from __future__ import annotations

import warnings
from contextlib import aclosing, closing
from typing import TYPE_CHECKING, Any, cast

import langchain_core
from langchain_core.callbacks import AsyncCallbackManager, CallbackManager
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk, LLMResult
from langchain_core.outputs.chat_generation import merge_chat_generation_chunks
from langchain_core.runnables.config import ensure_config
from langchain_core.utils.utils import LC_ID_PREFIX

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator

    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.messages import BaseMessage
    from langchain_core.runnables import RunnableConfig

# The langchain-core release series whose BaseChatModel.stream/astream these functions were
# checked against, step for step (tests/unit_tests/test_lean_stream.py runs the parity tests on
# the oldest and newest release CI installs). Add a series only after reading its stream/astream.
CHECKED_CORE_SERIES = ("1.6", "1.7", "1.8")

try:  # private helpers: a release may rename them, and then core's own stream runs
    from langchain_core.language_models._utils import (
        _filter_invocation_params_for_tracing,
        _normalize_messages,
        _update_message_content_to_blocks,
    )
    from langchain_core.language_models.chat_models import (
        _format_for_tracing,
        _format_ls_structured_output,
        _gen_info_and_msg_metadata,
        _generate_response_from_error,
    )
except ImportError:  # pragma: no cover - only on a core release that dropped them
    _HELPERS_FOUND = False
else:
    _HELPERS_FOUND = True


def core_series(version: str = langchain_core.__version__) -> str:
    """``"1.8"`` for langchain-core ``1.8.3``: the release series of a version string."""
    return ".".join(version.split(".")[:2])


#: Whether ``stream``/``astream`` take the lean path on the installed langchain-core.
LEAN_STREAM_ACTIVE = _HELPERS_FOUND and core_series() in CHECKED_CORE_SERIES
_warned = False


def _warn_fallback_once() -> None:
    global _warned  # noqa: PLW0603 - one warning per process, however many streams
    if _warned:
        return
    _warned = True
    warnings.warn(
        f"langchain-openrouter's lean stream was checked against langchain-core "
        f"{', '.join(CHECKED_CORE_SERIES)}, not {langchain_core.__version__}: streaming goes "
        "through BaseChatModel.stream instead (same output, memory grows with the stream). "
        "Upgrade langchain-openrouter to lift this.",
        RuntimeWarning,
        stacklevel=4,
    )


def _lean(model: BaseChatModel, *, async_api: bool, kwargs: dict[str, Any]) -> bool:
    """Whether this call takes the lean path rather than core's own method."""
    if not model._should_stream(async_api=async_api, **{**kwargs, "stream": True}):  # noqa: SLF001
        return False
    if not LEAN_STREAM_ACTIVE:
        _warn_fallback_once()
        return False
    return True


# Chunks held before they are folded into the running sum. Each fold copies the text merged
# so far once, so the fold count (chunks / FOLD_EVERY) bounds the copying, and FOLD_EVERY
# chunk objects (about 2.5 KB each) bound the memory.
FOLD_EVERY = 64


class RunningMerge:
    """The sum of the chunks added so far: one merged chunk plus a tail of recent chunks.

    ``merged + tail`` merges field by field from left to right, exactly as
    ``merge_chat_generation_chunks`` merges a whole list, so the result equals merging
    every chunk at the end.
    """

    def __init__(self) -> None:
        self._merged: ChatGenerationChunk | None = None
        self._tail: list[ChatGenerationChunk] = []

    def add(self, chunk: ChatGenerationChunk) -> None:
        """Count ``chunk`` in the sum."""
        self._tail.append(chunk)
        if len(self._tail) >= FOLD_EVERY:
            self._fold()

    def result(self) -> ChatGenerationChunk | None:
        """The sum of every chunk added, or None when none was."""
        self._fold()
        return self._merged

    def _fold(self) -> None:
        if not self._tail:
            return
        head = [] if self._merged is None else [self._merged]
        self._merged = merge_chat_generation_chunks([*head, *self._tail])
        self._tail = []


class _Run:
    """One streamed run's state, shared by the sync and async loops."""

    def __init__(self, model: BaseChatModel, run_id: object) -> None:
        self.message_id = f"{LC_ID_PREFIX}-{run_id}"
        self._v1 = model.output_version == "v1"
        self._merge = RunningMerge()
        self._last: ChatGenerationChunk | None = None
        self._block_index = -1
        self._block_type = ""

    def prepare(self, chunk: ChatGenerationChunk) -> ChatGenerationChunk:
        """``chunk`` as the caller sees it: run id, metadata, v1 content blocks."""
        if chunk.message.id is None:
            chunk.message.id = self.message_id
        chunk.message.response_metadata = _gen_info_and_msg_metadata(chunk)
        if self._v1:
            chunk.message = _update_message_content_to_blocks(chunk.message, "v1")
            for block in cast("list[dict[str, Any]]", chunk.message.content):
                if block["type"] != self._block_type:
                    self._block_type = block["type"]
                    self._block_index += 1
                if "index" not in block:
                    block["index"] = self._block_index
        return chunk

    def keep(self, chunk: ChatGenerationChunk) -> None:
        """Count a chunk the caller has been handed."""
        self._merge.add(chunk)
        self._last = chunk

    def closing_chunk(self) -> AIMessageChunk | None:
        """The empty ``chunk_position="last"`` chunk, when the stream did not end with one."""
        last = self._last
        if last is None or not isinstance(last.message, AIMessageChunk):
            return None
        if last.message.chunk_position:
            return None
        empty: str | list[str | dict[str, Any]] = (
            "" if isinstance(last.message.content, str) else []
        )
        return AIMessageChunk(content=empty, chunk_position="last", id=self.message_id)

    def failure(self, error: BaseException) -> LLMResult:
        """What ``on_llm_error`` reports: the sum so far, then the error's response."""
        from_error = _generate_response_from_error(error)
        merged = self._merge.result()
        if merged is None:
            return LLMResult(generations=[[*from_error]])
        return LLMResult(generations=[[merged], [*from_error]])

    def outcome(self) -> tuple[LLMResult, ValueError | None]:
        """What the run ends with: the sum for ``on_llm_end``, or the error of no chunk.

        The error comes with the empty result ``on_llm_error`` reports for it.
        """
        generation = self._merge.result()
        if generation is None:
            return LLMResult(generations=[]), ValueError("No generation chunks were returned")
        return LLMResult(generations=[[generation]]), None


class _Setup:
    """What ``stream`` works out before the run starts, as langchain-core works it out."""

    def __init__(
        self,
        model: BaseChatModel,
        model_input: LanguageModelInput,
        config: RunnableConfig,
        stop: list[str] | None,
        kwargs: dict[str, Any],
    ) -> None:
        self.messages: list[BaseMessage] = model._convert_input(model_input).to_messages()  # noqa: SLF001
        structured = kwargs.pop("ls_structured_output_format", None) or kwargs.pop(
            "structured_output_format", None
        )
        params = model._get_invocation_params(stop=stop, **kwargs)  # noqa: SLF001
        self.configure: dict[str, Any] = {
            "inheritable_callbacks": config.get("callbacks"),
            "local_callbacks": model.callbacks,
            "verbose": model.verbose,
            "inheritable_tags": config.get("tags"),
            "local_tags": model.tags,
            "inheritable_metadata": {
                **(config.get("metadata") or {}),
                **model._get_ls_params_with_defaults(stop=stop, **kwargs),  # noqa: SLF001
            },
            "local_metadata": model.metadata,
            "langsmith_inheritable_metadata": _filter_invocation_params_for_tracing(params),
        }
        self.start: dict[str, Any] = {
            "invocation_params": params,
            "options": {
                "stop": stop,
                **{key: params[key] for key in kwargs if key in params},
                **_format_ls_structured_output(structured),
            },
            "name": config.get("run_name"),
            "run_id": config.pop("run_id", None),
            "batch_size": 1,
        }


def lean_stream(
    model: BaseChatModel,
    model_input: LanguageModelInput,
    config: RunnableConfig | None,
    /,
    *,
    stop: list[str] | None,
    **kwargs: Any,
) -> Iterator[AIMessageChunk]:
    """``BaseChatModel.stream`` with a running sum in place of the list of chunks."""
    if not _lean(model, async_api=False, kwargs=kwargs):
        yield from BaseChatModel.stream(model, model_input, config, stop=stop, **kwargs)
        return
    config = ensure_config(config)
    setup = _Setup(model, model_input, config, stop, kwargs)
    callback_manager = CallbackManager.configure(**setup.configure)
    run_manager: CallbackManagerForLLMRun
    (run_manager,) = callback_manager.on_chat_model_start(
        model._serialized,  # noqa: SLF001
        [_format_for_tracing(setup.messages)],
        **setup.start,
    )
    if model.rate_limiter:
        model.rate_limiter.acquire(blocking=True)
    run = _Run(model, run_manager.run_id)
    try:
        input_messages = _normalize_messages(setup.messages)
        # Unlike core, hand the run manager down: retries then reach on_retry callbacks.
        chunks = model._stream(input_messages, stop=stop, run_manager=run_manager, **kwargs)  # noqa: SLF001
        # Closed here, not when garbage collected: a caller's close() must free the
        # connection before it returns (a traceback may keep this frame alive).
        with closing(cast("Generator[ChatGenerationChunk, None, None]", chunks)):
            for chunk in chunks:
                run.prepare(chunk)
                run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
                run.keep(chunk)
                yield cast("AIMessageChunk", chunk.message)
        if (last := run.closing_chunk()) is not None:
            run_manager.on_llm_new_token("", chunk=ChatGenerationChunk(message=last))
            yield last
    except BaseException as error:
        run_manager.on_llm_error(error, response=run.failure(error))
        raise
    result, empty = run.outcome()
    if empty is not None:
        run_manager.on_llm_error(empty, response=result)
        raise empty
    run_manager.on_llm_end(result)


async def lean_astream(
    model: BaseChatModel,
    model_input: LanguageModelInput,
    config: RunnableConfig | None,
    /,
    *,
    stop: list[str] | None,
    **kwargs: Any,
) -> AsyncIterator[AIMessageChunk]:
    """``BaseChatModel.astream`` with a running sum in place of the list of chunks."""
    if not _lean(model, async_api=True, kwargs=kwargs):
        async for message in BaseChatModel.astream(model, model_input, config, stop=stop, **kwargs):
            yield message
        return
    config = ensure_config(config)
    setup = _Setup(model, model_input, config, stop, kwargs)
    callback_manager = AsyncCallbackManager.configure(**setup.configure)
    run_manager: AsyncCallbackManagerForLLMRun
    (run_manager,) = await callback_manager.on_chat_model_start(
        model._serialized,  # noqa: SLF001
        [_format_for_tracing(setup.messages)],
        **setup.start,
    )
    if model.rate_limiter:
        await model.rate_limiter.aacquire(blocking=True)
    run = _Run(model, run_manager.run_id)
    try:
        input_messages = _normalize_messages(setup.messages)
        chunks = model._astream(input_messages, stop=stop, run_manager=run_manager, **kwargs)  # noqa: SLF001
        # Closed here, not left to the event loop's finalizer: a caller's aclose() must free
        # the connection before it returns (on Python 3.10 the finalizer may never run).
        async with aclosing(cast("AsyncGenerator[ChatGenerationChunk, None]", chunks)):
            async for chunk in chunks:
                run.prepare(chunk)
                await run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
                run.keep(chunk)
                yield cast("AIMessageChunk", chunk.message)
        if (last := run.closing_chunk()) is not None:
            await run_manager.on_llm_new_token("", chunk=ChatGenerationChunk(message=last))
            yield last
    except BaseException as error:
        await run_manager.on_llm_error(error, response=run.failure(error))
        raise
    result, empty = run.outcome()
    if empty is not None:
        await run_manager.on_llm_error(empty, response=result)
        raise empty
    await run_manager.on_llm_end(result)
