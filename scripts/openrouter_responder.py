"""The rules of what OpenRouter answers to a chat completion, for writing cassettes offline.

``scripts/write_cassettes.py`` runs the integration suite in record mode against the
emulator (``langchain_openrouter.testing``) on 127.0.0.1, with :meth:`Responder.reply` as
its chat-completions reply: the emulator writes the JSON and SSE, these rules decide the
content. ``POST /api/v1/chat/completions`` is answered the way OpenRouter's docs say
OpenRouter answers (summed up in docs/openrouter-wire-notes.md; anchors below):

* request checks that OpenRouter or the upstream provider enforce (#provider-routing,
  #upstream-errors): tool messages must answer a preceding tool call, content parts must
  be known types, reasoning takes ``effort`` or ``max_tokens`` but not both, ``provider``
  has a closed key set, Anthropic signatures must match the thinking text they sign
  (#reasoning-replay), Anthropic refuses a forced tool choice while thinking;
* routing (#provider-routing, #legacy-route): presets, ``models`` fallbacks, ``provider``
  order/only/ignore/max_price/allow_fallbacks over a small table of models and endpoints;
* the answer, computed by rules from the prompt: greetings, haikus, a story, jokes,
  arithmetic, tool calls with arguments read from the prompt and the tool's schema, JSON
  that fits a requested schema, descriptions of the test images, a PDF's title, web-search
  answers with ``url_citation`` annotations (#annotations), PDF ``file`` annotations;
* Anthropic-style reasoning with signed ``reasoning_details`` (#reasoning-replay,
  #reasoning-fragments);
* usage with cost, ``cost_details``, cached and cache-write tokens from a prompt cache
  simulated per vendor (#prompt-caching), reasoning tokens, server-tool use (#usage);
* bodies as JSON or SSE: keep-alive comments, role on every delta, reasoning fragments
  with a text-less signature fragment, tool-call argument fragments, a finish chunk and
  then the usage chunk, ``[DONE]`` (#sse-framing, #stream-chunks);
* errors in OpenRouter's envelope, with the ``user_id`` field real errors carry
  (#error-envelope, #upstream-errors).

Token counts are estimates (four characters a token); prices are list prices per token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from langchain_openrouter.testing import (
    HTTPError,
    JSONReply,
    Reply,
    SSEReply,
    chunk,
    completion_body,
)
from langchain_openrouter.testing import usage as usage_object

if TYPE_CHECKING:
    from langchain_openrouter.testing import RecordedRequest

Json = dict[str, Any]


class Asset(Protocol):
    """A test file the responder recognises (by its SHA-256 or by its download URL)."""

    description: str


# --- the model table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    slug: str  # provider slug used in `provider.order` etc.
    name: str  # display name returned in the response's `provider`


@dataclass(frozen=True)
class ModelCard:
    slug: str
    endpoints: tuple[Endpoint, ...]
    prompt_price: float  # USD per token
    completion_price: float
    vendor: str  # "openai" | "anthropic"
    inputs: frozenset[str] = frozenset({"text", "image", "file"})
    cache_read_ratio: float = 0.5
    cache_write_ratio: float = 0.0
    min_cache_tokens: int = 1024
    reasoning: bool = False


_OPENAI = (Endpoint("openai", "OpenAI"), Endpoint("azure", "Azure"))
_ANTHROPIC = (
    Endpoint("anthropic", "Anthropic"),
    Endpoint("amazon-bedrock", "Amazon Bedrock"),
    Endpoint("google-vertex", "Google"),
)
MODELS = {
    card.slug: card
    for card in (
        ModelCard("openai/gpt-4o-mini", _OPENAI, 0.15e-6, 0.6e-6, "openai"),
        ModelCard("openai/gpt-4o", _OPENAI, 2.5e-6, 10e-6, "openai"),
        ModelCard(
            "anthropic/claude-sonnet-4.5",
            _ANTHROPIC,
            3e-6,
            15e-6,
            "anthropic",
            cache_read_ratio=0.1,
            cache_write_ratio=1.25,
            min_cache_tokens=1024,
            reasoning=True,
        ),
        ModelCard(
            "anthropic/claude-haiku-4.5",
            _ANTHROPIC,
            1e-6,
            5e-6,
            "anthropic",
            cache_read_ratio=0.1,
            cache_write_ratio=1.25,
            min_cache_tokens=4096,
            reasoning=True,
        ),
    )
}

# Presets live in the recording account; the feature tests document the one they need.
PRESETS: dict[str, Json] = {
    "langchain-openrouter-tests": {
        "model": "openai/gpt-4o-mini",
        "system": "Answer in one short sentence.",
        "temperature": 0,
    }
}

WEB_SEARCH_PRICE = 0.007  # Exa "auto", per request (docs server-tools/web-search.mdx)
PROVIDER_KEYS = frozenset(
    {
        "order",
        "allow_fallbacks",
        "require_parameters",
        "data_collection",
        "zdr",
        "enforce_distillable_text",
        "only",
        "ignore",
        "quantizations",
        "sort",
        "preferred_min_throughput",
        "preferred_max_latency",
        "max_price",
    }
)
ORPHAN_TOOL_MESSAGE = (  # OpenAI's words, typo included
    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
    "with 'tool_calls'."
)
FORCED_TOOL_WITH_THINKING = "Thinking may not be enabled when tool_choice forces tool use."
BUDGET_OVER_MAX_TOKENS = "`max_tokens` must be greater than `thinking.budget_tokens`."
PART_TYPES = frozenset({"text", "image_url", "input_audio", "video_url", "input_video", "file"})
ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
SIGNING_KEY = b"openrouter-responder"
SIGNATURE_TAG = b"LCOR"
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CREATED = 1767225600  # 2026-01-01; ids and timestamps are derived from the request


class ApiError(Exception):
    """An error answer in OpenRouter's envelope."""

    def __init__(self, status: int, message: str, metadata: Json | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.metadata = metadata

    def reply(self) -> HTTPError:
        """The emulator's error reply for this error."""
        return HTTPError(status=self.status, message=self.message, metadata=self.metadata)


def upstream_error(message: str, *, provider: str, status: int = 400) -> ApiError:
    """An upstream provider's error as OpenRouter relays it.

    See docs/openrouter-wire-notes.md#upstream-errors.
    """
    raw = json.dumps(
        {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
    )
    return ApiError(status, "Provider returned error", {"raw": raw, "provider_name": provider})


# --- reading the request -------------------------------------------------------------------


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part.get("text") or ""
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def parts_of(message: Json) -> list[Json]:
    content = message.get("content")
    return [part for part in content if isinstance(part, dict)] if isinstance(content, list) else []


@dataclass
class Attachment:
    kind: str  # "image" | "pdf" | "audio"
    data: bytes | None = None
    url: str | None = None
    filename: str | None = None


def _data_url_bytes(url: str) -> bytes | None:
    match = re.match(r"data:[^;,]*;base64,(.*)", url, re.DOTALL)
    return base64.b64decode(match.group(1)) if match else None


def attachments_of(message: Json) -> list[Attachment]:
    found = []
    for part in parts_of(message):
        kind = part.get("type")
        if kind == "image_url":
            url = (part.get("image_url") or {}).get("url", "")
            found.append(
                Attachment("image", _data_url_bytes(url), None if url.startswith("data:") else url)
            )
        elif kind == "file":
            file = part.get("file") or {}
            data = file.get("file_data") or ""
            found.append(
                Attachment(
                    "pdf",
                    _data_url_bytes(data),
                    None if data.startswith("data:") else data,
                    file.get("filename"),
                )
            )
        elif kind == "input_audio":
            found.append(
                Attachment(
                    "audio", base64.b64decode((part.get("input_audio") or {}).get("data", ""))
                )
            )
    return found


@dataclass
class Prompt:
    """What the model is asked: the conversation, tools and output constraints."""

    body: Json
    card: ModelCard
    endpoint: Endpoint
    system: str = ""

    @property
    def messages(self) -> list[Json]:
        return self.body["messages"]

    @property
    def last(self) -> Json:
        return self.messages[-1]

    @property
    def last_user(self) -> Json:
        return next((m for m in reversed(self.messages) if m.get("role") == "user"), {})

    @property
    def question(self) -> str:
        return text_of(self.last_user.get("content")).strip()

    @property
    def attachments(self) -> list[Attachment]:
        found: list[Attachment] = []
        for message in self.messages:
            if message.get("role") in {"user", "tool"}:
                found += attachments_of(message)
        return found

    @property
    def function_tools(self) -> list[Json]:
        return [t for t in self.body.get("tools") or [] if t.get("type") == "function"]

    @property
    def server_tools(self) -> list[str]:
        return [t["type"] for t in self.body.get("tools") or [] if t.get("type") != "function"]

    @property
    def reasoning_on(self) -> bool:
        if not self.card.reasoning:
            return False
        config = self.body.get("reasoning")
        if self.body.get("reasoning_effort") not in {None, "none"}:
            return True
        if config is None:
            return bool(self.body.get("include_reasoning"))
        return not (config.get("enabled") is False or config.get("effort") == "none")

    @property
    def reasoning_shown(self) -> bool:
        return self.reasoning_on and not (self.body.get("reasoning") or {}).get("exclude")


# --- checks ------------------------------------------------------------------------------------


def check_body(body: Json) -> None:
    """The request checks OpenRouter and the upstream providers enforce."""
    check_messages(body.get("messages"))
    check_tools(body)
    reasoning = body.get("reasoning") or {}
    if "effort" in reasoning and "max_tokens" in reasoning:
        raise ApiError(400, "reasoning: use effort or max_tokens, not both")
    if unknown := set(body.get("provider") or {}) - PROVIDER_KEYS:
        raise ApiError(400, f"provider: unrecognized keys {sorted(unknown)}")
    stop = body.get("stop")
    if isinstance(stop, list) and len(stop) > 4:  # noqa: PLR2004 - OpenAI's limit
        raise ApiError(400, "stop: at most 4 sequences")


def check_messages(messages: Any) -> None:  # noqa: C901 - one list of documented rules
    """Roles, part types, and tool messages that answer a preceding tool call."""
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, 'Input required: specify "messages"')
    pending: set[str] = set()
    for number, message in enumerate(messages):
        role = message.get("role")
        if role not in ROLES:
            raise ApiError(400, f"messages[{number}].role: invalid role {role!r}")
        if role != "tool" and pending:
            message_text = (
                "An assistant message with 'tool_calls' must be followed by tool messages "
                f"responding to each 'tool_call_id'. Missing: {sorted(pending)}"
            )
            raise upstream_error(message_text, provider="OpenAI")
        for part in parts_of(message):
            if part.get("type") not in PART_TYPES:
                raise ApiError(
                    400, f"messages[{number}].content: unknown part type {part.get('type')!r}"
                )
            if role in {"system", "developer"} and part.get("type") != "text":
                raise ApiError(400, f"messages[{number}]: system messages take text parts only")
        if role == "assistant":
            for call in message.get("tool_calls") or []:
                if not isinstance((call.get("function") or {}).get("arguments"), str):
                    raise ApiError(
                        400, f"messages[{number}].tool_calls: arguments must be a string"
                    )
                pending.add(call["id"])
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                raise upstream_error(ORPHAN_TOOL_MESSAGE, provider="OpenAI")
            pending.discard(message["tool_call_id"])


def check_tools(body: Json) -> None:
    """Tool names and types, and a forced tool choice that names a declared tool."""
    names = set()
    for tool in body.get("tools") or []:
        if tool.get("type") == "function":
            function = tool.get("function") or {}
            if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", function.get("name", "")):
                raise ApiError(400, f"Invalid tool name {function.get('name')!r}")
            names.add(function["name"])
        elif not str(tool.get("type", "")).startswith("openrouter:"):
            raise ApiError(400, f"Unknown tool type {tool.get('type')!r}")
    choice = body.get("tool_choice")
    if (
        isinstance(choice, dict)
        and choice.get("type") == "function"
        and choice["function"]["name"] not in names
    ):
        raise ApiError(400, f"tool_choice names an unknown tool {choice['function']['name']!r}")


def signature_for(text: str) -> str:
    digest = hmac.new(SIGNING_KEY, text.encode(), hashlib.sha256).digest()
    return base64.b64encode(SIGNATURE_TAG + digest).decode()


def check_signatures(prompt: Prompt) -> None:
    """Anthropic refuses thinking blocks whose signature does not match.

    See docs/openrouter-wire-notes.md#reasoning-replay. Signatures this responder issued
    are checked; foreign ones cannot be, and pass.
    """
    if prompt.card.vendor != "anthropic":
        return
    for number, message in enumerate(prompt.messages):
        for detail in message.get("reasoning_details") or []:
            if (
                detail.get("type") != "reasoning.text"
                or detail.get("format") != "anthropic-claude-v1"
            ):
                continue
            signature = detail.get("signature")
            where = f"messages.{number}.content: Invalid `signature` in `thinking` block"
            if not signature:
                raise upstream_error(where, provider="Anthropic")
            try:
                raw = base64.b64decode(signature, validate=True)
            except ValueError:
                continue
            if raw.startswith(SIGNATURE_TAG) and signature != signature_for(
                detail.get("text") or ""
            ):
                raise upstream_error(where, provider="Anthropic")


def check_limits(prompt: Prompt) -> None:
    needs = {"audio"} if any(a.kind == "audio" for a in prompt.attachments) else set()
    if needs - prompt.card.inputs:
        raise ApiError(404, "No endpoints found that support input audio")
    choice = prompt.body.get("tool_choice")
    forced = isinstance(choice, dict) or choice in ("required", "any")
    if forced and prompt.reasoning_on and prompt.card.vendor == "anthropic":
        raise upstream_error(FORCED_TOOL_WITH_THINKING, provider=prompt.endpoint.name)
    budget = (prompt.body.get("reasoning") or {}).get("max_tokens")
    max_tokens = prompt.body.get("max_tokens") or prompt.body.get("max_completion_tokens")
    if prompt.reasoning_on and budget and max_tokens and max_tokens <= budget:
        raise upstream_error(BUDGET_OVER_MAX_TOKENS, provider=prompt.endpoint.name)


# --- routing --------------------------------------------------------------------------------


def apply_preset(body: Json) -> Json:
    """Merge a preset under the request (request fields win; docs presets.mdx)."""
    model = str(body.get("model") or "")
    name = body.get("preset")
    if "@preset/" in model:
        head, name = model.split("@preset/", 1)
        body = {**body, "model": head or None}
    if not name:
        return body
    if name not in PRESETS:
        raise ApiError(404, f"Preset '{name}' not found")
    preset = PRESETS[name]
    merged = {"model": preset["model"], "temperature": preset.get("temperature")}
    merged.update({k: v for k, v in body.items() if v is not None and k != "preset"})
    if preset.get("system"):
        merged["messages"] = [{"role": "system", "content": preset["system"]}, *body["messages"]]
    return merged


def _endpoints(card: ModelCard, provider: Json) -> list[Endpoint]:
    endpoints = list(card.endpoints)
    if only := provider.get("only"):
        endpoints = [e for e in endpoints if e.slug in {s.lower() for s in only}]
    if ignore := provider.get("ignore"):
        endpoints = [e for e in endpoints if e.slug not in {s.lower() for s in ignore}]
    max_price = provider.get("max_price") or {}
    if "prompt" in max_price and card.prompt_price * 1e6 > float(max_price["prompt"]):
        endpoints = []
    if "completion" in max_price and card.completion_price * 1e6 > float(max_price["completion"]):
        endpoints = []
    if order := [s.lower() for s in provider.get("order") or []]:
        ordered = [e for slug in order for e in endpoints if e.slug == slug]
        rest = [e for e in endpoints if e not in ordered]
        endpoints = ordered if provider.get("allow_fallbacks") is False else ordered + rest
    return endpoints


def route(body: Json) -> tuple[ModelCard, Endpoint]:
    """The model and endpoint that serve: the first candidate with an allowed endpoint."""
    candidates = [body.get("model"), *(body.get("models") or [])]
    candidates = [c for c in candidates if c]
    if not candidates:
        raise ApiError(400, "No model specified")
    provider = body.get("provider") or {}
    for slug in candidates:
        if slug not in MODELS:
            raise ApiError(400, f"{slug} is not a valid model ID")
        if endpoints := _endpoints(MODELS[slug], provider):
            return MODELS[slug], endpoints[0]
    raise ApiError(
        404,
        "No endpoints found matching your data policy and provider constraints",
        {"requested_models": candidates},
    )


# --- thinking up the answer ---------------------------------------------------------------------


@dataclass
class ToolCall:
    name: str
    arguments: Json
    id: str = ""


@dataclass
class Turn:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning: str = ""
    annotations: list[Json] = field(default_factory=list)
    web_searches: int = 0
    finish: str = "stop"


HAIKUS = (
    "Morning fog lifts slow\nover the quiet harbor\ngulls argue with bells\n\n"
    "Paper lanterns sway\nthe last tram hums up the hill\nrain writes on the glass"
)
STORY = (
    "Miso was a grey cat who lived above a bakery. Every morning she waited on the "
    "windowsill for the first tray of bread, pretending not to care. One winter day the "
    "baker forgot to open the shutters, and Miso, worried, padded down the stairs and "
    "meowed at his door until he woke. From then on the baker left a warm crust on the sill "
    "for her, and Miso made sure the bakery was never late again."
)
JOKE = {
    "setup": "Why did the cat sit on the computer?",
    "punchline": "To keep an eye on the mouse!",
}
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the of to in on at for and or is are be by with what which who how your you "
        "me my it its this that get use using tool give tell",
    )
)
WEB_SOURCES = (
    (
        "https://openrouter.ai/docs/guides/features/server-tools/web-search",
        "Web Search | OpenRouter",
    ),
    ("https://openrouter.ai/docs/api_reference/overview", "API Reference | OpenRouter"),
)


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOPWORDS and len(w) > 2}  # noqa: PLR2004


