"""The ``openai`` clients a model talks through, and the connection pools they share.

Building an ``openai.OpenAI`` without an ``http_client`` gives it a fresh connection pool
and SSL context; doing that per model instance is slow and leaks connections. Here every
model without an injected client shares one sync pool per process and one async pool per
event loop. The SDK's own retries are off: :mod:`.retry` is the only retry policy.

Each pool is safe in the process model it lives in:

- Event loops: a loop's pool (and every SDK client built on it) belongs to that loop and
  is closed, on the loop, when the loop shuts down (``asyncio.run`` and ``asyncio.Runner``
  call ``loop.shutdown_asyncgens()``, which closes the async generator registered with the
  pool). Nothing here holds a loop after that, so ``asyncio.run`` per call leaks nothing.
- Forks: ``os.register_at_fork`` gives the child fresh pools, so a child never reads or
  writes a socket its parent opened; the parent's pools are kept, untouched, in the child.
- Threads: the sync pool is thread-safe (httpx); building and releasing it is locked.
- Pickling: a model travels as its fields (the API key as the ``SecretStr`` it is) and
  rebuilds its :class:`Connection` on arrival, its pools lazily on first use there (see
  :class:`OpenRouterConnection`).
"""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
import weakref
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import httpx2
import openai
from langchain_core.utils import from_env, secret_from_env
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    SecretStr,
)

from langchain_openrouter._preflight import check_argument

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncGenerator

    from typing_extensions import Self

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

# Field types of the connection settings ChatOpenRouter and OpenRouterEmbeddings share:
# one place for their aliases and environment variables.
ModelSlug = Annotated[str, Field(validation_alias=AliasChoices("model", "model_name"))]


def _key_from_env_if_none(value: Any) -> Any:
    """``api_key=None`` means "not given": the environment variable, as when it is left out.

    ``langchain_core.load.loads`` passes None for a secret it was not given.
    """
    return os.environ.get("OPENROUTER_API_KEY") if value is None else value


ApiKey = Annotated[
    SecretStr | None,
    BeforeValidator(_key_from_env_if_none),
    Field(
        validation_alias=AliasChoices("api_key", "openrouter_api_key"),
        default_factory=secret_from_env("OPENROUTER_API_KEY", default=None),
    ),
]


def _checked_base_url(value: str) -> str:
    return str(check_argument("base_url", value))


BaseURL = Annotated[
    str,
    AfterValidator(_checked_base_url),
    Field(
        validation_alias=AliasChoices("base_url", "openrouter_api_base"),
        default_factory=from_env("OPENROUTER_API_BASE", default=DEFAULT_BASE_URL),
        validate_default=True,  # OPENROUTER_API_BASE is checked too
    ),
]
AppURL = Annotated[str | None, Field(default_factory=from_env("OPENROUTER_APP_URL", default=None))]
AppTitle = Annotated[
    str | None, Field(default_factory=from_env("OPENROUTER_APP_TITLE", default=None))
]
SessionId = Annotated[
    str | None,
    # An empty value (or an empty OPENROUTER_SESSION_ID) means "no session", as in 0.2.x.
    AfterValidator(lambda value: value or None),
    Field(default_factory=from_env("OPENROUTER_SESSION_ID", default=None), validate_default=True),
]
Timeout = Annotated[
    Any, Field(default=None, validation_alias=AliasChoices("timeout", "request_timeout"))
]

# A timeout this large (over 16 minutes) is most likely 0.2.x's milliseconds.
_LIKELY_MILLISECONDS = 1000
_warned_timeouts: set[float] = set()


def _warn_if_milliseconds(timeout: float) -> None:
    """Warn once per value about a timeout that looks like milliseconds; it stays seconds."""
    if timeout < _LIKELY_MILLISECONDS or timeout in _warned_timeouts:
        return
    _warned_timeouts.add(timeout)
    warnings.warn(
        f"timeout={timeout:g} is in seconds ({timeout / 3600:.1f} hours), not milliseconds as "
        f"in langchain-openrouter 0.2.x; for {timeout / 1000:g} seconds pass "
        f"timeout={timeout / 1000:g}.",
        UserWarning,
        stacklevel=2,
    )


