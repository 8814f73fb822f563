"""The vision engine runs without Django (DESIGN.md: an engine imports no Django): every engine module
imports in a fresh interpreter where importing Django fails."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE_MODULES = sorted(p.stem for p in (ROOT / "vision" / "engine").glob("*.py") if p.stem != "__init__")

PROBE = """
import importlib, sys

class NoDjango:
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith(("django.", "rest_framework")):
            raise ImportError(f"the engine imported {name}")
        return None

sys.meta_path.insert(0, NoDjango())
for module in sys.argv[1:]:
    importlib.import_module(f"vision.engine.{module}")
print("ok", len(sys.argv) - 1)
"""


def test_every_engine_module_imports_without_django():
    assert {"geometry", "hysteresis", "backoff", "classifier", "training", "synth", "images"} <= set(ENGINE_MODULES)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *ENGINE_MODULES], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ok {len(ENGINE_MODULES)}"


NO_EXTRA = """
import os, sys

class NoVisionExtra:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "timm", "cv2", "torchvision", "safetensors"}:
            raise ImportError(f"{name} is not installed")
        return None

sys.meta_path.insert(0, NoVisionExtra())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")
os.environ["DJANGO_ENV_FILE"] = "/dev/null"
import django

django.setup()
from django.urls import resolve

import restaurant.urls  # every app's urls, views, API and, through them, the vision services
import vision.tasks
from vision.engine.classifier import missing_packages

assert resolve("/api/v1/ml/predict") and resolve("/vision/")
print("reason:", missing_packages())
"""


def test_the_project_starts_without_the_vision_extra():
    # The compose file's web and default worker images are built without torch and OpenCV.
    result = subprocess.run([sys.executable, "-c", NO_EXTRA], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "reason: torch, timm and OpenCV are not installed here" in result.stdout
