"""docker-compose.yml as a user's Docker reads it: `docker compose config` (no engine runs here,
and `config` needs none), and the image that it builds."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "POSTGRES_PASSWORD": "a-real-db-password",
    "IOVLAB_SECRET_KEY": "Zk3-Qv9_TxWm2RbN8yHpLc4sJd7fGe1A-deployment",
}


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("no `docker compose` or `docker-compose`: `make test` installs it (make compose)")


def compose_config(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [*compose_command(), "config"],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose():
    result = compose_config(**SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_runs_the_app_workers_on_postgresql_with_a_named_volume(compose):
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"].startswith("postgres:")
    assert any(v.startswith("iovlab-data:/var/lib/postgresql/data") for v in _volumes(db))
    assert "iovlab-data" in compose["volumes"]
    url = app["environment"]["DATABASE_URL"]
    assert url == "postgresql+psycopg://iovlab:a-real-db-password@db:5432/iovlab"
    command = app["command"]
    assert command[:2] == ["iovlab", "serve"] and int(command[command.index("--workers") + 1]) > 1


def test_compose_checks_health_and_migrates_before_the_app_starts(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["iovlab", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_compose_runs_the_app_in_production_mode_with_the_given_secret(compose):
    for name in ("app", "migrate"):
        environment = compose["services"][name]["environment"]
        assert environment["IOVLAB_MODE"] == "production"
        assert environment["IOVLAB_SECRET_KEY"] == SECRETS["IOVLAB_SECRET_KEY"]
        from app.settings import Settings  # the settings the container's app would read

        settings = Settings(
            **{k.removeprefix("IOVLAB_").lower(): v for k, v in environment.items()}
        )
        assert settings.mode == "production"


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_each_secret(missing):
    result = compose_config(**{k: v for k, v in SECRETS.items() if k != missing})
    assert result.returncode != 0 and f"set {missing}" in result.stderr


def test_the_image_installs_the_app_and_serves_it_in_production_mode():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in dockerfile
    assert '"iovlab", "serve"' in dockerfile and "IOVLAB_MODE=production" in dockerfile


def _volumes(service):
    for volume in service["volumes"]:
        yield volume if isinstance(volume, str) else f"{volume['source']}:{volume['target']}"
