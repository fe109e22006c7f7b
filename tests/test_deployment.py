"""docker-compose.yml, read as a user's Docker would (no engine runs here)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_the_app_on_postgresql_with_a_named_volume_and_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"].startswith("postgres:")
    assert (
        "iovlab-data:/var/lib/postgresql/data" in db["volumes"]
        and "iovlab-data" in compose["volumes"]
    )
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    assert (
        "--workers" in app["command"]
        and int(app["command"][app["command"].index("--workers") + 1]) > 1
    )
    assert "healthcheck" in app


def test_compose_refuses_to_start_without_a_database_password():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text and "POSTGRES_PASSWORD: iovlab" not in text


def test_the_image_installs_the_app_and_serves_it():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in dockerfile
    assert '"iovlab", "serve"' in dockerfile
