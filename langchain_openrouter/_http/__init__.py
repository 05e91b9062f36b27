"""Sending: the connection (SDK clients, pools), the transport and the retry policy."""
