"""``ChatOpenRouter``: the LangChain chat model for OpenRouter."""

from __future__ import annotations

import warnings
from contextlib import aclosing, closing
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, cast

from langchain_core.language_models.base import LangSmithParams
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableParallel
from langchain_core.runnables.passthrough import RunnableAssign
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from typing_extensions import Self

from langchain_openrouter._flat_memory_stream import lean_astream, lean_stream
from langchain_openrouter._http import transport as _transport
from langchain_openrouter._http.connection import CONNECTION_FIELDS, OpenRouterConnection, SessionId
from langchain_openrouter._preflight import (
    ARGUMENT_CHECKS,
    check_argument,
    check_call_arguments,
    check_field_type,
)
from langchain_openrouter._profiles import profile_for
from langchain_openrouter._request.build import (
    BODY_KEY_OF_FIELD,
    CACHE_FIELDS,
    build_request,
    check_n,
    check_reasoning,
)
from langchain_openrouter._request.caching import (
    CacheRule,
    CacheSetting,
    to_cache_rule,
)
from langchain_openrouter._request.responses import RESPONSES_PATH, check_responses_params
from langchain_openrouter._request.tools import (
    convert_tool,
    convert_tool_choice,
)
from langchain_openrouter._response.completion import checked_first_chunk, read_completion
from langchain_openrouter._response.responses import read_response
from langchain_openrouter._response.responses_stream import (
    ResponsesStreamAssembler,
    raise_for_failure,
)
from langchain_openrouter._response.stream import StreamAssembler
from langchain_openrouter._token_counting import messages_tokens, text_tokens, token_ids
from langchain_openrouter._types import (  # noqa: TC001 - pydantic resolves these at runtime
    ImageConfig,
    Plugin,
    ProviderPreferences,
    ReasoningConfig,
    ReasoningEffort,
    TraceConfig,
    UsageConfig,
)
from langchain_openrouter._version import __version__

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Sequence

    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import LanguageModelInput, ModelProfile
    from langchain_core.language_models.chat_models import _ChatModelBinding
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGenerationChunk, ChatResult
    from langchain_core.runnables import RunnableConfig

    from langchain_openrouter._catalog import GenerationStats, ModelInfo
    from langchain_openrouter._http.transport import Request
    from langchain_openrouter._key_info import Credits, KeyInfo
    from langchain_openrouter._request.tools import ToolLike


# Fields that configure the client or this integration; every other field whose value
# is set is a request-body parameter of the same name (or of BODY_KEY_OF_FIELD's).
_NOT_BODY_FIELDS = frozenset(
    {
        *CONNECTION_FIELDS,
        "streaming",
        "stream_usage",
        "model_kwargs",
        "max_retries",
        "http_client",
        "http_async_client",
        "n",
        "anthropic_eager_input_streaming",
        "check_tool_results",
        *CACHE_FIELDS,
        "response_cache",
        "router_metadata",
        "use_responses_api",
    }
)
# The fields langchain-openrouter 0.2.x had (ours or renamed). It rejected them inside
# model_kwargs; there they are now moved into the field with a warning, while fields it
# lacked (top_k, transforms, user, ...) move silently, as 0.2.x users had to put them there.
_FIELDS_OF_0_2 = frozenset(
    {
        *CONNECTION_FIELDS,
        "model",
        "max_retries",
        "temperature",
        "max_tokens",
        "max_completion_tokens",
        "top_p",
        "frequency_penalty",
        "presence_penalty",
        "seed",
        "stop",
        "n",
        "streaming",
        "stream_usage",
        "reasoning",
        "openrouter_provider",
        "route",
        "plugins",
        "session_id",
        "trace",
    }
)
StructuredOutputMethod = Literal["json_schema", "function_calling", "json_mode"]


def _renamed(field: str, doc: str, convert: Callable[[Any], Any] = lambda value: value) -> Any:
    """A read-write attribute for ``field`` under another name (0.2.x's)."""

    def read(model: BaseModel) -> Any:
        return getattr(model, field)

    def write(model: BaseModel, value: Any) -> None:
        setattr(model, field, convert(value))

    return property(read, write, doc=doc)


def _secret(value: SecretStr | str | None) -> SecretStr | None:
    return SecretStr(value) if isinstance(value, str) else value


