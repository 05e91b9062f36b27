"""A LangGraph agent (``create_agent``) with a tool, a reasoning model and memory.

Claude thinks before it calls a tool, and Anthropic requires that signed thinking to come
back unchanged on every later request of the conversation. ChatOpenRouter keeps it in each
``AIMessage``'s ``additional_kwargs["reasoning_details"]`` and sends it back with the
message. The ``InMemorySaver`` checkpointer keeps the thread, so the second question's
requests replay the whole first turn: its reasoning, tool call and tool result.

Run it with ``python examples/agent_with_tools.py``: against OpenRouter when
``OPENROUTER_API_KEY`` is set, otherwise against the local emulator.
"""

from __future__ import annotations

from textwrap import shorten
from typing import TYPE_CHECKING, Any

from _offline import openrouter_or_emulator
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.testing import Completion, anthropic_reasoning, tool_call, usage

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langchain_core.runnables import RunnableConfig
    from langgraph.graph.state import CompiledStateGraph

MODEL = "anthropic/claude-sonnet-4.5"
PREVIEW_CHARS = 100
THREAD: RunnableConfig = {"configurable": {"thread_id": "trip-planning"}}
QUESTIONS = (
    "I'm in Paris today. Do I need an umbrella?",
    "I'm in Berlin tonight. What about there?",
)

# A stand-in weather service, so the example needs no other API.
WEATHER = {"paris": "14°C, light rain until evening", "berlin": "9°C, clear skies"}


@tool
def get_weather(city: str) -> str:
    """Get today's weather for a city."""
    return WEATHER.get(city.strip().lower(), f"No weather data for {city}.")


def build_agent() -> CompiledStateGraph[Any, Any, Any, Any]:
    """A tool-calling agent on a reasoning model, remembering each thread in memory."""
    llm = ChatOpenRouter(
        model=MODEL,
        reasoning={"max_tokens": 1024},  # Claude's thinking budget (at least 1024)
        max_tokens=2048,  # must be larger than the thinking budget
    )
    return create_agent(
        llm,
        tools=[get_weather],
        system_prompt="You help travellers pack. Check the weather before you answer, "
        "then answer in one or two sentences.",
        checkpointer=InMemorySaver(),
    )


def ask(agent: CompiledStateGraph[Any, Any, Any, Any], question: str) -> list[BaseMessage]:
    """One user turn on the thread; the messages the turn added."""
    before = len(agent.get_state(THREAD).values.get("messages", []))
    state = agent.invoke({"messages": [HumanMessage(question)]}, THREAD)
    messages: list[BaseMessage] = state["messages"]
    return messages[before:]


def show(message: BaseMessage) -> None:
    """Print one message of a turn: the question, thinking, tool calls, results, answer."""
    if isinstance(message, HumanMessage):
        print(f"\nyou:      {message.text}")
    elif isinstance(message, ToolMessage):
        print(f"  tool:   {message.text}")
    elif isinstance(message, AIMessage):
        thinking = message.additional_kwargs.get("reasoning_content")
        details = message.additional_kwargs.get("reasoning_details", [])
        if thinking:
            print(f"  thinks: {shorten(thinking, PREVIEW_CHARS)}")
            signed = sum("signature" in detail for detail in details)
            print(f"          ({signed} signed reasoning detail(s), sent back on later turns)")
        for call in message.tool_calls:
            print(f"  calls:  {call['name']}({call['args']})")
        if message.text:
            print(f"claude:   {message.text}")


def run() -> list[list[BaseMessage]]:
    """Ask both questions on one thread; the messages each turn added."""
    agent = build_agent()
    turns = []
    for question in QUESTIONS:
        turn = ask(agent, question)
        for message in turn:
            show(message)
        turns.append(turn)
    return turns


def main() -> None:
    """Run against OpenRouter, or against the emulator without a key."""
    with openrouter_or_emulator("agent_with_tools.py", emulator_replies()):
        run()


# --- Offline: what the emulator answers ------------------------------------------------

PARIS_THINKING = "The user is in Paris and asks about rain. I should check the weather."
PARIS_ANSWER_THINKING = "Light rain until evening: yes, an umbrella is worth it."
BERLIN_THINKING = "Now Berlin, tonight. Check the weather there too."
BERLIN_ANSWER_THINKING = "Clear skies in Berlin: no umbrella needed."


def emulator_replies() -> list[Completion]:
    """Two model calls per turn: a signed thought with a tool call, then the answer."""
    return [
        Completion(
            content="",
            tool_calls=[tool_call("get_weather", {"city": "Paris"}, "toolu_paris")],
            reasoning_details=anthropic_reasoning(PARIS_THINKING, "sig-paris-1=="),
            model=MODEL,
            usage=usage(420, 64, reasoning_tokens=24),
        ),
        Completion(
            content="Yes: light rain in Paris until evening (14°C), so take an umbrella.",
            reasoning_details=anthropic_reasoning(PARIS_ANSWER_THINKING, "sig-paris-2=="),
            model=MODEL,
            usage=usage(530, 40, reasoning_tokens=16),
        ),
        Completion(
            content="",
            tool_calls=[tool_call("get_weather", {"city": "Berlin"}, "toolu_berlin")],
            reasoning_details=anthropic_reasoning(BERLIN_THINKING, "sig-berlin-1=="),
            model=MODEL,
            usage=usage(610, 60, reasoning_tokens=20),
        ),
        Completion(
            content="No umbrella for Berlin: clear skies and 9°C, so bring a warm jacket.",
            reasoning_details=anthropic_reasoning(BERLIN_ANSWER_THINKING, "sig-berlin-2=="),
            model=MODEL,
            usage=usage(700, 38, reasoning_tokens=14),
        ),
    ]


if __name__ == "__main__":
    main()
