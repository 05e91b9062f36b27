"""Building the request: settings, messages and call arguments into one body."""
