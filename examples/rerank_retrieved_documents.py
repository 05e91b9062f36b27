"""Retrieve, then rerank: keep the documents that answer the question, know what it cost.

A cheap first-stage retriever (here: any word in common with the question) returns too many
candidates in no useful order. ``OpenRouterRerank`` (a LangChain ``BaseDocumentCompressor``
on OpenRouter's ``/rerank``) scores them against the question and keeps the best three,
each with its ``relevance_score``. Before the batch of questions, ``get_key_info()`` checks
that the API key has budget left; after it, the rerank's own usage and cost are printed.

Run it with ``python examples/rerank_retrieved_documents.py``: against OpenRouter when
``OPENROUTER_API_KEY`` is set, otherwise against the local emulator, whose reranker scores
by the words a document shares with the question.
"""

from __future__ import annotations

import re

from _offline import openrouter_or_emulator
from langchain_core.documents import Document

from langchain_openrouter import ChatOpenRouter, OpenRouterRerank

RERANK_MODEL = "cohere/rerank-v3.5"
BUDGET_PER_QUESTION = 0.01  # USD: a generous bound on one rerank call
CORPUS = [
    Document("The Eiffel Tower was finished in 1889 for the World's Fair.", metadata={"id": 1}),
    Document("Paris is the capital and largest city of France.", metadata={"id": 2}),
    Document("The Louvre in Paris is the most visited museum in the world.", metadata={"id": 3}),
    Document("Berlin became the capital of reunified Germany in 1990.", metadata={"id": 4}),
    Document("The Seine flows through Paris into the English Channel.", metadata={"id": 5}),
    Document("France is the most visited country in the world.", metadata={"id": 6}),
    Document("Lyon is known for its cuisine and its silk industry.", metadata={"id": 7}),
]
QUESTIONS = ["What is the capital of France?", "Which museum in Paris is the most visited?"]


def keyword_retriever(question: str) -> list[Document]:
    """Every document sharing a word of three letters or more with the question: crude."""
    words = {word for word in re.findall(r"\w+", question.lower()) if len(word) >= 3}  # noqa: PLR2004
    return [doc for doc in CORPUS if words & set(re.findall(r"\w+", doc.page_content.lower()))]


def check_budget(questions: list[str]) -> float | None:
    """The key's remaining limit in USD (None: no limit); stop if it cannot cover the batch."""
    info = ChatOpenRouter(model="openai/gpt-4o-mini").get_key_info()
    remaining = info.get("limit_remaining")
    needed = len(questions) * BUDGET_PER_QUESTION
    if remaining is not None and remaining < needed:
        msg = (
            f"The key has ${remaining:.2f} left; {len(questions)} questions may need ${needed:.2f}."
        )
        raise SystemExit(msg)
    return remaining


def run() -> dict[str, list[Document]]:
    """Rerank the candidates of each question; print the best three and the cost."""
    remaining = check_budget(QUESTIONS)
    print(f"key budget left: {'no limit' if remaining is None else f'${remaining:.2f}'}\n")
    reranker = OpenRouterRerank(model=RERANK_MODEL, top_n=3)
    answers = {}
    for question in QUESTIONS:
        candidates = keyword_retriever(question)
        best = reranker.compress_documents(candidates, question)
        print(f"{question}  ({len(candidates)} candidates)")
        for doc in best:
            print(f"  {doc.metadata['relevance_score']:.2f}  {doc.page_content}")
        answers[question] = list(best)
    usage = reranker.rerank(QUESTIONS[0], keyword_retriever(QUESTIONS[0])).usage
    print(f"\none rerank call: {usage.get('search_units')} search unit(s), ${usage.get('cost')}")
    return answers


def main() -> None:
    """Run against OpenRouter, or against the emulator without a key."""
    with openrouter_or_emulator("rerank_retrieved_documents.py", emulator_replies()):
        run()


def emulator_replies() -> list[object]:
    """Nothing to script: the emulator answers /key and /rerank on its own."""
    return []


if __name__ == "__main__":
    main()
