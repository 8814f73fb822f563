"""The linear probe: a softmax regression over frozen backbone features.

Features are standardised for the fit and the standardisation folded back into the weights, so the head
applies to raw backbone features at prediction time. Deterministic for a given seed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vision.engine.classifier import missing_packages, torch


@dataclass(frozen=True)
class ProbeResult:
    weight: np.ndarray  # (labels, features)
    bias: np.ndarray  # (labels,)
    metrics: dict


def stratified_split(labels: np.ndarray, *, val_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation): about `val_fraction` of each class held out, at least one sample of a
    class with two or more; a class with a single sample stays in training."""
    rng = np.random.default_rng(seed)
    train, val = [], []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        rng.shuffle(members)
        held = int(round(len(members) * val_fraction)) if len(members) > 1 else 0
        held = max(held, 1) if len(members) > 1 else 0
        val.extend(members[:held])
        train.extend(members[held:])
    return np.sort(np.array(train, dtype=int)), np.sort(np.array(val, dtype=int))


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (truth, predicted), 1)
    return matrix


def predict_indices(weight: np.ndarray, bias: np.ndarray, features: np.ndarray) -> np.ndarray:
    return (features @ weight.T + bias).argmax(axis=1)


def train_linear_probe(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    label_names: list[str],
    epochs: int = 300,
    lr: float = 0.05,
    weight_decay: float = 1e-3,
    val_fraction: float = 0.2,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> ProbeResult:
    """Fit the head on a stratified training split (full batch, Adam) and measure it on the rest.

    `progress(epochs_done)` is called as it goes (the command's progress bar)."""
    if missing_packages():
        raise RuntimeError(missing_packages())
    n_classes = len(label_names)
    if len(features) != len(labels) or len(features) < 2:
        raise ValueError("need at least two labelled crops")
    if len(np.unique(labels)) < 2:
        raise ValueError("need crops of at least two labels")
    train_idx, val_idx = stratified_split(labels, val_fraction=val_fraction, seed=seed)
    x = features.astype(np.float64)
    mean = x[train_idx].mean(axis=0)
    std = x[train_idx].std(axis=0) + 1e-6

    torch.manual_seed(seed)
    xs = torch.from_numpy(((x[train_idx] - mean) / std).astype(np.float32))
    ys = torch.from_numpy(labels[train_idx].astype(np.int64))
    head = torch.nn.Linear(x.shape[1], n_classes)
    optimiser = torch.optim.Adam(head.parameters(), lr=lr, weight_decay=weight_decay)
    step = max(1, epochs // 50)
    for epoch in range(epochs):
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(head(xs), ys)
        loss.backward()
        optimiser.step()
        if progress is not None and ((epoch + 1) % step == 0 or epoch + 1 == epochs):
            progress(epoch + 1)

    w_std = head.weight.detach().numpy().astype(np.float64)
    b_std = head.bias.detach().numpy().astype(np.float64)
    weight = w_std / std  # fold (x - mean) / std back into the head
    bias = b_std - weight @ mean

    evaluated = val_idx if len(val_idx) else train_idx
    predicted = predict_indices(weight, bias, x[evaluated])
    matrix = confusion_matrix(labels[evaluated], predicted, n_classes)
    metrics = {
        "accuracy": round(float((predicted == labels[evaluated]).mean()), 4),
        "train_accuracy": round(float((predict_indices(weight, bias, x[train_idx]) == labels[train_idx]).mean()), 4),
        "evaluated_on": "validation" if len(val_idx) else "training (too few crops to hold some out)",
        "samples": {"train": int(len(train_idx)), "validation": int(len(val_idx))},
        "per_label": {name: int((labels == i).sum()) for i, name in enumerate(label_names)},
        "labels": list(label_names),
        "confusion_matrix": matrix.tolist(),
        "final_loss": round(float(loss.item()), 5),
        "epochs": epochs,
    }
    return ProbeResult(weight=weight.astype(np.float32), bias=bias.astype(np.float32), metrics=metrics)
