"""The emulator: scripted replies per endpoint, a record of requests, a server on loopback."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Final

from typing_extensions import Self

from langchain_openrouter.testing._account_routes import DEFAULT_ROUTES
from langchain_openrouter.testing._replies import Completion, HTTPError, Plan, Reply
from langchain_openrouter.testing._response_cache import ResponseCache
from langchain_openrouter.testing._responses import RESPONSES_PATH, echo_response
from langchain_openrouter.testing._server import ConnectionStats, HTTPServerThread, RecordedRequest

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from langchain_openrouter import ChatOpenRouter
    from langchain_openrouter.testing._in_process import InProcessTransport

    Responder = Callable[[RecordedRequest], Reply]

CHAT_PATH: Final = "/chat/completions"
ANY_PATH: Final = "*"
"""A path for :meth:`~OpenRouterEmulator.enqueue` and ``route`` meaning: whichever endpoint asks."""
API_ROOT: Final = "/api/v1"
EMULATOR_API_KEY: Final = "sk-or-v1-emulator-key"


def echo(request: RecordedRequest) -> Completion:
    """The default chat reply: repeats the last user message's text."""
    body = request.body if isinstance(request.body, dict) else {}
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    said = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "")
    if isinstance(said, list):
        said = " ".join(p.get("text", "") for p in said if isinstance(p, dict))
    return Completion(content=f"(OpenRouter emulator) You said: {said}")


def _not_found(request: RecordedRequest) -> Reply:
    return HTTPError(status=404, message=f"No route for {request.method} {request.path}")


