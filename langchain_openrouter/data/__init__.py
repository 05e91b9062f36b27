"""Bundled data: the model-profile snapshot written by ``scripts/refresh_profiles.py``."""
