"""docker-compose.yml is valid and has the production shape (no engine runs here: `config` validates offline)."""

import os
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

from conftest import require

SERVICES = {"postgres", "redis", "migrate", "web", "worker", "beat", "vision-worker"}


def _binary() -> str:
    binary = shutil.which("docker-compose")
    require(binary is not None, "docker-compose (apt-get install -y --no-install-recommends docker-compose)")
    return binary


@pytest.fixture(scope="module")
def compose(tmp_path_factory) -> list[str]:
    # An env file in place of any .env with the one value that has no default: a fresh clone plus a secret
    # key must validate on the defaults written in the file.
    env_file = tmp_path_factory.mktemp("compose") / "fresh.env"
    env_file.write_text("DJANGO_SECRET_KEY=test-only-" + "k" * 50 + "\n")
    return [_binary(), "--env-file", str(env_file)]


def _config(compose: list[str], *args: str) -> subprocess.CompletedProcess:
    # Compose reads the shell's environment before the env file: none of ours may leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTED_PROXIES"))}
    return subprocess.run(
        [*compose, "-f", "docker-compose.yml", "config", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_validates_on_a_fresh_clone_with_a_secret_key(compose):
    result = _config(compose, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no "variable is not set" warnings either


def test_compose_refuses_to_start_without_a_secret_key_and_says_so(tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = _config([_binary(), "--env-file", str(empty)], "-q")
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY in .env" in result.stderr


def test_no_server_believes_forwarded_headers_on_its_own(compose):
    # TRUSTED_PROXIES in the app decides (restaurant/middleware.py); a server trusting X-Forwarded-For
    # from anyone (`--forwarded-allow-ips=*`) let every login guess come from a fresh address.
    services = yaml.safe_load(_config(compose).stdout)["services"]
    web = services["web"]["command"]
    assert "--no-proxy-headers" in web
    assert not any(arg.startswith(("--forwarded-allow-ips", "--proxy-headers")) for arg in web)
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == ""
    procfile = (settings.BASE_DIR / "Procfile").read_text()
    web_line = next(line for line in procfile.splitlines() if line.startswith("web:"))
    assert "--no-proxy-headers" in web_line and "forwarded-allow-ips" not in web_line
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert '"--no-proxy-headers"' in cmd and "forwarded" not in cmd


def test_compose_has_every_service_with_a_healthcheck_or_one_shot(compose):
    services = yaml.safe_load(_config(compose).stdout)["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        if name != "migrate":
            assert "healthcheck" in service, f"{name} has no healthcheck"


def test_workers_split_the_queues_and_vision_gets_its_own_image(compose):
    services = yaml.safe_load(_config(compose).stdout)["services"]
    worker, vision = services["worker"]["command"], services["vision-worker"]["command"]
    assert worker[worker.index("-Q") + 1] == "default"
    assert vision[vision.index("-Q") + 1] == "vision"
    assert services["vision-worker"]["build"]["args"]["EXTRAS"] == "vision"
    assert "args" not in services["web"]["build"]


def test_app_services_wait_for_migrations_and_healthy_backing_services(compose):
    services = yaml.safe_load(_config(compose).stdout)["services"]
    for name in ("web", "worker", "beat", "vision-worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["DJANGO_DEBUG"] == "false"


def test_a_misspelt_key_fails_validation(compose, tmp_path):
    # The check above means something: config -q rejects a file with an unknown key.
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: x\n    helthcheck: {}\n")
    result = subprocess.run(
        [*compose, "-f", str(broken), "config", "-q"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "helthcheck" in result.stderr
