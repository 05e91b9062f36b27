from __future__ import annotations

from functools import reduce
from operator import add

from langchain_openrouter.testing import (
    JSONReply,
    OpenRouterEmulator,
    completion_body,
    text_stream,
)


def test_invoke_and_stream_give_the_same_message(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("Hello there")))
    fake.script(text_stream("Hello", " there"))
    llm = fake.chat_model()
    invoked = llm.invoke("hi")
    streamed = reduce(add, llm.stream("hi"))
    assert invoked.content == streamed.content == "Hello there"
    assert invoked.usage_metadata == streamed.usage_metadata
    for key in ("finish_reason", "model_name", "provider", "cost", "native_finish_reason"):
        assert invoked.response_metadata[key] == streamed.response_metadata[key]
    assert fake.requests[0].body["messages"] == [{"role": "user", "content": "hi"}]
    assert fake.requests[1].body["stream"] is True


async def test_async_paths(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body("Hi")))
    fake.script(text_stream("H", "i"))
    llm = fake.chat_model()
    assert (await llm.ainvoke("x")).content == "Hi"
    chunks = [c async for c in llm.astream("x")]
    assert reduce(add, chunks).content == "Hi"