def arithmetic(text: str) -> tuple[list[int], int, str] | None:
    """``(operands, result, operator)`` for 'What is 17 * 23' style questions."""
    match = re.search(r"(-?\d+)\s*([+*x\u00d7-])\s*(-?\d+)", text)
    if match:
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        result = {"+": a + b, "-": a - b}.get(op, a * b)
        return [a, b], result, op
    match = re.search(r"\badd (-?\d+) and (-?\d+)", text, re.IGNORECASE)
    if match:
        a, b = int(match.group(1)), int(match.group(2))
        return [a, b], a + b, "+"
    return None


def describe(attachment: Attachment, assets: dict[str, Asset]) -> str:
    data = attachment.data
    if data is not None:
        asset = assets.get(hashlib.sha256(data).hexdigest())
        if asset is not None:
            return asset.description
        if data.startswith(b"\x89PNG"):
            width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
            return f"a {width}x{height} PNG image"
        if data.startswith(b"%PDF"):
            return f'a PDF titled "{pdf_title(data)}"'
    if attachment.url:
        known = assets.get(attachment.url)
        return known.description if known is not None else "an image from the web"
    return "a file"


def pdf_title(data: bytes) -> str:
    match = re.search(rb"\((.*?)\)\s*Tj", data)
    return match.group(1).decode("latin-1") if match else "Untitled"