class ChatOpenRouter(OpenRouterConnection, BaseChatModel):
    r"""OpenRouter chat model: hundreds of models from every vendor behind one API.

    Built on the ``openai`` SDK, with OpenRouter's own request features (provider
    routing, model fallbacks, presets, plugins, reasoning, prompt caching, server tools)
    as typed fields, and its response extras (reasoning details, citations, images, cost,
    the model and provider that served) read into LangChain's message types.

    Setup:
        Install ``langchain-openrouter`` and set ``OPENROUTER_API_KEY`` (create keys at
        https://openrouter.ai/keys).

        .. code-block:: bash

            pip install -U langchain-openrouter
            export OPENROUTER_API_KEY="sk-or-..."

    Key init args — completion params:
        model: str
            OpenRouter model slug, e.g. ``"anthropic/claude-sonnet-4.5"``.
        temperature: float | None
            Sampling temperature.
        max_tokens: int | None
            Maximum output tokens, reasoning included.
        reasoning: ReasoningConfig | None
            ``{"effort": "high"}`` or ``{"max_tokens": 2000}`` (not both).
        openrouter_provider: ProviderPreferences | None
            Provider routing preferences, sent as the request's ``provider``.
        models: list[str] | None
            Fallback models, tried in order when the primary model fails.
        cache_instructions, cache_messages, cache_tool_definitions: bool | "5m" | "1h"
            Where to place prompt-cache breakpoints: ``True`` (5 minutes), ``"5m"``,
            ``"1h"``; only on models whose vendor honours them.

        Every other request parameter is a field of its own (``top_p``, ``seed``,
        ``stop``, ``plugins``, ``preset``, ``route``, ``session_id``, ...); anything else
        goes in ``model_kwargs``, sent verbatim.

    Key init args — client params:
        api_key: SecretStr | None
            Defaults to the ``OPENROUTER_API_KEY`` environment variable.
        base_url: str
            Defaults to ``OPENROUTER_API_BASE``, else ``https://openrouter.ai/api/v1``.
        timeout: float | httpx.Timeout | None
            In seconds; also per call: ``llm.invoke(..., timeout=5)``.
        max_retries: int
            Retries after the first attempt (default 2; 0 means exactly one attempt).
        app_url: str | None
            Your app's URL for OpenRouter's app attribution (``HTTP-Referer``).
        app_title: str | None
            Your app's name for app attribution (``X-OpenRouter-Title``).

    Instantiate:
        .. code-block:: python

            from langchain_openrouter import ChatOpenRouter

            llm = ChatOpenRouter(
                model="openai/gpt-4o-mini",
                temperature=0,
                max_tokens=500,
                # api_key="...",  # else OPENROUTER_API_KEY
            )

    Invoke:
        .. code-block:: python

            messages = [
                ("system", "Translate the user's sentence into French."),
                ("human", "I love programming."),
            ]
            llm.invoke(messages).content
            # "J'adore la programmation."

    Stream:
        .. code-block:: python

            from functools import reduce
            from operator import add

            for chunk in llm.stream(messages):
                print(chunk.text, end="")
            # J'adore la programmation.

            # The chunks add up to the message invoke() returns, usage and cost included:
            full = reduce(add, llm.stream(messages))
            full.content, full.response_metadata["finish_reason"]
            # ("J'adore la programmation.", 'stop')

    Async:
        .. code-block:: python

            msg = await llm.ainvoke(messages)

            async for chunk in llm.astream(messages):
                print(chunk.text, end="")
            # J'adore la programmation.

            # Also abatch, and the async context manager: `async with ChatOpenRouter(...)`.

    Tool calling:
        .. code-block:: python

            from pydantic import BaseModel, Field


            class GetWeather(BaseModel):
                '''Get the current weather in a city.'''

                city: str = Field(description="The city, e.g. Paris")


            llm_with_tools = llm.bind_tools([GetWeather])
            ai_msg = llm_with_tools.invoke("Is it warmer in Paris or in Lyon today?")
            ai_msg.tool_calls
            # [{'name': 'GetWeather', 'args': {'city': 'Paris'}, 'id': 'call_...',
            #   'type': 'tool_call'},
            #  {'name': 'GetWeather', 'args': {'city': 'Lyon'}, 'id': 'call_...',
            #   'type': 'tool_call'}]

            # OpenRouter's server tools (run by OpenRouter) are dicts, passed through:
            llm_search = llm.bind_tools(
                [{"type": "openrouter:web_search", "parameters": {"max_results": 3}}]
            )

    Structured output:
        .. code-block:: python

            class Joke(BaseModel):
                '''A joke to tell the user.'''

                setup: str = Field(description="The setup of the joke")
                punchline: str = Field(description="The punchline")


            llm.with_structured_output(Joke).invoke("Tell me a joke about cats")
            # Joke(setup='Why was the cat sitting on the computer?',
            #      punchline='To keep an eye on the mouse!')

            # method="json_schema", "function_calling" or "json_mode"; by default
            # json_schema where the model's profile says it supports it, else a forced
            # tool call. strict=True asks the provider to enforce the schema; include_raw=True
            # returns {"raw": ..., "parsed": ..., "parsing_error": ...} instead of raising.

    Reasoning:
        .. code-block:: python

            thinker = ChatOpenRouter(
                model="anthropic/claude-sonnet-4.5",
                reasoning={"max_tokens": 2000},  # or {"effort": "high"}; not both
                max_tokens=4000,  # must be larger than the reasoning budget
            )
            msg = thinker.invoke("What is 17 * 23?")
            msg.content
            # '17 * 23 = 391.'
            msg.additional_kwargs["reasoning_content"]
            # '17 * 23 = 17 * 20 + 17 * 3 = 340 + 51 = 391.'
            msg.additional_kwargs["reasoning_details"]
            # [{'type': 'reasoning.text', 'text': '17 * 23 = 17 * 20 + ...',
            #   'signature': '...', 'format': 'anthropic-claude-v1', 'index': 0}]
            msg.usage_metadata["output_token_details"]
            # {'reasoning': 41}

            # Keep the AIMessage in the history (agents do): its reasoning_details go back
            # with it on the next request, as Anthropic and Gemini tool loops require.

    Caching:
        .. code-block:: python

            from langchain_core.messages import HumanMessage

            from langchain_openrouter import cache_point

            claude = ChatOpenRouter(model="anthropic/claude-sonnet-4.5")
            contract = "..."  # a long text: a contract, a book, a code base


            def ask(question):
                document = {"type": "text", "text": contract}
                # cache_point() marks the part before it for caching; never sent itself.
                content = [document, cache_point(), {"type": "text", "text": question}]
                return claude.invoke([HumanMessage(content)])


            ask("Who are the parties?").usage_metadata["input_token_details"]
            # {'cache_creation': 5012, 'cache_read': 0}
            ask("When does it end?").usage_metadata["input_token_details"]
            # {'cache_creation': 0, 'cache_read': 5012}

            # Or let settings place the breakpoints: cache_instructions (system messages),
            # cache_messages (the conversation so far), cache_tool_definitions (tools).

    Provider routing:
        .. code-block:: python

            routed = ChatOpenRouter(
                model="meta-llama/llama-3.3-70b-instruct",
                openrouter_provider={
                    "order": ["groq", "cerebras"],  # try these providers first, in order
                    "allow_fallbacks": True,  # then any other provider of the model
                    "data_collection": "deny",  # never providers that may store prompts
                },
                models=["mistralai/mistral-small-3.2-24b-instruct"],  # fallback models
            )
            reply = routed.invoke("Hi")
            reply.response_metadata["model_name"], reply.response_metadata["provider"]
            # ('meta-llama/llama-3.3-70b-instruct', 'Groq')

            # Also "sort" ("price", "throughput", "latency"), "only", "ignore", "zdr",
            # "max_price", ...: every key of OpenRouter's provider object.

    Token usage:
        .. code-block:: python

            msg = llm.invoke(messages)
            msg.usage_metadata
            # {'input_tokens': 28, 'output_tokens': 7, 'total_tokens': 35,
            #  'input_token_details': {'cache_creation': 0, 'cache_read': 0},
            #  'output_token_details': {'reasoning': 0}}

            # cache_read and cache_creation are parts of input_tokens, not additions.
            # A stream reports usage on its last chunk (stream_usage=True, the default).

    OpenRouter response caching and router metadata:
        .. code-block:: python

            # The same request within 600 s is answered by OpenRouter's cache: status
            # 'HIT', 'age', 'ttl', 'source_generation_id', and usage and cost 0 (not billed).
            cached = ChatOpenRouter(model="openai/gpt-4o-mini", response_cache=600)  # TTL, s
            reply = cached.invoke("Hi", router_metadata=True)
            reply.response_metadata["response_cache"]
            # {'status': 'MISS', 'ttl': 600}
            reply.response_metadata["openrouter_metadata"]["strategy"]
            # 'direct'

    Response metadata:
        .. code-block:: python

            msg.response_metadata
            # {'model_name': 'openai/gpt-4o-mini', 'id': 'gen-...', 'created': 1764031697,
            #  'object': 'chat.completion', 'finish_reason': 'stop',
            #  'model_provider': 'openrouter', 'provider': 'OpenAI',
            #  'native_finish_reason': 'stop', 'cost': 8.4e-06, 'is_byok': False,
            #  'cost_details': {...}}
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    # --- client (connection fields: OpenRouterConnection) ---------------------------
    streaming: bool = False
    """Use streaming for ``invoke`` too."""
    stream_usage: bool = True
    """Report usage and cost on the last streamed chunk."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Any other request-body parameters, sent verbatim."""
    check_tool_results: bool = True
    """Refuse, before sending, a tool message that answers no call and a tool call left
    without its result; ``False`` sends such histories as they are."""
    use_responses_api: bool = False
    """Send calls to OpenRouter's Responses API (``POST /responses``, stateless) instead of
    chat completions; also per call. The reply has the same message contract either way
    (see the README's "Responses API")."""

    # --- OpenRouter request features ---------------------------------------------------
    openrouter_provider: ProviderPreferences | None = None
    """Provider routing preferences (body ``provider``)."""
    models: list[str] | None = None
    """Fallback models, tried in order when the primary fails."""
    route: str | None = None
    """Legacy routing mode (``"fallback"``); prefer ``models`` and ``openrouter_provider``."""
    preset: str | None = None
    """Named preset slug."""
    transforms: list[str] | None = None
    """Legacy message transforms, e.g. ``["middle-out"]`` (``[]`` disables them)."""
    plugins: list[Plugin] | None = None
    """Plugins, e.g. ``[{"id": "file-parser", "pdf": {"engine": "native"}}]``."""
    reasoning: ReasoningConfig | None = None
    """Reasoning settings: ``effort`` or ``max_tokens``, ``exclude``, ``enabled``, ..."""
    reasoning_effort: ReasoningEffort | None = None
    """Shorthand for ``reasoning={"effort": ...}``."""
    usage: UsageConfig | None = None
    """Legacy usage option; OpenRouter always reports usage and cost now."""
    session_id: SessionId
    """Groups requests (sticky routing keeps prompt caches warm); env ``OPENROUTER_SESSION_ID``."""
    trace: TraceConfig | None = None
    """Observability fields forwarded to OpenRouter Broadcast."""
    user: str | None = None
    """Stable id of your end user."""
    openrouter_metadata: dict[str, str] | None = None
    """Request ``metadata`` (≤16 string pairs). LangChain's ``metadata`` stays for traces."""
    verbosity: str | None = None
    """Response verbosity: ``low``, ``medium``, ``high``, ..."""
    modalities: list[str] | None = None
    """Output modalities, e.g. ``["image", "text"]`` for image generation."""
    image_config: ImageConfig | None = None
    """Provider-specific image generation options, e.g. ``{"aspect_ratio": "16:9"}``."""
    service_tier: str | None = None
    """Service tier: ``auto``, ``default``, ``flex``, ``priority``, ..."""
    prompt_cache_key: str | None = None
    """OpenAI-style prompt cache key."""

    # --- prompt caching (see the README's "Prompt caching") ---------------------------
    cache_instructions: CacheSetting = False
    """Cache the leading system message(s): ``True`` (5-minute TTL), ``"5m"`` or ``"1h"``."""
    cache_messages: CacheSetting = False
    """Cache the conversation so far: a breakpoint on the last part of the last message."""
    cache_tool_definitions: CacheSetting = False
    """Cache the tool definitions: a breakpoint on the last function tool."""
    automatic_cache: CacheSetting = False
    """Send the top-level ``cache_control`` (automatic caching; Anthropic-family routes)."""
    cache_rule: CacheRule | None = None
    """What the vendor does with ``cache_control``; None = the vendor table's rule for
    ``model``. A ``CacheRule`` or a dict of its fields."""

    # --- OpenRouter response caching and router metadata (request headers) ------------
    response_cache: bool | int | None = None
    """OpenRouter's response cache: ``True`` (default TTL, 300 s), a TTL in seconds (1 to
    86400), ``False`` (off, even where a preset turns it on) or None (no header). Also per
    call, with ``response_cache_clear=True`` to refresh the entry. Not LangChain's ``cache``."""
    router_metadata: bool = False
    """Ask for ``openrouter_metadata`` (what the router did), put in ``response_metadata``.
    Also per call."""

    # --- sampling ----------------------------------------------------------------------
    temperature: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    top_a: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None
    seed: int | None = None
    stop: list[str] | str | None = Field(
        default=None, validation_alias=AliasChoices("stop", "stop_sequences")
    )
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    n: int = Field(default=1, ge=1)
    """Choices to generate per prompt (sent when above 1; not with streaming)."""

    # --- vendor options ----------------------------------------------------------------
    anthropic_eager_input_streaming: bool = False
    """On ``anthropic/`` models, mark every function tool ``eager_input_streaming`` so
    tool-call arguments stream as they are generated; also per call. Ignored elsewhere."""

    # --- construction ------------------------------------------------------------------

    @model_validator(mode="before")
    @classmethod
    def _collect_model_kwargs(cls, values: Any) -> Any:
        """Sort constructor arguments into fields and ``model_kwargs``.

        Unknown arguments move into ``model_kwargs`` (with a warning); a ChatOpenRouter
        field found in ``model_kwargs`` moves into the field. The same setting given twice
        with different values is an error.
        """
        if not isinstance(values, dict):
            return values
        values = dict(values)
        field_of = _field_of_name(cls)
        extra = dict(values.get("model_kwargs") or {})
        for name in [name for name in values if name not in field_of]:
            warnings.warn(
                f"{name!r} is not a ChatOpenRouter field; it is sent in the request body "
                f"via model_kwargs. Pass it as model_kwargs={{{name!r}: ...}} to silence this.",
                UserWarning,
                stacklevel=4,
            )
            _check_same(name, values[name], f"model_kwargs[{name!r}]", extra.get(name, _UNSET))
            extra[name] = values.pop(name)
        for name in [name for name in extra if field_of.get(name) in _OWN_FIELDS]:
            _move_into_field(values, field_of, name, extra.pop(name))
        if extra or "model_kwargs" in values:
            values["model_kwargs"] = extra
        return values

    @field_validator(*ARGUMENT_CHECKS, mode="before", check_fields=False)
    @classmethod
    def _check_argument(cls, value: Any, info: ValidationInfo) -> Any:
        """The checks a call's arguments get too (the README's "Argument checks")."""
        name = str(info.field_name)
        checked = check_argument(name, value)
        if isinstance(checked, (dict, list)):  # scalars: the table has said it all
            check_field_type(name, checked, cls)
        return checked

    @field_validator("cache_rule", mode="before")
    @classmethod
    def _check_cache_rule(cls, value: Any) -> Any:
        """A dict must name only `CacheRule` fields."""
        return None if value is None else to_cache_rule(value)

    @model_validator(mode="after")
    def _validate_and_connect(self) -> Self:
        check_call_arguments(self.model_kwargs, type(self))
        check_reasoning(
            self.reasoning, self.reasoning_effort, self.max_tokens or self.max_completion_tokens
        )
        self._connect()
        return self

    @model_validator(mode="after")
    def _check_responses_api_settings(self) -> Self:
        """With ``use_responses_api``, settings /responses cannot take fail at construction."""
        if self.use_responses_api:
            check_responses_params(self._default_params)
        return self

    @model_validator(mode="after")
    def _check_choice_count(self) -> Self:
        check_n(self.n, stream=self.streaming)
        return self

    @model_validator(mode="after")
    def _set_openrouter_version(self) -> Self:
        """Record this package in ``metadata["lc_versions"]``, as partner packages do."""
        self._add_version("langchain-openrouter", __version__)
        return self

    # --- langchain-openrouter 0.2.x names (read and write) ------------------------------

    model_name = _renamed("model", "``model``, by its 0.2.x (and ``ChatOpenAI``) name.")
    openrouter_api_key = _renamed(
        "api_key", "``api_key`` (a ``SecretStr``), by its 0.2.x name.", _secret
    )
    openrouter_api_base = _renamed("base_url", "``base_url``, by its 0.2.x name.")
    request_timeout = _renamed(
        "timeout", "``timeout``, by its 0.2.x name: in seconds, not 0.2.x's milliseconds."
    )

    # --- LangChain surface --------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "openrouter-chat"

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """ChatOpenRouter can be serialized with ``langchain_core.load.dumpd``."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """The import path used by LangChain serialization."""
        return ["langchain_openrouter", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Secret fields, replaced by their environment variable when serialized."""
        return {"api_key": "OPENROUTER_API_KEY"}

    @property
    def _default_params(self) -> dict[str, Any]:
        """The request-body parameters this model sends on every call."""
        params: dict[str, Any] = {}
        for name, body_key in _BODY_KEYS:
            value = getattr(self, name)
            if value is not None:
                params[body_key] = value
        if self.n != 1:
            params["n"] = self.n
        params.update(self.model_kwargs)
        return params

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"base_url": self.base_url, **self._default_params}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="openrouter",
            ls_model_name=kwargs.get("model", self.model),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens or self.max_completion_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stop_words = stop or kwargs.get("stop") or self.stop
        if stop_words:
            params["ls_stop"] = [stop_words] if isinstance(stop_words, str) else list(stop_words)
        return params

    # --- calls ------------------------------------------------------------------------

    def _checked_call_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """A call's keyword arguments after the same checks as the constructor's."""
        return check_call_arguments(kwargs, type(self))

    def bind(self, **kwargs: Any) -> _ChatModelBinding:
        """Bind keyword arguments to every call; they are checked now, as per call."""
        return super().bind(**self._checked_call_arguments(kwargs))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = self._stream(messages, stop, run_manager, **kwargs)
            return _result_from_chunks(list(chunks))
        request = build_request(self, messages, stop, kwargs, stream=False)
        read = partial(_api_of(request).read, requested_model=request.body["model"])
        return _transport.complete(self._connection, request, read, run_manager)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = [c async for c in self._astream(messages, stop, run_manager, **kwargs)]
            return _result_from_chunks(chunks)
        request = build_request(self, messages, stop, kwargs, stream=False)
        read = partial(_api_of(request).read, requested_model=request.body["model"])
        return await _transport.acomplete(self._connection, request, read, run_manager)

    def stream(
        self,
        input: LanguageModelInput,  # noqa: A002 - the name BaseChatModel.stream gives it
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> Iterator[AIMessageChunk]:
        """Stream the reply as ``AIMessageChunk``s; adding them up gives ``invoke``'s message.

        Callbacks and tracing behave as in ``BaseChatModel.stream``; memory stays flat however
        long the stream, because only a running sum is kept for ``on_llm_end``.
        """
        return lean_stream(self, input, config, stop=stop, **kwargs)

    def astream(
        self,
        input: LanguageModelInput,  # noqa: A002 - the name BaseChatModel.astream gives it
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[AIMessageChunk]:
        """Async :meth:`stream`."""
        return lean_astream(self, input, config, stop=stop, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request = build_request(self, messages, stop, kwargs, stream=True)
        api = _api_of(request)
        assembler = api.assembler(report_usage=self.stream_usage, model=request.body["model"])
        events = _transport.stream(self._connection, request, api.check_first, run_manager)
        with closing(events):  # the connection is freed when the caller stops
            for event in events:
                if (chunk := assembler.convert(event)) is not None:
                    yield chunk
        yield assembler.final()

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request = build_request(self, messages, stop, kwargs, stream=True)
        api = _api_of(request)
        assembler = api.assembler(report_usage=self.stream_usage, model=request.body["model"])
        events = _transport.astream(self._connection, request, api.check_first, run_manager)
        async with aclosing(events):  # the connection is freed when the caller stops
            async for event in events:
                if (chunk := assembler.convert(event)) is not None:
                    yield chunk
        yield assembler.final()

    # --- tools and structured output ----------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[ToolLike],
        *,
        tool_choice: str | bool | dict[str, Any] | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools for the model to call.

        LangChain tools, pydantic models, functions and OpenAI tool dicts become function
        tools; OpenRouter server tools (``{"type": "openrouter:web_search", ...}``) pass
        through untouched.

        Args:
            tools: The tools.
            tool_choice: ``"auto"``, ``"none"``, ``"any"``/``"required"``/``True`` (call
                some tool), a tool name, or a dict in OpenRouter's form.
            strict: Ask for schema-exact arguments (function tools).
            parallel_tool_calls: Allow several tool calls in one turn.
            kwargs: Further request parameters bound with the tools.
        """
        formatted = [convert_tool(tool, strict=strict) for tool in tools]
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = convert_tool_choice(tool_choice, formatted)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredOutputMethod | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Output that follows ``schema`` (a pydantic class, TypedDict or JSON schema).

        Args:
            schema: The output schema (optional for ``json_mode``).
            method: ``"json_schema"`` (``response_format``), ``"function_calling"`` (a
                forced tool call) or ``"json_mode"``. By default ``"json_schema"`` where
                the model's profile says it has structured outputs, else
                ``"function_calling"``.
            include_raw: Return ``{"raw", "parsed", "parsing_error"}`` instead of raising
                on unparsable output.
            strict: Ask the provider to enforce the schema exactly.
            kwargs: Further request parameters.
        """
        if kwargs.pop("tools", None) is not None:
            msg = "with_structured_output does not take tools; use bind_tools instead."
            raise ValueError(msg)
        method = method or self._default_structured_output_method()
        if schema is None and method != "json_mode":
            msg = (
                f"schema must be specified for with_structured_output(method={method!r}): "
                "pass a pydantic class, a TypedDict or a JSON schema."
            )
            raise ValueError(msg)
        llm, parser = self._structured_output_parts(schema, method, strict=strict, kwargs=kwargs)
        if not include_raw:
            return llm | parser
        # Plain RunnableParallel and module-level functions, not RunnablePassthrough.assign
        # and lambdas: the chain must pickle (assign builds a class pickle cannot find).
        parsed = RunnableAssign(
            RunnableParallel(parsed=itemgetter("raw") | parser, parsing_error=_nothing)
        )
        no_parse = RunnableAssign(RunnableParallel(parsed=_nothing))
        return RunnableParallel(raw=llm) | parsed.with_fallbacks(
            [no_parse], exception_key="parsing_error"
        )

    def _default_structured_output_method(self) -> StructuredOutputMethod:
        """``json_schema`` where the profile says the model takes it, else a forced tool call.

        A ``response_format`` the model's providers do not support is ignored by them, and
        the reply is free text (https://openrouter.ai/docs/features/structured-outputs).
        """
        return (
            "json_schema" if (self.profile or {}).get("structured_output") else "function_calling"
        )

    def _structured_output_parts(
        self,
        schema: dict[str, Any] | type | None,
        method: str,
        *,
        strict: bool | None,
        kwargs: dict[str, Any],
    ) -> tuple[Runnable[LanguageModelInput, AIMessage], Runnable[Any, Any]]:
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        if method == "function_calling":
            tool = convert_to_openai_tool(cast("Any", schema), strict=strict)
            name = tool["function"]["name"]
            llm = self.bind_tools(
                [tool], tool_choice=name, strict=strict, ls_structured_output_format=trace, **kwargs
            )
            parser: Runnable[Any, Any] = (
                PydanticToolsParser(tools=[cast("Any", schema)], first_tool_only=True)
                if is_pydantic
                else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
            )
            return llm, parser
        if method == "json_mode":
            response_format: dict[str, Any] = {"type": "json_object"}
        elif method == "json_schema":
            response_format = _json_schema_format(schema, strict=strict)
        else:
            msg = (
                f"Unrecognized method {method!r} for structured output: use 'json_schema', "
                "'function_calling' or 'json_mode'."
            )
            raise ValueError(msg)
        llm = self.bind(
            response_format=response_format, ls_structured_output_format=trace, **kwargs
        )
        # Imported here: these parsers cost import time and only structured output uses them.
        from langchain_core.output_parsers import (  # noqa: PLC0415
            JsonOutputParser,
            PydanticOutputParser,
        )

        parser = (
            PydanticOutputParser(pydantic_object=cast("Any", schema))
            if is_pydantic
            else JsonOutputParser()
        )
        return llm, parser

    # --- token counting (no request; see the README's "Token counting") ------------------

    def get_num_tokens(self, text: str) -> int:
        """Tokens of ``text``: exact with tiktoken (OpenAI models), else estimated."""
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        return text_tokens(text, self.model)

    def get_token_ids(self, text: str) -> list[int]:
        """Token ids of ``text``: needs tiktoken and an OpenAI model (or custom_get_token_ids)."""
        if self.custom_get_token_ids is not None:
            return self.custom_get_token_ids(text)
        ids = token_ids(text, self.model)
        if ids is None:
            msg = (
                f"No offline tokenizer gives token ids for {self.model!r}: "
                "get_num_tokens() and get_num_tokens_from_messages() estimate counts without "
                "one. For OpenAI models install tiktoken; or pass custom_get_token_ids=..."
            )
            raise NotImplementedError(msg)
        return ids

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Estimated prompt tokens of ``messages`` (and ``tools``), images by OpenAI's rule."""
        return messages_tokens(messages, self.model, tools)

    # --- model profile, catalogue and generation stats ----------------------------------

    def _resolve_model_profile(self) -> ModelProfile | None:
        """The bundled profile of ``model`` (see the README's "Model profiles").

        Empty, not an error, for a model the bundled snapshot does not know.
        """
        return profile_for(self.model)

    def list_models(
        self,
        *,
        output_modalities: str | Sequence[str] | None = None,
        supported_parameters: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> list[ModelInfo]:
        """OpenRouter's models with their pricing and capabilities (``GET /models``).

        Sent with this model's API key, base URL, headers, timeout and retries.

        Args:
            output_modalities: ``"text"`` (OpenRouter's default), ``"image"``, ``"audio"``,
                ``"embeddings"``, a list of them, or ``"all"``.
            supported_parameters: Only models supporting all of these, e.g.
                ``["tools", "structured_outputs"]``.
            filters: Further query parameters, sent as given (lists comma-separated):
                ``category``, ``sort``, ``q``, ``input_modalities``, ``offset``, ``limit``, ...

        Returns:
            One dict per model: ``id``, ``name``, ``context_length``, ``pricing`` (USD per
            token, as strings), ``architecture``, ``top_provider``,
            ``supported_parameters``, ``reasoning``, ... and whatever else OpenRouter sends.
        """
        from langchain_openrouter import _catalog  # noqa: PLC0415 - keeps the package import fast

        request = _catalog.models_request(
            output_modalities=output_modalities,
            supported_parameters=supported_parameters,
            **filters,
        )
        return _transport.fetch_json(
            self._connection, request, _catalog.read_models, self.max_retries
        )

    async def alist_models(
        self,
        *,
        output_modalities: str | Sequence[str] | None = None,
        supported_parameters: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> list[ModelInfo]:
        """Async :meth:`list_models`."""
        from langchain_openrouter import _catalog  # noqa: PLC0415 - keeps the package import fast

        request = _catalog.models_request(
            output_modalities=output_modalities,
            supported_parameters=supported_parameters,
            **filters,
        )
        return await _transport.afetch_json(
            self._connection, request, _catalog.read_models, self.max_retries
        )

    def get_generation(self, generation_id: str) -> GenerationStats:
        """Stats of one generation (``GET /generation``): cost, tokens, latency, provider.

        Args:
            generation_id: ``response_metadata["id"]`` of a reply (``"gen-..."``). The
                record may take a moment to appear after the reply (404 until then).
        """
        from langchain_openrouter import _catalog  # noqa: PLC0415 - keeps the package import fast

        request = _catalog.generation_request(generation_id)
        return _transport.fetch_json(
            self._connection, request, _catalog.read_generation, self.max_retries
        )

    async def aget_generation(self, generation_id: str) -> GenerationStats:
        """Async :meth:`get_generation`."""
        from langchain_openrouter import _catalog  # noqa: PLC0415 - keeps the package import fast

        request = _catalog.generation_request(generation_id)
        return await _transport.afetch_json(
            self._connection, request, _catalog.read_generation, self.max_retries
        )

    # --- the key's limits and the account's credits -------------------------------------

    def get_key_info(self) -> KeyInfo:
        """This model's API key: spending ``limit``, ``limit_remaining``, ``usage`` (USD).

        ``GET /key``, sent on this model's connection (key, base URL, headers, timeout,
        retries). Check it before a large batch: ``limit_remaining`` is None when the key
        has no limit.
        """
        from langchain_openrouter import _key_info  # noqa: PLC0415 - keeps the package import fast

        return _transport.fetch_json(
            self._connection, _key_info.KEY_REQUEST, _key_info.read_key_info, self.max_retries
        )

    async def aget_key_info(self) -> KeyInfo:
        """Async :meth:`get_key_info`."""
        from langchain_openrouter import _key_info  # noqa: PLC0415 - keeps the package import fast

        return await _transport.afetch_json(
            self._connection, _key_info.KEY_REQUEST, _key_info.read_key_info, self.max_retries
        )

    def get_credits(self) -> Credits:
        """The account's ``total_credits`` and ``total_usage`` (USD; ``GET /credits``).

        Needs a management key; an ordinary key gets ``OpenRouterPermissionDeniedError``.
        """
        from langchain_openrouter import _key_info  # noqa: PLC0415 - keeps the package import fast

        return _transport.fetch_json(
            self._connection, _key_info.CREDITS_REQUEST, _key_info.read_credits, self.max_retries
        )

    async def aget_credits(self) -> Credits:
        """Async :meth:`get_credits`."""
        from langchain_openrouter import _key_info  # noqa: PLC0415 - keeps the package import fast

        return await _transport.afetch_json(
            self._connection, _key_info.CREDITS_REQUEST, _key_info.read_credits, self.max_retries
        )


@dataclass(frozen=True)
class _Api:
    """One of OpenRouter's generation APIs: how its replies and streams are read."""

    read: Callable[..., ChatResult]
    """The whole body, with the requested model, -> ChatResult (or the error it means)."""
    check_first: Callable[[Any], Any]
    """A stream's first event: returned, or the (retryable) error it stands for."""
    assembler: Callable[..., StreamAssembler | ResponsesStreamAssembler]


_CHAT_API = _Api(read_completion, checked_first_chunk, StreamAssembler)
_RESPONSES_API = _Api(read_response, raise_for_failure, ResponsesStreamAssembler)


def _api_of(request: Request) -> _Api:
    """The API ``build_request`` addressed ``request`` to."""
    return _RESPONSES_API if request.path == RESPONSES_PATH else _CHAT_API


# (field, body key) of every field sent in the request body, worked out once.
_BODY_KEYS = tuple(
    (name, BODY_KEY_OF_FIELD.get(name, name))
    for name in ChatOpenRouter.model_fields
    if name not in _NOT_BODY_FIELDS and name not in BaseChatModel.model_fields
)


# ChatOpenRouter's own fields (not LangChain's): model_kwargs entries of these names move in.
_OWN_FIELDS = (
    frozenset(ChatOpenRouter.model_fields) - set(BaseChatModel.model_fields) - {"model_kwargs"}
)
_UNSET: Any = object()


def _field_of_name(cls: type[BaseModel]) -> dict[str, str]:
    """Each name a field can be passed by (its name, alias and alias choices) -> the field."""
    field_of = {}
    for name, info in cls.model_fields.items():
        field_of[name] = name
        if info.alias:
            field_of[info.alias] = name
        if isinstance(info.validation_alias, AliasChoices):
            field_of.update(dict.fromkeys(map(str, info.validation_alias.choices), name))
    return field_of


def _check_same(name: str, value: Any, other_name: str, other: Any) -> None:
    """Reject one setting given twice with different values."""
    if other is not _UNSET and other != value:
        msg = (
            f"{name} is supplied twice, with different values: {name}={value!r} and "
            f"{other_name}={other!r}. Keep only one of them."
        )
        raise ValueError(msg)


def _move_into_field(
    values: dict[str, Any], field_of: dict[str, str], name: str, value: Any
) -> None:
    """Move ``model_kwargs[name]`` into its field, unless the field was given as well."""
    field = field_of[name]
    given = next((alias for alias in values if field_of.get(alias) == field), None)
    if given is not None:
        _check_same(given, values[given], f"model_kwargs[{name!r}]", value)
        return
    if field in _FIELDS_OF_0_2:
        warnings.warn(
            f"model_kwargs[{name!r}] is the ChatOpenRouter argument {field}; "
            f"it was moved there: pass {field}=... instead.",
            UserWarning,
            stacklevel=5,
        )
    values[field] = value


def _json_schema_format(schema: Any, *, strict: bool | None) -> dict[str, Any]:
    function = convert_to_openai_tool(schema, strict=strict)["function"]
    json_schema: dict[str, Any] = {"name": function["name"], "schema": function["parameters"]}
    if function.get("description"):
        json_schema["description"] = function["description"]
    if strict is not None:
        json_schema["strict"] = strict
    return {"type": "json_schema", "json_schema": json_schema}


def _nothing(_: object) -> None:
    return None


def _result_from_chunks(chunks: list[ChatGenerationChunk]) -> ChatResult:
    return generate_from_stream(iter(chunks))


__all__ = ["ChatOpenRouter"]
