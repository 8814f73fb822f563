"""Production configuration: `check --deploy` is clean, and bad or missing settings stop the start."""

import os
import re
import secrets
import subprocess
import sys

from django.conf import settings

MANAGE = settings.BASE_DIR / "manage.py"


def _production_env(**overrides: str) -> dict:
    # Start from the caller's environment minus anything that configures Django, and read no .env file.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AXES_"))}
    base.update(
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="ops.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://ops.example.com",
    )
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_warns_when_debug_is_left_on():
    # The clean result above means something: the same check does flag an unsafe setting.
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(DJANGO_DEBUG="true"))
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG in deployment


def test_unknown_boolean_stops_the_start_with_improperly_configured():
    result = _manage("check", env=_production_env(DJANGO_DEBUG="maybe"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_production_without_secret_key_stops_the_start():
    result = _manage("check", env=_production_env(DJANGO_SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def _variables_read_by_the_code() -> set[str]:
    source = (settings.BASE_DIR / "restaurant" / "settings.py").read_text()
    read = set(re.findall(r"""env(?:\.\w+|_bool)\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    assert read, "found no variables in settings.py: the pattern above is out of date"
    # Outside settings, code reads a few variables directly (the demo password, say).
    for package in ("restaurant", "floor", "staff", "scheduling", "vision", "simulator"):
        for path in (settings.BASE_DIR / package).rglob("*.py"):
            if "tests" not in path.parts:
                text = path.read_text()
                read |= set(re.findall(r"""(?:os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""", text))
                read |= set(re.findall(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]""", text))
    return read


def test_env_example_names_every_variable_the_code_reads():
    read = _variables_read_by_the_code()
    example = (settings.BASE_DIR / ".env.example").read_text()
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert read - named == set(), "add these to .env.example with a comment"
    assert named - read == set(), "nothing reads these any more: remove them from .env.example"
