"""The service tests' fixtures (defined in servicekit.py)."""

from tests.app.servicekit import postgres_url, slow_farm, smtp, spawn

__all__ = ["postgres_url", "slow_farm", "smtp", "spawn"]
