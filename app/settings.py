"""Settings, declared once with their defaults; each can be set from the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IOVLAB_", extra="ignore")

    database_url: str = Field(
        "sqlite:///iovlab.db",
        validation_alias=AliasChoices("DATABASE_URL", "IOVLAB_DATABASE_URL"),
        description="SQLAlchemy URL: a SQLite file by default, postgresql+psycopg://… to deploy.",
    )
    scenarios_dir: Path = Field(ROOT / "scenarios", description="Where the shipped scenarios are.")
    hop_interval_s: float = Field(
        0.8, gt=0, le=10, description="Seconds between two hops of a stream at 1× speed."
    )
    stream_poll_s: float = Field(
        0.25,
        gt=0,
        le=5,
        description="How often a stream at the end of its trace looks for new hops.",
    )
    room_poll_s: float = Field(
        0.2, gt=0, le=5, description="How often a worker checks a live room it serves for changes."
    )
    sessions_per_minute: int = Field(
        30, ge=1, le=10_000, description="Sessions one client address may open a minute."
    )
    streams_per_client: int = Field(
        20, ge=1, le=100_000, description="Event streams one client address may hold open."
    )
    secure_cookies: bool = Field(
        False, description="Send the sign-in cookie over HTTPS only (set it behind TLS)."
    )
    max_scenario_bytes: int = Field(
        256_000, gt=0, description="Largest scenario text accepted from a user."
    )