def normalize_timeout(timeout: Any) -> Any:
    """Seconds as float, or an ``httpx2.Timeout`` (legacy ``httpx.Timeout`` converted)."""
    if timeout is None or isinstance(timeout, httpx2.Timeout):
        return timeout
    if isinstance(timeout, bool):
        msg = f"timeout must be seconds (a number) or an httpx.Timeout, got {timeout!r}."
        raise TypeError(msg)
    if isinstance(timeout, (int, float)):
        if timeout <= 0:
            msg = f"timeout must be a positive number of seconds, got {timeout!r}."
            raise ValueError(msg)
        _warn_if_milliseconds(timeout)
        return float(timeout)
    if all(hasattr(timeout, part) for part in ("connect", "read", "write", "pool")):
        return httpx2.Timeout(
            connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool
        )
    if isinstance(timeout, tuple):
        return httpx2.Timeout(*timeout)
    msg = f"timeout must be seconds (a number) or an httpx.Timeout, got {type(timeout).__name__}."
    raise TypeError(msg)


MISSING_KEY = (
    "No OpenRouter API key: set the OPENROUTER_API_KEY environment variable "
    "or pass api_key=... (keys: https://openrouter.ai/keys)."
)


class _LoopPool:
    """The async pool of one event loop, and the SDK clients models built on it there."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self.http = openai.DefaultAsyncHttpxClient(verify=ssl_context)
        self.clients: weakref.WeakKeyDictionary[Connection, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )
        self.closer: AsyncGenerator[None, None] | None = None


class _SharedPools:
    """One sync httpx pool per process and one async pool per running event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.build_lock = threading.Lock()
        """Held while a model builds or drops its SDK client (taken before ``_lock``)."""
        self._sync: openai.DefaultHttpxClient | None = None
        self._sync_users = 0
        self._loops: dict[asyncio.AbstractEventLoop, _LoopPool] = {}
        self.generation = 0
        """Bumped in a forked child: clients built before the fork are not used there."""
        self._inherited: list[object] = []
        self._ssl_context: ssl.SSLContext | None = None

    def ssl_context(self) -> ssl.SSLContext:
        """The one TLS context of every pool.

        Loading the CA bundle takes ~20 ms, which a pool per event loop would otherwise
        pay on every ``asyncio.run``.
        """
        if self._ssl_context is None:
            self._ssl_context = httpx2.create_ssl_context()
        return self._ssl_context

    def acquire_sync(self) -> openai.DefaultHttpxClient:
        with self._lock:
            if self._sync is None or self._sync.is_closed:
                self._sync = openai.DefaultHttpxClient(verify=self.ssl_context())
            self._sync_users += 1
            return self._sync

    def release_sync(self) -> None:
        with self._lock:
            self._sync_users -= 1
            if self._sync_users <= 0 and self._sync is not None:
                self._sync.close()
                self._sync, self._sync_users = None, 0

    def loop_pool(self, loop: asyncio.AbstractEventLoop) -> _LoopPool:
        """The running loop's pool, made (and tied to the loop's shutdown) on first use."""
        pool = self._loops.get(loop)
        if pool is not None:
            return pool
        with self._lock:
            self._forget_closed_loops()
            pool = self._loops[loop] = _LoopPool(self.ssl_context())
        pool.closer = self._close_at_shutdown(loop, pool)
        _start(pool.closer)
        return pool

    def existing_loop_pool(self, loop: asyncio.AbstractEventLoop) -> _LoopPool | None:
        return self._loops.get(loop)

    async def _close_at_shutdown(
        self, loop: asyncio.AbstractEventLoop, pool: _LoopPool
    ) -> AsyncGenerator[None, None]:
        """Suspended until the loop's ``shutdown_asyncgens()`` (or :meth:`close_loop_pool`)."""
        try:
            yield
        finally:
            with self._lock:
                if self._loops.get(loop) is pool:
                    del self._loops[loop]
            pool.clients.clear()
            await pool.http.aclose()

    async def close_loop_pool(self, pool: _LoopPool) -> None:
        """Close a loop's pool now, on its loop."""
        if pool.closer is not None:
            await pool.closer.aclose()

    def _forget_closed_loops(self) -> None:
        """Drop the pools of loops closed without ``shutdown_asyncgens()``.

        Nothing can close those pools any more: their sockets belong to a closed loop.
        """
        for loop in [loop for loop in self._loops if loop.is_closed()]:
            del self._loops[loop]

    def forget_after_fork(self) -> None:
        """In a forked child: start afresh, never touching the parent's pools.

        The parent's pools are kept referenced, unused, rather than closed: closing them
        could block on a lock another parent thread held at the fork, and collecting them
        would warn about unclosed sockets.
        """
        self._inherited.append((self._sync, self._loops))
        # A lock another thread held at the fork stays held in the child: new ones.
        self._lock, self.build_lock = threading.Lock(), threading.Lock()
        self._sync, self._sync_users, self._loops = None, 0, {}
        self.generation += 1