def greeting(question: str) -> str:
    lowered = question.lower()
    if "how are you" in lowered:
        return "I'm doing well, thank you for asking! How can I help you today?"
    if "thank" in lowered or "well" in lowered:
        return "Glad to hear it! Let me know if there's anything I can help you with."
    return "Hello! How can I help you today?"


def text_answer(prompt: Prompt, assets: dict[str, Asset]) -> str:  # noqa: C901, PLR0911
    question = prompt.question
    lowered = question.lower()
    attachments = prompt.attachments
    pdfs = [a for a in attachments if a.kind == "pdf"]
    images = [a for a in attachments if a.kind == "image"]
    if pdfs and ("title" in lowered or "summar" in lowered or "pdf" in lowered):
        title = pdf_title(pdfs[-1].data or b"")
        if "title" in lowered:
            return f'The title of the PDF is "{title}".'
        return f'The document is a single page whose only content is its title, "{title}".'
    if images and ("color" in lowered or "colour" in lowered):
        return "I'd pick the blue of the left-hand box in the image; blue is my favorite."
    if images:
        return f"The image shows {describe(images[-1], assets)}."
    if "haiku" in lowered:
        return HAIKUS
    if "story" in lowered:
        return STORY
    if "joke" in lowered:
        return f"{JOKE['setup']} {JOKE['punchline']}"
    if (sum_ := arithmetic(question)) is not None:
        (a, b), result, op = sum_
        return f"{a} {op} {b} = {result}."
    if "record 70" in lowered:
        return "Record 70 is on shelf 10, in the west wing."
    if "weather" in lowered:
        return "I can't check live weather; a weather service will have current conditions."
    if re.search(r"\b(hello|hi|hey|how are you|thanks)\b", lowered) or not lowered:
        return greeting(question)
    return f"Here is a short answer to \u201c{question}\u201d: it depends on what matters most."


