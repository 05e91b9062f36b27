"""Clients and connection pools, over real loopback sockets."""

from __future__ import annotations

import time
from functools import reduce
from operator import add

import pytest
from langchain.chat_models import init_chat_model

from langchain_openrouter import ChatOpenRouter, OpenRouterTimeoutError
from langchain_openrouter._http.connection import _POOLS
from langchain_openrouter.testing import (
    Completion,
    OpenRouterEmulator,
    StreamShape,
)


def test_default_clients_talk_to_the_base_url() -> None:
    with OpenRouterEmulator(api_key="sk-or-x") as emulator:
        emulator.enqueue(
            Completion(content="over a real socket"),
            Completion(content="streamed", stream=StreamShape(chunk_size=3)),
        )
        llm = ChatOpenRouter(
            model="openai/gpt-4o-mini", api_key="sk-or-x", base_url=emulator.base_url
        )
        assert llm.invoke("hi").content == "over a real socket"
        assert reduce(add, llm.stream("hi")).content == "streamed"
    assert [r.path for r in emulator.requests] == ["/chat/completions"] * 2
    assert emulator.requests[0].headers["authorization"] == "Bearer sk-or-x"


async def test_async_default_clients() -> None:
    with OpenRouterEmulator(api_key=None) as emulator:
        emulator.enqueue(Completion(content="async socket"))
        llm = ChatOpenRouter(
            model="openai/gpt-4o-mini", api_key="sk-or-x", base_url=emulator.base_url
        )
        assert (await llm.ainvoke("hi")).content == "async socket"
        await llm.aclose()


def test_models_share_one_connection_pool() -> None:
    with OpenRouterEmulator(api_key=None) as emulator:
        first = ChatOpenRouter(model="a/b", api_key="sk-or-1", base_url=emulator.base_url)
        second = ChatOpenRouter(model="c/d", api_key="sk-or-2", base_url=emulator.base_url)
        first.invoke("hi")
        second.invoke("hi")
        assert first._connection.sync_client()._client is second._connection.sync_client()._client
        # Both calls reused one keep-alive connection.
        assert emulator.connections.total == 1
        first.close()
        second.close()


def test_close_releases_the_shared_pool_and_the_last_user_closes_it() -> None:
    with OpenRouterEmulator(api_key=None, default=Completion(content="again")) as emulator:
        users_before = _POOLS._sync_users
        with ChatOpenRouter(model="a/b", api_key="sk-or-1", base_url=emulator.base_url) as llm:
            llm.invoke("hi")
            assert _POOLS._sync_users == users_before + 1
            pool = llm._connection.sync_client()._client
        assert _POOLS._sync_users == users_before
        assert pool.is_closed == (users_before == 0)
        assert llm.invoke("hi").content == "again"  # the pool is acquired again on demand
        llm.close()


def test_timeout_is_in_seconds_and_can_be_set_per_call() -> None:
    with OpenRouterEmulator(api_key=None, default=Completion(delay=1.0)) as emulator:
        llm = ChatOpenRouter(
            model="a/b", api_key="sk-or-1", base_url=emulator.base_url, timeout=30, max_retries=0
        )
        started = time.monotonic()
        with pytest.raises(OpenRouterTimeoutError):
            llm.invoke("hi", timeout=0.2)
        assert time.monotonic() - started < 0.9
        assert len(emulator.requests) == 1


def test_init_chat_model_builds_a_chat_openrouter() -> None:
    llm = init_chat_model("openrouter:anthropic/claude-sonnet-4.5", api_key="sk-or-1")
    assert isinstance(llm, ChatOpenRouter)
    assert llm.model == "anthropic/claude-sonnet-4.5"
    explicit = init_chat_model("openai/gpt-4o", model_provider="openrouter", api_key="sk-or-1")
    assert isinstance(explicit, ChatOpenRouter)
    assert explicit.model == "openai/gpt-4o"
