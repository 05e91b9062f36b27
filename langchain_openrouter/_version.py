"""The package version, also recorded in ``metadata["lc_versions"]`` of every model."""

__version__ = "0.3.0"
