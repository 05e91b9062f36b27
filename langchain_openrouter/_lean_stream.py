"""``stream``/``astream`` that keep a running sum of the chunks instead of every chunk.

langchain-core's ``BaseChatModel.stream``/``astream`` append each chunk to a list so that they
can merge the list for ``on_llm_end``; that holds about 2.5 KB per chunk for the whole stream,
even when the caller keeps nothing. The functions here follow those methods (langchain-core
1.6 to 1.8) step for step: the same callbacks with the same arguments, run ids, rate limiter,
``output_version="v1"`` conversion, closing ``chunk_position="last"`` chunk and error reports.
The one difference is that chunks are folded into a :class:`RunningMerge` as they pass.
When a call should not stream (``disable_streaming``, no streaming implementation), the
langchain-core method itself runs, which falls back to ``invoke``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from langchain_core.callbacks import AsyncCallbackManager, CallbackManager
from langchain_core.language_models._utils import (
    _filter_invocation_params_for_tracing,
    _normalize_messages,
    _update_message_content_to_blocks,
)
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    _format_for_tracing,
    _format_ls_structured_output,
    _gen_info_and_msg_metadata,
    _generate_response_from_error,
)
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk, LLMResult
from langchain_core.outputs.chat_generation import merge_chat_generation_chunks
from langchain_core.runnables.config import ensure_config
from langchain_core.utils.utils import LC_ID_PREFIX

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.messages import BaseMessage
    from langchain_core.runnables import RunnableConfig

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

    def generation(self) -> ChatGenerationChunk | None:
        """The sum of every chunk, handed to ``on_llm_end``."""
        return self._merge.result()


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


def _no_generation() -> ValueError:
    return ValueError("No generation chunks were returned")


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
    if not model._should_stream(async_api=False, **{**kwargs, "stream": True}):  # noqa: SLF001
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
        for chunk in chunks:
            run.prepare(chunk)
            run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            run.keep(chunk)
            yield cast("AIMessageChunk", chunk.message)
        if (closing := run.closing_chunk()) is not None:
            run_manager.on_llm_new_token("", chunk=ChatGenerationChunk(message=closing))
            yield closing
    except BaseException as error:
        run_manager.on_llm_error(error, response=run.failure(error))
        raise
    generation = run.generation()
    if generation is None:
        empty = _no_generation()
        run_manager.on_llm_error(empty, response=LLMResult(generations=[]))
        raise empty
    run_manager.on_llm_end(LLMResult(generations=[[generation]]))


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
    if not model._should_stream(async_api=True, **{**kwargs, "stream": True}):  # noqa: SLF001
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
        async for chunk in chunks:
            run.prepare(chunk)
            await run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            run.keep(chunk)
            yield cast("AIMessageChunk", chunk.message)
        if (closing := run.closing_chunk()) is not None:
            await run_manager.on_llm_new_token("", chunk=ChatGenerationChunk(message=closing))
            yield closing
    except BaseException as error:
        await run_manager.on_llm_error(error, response=run.failure(error))
        raise
    generation = run.generation()
    if generation is None:
        empty = _no_generation()
        await run_manager.on_llm_error(empty, response=LLMResult(generations=[]))
        raise empty
    await run_manager.on_llm_end(LLMResult(generations=[[generation]]))
