"""Tool definitions and ``tool_choice`` in OpenRouter's form.

Function tools go through LangChain's ``convert_to_openai_tool``. OpenRouter server tools
(``{"type": "openrouter:web_search", ...}`` and the OpenAI-style shorthands such as
``{"type": "web_search"}``) are executed by OpenRouter and pass through untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.utils.function_calling import convert_to_openai_tool

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TypeAlias

    # langchain_core.tools costs ~5 ms to import; only annotations need it.
    from langchain_core.tools import BaseTool
    from pydantic import BaseModel

    ToolLike: TypeAlias = dict[str, Any] | type[BaseModel] | Callable[..., Any] | BaseTool

_PLAIN_CHOICES = frozenset({"auto", "none", "required"})
_NOT_SERVER_TYPES = frozenset({"function", "object"})


def is_server_tool(tool: object) -> bool:
    """Whether ``tool`` is a dict for a tool OpenRouter runs itself.

    That is a dict with a ``type`` other than ``"function"`` which is not a JSON schema
    (schemas have ``"type": "object"`` and ``properties``; they become function tools).
    """
    if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
        return False
    return tool["type"] not in _NOT_SERVER_TYPES and "properties" not in tool


def convert_tool(tool: ToolLike, *, strict: bool | None = None) -> dict[str, Any]:
    """One entry of the request's ``tools``."""
    if is_server_tool(tool):
        return dict(tool)  # type: ignore[arg-type]
    return convert_to_openai_tool(tool, strict=strict)


def tool_names(tools: Sequence[dict[str, Any]]) -> list[str]:
    """Names of the function tools among converted ``tools``."""
    return [tool["function"]["name"] for tool in tools if tool.get("type") == "function"]


def convert_tool_choice(choice: object, tools: Sequence[dict[str, Any]]) -> object:
    """``tool_choice`` as OpenRouter takes it.

    ``"any"`` means "call some tool"; ``True`` forces the one bound function tool (an
    error with several, as in 0.2.x); a function name forces that function; a server
    tool type forces that server tool; dicts pass through.
    """
    names = tool_names(tools)
    if choice is True:
        if len(names) != 1:
            msg = (
                "tool_choice can only be True when there is one tool (True forces it), but "
                f"{len(names)} function tools are bound ({', '.join(names) or 'none'}). Pass "
                "tool_choice='any' (or 'required') to make the model call one of them, "
                "or the name of the tool to force."
            )
            raise ValueError(msg)
        return _function_choice(names[0])
    if choice is False or choice is None:
        return None
    if isinstance(choice, dict):
        return choice
    if not isinstance(choice, str):
        msg = f"tool_choice must be a string, a dict or a bool, got {type(choice).__name__}."
        raise TypeError(msg)
    if choice in _PLAIN_CHOICES or choice == "any":
        return "required" if choice == "any" else choice
    if choice in names:
        return _function_choice(choice)
    server_types = {tool["type"] for tool in tools if is_server_tool(tool)}
    if choice in server_types or choice.startswith("openrouter:"):
        return {"type": choice}
    msg = (
        f"tool_choice {choice!r} names no bound tool. Use 'auto', 'none', 'any'/'required', "
        f"or one of: {', '.join(names) or '(no function tools bound)'}."
    )
    raise ValueError(msg)


def _function_choice(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def with_eager_input_streaming(tools: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``tools`` with Anthropic's fine-grained tool streaming asked for on each function tool.

    Anthropic then streams a tool call's arguments as they are generated instead of
    buffering them (https://platform.claude.com/docs/en/agents-and-tools/tool-use/fine-grained-tool-streaming);
    OpenRouter passes ``eager_input_streaming`` on for Anthropic models
    (https://openrouter.ai/docs/guides/routing/provider-selection#provider-specific-headers).
    """
    return [
        {**tool, "eager_input_streaming": True} if tool.get("type") == "function" else tool
        for tool in tools
    ]
