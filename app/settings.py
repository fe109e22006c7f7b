"""Settings, declared once with their defaults; each can be set from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from app.sim.budget import DEFAULT_MAX_HOPS

ROOT = Path(__file__).resolve().parents[1]

# What people paste from examples instead of a secret of their own.
PLACEHOLDERS = {
    "",
    "change-me",
    "changeme",
    "changethis",
    "iovlab",
    "password",
    "postgres",
    "secret",
    "placeholder",
    "xxx",
    "...",
}


# A random key of 32+ characters from any usual alphabet has far more distinct characters
# than this; 32 x "a" or "abab..." has fewer, and is guessed long before it is brute-forced.
MIN_DISTINCT = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IOVLAB_", extra="ignore")

    mode: Literal["development", "production"] = Field(
        "development",
        description="production refuses to start without a real secret key and database password.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs the sign-in and room cookies; required in production "
        "(otherwise one is made and kept in the database).",
    )
    database_url: str = Field(
        "sqlite:///iovlab.db",
        validation_alias=AliasChoices("DATABASE_URL", "IOVLAB_DATABASE_URL"),
        description="SQLAlchemy URL: a SQLite file by default, postgresql+psycopg://… to deploy.",
    )
    # a worker runs Python on one core at a time: threads beyond a few only queue for the
    # interpreter, and its event loop (every stream's next hop, every answer) queues behind
    # them. bench/load.py, a class of 500 in step: API p99 911 ms with 20 threads; 141, 325
    # and 1,200 ms in three runs with 6 (README, Figures)
    db_pool_size: int = Field(
        3,
        ge=1,
        le=200,
        description="Half the database connections each worker may open (and keeps once "
        "opened), with as many threads; workers × 2 × this must stay under PostgreSQL's "
        "max_connections.",
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
    stream_idle_s: float = Field(
        300,
        gt=0,
        le=86_400,
        description="A hop stream with nothing new to send for this long ends, and its page "
        "pauses: a tab left open holds no connection overnight.",
    )
    full_collect_s: float = Field(
        300,
        ge=0,
        le=86_400,
        description="How often a worker walks all its objects for garbage cycles (the young "
        "ones are collected as they fill); 0: as often as Python would, which with a class's "
        "films turning over stops the worker for up to a second every few seconds.",
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
    room_streams_per_client: int = Field(
        2_000,
        ge=1,
        le=100_000,
        description="Live-room streams one client address may hold open, counted apart from "
        "the player's: a class behind one address (a campus NAT) follows together.",
    )
    join_misses_per_minute: int = Field(
        300,
        ge=1,
        le=100_000,
        description="Room codes one client address may try a minute that find no room: "
        "joining a real room never counts, guessing codes soon stops.",
    )
    embed_ancestors: str = Field(
        "*",
        pattern=r"^[^;,\r\n]+$",
        description="Sites that may show /embed/ pages in a frame: a CSP frame-ancestors "
        "source list, e.g. https://moodle.example.edu (every other page refuses framing).",
    )
    secure_cookies: bool = Field(
        False, description="Send the sign-in cookie over HTTPS only (set it behind TLS)."
    )
    max_scenario_bytes: int = Field(
        256_000, gt=0, description="Largest scenario text accepted from a user."
    )
    trusted_proxies: str = Field(
        "",
        pattern=r"^[0-9A-Fa-f:., ]*$",
        description="Addresses of reverse proxies whose X-Forwarded-For is believed, "
        "comma-separated (e.g. 127.0.0.1); by default none: a limit per address counts the "
        "address that connected.",
    )
    max_hops: int = Field(
        DEFAULT_MAX_HOPS,
        ge=1,
        le=10_000_000,
        description="The hop budget: the most hops one session's trace (its workload and "
        "commands) may make; a scenario or command that would pass it is refused while "
        "simulating. Time and memory grow in proportion (bench/worst_session.py).",
    )
    lti_config: Path | None = Field(
        None,
        description="The LTI 1.3 platforms iovlab is registered with: a pylti1p3 JSON file "
        "(issuer, client id, the LMS's URLs, deployment ids, the tool's key files); "
        "without it the /lti/ routes answer 404.",
    )

    @model_validator(mode="after")
    def _production_has_real_secrets(self) -> Self:
        if self.mode != "production":
            return self
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if key.strip().lower() in PLACEHOLDERS or len(key) < 32 or len(set(key)) < MIN_DISTINCT:
            raise ValueError(
                "IOVLAB_SECRET_KEY must be set to a random value of at least 32 characters, "
                f"{MIN_DISTINCT} of them different, "
                "in production (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            raise ValueError(
                "DATABASE_URL is SQLite: production runs several workers on PostgreSQL "
                "(postgresql+psycopg://user:password@host/db)"
            )
        if (url.password or "").strip().lower() in PLACEHOLDERS:
            raise ValueError("DATABASE_URL has no real password: set the database's own password")
        return self

    @property
    def proxies(self) -> frozenset[str]:
        """The trusted proxies' addresses, as a set."""
        return frozenset(part.strip() for part in self.trusted_proxies.split(",") if part.strip())