def _start(closer: AsyncGenerator[None, None]) -> None:
    """Run ``closer`` to its ``yield``, which registers it with the running loop.

    The loop's ``shutdown_asyncgens()`` then closes it
    (https://peps.python.org/pep-0525/#finalization).
    """
    step = closer.asend(None)
    try:
        step.send(None)
    except StopIteration:
        return
    msg = "the pool closer must not wait before its yield"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


_POOLS = _SharedPools()
if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(after_in_child=_POOLS.forget_after_fork)


def request_headers(
    *,
    app_url: str | None,
    app_title: str | None,
    app_categories: list[str] | None,
    default_headers: dict[str, str] | None,
    session_id: str | None = None,
) -> dict[str, str]:
    """App attribution headers (https://openrouter.ai/docs/app-attribution), then the user's."""
    headers: dict[str, str] = {}
    if app_url:
        headers["HTTP-Referer"] = app_url
    if app_title:
        headers["X-OpenRouter-Title"] = headers["X-Title"] = app_title
    if app_categories:
        headers["X-OpenRouter-Categories"] = ",".join(app_categories)
    if session_id:
        headers["x-session-id"] = session_id
    headers.update(default_headers or {})
    return headers


@dataclass(eq=False)  # compared and hashed by identity: a key of each loop's clients
class Connection:
    """Connection settings of one model, and the SDK clients built from them on first use."""

    api_key: str
    base_url: str
    headers: dict[str, str]
    timeout: Any
    http_client: Any = None
    http_async_client: Any = None
    _sync: openai.OpenAI | None = field(default=None, init=False, repr=False)
    _sync_generation: int = field(default=-1, init=False, repr=False)
    _own_async: openai.AsyncOpenAI | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: OpenRouterConnection, headers: dict[str, str]) -> Self:
        """The connection a model's fields describe; a missing key is a ``ValueError``."""
        if settings.api_key is None or not settings.api_key.get_secret_value():
            raise ValueError(MISSING_KEY)
        return cls(
            api_key=settings.api_key.get_secret_value(),
            base_url=settings.base_url,
            headers=headers,
            timeout=normalize_timeout(settings.timeout),
            http_client=settings.http_client,
            http_async_client=settings.http_async_client,
        )

    def __repr__(self) -> str:  # never show the key
        return f"Connection(base_url={self.base_url!r})"

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """The same settings, without the clients (which hold locks and sockets).

        An injected ``http_client`` is shared, not copied: it is the caller's.
        """
        return replace(self, headers=dict(self.headers))

    def _options(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "default_headers": self.headers,
            "timeout": self.timeout,
            "max_retries": 0,
        }

    def sync_client(self) -> openai.OpenAI:
        """The sync SDK client, built on first use (and again in a forked child)."""
        client = self._sync
        if client is not None and self._sync_generation == _POOLS.generation:
            return client
        with _POOLS.build_lock:
            if self._sync is None or self._sync_generation != _POOLS.generation:
                http_client = self.http_client or _POOLS.acquire_sync()
                self._sync = openai.OpenAI(http_client=http_client, **self._options())
                self._sync_generation = _POOLS.generation
            return self._sync

    def async_client(self) -> openai.AsyncOpenAI:
        """The async SDK client for the running event loop, built on first use there."""
        if self.http_async_client is not None:
            if self._own_async is None:
                self._own_async = openai.AsyncOpenAI(
                    http_client=self.http_async_client, **self._options()
                )
            return self._own_async
        pool = _POOLS.loop_pool(asyncio.get_running_loop())
        client = pool.clients.get(self)
        if client is None:
            client = pool.clients[self] = openai.AsyncOpenAI(
                http_client=pool.http, **self._options()
            )
        return client

    def close(self) -> None:
        """Release the sync client; its pool closes once no other model uses it."""
        with _POOLS.build_lock:
            current = self._sync_generation == _POOLS.generation
            if self._sync is not None and self.http_client is None and current:
                _POOLS.release_sync()
            self._sync = None

    async def aclose(self) -> None:
        """Release the async client of the running loop.

        The loop's pool closes once no other model uses it there, and in any case when
        the loop shuts down.
        """
        self._own_async = None
        pool = _POOLS.existing_loop_pool(asyncio.get_running_loop())
        if pool is None or pool.clients.pop(self, None) is None:
            return
        if not pool.clients:
            await _POOLS.close_loop_pool(pool)


