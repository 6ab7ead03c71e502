"""The service tests' fixtures (defined in servicekit.py)."""

from servicekit import postgres_url, slow_farm, smtp, spawn

__all__ = ["postgres_url", "slow_farm", "smtp", "spawn"]
