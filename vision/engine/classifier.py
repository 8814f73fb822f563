"""The table-state classifier: a timm DINOv3 backbone plus a linear head, loaded from weight files.

Nothing here downloads anything: timm builds the architecture with `pretrained=False` and the weights
come from files (safetensors, or torch files read with `weights_only=True`). A file may hold the
backbone alone (timm's keys), or backbone and head together (the head under `head.`; a `backbone.`
prefix is accepted too); the head may also be its own file (`weight`, `bias`). timm pools DINOv3 by
averaging the patch tokens unless `global_pool="token"`.

All crops of a frame go through in one batch. CPU by default, CUDA when present."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

try:  # the `vision` extra: without it the classifier reports itself not configured, nothing crashes
    import cv2
    import timm
    import torch
    from safetensors.torch import load_file, save_file
except ImportError:  # pragma: no cover - CI installs the extra
    cv2 = timm = torch = load_file = save_file = None

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ClassifierError(Exception):
    """The classifier cannot be built: missing package, missing or mismatched weights."""


def missing_packages() -> str | None:
    """Why the classifier cannot run at all in this process, or None."""
    if torch is None or timm is None or cv2 is None:
        return "torch, timm and OpenCV are not installed here (pip install '.[vision]')"
    return None


def pick_device(wanted: str = "auto") -> str:
    if wanted == "auto":
        return "cuda" if torch is not None and torch.cuda.is_available() else "cpu"
    return wanted


@dataclass(frozen=True)
class ClassifierSpec:
    """Everything needed to build a classifier; equal specs share one loaded model per process."""

    architecture: str
    weights: str  # absolute path of the backbone (or backbone + head) file
    labels: tuple[str, ...]
    input_size: int = 224
    head: str = ""  # absolute path of a separate head file, or ""
    global_pool: str = "avg"
    options_json: str = "{}"  # extra timm create_model arguments, as sorted JSON (hashable)
    version: str = ""
    demo: bool = False

    @property
    def options(self) -> dict:
        return json.loads(self.options_json)

    @staticmethod
    def options_to_json(options: dict | None) -> str:
        return json.dumps(options or {}, sort_keys=True)


@dataclass(frozen=True)
class ClassPrediction:
    label: str
    confidence: float
    probabilities: dict[str, float] = field(default_factory=dict)


def build_backbone(architecture: str, *, input_size: int, global_pool: str = "avg", options: dict | None = None):
    """A timm backbone with random weights and no classifier (num_classes=0): features out."""
    if missing_packages():
        raise ClassifierError(missing_packages())
    try:
        return timm.create_model(
            architecture,
            pretrained=False,
            num_classes=0,
            img_size=input_size,
            global_pool=global_pool,
            **(options or {}),
        )
    except (RuntimeError, TypeError, ValueError, KeyError) as exc:
        raise ClassifierError(f"timm cannot build {architecture!r}: {exc}") from exc


def read_weights(path: str | Path) -> dict:
    """A state dict from a safetensors or torch file (tensors only: `weights_only=True`)."""
    path = Path(path)
    if not path.is_file():
        raise ClassifierError(f"weights file not found: {path}")
    try:
        if path.suffix == ".safetensors":
            state = load_file(str(path))
        else:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # a corrupt file raises anything from pickle to safetensors' own errors
        raise ClassifierError(f"cannot read weights {path.name}: {exc}") from exc
    for wrapper in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not isinstance(state, dict):
        raise ClassifierError(f"{path.name} holds no state dict")
    return state


def write_weights(state: dict, path: str | Path) -> None:
    """Save tensors as safetensors (atomically: a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    save_file({key: value.detach().cpu().contiguous() for key, value in state.items()}, str(partial))
    partial.replace(path)


def split_weights(state: dict) -> tuple[dict, dict]:
    """(backbone, head) state dicts from one file's keys."""
    backbone, head = {}, {}
    for key, value in state.items():
        if key.startswith("head."):
            head[key.removeprefix("head.")] = value
        elif key.startswith("backbone."):
            backbone[key.removeprefix("backbone.")] = value
        else:
            backbone[key] = value
    return backbone, head


class TableClassifier:
    """A loaded backbone (+ head): crops in, labels with probabilities out."""

    def __init__(self, spec: ClassifierSpec, *, device: str = "auto", require_head: bool = True):
        if missing_packages():
            raise ClassifierError(missing_packages())
        self.spec = spec
        self.labels = list(spec.labels)
        self.device = pick_device(device)
        self.backbone = build_backbone(
            spec.architecture, input_size=spec.input_size, global_pool=spec.global_pool, options=spec.options
        )
        backbone_state, head_state = split_weights(read_weights(spec.weights))
        if spec.head:
            _, separate = split_weights(read_weights(spec.head))
            head_state = separate or read_weights(spec.head)
        try:
            self.backbone.load_state_dict(backbone_state, strict=True)
        except RuntimeError as exc:
            raise ClassifierError(f"the weights do not fit {spec.architecture} {spec.options}: {exc}") from exc
        self.num_features = int(self.backbone.num_features)
        self.head = None
        if head_state:
            self.head = torch.nn.Linear(self.num_features, len(self.labels))
            try:
                self.head.load_state_dict(head_state, strict=True)
            except RuntimeError as exc:
                raise ClassifierError(
                    f"the head does not fit {self.num_features} features x {len(self.labels)} labels: {exc}"
                ) from exc
            self.head.to(self.device).eval()
        elif require_head:
            raise ClassifierError("no head: train one (manage.py train_table_classifier) or give head weights")
        self.backbone.to(self.device).eval()
        cfg = getattr(self.backbone, "pretrained_cfg", {}) or {}
        self.mean = np.array(cfg.get("mean", IMAGENET_MEAN), dtype=np.float32)
        self.std = np.array(cfg.get("std", IMAGENET_STD), dtype=np.float32)

    # --- tensors ------------------------------------------------------------------------------------------

    def preprocess(self, crops: list[np.ndarray]):
        """BGR uint8 crops of any size -> one normalised NCHW float batch at the model's input size."""
        size = self.spec.input_size
        batch = np.empty((len(crops), size, size, 3), dtype=np.uint8)
        for index, crop in enumerate(crops):
            shrinking = crop.shape[0] > size or crop.shape[1] > size
            batch[index] = cv2.resize(
                crop, (size, size), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
            )
        pixels = batch[..., ::-1].astype(np.float32) / 255.0  # BGR -> RGB
        pixels = (pixels - self.mean) / self.std
        return torch.from_numpy(np.ascontiguousarray(pixels.transpose(0, 3, 1, 2))).to(self.device)

    def features(self, batch) -> torch.Tensor:
        with torch.inference_mode():
            return self.backbone(batch)

    def forward(self, batch) -> torch.Tensor:
        """Logits of a preprocessed batch: the raw forward pass the benchmark compares against."""
        with torch.inference_mode():
            return self.head(self.backbone(batch))

    # --- crops in, labels out -----------------------------------------------------------------------------

    def predict(self, crops: list[np.ndarray]) -> list[ClassPrediction]:
        """Every crop of a frame in one batch."""
        if not crops:
            return []
        if self.head is None:
            raise ClassifierError("no head loaded")
        probabilities = torch.softmax(self.forward(self.preprocess(crops)).float(), dim=1).cpu().numpy()
        results = []
        for row in probabilities:
            best = int(row.argmax())
            results.append(
                ClassPrediction(
                    label=self.labels[best],
                    confidence=float(row[best]),
                    probabilities={label: round(float(p), 6) for label, p in zip(self.labels, row, strict=True)},
                )
            )
        return results

    def embed(self, crops: list[np.ndarray], batch_size: int = 32) -> np.ndarray:
        """Backbone features of crops (for the linear probe), in batches."""
        chunks = [
            self.features(self.preprocess(crops[start : start + batch_size])).float().cpu().numpy()
            for start in range(0, len(crops), batch_size)
        ]
        return np.concatenate(chunks) if chunks else np.zeros((0, self.num_features), dtype=np.float32)


def random_backbone_weights(
    architecture: str, *, input_size: int, options: dict | None = None, global_pool: str = "avg", seed: int = 0
) -> dict:
    """A backbone's randomly initialised state dict (tests, the demo model): timm's own initialisation."""
    if missing_packages():
        raise ClassifierError(missing_packages())
    torch.manual_seed(seed)
    model = build_backbone(architecture, input_size=input_size, global_pool=global_pool, options=options)
    return model.state_dict()


def head_weights(weight: np.ndarray, bias: np.ndarray) -> dict:
    """A linear head's state dict (for a separate head file)."""
    return {
        "weight": torch.from_numpy(np.asarray(weight, dtype=np.float32)),
        "bias": torch.from_numpy(np.asarray(bias, dtype=np.float32)),
    }