def web_answer(prompt: Prompt) -> Turn:
    """An answer grounded in (canned) search results, cited as OpenRouter does."""
    lead = f"Here is what I found about \u201c{prompt.question}\u201d. "
    content = lead
    annotations = []
    for url, title in WEB_SOURCES:
        domain = url.split("/")[2]
        sentence = f"OpenRouter documents its web search server tool ([{domain}]({url})). "
        start = len(content) + sentence.index("[")
        content += sentence
        annotations.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "url": url,
                    "title": title,
                    "content": f"{title}: search results come back as url_citation annotations.",
                    "start_index": start,
                    "end_index": start + len(f"[{domain}]({url})"),
                },
            }
        )
    return Turn(content=content.strip(), annotations=annotations, web_searches=1)


# --- tool calls and JSON ----------------------------------------------------------------------


def _quoted(text: str) -> list[str]:
    return [a or b for a, b in re.findall(r"'([^']+)'|\"([^\"]+)\"", text)]


def string_argument(name: str, text: str) -> str | None:
    lowered = name.lower()
    if any(k in lowered for k in ("location", "city", "place")):
        match = re.search(r"\bin ([A-Z][\w .,'-]*?[A-Za-z])\s*[?.!]?$", text)
        return match.group(1) if match else None
    if "description" in lowered:
        match = re.search(r" - (.+?)\.?$", text)
        return match.group(1).strip() if match else None
    if "style" in lowered:
        capitalized = re.findall(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b", text)
        return capitalized[0] if capitalized else None
    quoted = _quoted(text)
    return quoted[0] if quoted else None


def _number_in_range(schema: Json, candidates: list[int]) -> int:
    low = schema.get("exclusiveMinimum", schema.get("minimum"))
    high = schema.get("exclusiveMaximum", schema.get("maximum"))
    for value in candidates:
        if (low is None or value > low or value == schema.get("minimum")) and (
            high is None or value < high
        ):
            return value
    return 0 if (low is None or low < 0) else int(low) + 1


def tool_arguments(tool: Json, prompt: Prompt) -> Json:
    """Arguments for ``tool`` read from the question, typed by the tool's JSON schema."""
    function = tool["function"]
    schema = function.get("parameters") or {}
    properties: Json = schema.get("properties") or {}
    required = set(schema.get("required") or properties)
    question = prompt.question
    call = re.search(re.escape(function["name"]) + r"\(([^)]*)\)", question)
    positional = [p.strip() for p in call.group(1).split(",") if p.strip()] if call else []
    numbers = [int(n) for n in re.findall(r"-?\d+", question)] if not call else []
    arguments: Json = {}
    for index, (name, spec) in enumerate(properties.items()):
        kind = spec.get("type")
        if index < len(positional):
            raw = positional[index].strip("'\"")
            arguments[name] = (
                int(raw) if kind == "integer" else float(raw) if kind == "number" else raw
            )
            continue
        value = inferred_argument(name, spec, question, numbers)
        if value is None and kind == "string" and name in required:
            value = (sorted(words(question)) or ["hello"])[0]
        if value is not None:
            arguments[name] = value
    return arguments


def inferred_argument(name: str, spec: Json, question: str, numbers: list[int]) -> Any:
    """One argument's value from the question; numbers are used up in order."""
    kind = spec.get("type")
    sum_ = arithmetic(question)
    if kind in {"integer", "number"} and name in {"total", "sum", "result"} and sum_:
        return sum_[1]
    if kind in {"integer", "number"}:
        value = _number_in_range(spec, numbers)
        if value in numbers:
            numbers.remove(value)
        return value
    if kind == "string":
        return string_argument(name, question)
    return {"boolean": True, "array": []}.get(str(kind))


def relevance(tool: Json, question: str) -> int:
    function = tool["function"]
    if function["name"] in question:
        return 3
    lowered = question.lower()
    if re.search(r"\b(use|using) (the|a) tool\b", lowered):
        return 2
    overlap = words(
        function["name"].replace("_", " ") + " " + function.get("description", "")
    ) & words(question)
    stems = {w[:5] for w in words(question)}
    stem_overlap = {w for w in words(function.get("description", "")) if w[:5] in stems}
    score = 1 if (overlap or stem_overlap) else 0
    properties = (function.get("parameters") or {}).get("properties") or {}
    numeric = [p for p in properties.values() if p.get("type") in {"integer", "number"}]
    if arithmetic(question) and len(numeric) >= 2:  # noqa: PLR2004 - a binary operation
        score += 1
    return score


def choose_tool_call(prompt: Prompt) -> ToolCall | None:
    tools = prompt.function_tools
    choice = prompt.body.get("tool_choice")
    if (
        not tools
        or choice == "none"
        or (prompt.last.get("role") == "tool" and choice in (None, "auto"))
    ):
        return None
    if isinstance(choice, dict):
        named = next(t for t in tools if t["function"]["name"] == choice["function"]["name"])
        return ToolCall(named["function"]["name"], tool_arguments(named, prompt))
    ranked = sorted(tools, key=lambda t: -relevance(t, prompt.question))
    best = ranked[0]
    if choice in ("required", "any") or relevance(best, prompt.question) > 0:
        return ToolCall(best["function"]["name"], tool_arguments(best, prompt))
    return None


def after_tools(prompt: Prompt, assets: dict[str, Asset]) -> str:
    """The answer once tool results are in."""
    results = []
    for message in reversed(prompt.messages):
        if message.get("role") != "tool":
            break
        results.append(message)
    text = " ".join(text_of(m.get("content")) for m in results).strip()
    attachments = [a for m in results for a in attachments_of(m)]
    if attachments:
        if attachments[0].kind == "pdf":
            return f'The PDF\'s title is "{pdf_title(attachments[0].data or b"")}".'
        return f"The tool returned {describe(attachments[0], assets)}."
    if text.lower().startswith("error"):
        return (
            f"The tool reported a problem: {text} Let me know the missing value and I'll try again."
        )
    if (sum_ := arithmetic(prompt.question)) is not None:
        (a, b), result, op = sum_
        return f"{a} {op} {b} = {result}."
    if "sunny" in text.lower():
        return f"It's sunny in {string_argument('location', prompt.question) or 'that place'}."
    return f"The tool says: {text}" if text else "Done."


def _resolve(schema: Json, defs: Json) -> Json:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def json_value(schema: Json, name: str, prompt: Prompt, defs: Json) -> Any:  # noqa: PLR0911
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if _resolve(s, defs).get("type") != "null"]
        return json_value(options[0] if options else {"type": "null"}, name, prompt, defs)
    kind = schema.get("type")
    if kind == "object":
        return json_object(schema, prompt, defs)
    if kind == "array":
        return [json_value(schema.get("items") or {"type": "string"}, name, prompt, defs)]
    sum_ = arithmetic(prompt.question)
    if kind in {"integer", "number"}:
        if sum_ is not None:
            (a, b), result, _ = sum_
            return {"a": a, "b": b, "x": a, "y": b}.get(name, result)
        return 1
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if name in JOKE:
        return JOKE[name]
    if "enum" in schema:
        return schema["enum"][0]
    return (
        text_answer(prompt, {})
        if name in {"answer", "text", "response"}
        else name.replace("_", " ")
    )