# Fields that configure the connection: changing one after construction reconnects.
CONNECTION_FIELDS = frozenset(
    {
        "api_key",
        "base_url",
        "timeout",
        "app_url",
        "app_title",
        "app_categories",
        "default_headers",
    }
)


class OpenRouterConnection(BaseModel):
    """The connection fields, headers, lifecycle and pickling of every OpenRouter model.

    ``ChatOpenRouter`` and ``OpenRouterEmbeddings`` derive from it: one definition of the
    settings they share (names, aliases, environment variables), of the headers they send,
    of ``close``/``aclose`` and the context managers. Setting a connection field after
    construction rebuilds the :class:`Connection`.
    """

    model: ModelSlug
    """OpenRouter model slug, e.g. ``"anthropic/claude-sonnet-4.5"``."""
    api_key: ApiKey
    """OpenRouter API key; defaults to the ``OPENROUTER_API_KEY`` environment variable."""
    base_url: BaseURL
    """API base URL; defaults to ``OPENROUTER_API_BASE`` or OpenRouter's."""
    app_url: AppURL
    """Your app's URL, sent as ``HTTP-Referer`` for OpenRouter's app attribution."""
    app_title: AppTitle
    """Your app's name, sent as ``X-OpenRouter-Title`` (and the legacy ``X-Title``)."""
    app_categories: list[str] | None = None
    """Attribution categories, sent as ``X-OpenRouter-Categories``."""
    default_headers: dict[str, str] | None = Field(default=None, exclude=True, repr=False)
    """Extra HTTP headers on every request; never serialized or shown (they may hold
    credentials)."""
    timeout: Timeout
    """Request timeout in seconds (float) or an ``httpx.Timeout``; None = SDK default."""
    max_retries: int = Field(default=2, ge=0)
    """Retries after the first attempt for retryable failures; 0 = exactly one attempt."""
    http_client: Any = Field(default=None, exclude=True)
    """Your own ``httpx.Client``/``httpx2.Client`` for sync calls (you close it)."""
    http_async_client: Any = Field(default=None, exclude=True)
    """Your own ``httpx.AsyncClient``/``httpx2.AsyncClient`` for async calls."""

    _connection: Connection = PrivateAttr()
    _connection_fields: ClassVar[frozenset[str]] = CONNECTION_FIELDS
    """Fields that configure the connection: changing one after construction reconnects."""

    def model_post_init(self, context: Any, /) -> None:
        # Declared so that pydantic's private-attribute setup chains to the next class
        # (BaseLanguageModel seeds metadata["lc_versions"] there) instead of replacing it.
        super().model_post_init(context)

    def _header_session_id(self) -> str | None:
        """The session id sent as the ``x-session-id`` header (None: not sent there)."""
        return None

    def _headers(self) -> dict[str, str]:
        return request_headers(
            app_url=self.app_url,
            app_title=self.app_title,
            app_categories=self.app_categories,
            default_headers=self.default_headers,
            session_id=self._header_session_id(),
        )

    def _connect(self) -> None:
        """(Re)build the :class:`Connection` from the fields; a missing key raises."""
        self._connection = Connection.from_settings(self, self._headers())

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in self._connection_fields and self.__pydantic_private__:
            # The SDK client holds the key, URL, timeout and headers: rebuild it.
            previous = self._connection
            self._connect()
            previous.close()

    def __getstate__(self) -> dict[Any, Any]:
        """The fields, to pickle or copy; the copy builds its own connection from them."""
        if self.http_client is not None or self.http_async_client is not None:
            name = type(self).__name__
            msg = (
                f"A {name} built with http_client or http_async_client cannot be pickled: "
                "an HTTP client holds open sockets, which cannot travel to another process. "
                f"Build the {name} without them (it then uses a connection pool of its own "
                "in each process), or build it inside the worker."
            )
            raise TypeError(msg)
        state = super().__getstate__()
        private = state.get("__pydantic_private__") or {}
        state["__pydantic_private__"] = {k: v for k, v in private.items() if k != "_connection"}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self._connect()

    def close(self) -> None:
        """Release the sync connection (its pool closes when no model uses it)."""
        self._connection.close()

    async def aclose(self) -> None:
        """Release the async connection for the running event loop."""
        await self._connection.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
