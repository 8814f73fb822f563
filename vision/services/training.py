"""Training the table classifier's head: a linear probe on the frozen backbone with cached features.

Training data is a folder with one subfolder per label (`empty/`, `occupied/`, `dirty/`, images inside),
or the crops people labelled in the dashboard. Features are computed once per (backbone, image) and
cached under VISION_WEIGHTS_DIR/.feature-cache, so trying other settings costs only the fit. The head and
its metrics (accuracy, confusion matrix) are written to VISION_WEIGHTS_DIR/heads/ and registered as a new
version of the model, which becomes the active one unless asked otherwise."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from vision.engine.classifier import ClassifierSpec, TableClassifier, head_weights, write_weights
from vision.engine.images import decode_image
from vision.engine.training import train_linear_probe
from vision.exceptions import InvalidVisionInput
from vision.models import ClassifierModel
from vision.selectors import labelled_crops
from vision.services.capture import IMAGE_SUFFIXES
from vision.services.classifier import classifier_register, weights_path
from vision.services.crops import media_path


@dataclass(frozen=True)
class Example:
    """One training image: where it is, and what it shows."""

    path: Path
    label: str


def examples_from_folder(folder: Path) -> list[Example]:
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidVisionInput("data", f"data: {folder} is not a folder")
    examples = [
        Example(image, sub.name)
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        for image in sorted(sub.iterdir())
        if image.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not examples:
        raise InvalidVisionInput("data", f"data: no images in {folder}/<label>/ subfolders")
    return examples


def examples_from_crops(crops) -> list[Example]:
    return [Example(media_path(crop.image), crop.label) for crop in crops if crop.label]


@dataclass(frozen=True)
class BackboneChoice:
    architecture: str
    weights: Path
    input_size: int
    global_pool: str
    options: dict


def backbone_of_active() -> BackboneChoice | None:
    row = ClassifierModel.objects.filter(active=True).first()
    if row is None:
        return None
    return BackboneChoice(
        row.architecture, weights_path(row.weights_path), row.input_size, row.global_pool, row.model_options
    )


def _cache_key(backbone: BackboneChoice, examples: list[Example]) -> str:
    digest = hashlib.sha256()
    stat = backbone.weights.stat()
    digest.update(
        json.dumps(
            [
                str(backbone.weights),
                stat.st_size,
                stat.st_mtime,
                backbone.architecture,
                backbone.input_size,
                backbone.global_pool,
                backbone.options,
            ],
            sort_keys=True,
        ).encode()
    )
    for example in examples:
        info = example.path.stat()
        digest.update(f"{example.path}|{info.st_size}|{info.st_mtime}".encode())
    return digest.hexdigest()[:24]


def features_for(
    *,
    backbone: BackboneChoice,
    examples: list[Example],
    labels: list[str],
    on_batch: Callable[[int], None] | None = None,
    batch_size: int = 32,
) -> tuple[np.ndarray, bool]:
    """Backbone features of every example, from the cache when the same backbone saw the same files."""
    cache = Path(settings.VISION_WEIGHTS_DIR) / ".feature-cache" / f"{_cache_key(backbone, examples)}.npy"
    if cache.is_file():
        if on_batch:
            on_batch(len(examples))
        return np.load(cache), True
    extractor = TableClassifier(
        ClassifierSpec(
            architecture=backbone.architecture,
            weights=str(backbone.weights),
            labels=tuple(labels),
            input_size=backbone.input_size,
            global_pool=backbone.global_pool,
            options_json=ClassifierSpec.options_to_json(backbone.options),
        ),
        device=settings.VISION_DEVICE,
        require_head=False,
    )
    chunks = []
    for start in range(0, len(examples), batch_size):
        batch = examples[start : start + batch_size]
        images = []
        for example in batch:
            try:
                images.append(decode_image(example.path.read_bytes()))
            except (OSError, ValueError) as exc:
                raise InvalidVisionInput("data", f"data: cannot read {example.path}: {exc}") from exc
        chunks.append(extractor.embed(images, batch_size=batch_size))
        if on_batch:
            on_batch(len(batch))
    features = np.concatenate(chunks)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, features)
    return features, False


@dataclass(frozen=True)
class TrainingResult:
    model: ClassifierModel
    head_path: Path
    metrics_path: Path
    from_cache: bool


def classifier_train(
    *,
    examples: list[Example],
    backbone: BackboneChoice,
    name: str = "table-state",
    version: str | None = None,
    labels: list[str] | None = None,
    epochs: int = 300,
    seed: int = 0,
    activate: bool = True,
    is_demo: bool = False,
    on_features: Callable[[int], None] | None = None,
    on_epoch: Callable[[int], None] | None = None,
) -> TrainingResult:
    """Fit a head over the backbone's features and register it as a new version."""
    labels = labels or sorted({example.label for example in examples})
    unknown = sorted({example.label for example in examples} - set(labels))
    if unknown:
        raise InvalidVisionInput("labels", f"labels: the data has labels {unknown} not in {labels}")
    if len({example.label for example in examples}) < 2:
        raise InvalidVisionInput("data", "data: need images of at least two labels")
    if not backbone.weights.is_file():
        raise InvalidVisionInput("backbone", f"backbone: no weights file at {backbone.weights}")
    features, from_cache = features_for(backbone=backbone, examples=examples, labels=labels, on_batch=on_features)
    targets = np.array([labels.index(example.label) for example in examples])
    probe = train_linear_probe(features, targets, label_names=labels, epochs=epochs, seed=seed, progress=on_epoch)
    version = version or timezone.now().strftime("%Y%m%d-%H%M%S")
    heads = Path(settings.VISION_WEIGHTS_DIR) / ("demo" if is_demo else "heads")
    head_path = heads / f"{name}-{version}.head.safetensors"
    write_weights(head_weights(probe.weight, probe.bias), head_path)
    metrics = {**probe.metrics, "backbone": str(backbone.weights.name), "trained_at": timezone.now().isoformat()}
    metrics_path = head_path.with_name(f"{name}-{version}.metrics.json")
    metrics_path.write_text(json.dumps(metrics, indent=2))
    model = classifier_register(
        name=name,
        version=version,
        architecture=backbone.architecture,
        weights=backbone.weights,
        head=head_path,
        labels=labels,
        input_size=backbone.input_size,
        global_pool=backbone.global_pool,
        model_options=backbone.options,
        metrics=metrics,
        is_demo=is_demo,
        activate=activate,
    )
    return TrainingResult(model, head_path, metrics_path, from_cache)


def labelled_crop_examples(restaurants=None) -> list[Example]:
    """Crops people labelled whose image is still on disk."""
    return [example for example in examples_from_crops(labelled_crops(restaurants)) if example.path.is_file()]
