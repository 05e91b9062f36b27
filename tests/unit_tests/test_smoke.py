from __future__ import annotations

from functools import reduce
from operator import add

from tests.unit_tests.fake_openrouter import FakeOpenRouter, completion, text_stream


def test_invoke_and_stream_give_the_same_message(fake: FakeOpenRouter) -> None:
    fake.reply_json(completion("Hello there"))
    fake.reply_sse(text_stream("Hello", " there"))
    llm = fake.model()
    invoked = llm.invoke("hi")
    streamed = reduce(add, llm.stream("hi"))
    assert invoked.content == streamed.content == "Hello there"
    assert invoked.usage_metadata == streamed.usage_metadata
    for key in ("finish_reason", "model_name", "provider", "cost", "native_finish_reason"):
        assert invoked.response_metadata[key] == streamed.response_metadata[key]
    assert fake.bodies[0]["messages"] == [{"role": "user", "content": "hi"}]
    assert fake.bodies[1]["stream"] is True


async def test_async_paths(fake: FakeOpenRouter) -> None:
    fake.reply_json(completion("Hi"))
    fake.reply_sse(text_stream("H", "i"))
    llm = fake.model()
    assert (await llm.ainvoke("x")).content == "Hi"
    chunks = [c async for c in llm.astream("x")]
    assert reduce(add, chunks).content == "Hi"