def json_object(schema: Json, prompt: Prompt, defs: Json) -> Json:
    properties: Json = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    lowered = prompt.question.lower()
    result = {}
    for name, spec in properties.items():
        if name not in required and f"no {name}" in lowered:
            continue
        result[name] = json_value(spec, name, prompt, defs)
    return result


def structured_answer(prompt: Prompt) -> str | None:
    response_format = prompt.body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = response_format["json_schema"]["schema"]
        return json.dumps(json_object(schema, prompt, schema.get("$defs") or {}))
    if response_format.get("type") == "json_object":
        keys = _quoted(prompt.question) or ["answer"]
        return json.dumps({key: JOKE.get(key, text_answer(prompt, {})) for key in keys})
    return None


def deliberation(prompt: Prompt, turn: Turn) -> str:
    """What the model thinks before it answers (Anthropic-style reasoning text)."""
    if turn.tool_calls:
        call = turn.tool_calls[0]
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        return (
            f"The user asks: {prompt.question!r}. The {call.name} tool fits; "
            f"I'll call it with {arguments}."
        )
    if (sum_ := arithmetic(prompt.question)) is not None:
        (a, b), result, op = sum_
        return f"I need {a} {op} {b}. Working it out step by step gives {result}."
    if prompt.last.get("role") == "tool":
        return "The tool results are in; I'll summarise them for the user."
    return f"The user wrote {prompt.question[:80]!r}. A short, friendly, direct reply fits."


