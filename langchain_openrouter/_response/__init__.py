"""Reading the response: completion bodies and stream chunks into LangChain types."""
