"""OpenRouter messages as LangChain v1 content blocks (``AIMessage.content_blocks``).

Registered with langchain-core's block-translator registry for
``model_provider == "openrouter"`` when the package is imported. Each reasoning detail
becomes one reasoning block that carries the detail in ``extras``, so v1 history replays
exactly; annotations become citations, generated images become image blocks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from langchain_core.messages.block_translators import register_translator

from langchain_openrouter._request.reasoning import DETAIL_EXTRA
from langchain_openrouter._response.completion import MODEL_PROVIDER

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.messages import content as types


def reasoning_blocks(additional_kwargs: dict[str, Any]) -> list[types.ContentBlock]:
    """One v1 reasoning block per detail (the detail kept in ``extras``), else the text."""
    details = additional_kwargs.get("reasoning_details")
    blocks: list[types.ContentBlock] = []
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict):
            continue
        block: types.ReasoningContentBlock = {
            "type": "reasoning",
            "extras": {DETAIL_EXTRA: detail},
        }
        text = detail.get("text") or detail.get("summary")
        if isinstance(text, str) and text:
            block["reasoning"] = text
        blocks.append(block)
    text = additional_kwargs.get("reasoning_content")
    if not blocks and isinstance(text, str) and text:
        blocks.append({"type": "reasoning", "reasoning": text})
    return blocks


def v1_annotation(annotation: object) -> types.Annotation:
    """A ``url_citation`` as a v1 citation; anything else as a non-standard annotation."""
    citation = annotation.get("url_citation") if isinstance(annotation, dict) else None
    if not isinstance(citation, dict):
        return {"type": "non_standard_annotation", "value": _as_dict(annotation)}
    block: types.Citation = {"type": "citation"}
    if isinstance(url := citation.get("url"), str):
        block["url"] = url
    if isinstance(title := citation.get("title"), str):
        block["title"] = title
    if isinstance(cited_text := citation.get("content"), str):
        block["cited_text"] = cited_text
    if isinstance(start := citation.get("start_index"), int):
        block["start_index"] = start
    if isinstance(end := citation.get("end_index"), int):
        block["end_index"] = end
    return block


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"value": value}


def v1_image(image: object) -> types.ImageContentBlock | None:
    """A generated image (``{"image_url": {"url": ...}}``) as a v1 image block."""
    image_url = image.get("image_url") if isinstance(image, dict) else None
    url = image_url.get("url") if isinstance(image_url, dict) else image_url
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("data:") and ";base64," in url:
        header, data = url[len("data:") :].split(";base64,", 1)
        return {"type": "image", "base64": data, "mime_type": header or "image/png"}
    return {"type": "image", "url": url}


def _text_blocks(message: AIMessage) -> list[types.ContentBlock]:
    annotations = message.additional_kwargs.get("annotations")
    cited = [v1_annotation(a) for a in annotations] if isinstance(annotations, list) else []
    blocks: list[types.ContentBlock] = []
    parts = [message.content] if isinstance(message.content, str) else message.content
    for part in parts:
        if isinstance(part, str):
            if part:
                blocks.append({"type": "text", "text": part})
        elif part.get("type") not in ("reasoning", "thinking", "tool_call"):
            blocks.append(cast("types.ContentBlock", part))  # v1 blocks already, as sent
    if cited:
        for block in blocks:
            if block["type"] == "text":
                block["annotations"] = cited
                break
        else:
            blocks.append({"type": "text", "text": "", "annotations": cited})
    return blocks


def _image_blocks(additional_kwargs: dict[str, Any]) -> list[types.ContentBlock]:
    images = additional_kwargs.get("images")
    found = [v1_image(image) for image in images] if isinstance(images, list) else []
    return [block for block in found if block is not None]


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """v1 blocks of an OpenRouter message: reasoning, text (with citations), images, tools."""
    blocks = reasoning_blocks(message.additional_kwargs)
    blocks += _text_blocks(message)
    blocks += _image_blocks(message.additional_kwargs)
    for call in message.tool_calls:
        blocks.append(
            {"type": "tool_call", "id": call["id"], "name": call["name"], "args": call["args"]}
        )
    for invalid in message.invalid_tool_calls:
        blocks.append({**invalid, "type": "invalid_tool_call"})
    return blocks


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """v1 blocks of one streamed chunk, indexed so that ``+`` merges them per block."""
    blocks: list[types.ContentBlock] = []
    details = message.additional_kwargs.get("reasoning_details")
    for piece in details if isinstance(details, list) else []:
        block: types.ReasoningContentBlock = {
            "type": "reasoning",
            "index": f"lc_rs_{piece.get('index', 0)}",
            "extras": {DETAIL_EXTRA: piece},
        }
        text = piece.get("text") or piece.get("summary")
        if isinstance(text, str) and text:
            block["reasoning"] = text
        blocks.append(block)
    text = message.additional_kwargs.get("reasoning_content")
    if not blocks and isinstance(text, str) and text:
        blocks.append({"type": "reasoning", "reasoning": text, "index": "lc_rs_text"})
    annotations = message.additional_kwargs.get("annotations")
    content = message.content if isinstance(message.content, str) else ""
    if content or isinstance(annotations, list):
        text_block: types.TextContentBlock = {"type": "text", "text": content, "index": "lc_text"}
        if isinstance(annotations, list):
            text_block["annotations"] = [v1_annotation(a) for a in annotations]
        blocks.append(text_block)
    for position, image in enumerate(_image_blocks(message.additional_kwargs)):
        image["index"] = f"lc_img_{id(message)}_{position}"  # never merged with another
        blocks.append(image)
    if message.chunk_position == "last":
        blocks += [
            {"type": "tool_call", "id": call["id"], "name": call["name"], "args": call["args"]}
            for call in message.tool_calls
        ]
    else:
        for call in message.tool_call_chunks:
            call_chunk: types.ToolCallChunk = {
                "type": "tool_call_chunk",
                "id": call.get("id"),
                "name": call.get("name"),
                "args": call.get("args"),
            }
            if (index := call.get("index")) is not None:
                call_chunk["index"] = index
            blocks.append(call_chunk)
    return blocks


register_translator(MODEL_PROVIDER, translate_content, translate_content_chunk)