def think(prompt: Prompt, assets: dict[str, Asset]) -> Turn:
    if "openrouter:web_search" in prompt.server_tools and not prompt.function_tools:
        turn = web_answer(prompt)
    elif (call := choose_tool_call(prompt)) is not None:
        turn = Turn(tool_calls=[call], finish="tool_calls")
    elif prompt.last.get("role") == "tool":
        turn = Turn(content=after_tools(prompt, assets))
    elif (structured := structured_answer(prompt)) is not None:
        turn = Turn(content=structured)
    else:
        turn = Turn(content=text_answer(prompt, assets))
    if prompt.system.lower().startswith("answer in one short sentence"):
        turn.content = re.split(r"(?<=[.!?])\s", turn.content, maxsplit=1)[0]
    if prompt.reasoning_on:
        turn.reasoning = deliberation(prompt, turn)
    return turn


# --- limits on the output -----------------------------------------------------------------------


def tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4) if text else 0


def apply_stop(turn: Turn, stop: Any) -> None:
    sequences = [stop] if isinstance(stop, str) else list(stop or [])
    cuts = [turn.content.find(s) for s in sequences if s and s in turn.content]
    if cuts:
        turn.content = turn.content[: min(cuts)]
        turn.finish = "stop_sequence"


def apply_max_tokens(turn: Turn, limit: int | None) -> None:
    if limit is None or tokens(turn.content) + tokens(turn.reasoning) <= limit:
        return
    room = max(0, limit - tokens(turn.reasoning))
    turn.content = turn.content[: room * 4]
    turn.tool_calls = []
    turn.finish = "length"


# --- usage, cost and the prompt cache ---------------------------------------------------------


