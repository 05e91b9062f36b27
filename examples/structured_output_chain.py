"""An LCEL chain with structured output: support emails in, typed tickets out.

``prompt | llm.with_structured_output(Ticket, strict=True)`` returns ``Ticket`` objects,
and ``batch`` triages several emails concurrently. The schema is sent as a strict
``json_schema`` response format; ``require_parameters`` keeps OpenRouter on providers
that honour it.

Run it with ``python examples/structured_output_chain.py``: against OpenRouter when
``OPENROUTER_API_KEY`` is set, otherwise against the local emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from _offline import openrouter_or_emulator
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.testing import Completion, HTTPError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from _offline import Responder
    from langchain_core.runnables import Runnable

    from langchain_openrouter.testing import RecordedRequest, Reply

MODEL = "openai/gpt-4o-mini"


class Ticket(BaseModel):
    """A support ticket triaged from a customer email."""

    category: Literal["billing", "bug", "feature_request", "other"]
    urgency: int = Field(description="1 (can wait) to 5 (customers are blocked)")
    summary: str = Field(description="One sentence in English")


def build_triage_chain() -> Runnable[dict[str, Any], Any]:
    """The chain: an email in (``{"email": ...}``), a ``Ticket`` out."""
    llm = ChatOpenRouter(
        model=MODEL,
        temperature=0,
        # Only route to providers that support every parameter sent, response_format
        # included (OpenRouter docs: structured-outputs.mdx, provider-selection.mdx).
        openrouter_provider={"require_parameters": True},
    )
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "You triage customer emails for a project-management SaaS."),
            ("human", "{email}"),
        ]
    )
    return prompt | llm.with_structured_output(Ticket, strict=True)


def triage(chain: Runnable[dict[str, Any], Any], emails: Sequence[str]) -> list[Ticket]:
    """Triage several emails concurrently; tickets come back in the emails' order."""
    return chain.batch([{"email": email} for email in emails], config={"max_concurrency": 4})


EMAILS = (
    "Hi, we were charged twice for the March invoice (INV-2291). Please refund one.",
    "Since this morning's update the board view is blank for our whole team. We can't work!",
    "Would love a dark mode in the mobile app, the white screen is harsh at night.",
)


def run() -> list[Ticket]:
    """Triage the sample emails and print the tickets."""
    tickets = triage(build_triage_chain(), EMAILS)
    for ticket in tickets:
        print(f"[{ticket.category:<15}] urgency {ticket.urgency}: {ticket.summary}")
    return tickets


def main() -> None:
    """Run against OpenRouter, or against the emulator without a key."""
    with openrouter_or_emulator("structured_output_chain.py", emulator_replies()):
        run()


# --- Offline: what the emulator answers ------------------------------------------------

SCRIPTED_TICKETS = {
    EMAILS[0]: Ticket(category="billing", urgency=3, summary="Duplicate charge on INV-2291."),
    EMAILS[1]: Ticket(category="bug", urgency=5, summary="Board view blank after update."),
    EMAILS[2]: Ticket(category="feature_request", urgency=1, summary="Dark mode for mobile."),
}


def answer_by_email(request: RecordedRequest) -> Reply:
    """The scripted ticket for the email in the request (batch calls arrive in any order)."""
    email = request.body["messages"][-1]["content"]
    ticket = SCRIPTED_TICKETS.get(email)
    if ticket is None:
        return HTTPError(status=400, message=f"No scripted ticket for {email!r}")
    return Completion(content=ticket.model_dump_json(), model=MODEL)


def emulator_replies() -> list[Responder]:
    """One reply per email."""
    return [answer_by_email] * len(EMAILS)


if __name__ == "__main__":
    main()
