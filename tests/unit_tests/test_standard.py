"""LangChain's standard unit-test suite for chat models, with nothing skipped."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_openrouter import ChatOpenRouter


class TestChatOpenRouterStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatOpenRouter]:
        return ChatOpenRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "openai/gpt-4o-mini", "api_key": "sk-or-test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        env = {
            "OPENROUTER_API_KEY": "sk-or-env-key",
            "OPENROUTER_API_BASE": "https://openrouter.example/api/v1",
        }
        expected = {
            "api_key": "sk-or-env-key",
            "base_url": "https://openrouter.example/api/v1",
        }
        return env, {"model": "openai/gpt-4o-mini"}, expected

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def supports_video_inputs(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return True