@dataclass
class PromptCache:
    """Per-model prompt cache: Anthropic by breakpoints, OpenAI by automatic prefixes."""

    entries: set[str] = field(default_factory=set)
    prefixes: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def anthropic(self, card: ModelCard, blocks: list[tuple[str, bool]]) -> tuple[int, int]:
        """``(read, written)`` tokens for blocks of ``(text, has_breakpoint)``."""
        marks = [i for i, (_, mark) in enumerate(blocks) if mark]
        if not marks:
            return 0, 0
        with self.lock:
            for mark in reversed(marks):
                prefix = "".join(text for text, _ in blocks[: mark + 1])
                key = hashlib.sha256(f"{card.slug}\0{prefix}".encode()).hexdigest()
                size = tokens(prefix)
                if size < card.min_cache_tokens:
                    continue
                if key in self.entries:
                    return size, 0
            prefix = "".join(text for text, _ in blocks[: marks[-1] + 1])
            if tokens(prefix) < card.min_cache_tokens:
                return 0, 0
            self.entries.add(hashlib.sha256(f"{card.slug}\0{prefix}".encode()).hexdigest())
            return 0, tokens(prefix)

    def openai(self, card: ModelCard, text: str) -> int:
        """Cached tokens: the longest prefix seen before, in 128-token steps from 1,024."""
        with self.lock:
            seen = self.prefixes.setdefault(card.slug, [])
            best = 0
            for earlier in seen:
                common = 0
                for a, b in zip(earlier, text, strict=False):
                    if a != b:
                        break
                    common += 1
                best = max(best, common)
            seen.append(text)
        cached = (tokens(text[:best]) // 128) * 128
        return cached if cached >= card.min_cache_tokens else 0


def prompt_blocks(body: Json) -> list[tuple[str, bool]]:
    """Prompt text in cache order (tools, system, messages), with cache breakpoints."""
    blocks = [
        (json.dumps(t, sort_keys=True), "cache_control" in t) for t in body.get("tools") or []
    ]
    for message in body["messages"]:
        if isinstance(message.get("content"), str):
            blocks.append((message["role"] + ":" + message["content"], False))
        blocks += [(json.dumps(p, sort_keys=True), "cache_control" in p) for p in parts_of(message)]
        if message.get("tool_calls"):
            blocks.append((json.dumps(message["tool_calls"], sort_keys=True), False))
    if body.get("cache_control") and blocks:  # automatic caching: the last block
        blocks[-1] = (blocks[-1][0], True)
    return blocks


def prompt_tokens(body: Json) -> int:
    total = 0
    for text, _ in prompt_blocks(body):
        total += 255 if '"image_url"' in text else tokens(text)
    return total + 4 * len(body["messages"])


def usage(prompt: Prompt, turn: Turn, cache: PromptCache) -> Json:
    card, body = prompt.card, prompt.body
    prompt_count = prompt_tokens(body)
    read = written = 0
    if card.vendor == "anthropic":
        read, written = cache.anthropic(card, prompt_blocks(body))
    else:
        read = cache.openai(card, "".join(text for text, _ in prompt_blocks(body)))
    prompt_count = max(prompt_count, read + written)
    arguments = "".join(json.dumps(c.arguments) for c in turn.tool_calls)
    reasoning_count = tokens(turn.reasoning)
    completion = tokens(turn.content) + tokens(arguments) + reasoning_count + 1
    prompt_cost = card.prompt_price * (
        prompt_count
        - read
        - written
        + read * card.cache_read_ratio
        + written * card.cache_write_ratio
    )
    completion_cost = card.completion_price * completion
    result = usage_object(
        prompt_count,
        completion,
        cached_tokens=read,
        cache_write_tokens=written,
        reasoning_tokens=reasoning_count,
        cost=round(prompt_cost + completion_cost + WEB_SEARCH_PRICE * turn.web_searches, 10),
        split=(round(prompt_cost, 10), round(completion_cost, 10)),
    )
    if turn.web_searches:
        result["server_tool_use_details"] = {
            "tool_calls_requested": turn.web_searches,
            "tool_calls_executed": turn.web_searches,
            "web_search_requests": turn.web_searches,
        }
    return result


# --- rendering ------------------------------------------------------------------------------------

FINISH = {
    "openai": {
        "stop": "stop",
        "stop_sequence": "stop",
        "tool_calls": "tool_calls",
        "length": "length",
    },
    "anthropic": {
        "stop": "end_turn",
        "stop_sequence": "stop_sequence",
        "tool_calls": "tool_use",
        "length": "max_tokens",
    },
}


def _token(
    seed: str,
    size: int,
    alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in (digest * 2)[:size])


def file_annotations(prompt: Prompt) -> list[Json]:
    """``file`` annotations when a non-native PDF engine parsed the file (docs pdfs.mdx)."""
    engines = [
        (p.get("pdf") or {}).get("engine")
        for p in prompt.body.get("plugins") or []
        if p.get("id") == "file-parser"
    ]
    if not engines or engines[0] in {None, "native"}:
        return []
    return [
        {
            "type": "file",
            "file": {
                "hash": hashlib.sha256(attachment.data).hexdigest(),
                "name": attachment.filename or "document.pdf",
                "content": [{"type": "text", "text": pdf_title(attachment.data)}],
            },
        }
        for attachment in prompt.attachments
        if attachment.kind == "pdf" and attachment.data
    ]


@dataclass
class Answer:
    prompt: Prompt
    turn: Turn
    usage: Json
    digest: str

    @property
    def id(self) -> str:
        return f"gen-{self.created}-{_token(self.digest, 20)}"

    @property
    def created(self) -> int:
        return CREATED + int(self.digest[:5], 16) % 86400

    @property
    def finish(self) -> tuple[str, str]:
        normalized = "stop" if self.turn.finish == "stop_sequence" else self.turn.finish
        return normalized, FINISH[self.prompt.card.vendor][self.turn.finish]

    def call_id(self, index: int) -> str:
        if self.prompt.card.vendor == "anthropic":
            return "toolu_01" + _token(f"{self.digest}{index}", 22)
        return "call_" + _token(f"{self.digest}{index}", 24)

    def reasoning_detail(self) -> Json:
        return {
            "type": "reasoning.text",
            "text": self.turn.reasoning,
            "signature": signature_for(self.turn.reasoning),
            "format": "anthropic-claude-v1",
            "index": 0,
        }

    @property
    def stamp(self) -> tuple[int, str | None]:
        """``created``, and the ``system_fingerprint`` OpenAI models carry."""
        if self.prompt.card.vendor != "openai":
            return self.created, None
        return self.created, "fp_" + _token(self.prompt.card.slug, 10, "0123456789abcdef")

    def message_fields(self) -> Json:
        """What the assistant message carries beyond its content."""
        message: Json = {}
        if self.turn.reasoning and self.prompt.reasoning_shown:
            message["reasoning"] = self.turn.reasoning
            message["reasoning_details"] = [{**self.reasoning_detail(), "id": None}]
        if self.turn.tool_calls:
            message["tool_calls"] = [
                {
                    "id": self.call_id(i),
                    "type": "function",
                    "function": {
                        "name": c.name,
                        "arguments": json.dumps(c.arguments, ensure_ascii=False),
                    },
                }
                for i, c in enumerate(self.turn.tool_calls)
            ]
        annotations = self.turn.annotations + file_annotations(self.prompt)
        if annotations:
            message["annotations"] = annotations
        return message

    def json(self) -> Json:
        finish, native = self.finish
        return completion_body(
            self.turn.content,
            model=self.prompt.card.slug,
            provider=self.prompt.endpoint.name,
            finish_reason=finish,
            native_finish_reason=native,
            usage=self.usage,
            generation_id=self.id,
            stamp=self.stamp,
            **self.message_fields(),
        )

    def chunk(
        self, delta: Json, finish: tuple[str | None, str | None] = (None, None), **extra: Any
    ) -> Json:
        return chunk(
            delta,
            finish_reason=finish[0],
            native_finish_reason=finish[1],
            usage=extra.get("usage"),
            model=self.prompt.card.slug,
            provider=self.prompt.endpoint.name,
            generation_id=self.id,
            stamp=self.stamp,
        )

    def events(self) -> list[Json]:
        events = [self.chunk({"content": ""})]
        if self.turn.reasoning and self.prompt.reasoning_shown:
            for piece in pieces(self.turn.reasoning, 3):
                detail = {
                    "type": "reasoning.text",
                    "text": piece,
                    "format": "anthropic-claude-v1",
                    "index": 0,
                }
                events.append(
                    self.chunk({"content": "", "reasoning": piece, "reasoning_details": [detail]})
                )
            signature = {
                "type": "reasoning.text",
                "signature": signature_for(self.turn.reasoning),
                "format": "anthropic-claude-v1",
                "index": 0,
            }
            events.append(self.chunk({"content": "", "reasoning_details": [signature]}))
        events += [self.chunk({"content": piece}) for piece in pieces(self.turn.content, 4)]
        for index, call in enumerate(self.turn.tool_calls):
            arguments = json.dumps(call.arguments, ensure_ascii=False) if call.arguments else ""
            if not arguments and self.prompt.card.vendor == "openai":
                arguments = "{}"
            head = {
                "index": index,
                "id": self.call_id(index),
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            events.append(self.chunk({"content": None, "tool_calls": [head]}))
            events += [
                self.chunk(
                    {
                        "content": None,
                        "tool_calls": [{"index": index, "function": {"arguments": piece}}],
                    }
                )
                for piece in pieces(arguments, 3)
            ]
        annotations = self.turn.annotations + file_annotations(self.prompt)
        if annotations:
            events.append(self.chunk({"content": "", "annotations": annotations}))
        events.append(self.chunk({"content": ""}, self.finish))
        events.append(self.chunk({"content": ""}, usage=self.usage))
        return events


def pieces(text: str, count: int) -> list[str]:
    """``text`` cut into up to ``count`` consecutive pieces at word boundaries."""
    if not text:
        return []
    size = max(1, len(text) // count)
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        space = text.find(" ", end)
        end = len(text) if space == -1 or len(out) == count - 1 else space
        out.append(text[start:end])
        start = end
    return out


# --- the rules as an emulator reply -----------------------------------------------------------


@dataclass
class Responder:
    """Answers chat-completion requests; keeps the prompt cache between requests.

    Serve it with ``OpenRouterEmulator(default=responder.reply)``: the emulator writes
    the JSON and SSE, the responder only decides what OpenRouter would answer.
    """

    assets: dict[str, Asset] = field(default_factory=dict)
    """Known files, by SHA-256 of their bytes and by download URL."""
    cache: PromptCache = field(default_factory=PromptCache)
    requests: int = 0

    def reply(self, request: RecordedRequest) -> Reply:
        """The emulator reply for one chat-completion request."""
        self.requests += 1
        # Ids derive from the body without the random UUIDs LangChain puts in tool-call
        # ids, so a re-run writes the same cassettes.
        digest = hashlib.sha256(UUID.sub(b"", request.raw_body)).hexdigest()
        try:
            body = json.loads(request.raw_body)
            answer = self.answer(body, digest)
        except ApiError as error:
            return error.reply()
        if body.get("stream"):
            return SSEReply(events=answer.events())
        return JSONReply(body=answer.json())

    def answer(self, body: Json, digest: str) -> Answer:
        """The answer the rules give to one request body; raises :class:`ApiError`."""
        check_body(body)
        original_system = ""
        body = apply_preset(body)
        if body["messages"] and body["messages"][0].get("role") == "system":
            original_system = text_of(body["messages"][0].get("content"))
        card, endpoint = route(body)
        prompt = Prompt(body, card, endpoint, original_system)
        check_limits(prompt)
        check_signatures(prompt)
        turn = think(prompt, self.assets)
        apply_stop(turn, body.get("stop"))
        apply_max_tokens(turn, body.get("max_tokens") or body.get("max_completion_tokens"))
        return Answer(prompt, turn, usage(prompt, turn, self.cache), digest)
