from __future__ import annotations

import warnings
from typing import Any

import httpx2
import pytest
from langchain_core.load import dumps, loads

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.testing import (
    EMULATOR_API_KEY,
    JSONReply,
    OpenRouterEmulator,
    completion_body,
)

KEY = EMULATOR_API_KEY
ENV_VARS = (
    "OPENROUTER_API_KEY",
    "OPENROUTER_API_BASE",
    "OPENROUTER_APP_URL",
    "OPENROUTER_APP_TITLE",
    "OPENROUTER_SESSION_ID",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def bare_model(fake: OpenRouterEmulator, **kwargs: Any) -> ChatOpenRouter:
    """A model wired to ``fake`` without the fixture's default api_key."""
    transport = fake.transport()
    kwargs.setdefault("model", "openai/gpt-4o-mini")
    return ChatOpenRouter(http_client=httpx2.Client(transport=transport), **kwargs)


# --- fields and aliases ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "field", "value"),
    [
        ("model_name", "model", "anthropic/claude-sonnet-4.5"),
        ("openrouter_api_base", "base_url", "https://example.test/api/v1"),
        ("request_timeout", "timeout", 12.5),
        ("stop_sequences", "stop", ["END"]),
    ],
)
def test_alias_and_field_name_set_the_same_field(
    fake: OpenRouterEmulator, alias: str, field: str, value: Any
) -> None:
    assert getattr(fake.chat_model(**{alias: value}), field) == value
    assert getattr(fake.chat_model(**{field: value}), field) == value


@pytest.mark.parametrize("name", ["api_key", "openrouter_api_key"])
def test_api_key_and_alias_are_sent_as_bearer_token(fake: OpenRouterEmulator, name: str) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = bare_model(fake, **{name: "sk-or-alias-key"})
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == "sk-or-alias-key"
    llm.invoke("hi")
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-or-alias-key"


