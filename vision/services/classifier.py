"""The classifier registry: which model is active, and the one loaded copy of it per process.

The active `ClassifierModel` row names the architecture, labels and weight files. The first prediction in
a process (a Celery worker, a web worker) loads it; later ones reuse it until the row or the files
change (their modification times are part of the cache key). A model that cannot load is remembered
as not configured, with its reason, until something changes: no crash, no prediction, and the API and
dashboard say why."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from vision.engine.classifier import ClassifierError, ClassifierSpec, TableClassifier, missing_packages
from vision.exceptions import ClassifierNotConfigured
from vision.models import ClassifierModel
from vision.selectors import active_classifier_row

_lock = threading.Lock()
_loaded: dict[tuple, TableClassifier | str] = {}


@dataclass(frozen=True)
class ClassifierStatus:
    """What the dashboard and `GET /api/v1/ml/status` show."""

    configured: bool
    reason: str
    model: ClassifierModel | None = None

    @property
    def demo(self) -> bool:
        return bool(self.model and self.model.is_demo)

    @property
    def version(self) -> str:
        return self.model.version_label if self.model else ""


def weights_path(name: str) -> Path:
    """A registry path: absolute as given, else under VISION_WEIGHTS_DIR."""
    path = Path(name)
    return path if path.is_absolute() else Path(settings.VISION_WEIGHTS_DIR) / path


def relative_weights_path(path: Path) -> str:
    """How the registry stores a path: relative to VISION_WEIGHTS_DIR when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path(settings.VISION_WEIGHTS_DIR).resolve()))
    except ValueError:
        return str(Path(path).resolve())


def spec_for(row: ClassifierModel) -> ClassifierSpec:
    return ClassifierSpec(
        architecture=row.architecture,
        weights=str(weights_path(row.weights_path)),
        head=str(weights_path(row.head_path)) if row.head_path else "",
        labels=tuple(row.labels),
        input_size=row.input_size,
        global_pool=row.global_pool,
        options_json=ClassifierSpec.options_to_json(row.model_options),
        version=row.version_label,
        demo=row.is_demo,
    )


def _mtime(path: str) -> float | None:
    try:
        return Path(path).stat().st_mtime if path else None
    except OSError:
        return None


def _load(row: ClassifierModel) -> TableClassifier | str:
    spec = spec_for(row)
    key = (row.pk, spec, _mtime(spec.weights), _mtime(spec.head), settings.VISION_DEVICE)
    with _lock:
        if key not in _loaded:
            try:
                _loaded[key] = TableClassifier(spec, device=settings.VISION_DEVICE)
            except ClassifierError as exc:
                _loaded[key] = f"model {row.version_label} cannot load: {exc}"
            # One model per process: drop the others (a new version replaced them).
            for other in [k for k in _loaded if k != key]:
                del _loaded[other]
        return _loaded[key]


def classifier_status() -> ClassifierStatus:
    """Configured or not, and why not; loads the active model if this process has not yet."""
    if not settings.VISION_ENABLED:
        return ClassifierStatus(False, "vision is turned off (VISION_ENABLED=false)")
    missing = missing_packages()
    if missing:
        return ClassifierStatus(False, missing)
    row = active_classifier_row()
    if row is None:
        return ClassifierStatus(
            False, "no active classifier model: train one (manage.py train_table_classifier) or activate one in admin"
        )
    loaded = _load(row)
    if isinstance(loaded, str):
        return ClassifierStatus(False, loaded, row)
    return ClassifierStatus(True, "ready", row)


def classifier_get() -> TableClassifier | None:
    """The loaded active classifier, or None when none is configured."""
    status = classifier_status()
    if not status.configured:
        return None
    return _load(status.model)


def classifier_require() -> tuple[TableClassifier, ClassifierStatus]:
    status = classifier_status()
    if not status.configured:
        raise ClassifierNotConfigured(f"Classifier not configured: {status.reason}.", details={"reason": status.reason})
    return _load(status.model), status


def vision_packages_require() -> None:
    """503 in a process without the vision extra (a web image without torch and OpenCV): frames and
    uploads are handled by the processes that have it (the vision worker)."""
    missing = missing_packages()
    if missing:
        raise ClassifierNotConfigured(f"Classifier not configured: {missing}.", details={"reason": missing})


def classifier_cache_clear() -> None:
    """Forget loaded models (tests; a process that wants to reload)."""
    with _lock:
        _loaded.clear()


@transaction.atomic
def classifier_register(
    *,
    name: str,
    version: str,
    architecture: str,
    weights: Path,
    head: Path | None,
    labels: list[str],
    input_size: int,
    global_pool: str = "avg",
    model_options: dict | None = None,
    metrics: dict | None = None,
    is_demo: bool = False,
    activate: bool = True,
) -> ClassifierModel:
    """Add (or update) a model in the registry, optionally making it the active one."""
    if activate:
        ClassifierModel.objects.filter(active=True).exclude(name=name, version=version).update(active=False)
    row, _ = ClassifierModel.objects.update_or_create(
        name=name,
        version=version,
        defaults={
            "architecture": architecture,
            "weights_path": relative_weights_path(weights),
            "head_path": relative_weights_path(head) if head else "",
            "labels": list(labels),
            "input_size": input_size,
            "global_pool": global_pool,
            "model_options": model_options or {},
            "metrics": metrics or {},
            "is_demo": is_demo,
            "active": activate,
        },
    )
    return row
