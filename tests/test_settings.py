"""Production mode refuses to start with a missing or placeholder secret."""

import pytest
from pydantic import ValidationError

from app.settings import Settings

KEY = "Zk3-Qv9_TxWm2RbN8yHpLc4sJd7fGe1A"
POSTGRES = "postgresql+psycopg://iovlab:s3cret-Pw-of-the-dept@db:5432/iovlab"


def test_development_needs_no_secret():
    assert Settings(database_url="sqlite://").secret_key is None


def test_production_starts_with_a_real_key_and_password():
    settings = Settings(mode="production", secret_key=KEY, database_url=POSTGRES)
    assert settings.secret_key.get_secret_value() == KEY


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secret_key": None}, "IOVLAB_SECRET_KEY must be set"),
        ({"secret_key": "changeme"}, "IOVLAB_SECRET_KEY must be set"),
        ({"secret_key": "short-but-not-a-placeholder"}, "at least 32 characters"),
        ({"secret_key": "a" * 32}, "16 of them different"),
        ({"secret_key": "abcdefgh" * 8}, "16 of them different"),
        ({"database_url": "sqlite:///iovlab.db"}, "DATABASE_URL is SQLite"),
        (
            {"database_url": "postgresql+psycopg://iovlab:changeme@db/iovlab"},
            "DATABASE_URL has no real password",
        ),
        ({"database_url": "postgresql+psycopg://iovlab@db/iovlab"}, "no real password"),
    ],
)
def test_production_refuses_a_missing_or_placeholder_secret(changes, message):
    values = {"mode": "production", "secret_key": KEY, "database_url": POSTGRES, **changes}
    with pytest.raises(ValidationError, match=message):
        Settings(**values)


def test_production_mode_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("IOVLAB_MODE", "production")
    monkeypatch.setenv("IOVLAB_SECRET_KEY", "change-me")
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    with pytest.raises(ValidationError, match="IOVLAB_SECRET_KEY"):
        Settings()


def test_trusted_proxies_are_none_unless_named():
    assert Settings(database_url="sqlite://").proxies == frozenset()
    named = Settings(database_url="sqlite://", trusted_proxies="127.0.0.1, 10.0.0.2")
    assert named.proxies == {"127.0.0.1", "10.0.0.2"}