def test_model_name_alias_reaches_the_body(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(model_name="mistralai/mistral-large").invoke("hi")
    assert fake.requests[-1].body["model"] == "mistralai/mistral-large"


def test_stop_sequences_alias_reaches_the_body(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(stop_sequences=["END", "STOP"]).invoke("hi")
    assert fake.requests[-1].body["stop"] == ["END", "STOP"]


def test_base_url_decides_where_requests_go(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(openrouter_api_base="https://proxy.example.test/or/v1").invoke("hi")
    assert str(fake.requests[-1].url) == "https://proxy.example.test/or/v1/chat/completions"


def test_default_base_url_is_openrouter(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().invoke("hi")
    assert str(fake.requests[-1].url) == "https://openrouter.ai/api/v1/chat/completions"


# --- environment variables --------------------------------------------------------------


def test_api_key_from_env(fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env")
    fake.script(JSONReply(body=completion_body()))
    bare_model(fake).invoke("hi")
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-or-from-env"


def test_base_url_from_env(fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_BASE", "https://env.example.test/v1")
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model()
    llm.invoke("hi")
    assert llm.base_url == "https://env.example.test/v1"
    assert str(fake.requests[-1].url) == "https://env.example.test/v1/chat/completions"


def test_attribution_from_env(fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_APP_URL", "https://myapp.example")
    monkeypatch.setenv("OPENROUTER_APP_TITLE", "My App")
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().invoke("hi")
    headers = fake.requests[-1].headers
    assert headers["http-referer"] == "https://myapp.example"
    assert headers["x-openrouter-title"] == "My App"
    assert headers["x-title"] == "My App"


def test_session_id_from_env(fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_SESSION_ID", "session-42")
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().invoke("hi")
    assert fake.requests[-1].body["session_id"] == "session-42"


def test_explicit_arguments_beat_env(
    fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env")
    monkeypatch.setenv("OPENROUTER_SESSION_ID", "env-session")
    fake.script(JSONReply(body=completion_body()))
    bare_model(fake, api_key="sk-or-explicit", session_id="explicit-session").invoke("hi")
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-or-explicit"
    assert fake.requests[-1].body["session_id"] == "explicit-session"


# --- headers ------------------------------------------------------------------------------


def test_no_attribution_headers_by_default(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model().invoke("hi")
    headers = fake.requests[-1].headers
    for name in ("http-referer", "x-openrouter-title", "x-title", "x-openrouter-categories"):
        assert name not in headers
    assert headers["authorization"] == f"Bearer {KEY}"


def test_attribution_headers_when_set(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(
        app_url="https://myapp.example",
        app_title="My App",
        app_categories=["cli-agent", "cloud-agent"],
    ).invoke("hi")
    headers = fake.requests[-1].headers
    assert headers["http-referer"] == "https://myapp.example"
    assert headers["x-openrouter-title"] == "My App"
    assert headers["x-title"] == "My App"
    assert headers["x-openrouter-categories"] == "cli-agent,cloud-agent"


def test_only_the_attribution_headers_that_are_set(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(app_title="Only Title").invoke("hi")
    headers = fake.requests[-1].headers
    assert headers["x-openrouter-title"] == "Only Title"
    assert "http-referer" not in headers
    assert "x-openrouter-categories" not in headers


def test_default_headers_are_sent(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    llm = fake.chat_model(default_headers={"X-Custom": "yes", "x-anthropic-beta": "beta-1"})
    llm.invoke("hi")
    assert fake.requests[-1].headers["x-custom"] == "yes"
    assert fake.requests[-1].headers["x-anthropic-beta"] == "beta-1"


async def test_headers_on_async_calls(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    await fake.chat_model(
        app_url="https://myapp.example", default_headers={"X-Custom": "1"}
    ).ainvoke("hi")
    headers = fake.requests[-1].headers
    assert headers["http-referer"] == "https://myapp.example"
    assert headers["x-custom"] == "1"
    assert headers["authorization"] == f"Bearer {KEY}"


def test_headers_are_not_in_the_body(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(
        app_url="https://a.example", app_title="T", default_headers={"X-A": "1"}
    ).invoke("x")
    for key in ("app_url", "app_title", "app_categories", "default_headers", "api_key"):
        assert key not in fake.requests[-1].body


# --- bad input fails before any request -----------------------------------------------------


def test_missing_api_key_names_the_env_var(fake: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match="OPENROUTER_API_KEY"):
        bare_model(fake)
    assert fake.requests == []


def test_empty_api_key_is_rejected(fake: OpenRouterEmulator) -> None:
    with pytest.raises(ValueError, match="OPENROUTER_API_KEY"):
        fake.chat_model(api_key="")
    assert fake.requests == []


@pytest.mark.parametrize("model", ["", "   "])
def test_empty_model_is_rejected(fake: OpenRouterEmulator, model: str) -> None:
    with pytest.raises(ValueError, match="model"):
        fake.chat_model(model=model)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"reasoning": {"effort": "high", "max_tokens": 2000}}, "effort.*max_tokens"),
        ({"reasoning": {"effort": "high"}, "reasoning_effort": "low"}, "reasoning_effort"),
        ({"openrouter_provider": {"order": "anthropic"}}, "openrouter_provider"),
        ({"openrouter_provider": {"allow_fallbacks": "maybe"}}, "openrouter_provider"),
        ({"reasoning": {"effort": "extreme"}}, "reasoning"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"plugins": [{"enabled": True}]}, "plugins"),
        ({"temperature": "hot"}, "temperature"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -5}, "timeout"),
        ({"reasoning": {"max_tokens": 2000}, "max_tokens": 1000}, "greater than the reasoning"),
        ({"reasoning": {"max_tokens": 2048}, "max_tokens": 2048}, "Raise max_tokens"),
    ],
)
def test_bad_settings_raise_before_any_request(
    fake: OpenRouterEmulator, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        fake.chat_model(**kwargs)
    assert fake.requests == []


def test_reasoning_budget_below_max_tokens_is_sent(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(reasoning={"max_tokens": 1024}, max_tokens=1025).invoke("hi")
    assert (fake.requests[-1].body["reasoning"], fake.requests[-1].body["max_tokens"]) == (
        {"max_tokens": 1024},
        1025,
    )


def test_reasoning_effort_agreeing_with_reasoning_is_fine(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    fake.chat_model(reasoning={"effort": "high"}, reasoning_effort="high").invoke("hi")
    assert fake.requests[-1].body["reasoning"] == {"effort": "high"}
    assert fake.requests[-1].body["reasoning_effort"] == "high"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"reasoning": {"effort": "high", "max_tokens": 1024}}, "effort.*max_tokens"),
        ({"reasoning_effort": "low", "reasoning": {"effort": "high"}}, "reasoning_effort"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"reasoning": {"max_tokens": 4096}, "max_tokens": 1024}, "greater than the reasoning"),
        ({"reasoning": {"max_tokens": 4096}, "max_completion_tokens": 100}, "reasoning budget"),
    ],
)
def test_bad_per_call_settings_raise_before_any_request(
    fake: OpenRouterEmulator, kwargs: dict[str, Any], match: str
) -> None:
    llm = fake.chat_model()
    with pytest.raises(ValueError, match=match):
        llm.invoke("hi", **kwargs)
    assert fake.requests == []


# --- unknown kwargs --------------------------------------------------------------------------


def test_unknown_kwargs_move_into_model_kwargs_with_a_warning(fake: OpenRouterEmulator) -> None:
    fake.script(JSONReply(body=completion_body()))
    with pytest.warns(UserWarning, match="brand_new_param"):
        llm = fake.chat_model(brand_new_param={"a": 1})
    assert llm.model_kwargs == {"brand_new_param": {"a": 1}}
    llm.invoke("hi")
    assert fake.requests[-1].body["brand_new_param"] == {"a": 1}


def test_unknown_kwargs_merge_with_explicit_model_kwargs(fake: OpenRouterEmulator) -> None:
    with pytest.warns(UserWarning, match="safe_prompt"):
        llm = fake.chat_model(safe_prompt=True, model_kwargs={"raw_mode": False})
    assert llm.model_kwargs == {"raw_mode": False, "safe_prompt": True}


# --- the key never leaks -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["api_key", "openrouter_api_key"])
def test_api_key_never_shown(fake: OpenRouterEmulator, name: str) -> None:
    hidden = "sk-or-v1-very-hidden-value"
    llm = bare_model(fake, **{name: hidden})
    assert hidden not in repr(llm)
    assert hidden not in str(llm)
    assert hidden not in dumps(llm)
    assert hidden not in dumps(llm, pretty=True)


def test_api_key_from_env_never_shown(
    fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = "sk-or-v1-env-hidden-value"
    monkeypatch.setenv("OPENROUTER_API_KEY", hidden)
    llm = bare_model(fake)
    for text in (repr(llm), str(llm), dumps(llm)):
        assert hidden not in text


def test_serialized_model_refers_to_the_key_by_env_name(fake: OpenRouterEmulator) -> None:
    text = dumps(fake.chat_model())
    assert "OPENROUTER_API_KEY" in text
    assert KEY not in text


@pytest.mark.parametrize("name", ["api_key", "openrouter_api_key"])
def test_api_key_none_falls_back_to_the_environment(
    fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env")
    fake.script(JSONReply(body=completion_body()))
    bare_model(fake, **{name: None}).invoke("hi")
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-or-from-env"


def test_api_key_none_without_the_environment_names_the_fix() -> None:
    with pytest.raises(ValueError, match="set the OPENROUTER_API_KEY environment variable"):
        ChatOpenRouter(model="openai/gpt-4o-mini", api_key=None)


def test_loads_round_trips_with_the_key_in_the_environment(
    fake: OpenRouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env")
    llm = bare_model(
        fake, temperature=0.2, reasoning={"effort": "low"}, openrouter_provider={"zdr": True}
    )
    text = dumps(llm)
    assert "sk-or-from-env" not in text
    with warnings.catch_warnings():  # loads is a beta API of langchain-core
        warnings.simplefilter("ignore")
        back = loads(
            text, valid_namespaces=["langchain_openrouter"], allowed_objects=[ChatOpenRouter]
        )
    assert isinstance(back, ChatOpenRouter)
    assert back.api_key is not None
    assert back.api_key.get_secret_value() == "sk-or-from-env"
    assert (back.temperature, back.reasoning, back.openrouter_provider) == (
        0.2,
        {"effort": "low"},
        {"zdr": True},
    )