class OpenRouterEmulator:
    """A local OpenRouter for tests and demos: real HTTP on 127.0.0.1, scripted answers.

    Replies are queued per endpoint with :meth:`enqueue` and served one per request, in
    order; once a queue is empty, the endpoint's default answers (for chat completions,
    :func:`echo`; for the Responses API, ``/responses``, :func:`echo_response`). A reply
    is a :class:`Completion`, a :class:`ResponsesReply` (for ``/responses``, with its faults
    :class:`ResponseFailed`, :class:`ResponsesErrorEvent`, :class:`TruncatedResponses`) or
    a fault (:class:`HTTPError`,
    :class:`ErrorIn200`, :class:`MidStreamError`, :class:`FinishError`,
    :class:`EmptyChoices`, :class:`NestedCompletion`, :class:`Malformed`,
    :class:`DropConnection`, :class:`TruncatedStream`), or a function of the
    :class:`RecordedRequest` returning one. Each serves plain and streaming requests
    alike, in the form OpenRouter uses on that path. Every request is recorded in
    :attr:`requests`, and :attr:`connections` counts connections as the server sees them.

    With ``api_key`` set (the default), requests without ``Authorization: Bearer
    <api_key>`` get OpenRouter's 401; pass ``api_key=None`` to accept any key.

    Example::

        with OpenRouterEmulator() as emulator:
            emulator.enqueue(Completion(content="Hi!"), HTTPError(status=429, retry_after=0))
            model = emulator.chat_model(model="openai/gpt-4o-mini", max_retries=1)
            model.invoke("Hello").content  # "Hi!"
            emulator.requests[0].body["model"]  # "openai/gpt-4o-mini"
    """

    def __init__(
        self,
        *,
        api_key: str | None = EMULATOR_API_KEY,
        default: Reply | Responder | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self._address = (host, port)
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Reply | Responder]] = {}
        self._defaults: dict[str, Reply | Responder] = {}
        # What answers when nothing is scripted: the chat default and the account routes.
        self._builtin: dict[str, Reply | Responder] = {
            **DEFAULT_ROUTES,
            CHAT_PATH: default or echo,
            RESPONSES_PATH: echo_response,
        }
        self.response_cache = ResponseCache()
        """OpenRouter's response cache, played for requests that send ``X-OpenRouter-Cache``."""
        self._requests: list[RecordedRequest] = []
        self._server: HTTPServerThread | None = None
        self._base_url: str | None = None

    def __repr__(self) -> str:
        return f"OpenRouterEmulator(base_url={self._base_url!r})"

    # Lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving on loopback (a free port unless one was given)."""
        if self._server is None:
            self._server = HTTPServerThread(self._respond, self._record, API_ROOT)
            host, port = self._server.start(*self._address)
            self._base_url = f"http://{host}:{port}{API_ROOT}"
        return self

    def stop(self) -> None:
        """Close every connection and stop serving."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The OpenRouter-style API root, such as ``http://127.0.0.1:50123/api/v1``."""
        if self._base_url is None:
            msg = "The emulator is not running: use it as a context manager or call start()."
            raise RuntimeError(msg)
        return self._base_url

    # Scripting -----------------------------------------------------------------------

    def enqueue(self, *replies: Reply | Responder, path: str = CHAT_PATH) -> Self:
        """Queue replies for ``path``, served one per request in order."""
        with self._lock:
            self._queues.setdefault(path, deque()).extend(replies)
        return self

    def script(self, *replies: Reply | Responder, path: str = ANY_PATH) -> Self:
        """Queue replies (for any endpoint by default); the last then answers every later request.

        A short way to script a conversation in a test: ``emulator.script(reply)`` answers
        every request with ``reply`` until the next ``script`` call.
        """
        self.enqueue(*replies, path=path)
        return self.route(path, replies[-1])

    def route(self, path: str, reply: Reply | Responder) -> Self:
        """Answer every request to ``path`` with ``reply`` once its queue is empty.

        ``path=ANY_PATH`` answers requests to endpoints that have no route of their own.
        """
        with self._lock:
            self._defaults[path] = reply
        return self

    @property
    def pending(self) -> int:
        """Queued replies not yet served, over all endpoints."""
        with self._lock:
            return sum(len(queue) for queue in self._queues.values())

    def reset(self) -> None:
        """Forget queued replies, recorded requests and cached responses."""
        with self._lock:
            self._queues.clear()
            self._requests.clear()
        self.response_cache.clear()

    # Observing -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str = CHAT_PATH) -> list[RecordedRequest]:
        """The requests received on one endpoint."""
        return [request for request in self.requests if request.path == path]

    @property
    def connections(self) -> ConnectionStats:
        """Open, peak and total connections, and responses cut short by the client."""
        if self._server is None:
            return ConnectionStats()
        return self._server.stats

    def wait_for_connections(self, at_most: int = 0, timeout: float = 5.0) -> bool:
        """Wait until at most ``at_most`` connections are open; whether that happened."""
        deadline = time.monotonic() + timeout
        while self.connections.open > at_most:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def chat_model(self, **kwargs: Any) -> ChatOpenRouter:
        """A :class:`ChatOpenRouter` talking to this emulator (``model`` defaults too).

        Over loopback once the emulator is started; before that, in process, through
        :meth:`transport` (no socket, same replies).
        """
        from langchain_openrouter import ChatOpenRouter  # noqa: PLC0415 - keeps import light

        if "model_name" not in kwargs:
            kwargs.setdefault("model", "openai/gpt-4o-mini")
        if "openrouter_api_key" not in kwargs:
            kwargs.setdefault("api_key", self.api_key or EMULATOR_API_KEY)
        if self._server is not None:
            kwargs.setdefault("base_url", self.base_url)
            return ChatOpenRouter(**kwargs)
        return ChatOpenRouter(**self.in_process_clients(), **kwargs)

    # In process ----------------------------------------------------------------------

    def transport(self) -> InProcessTransport:
        """An httpx2 transport answered by this emulator in process, as ``MockTransport``.

        Requests are recorded and answered exactly as over the socket, for any host; one
        transport serves ``httpx2.Client`` and ``httpx2.AsyncClient`` alike. No connections
        are counted, since none are opened.
        """
        from langchain_openrouter.testing._in_process import (  # noqa: PLC0415 - needs httpx2
            InProcessTransport,
        )

        return InProcessTransport(self._serve, API_ROOT)

    def in_process_clients(self) -> dict[str, Any]:
        """``http_client`` and ``http_async_client`` on the in-process transports."""
        import httpx2  # noqa: PLC0415 - only needed in process

        return {
            "http_client": httpx2.Client(transport=self.transport()),
            "http_async_client": httpx2.AsyncClient(transport=self.transport()),
        }

    # Serving (called on the server thread) -------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _serve(self, request: RecordedRequest) -> Plan:
        self._record(request)
        return self._respond(request)

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            queue = self._queues.get(request.path) or self._queues.get(ANY_PATH)
            reply = queue.popleft() if queue else self._default_for(request.path)
        return reply if hasattr(reply, "plan") else reply(request)

    def _default_for(self, path: str) -> Reply | Responder:
        scripted = self._defaults.get(path) or self._defaults.get(ANY_PATH)
        return scripted or self._builtin.get(path, _not_found)

    def _respond(self, request: RecordedRequest) -> Plan:
        unauthorized = self._unauthorized(request)
        if unauthorized is not None:
            return unauthorized.plan(request)
        hit = self.response_cache.replay(request)
        if hit is not None:  # answered by OpenRouter's cache: no scripted reply is used
            return hit
        reply = self._next_reply(request)
        return self.response_cache.store(request, reply, reply.plan(request))

    def _unauthorized(self, request: RecordedRequest) -> Reply | None:
        """OpenRouter's 401 bodies for a missing or wrong key.

        See docs/openrouter-wire-notes.md#authentication-errors.
        """
        if self.api_key is None:
            return None
        sent = request.headers.get("authorization", "")
        if not sent.removeprefix("Bearer ").strip():
            return HTTPError(status=401, message="No cookie auth credentials found")
        if sent != f"Bearer {self.api_key}":
            return HTTPError(status=401, message="User not found.")
        return None
