"""The classifier through the real loading code: a tiny DINOv3-architecture model with random weights,
saved in each supported layout, loaded, batched; and the registry's "not configured" states."""

import numpy as np
import pytest
import torch

from vision.engine.classifier import (
    ClassifierError,
    ClassifierSpec,
    TableClassifier,
    random_backbone_weights,
    write_weights,
)
from vision.models import ClassifierModel
from vision.services.classifier import classifier_get, classifier_status
from vision.tests.support import (
    LABELS,
    TINY_ARCHITECTURE,
    TINY_INPUT,
    TINY_OPTIONS,
    constant_head,
    install_tiny_model,
    set_head,
    write_tiny_backbone,
)


def spec(weights, head="", **changes):
    values = {
        "architecture": TINY_ARCHITECTURE,
        "weights": str(weights),
        "head": str(head) if head else "",
        "labels": tuple(LABELS),
        "input_size": TINY_INPUT,
        "options_json": ClassifierSpec.options_to_json(TINY_OPTIONS),
    }
    return ClassifierSpec(**{**values, **changes})


CROPS = [np.zeros((40, 60, 3), np.uint8), np.full((300, 200, 3), 180, np.uint8), np.full((8, 8, 3), 40, np.uint8)]


def test_backbone_and_head_in_separate_safetensors_files(weights_dir):
    backbone = write_tiny_backbone(weights_dir)
    write_weights(constant_head("dirty", 0.9), weights_dir / "head.safetensors")
    classifier = TableClassifier(spec(backbone, weights_dir / "head.safetensors"), device="cpu")
    predictions = classifier.predict(CROPS)
    assert [p.label for p in predictions] == ["dirty"] * 3
    assert all(abs(p.confidence - 0.9) < 1e-4 and abs(sum(p.probabilities.values()) - 1) < 1e-4 for p in predictions)


def test_backbone_and_head_together_in_one_torch_file_with_a_state_dict_wrapper(weights_dir):
    state = random_backbone_weights(TINY_ARCHITECTURE, input_size=TINY_INPUT, options=TINY_OPTIONS)
    together = {
        **{f"backbone.{k}": v for k, v in state.items()},
        **{f"head.{k}": v for k, v in constant_head("empty", 0.8).items()},
    }
    torch.save({"state_dict": together}, weights_dir / "together.pt")
    classifier = TableClassifier(spec(weights_dir / "together.pt"), device="cpu")
    assert classifier.predict(CROPS[:1])[0].label == "empty"


def test_the_backbone_is_real_a_trained_head_separates_what_its_features_separate(weights_dir):
    backbone = write_tiny_backbone(weights_dir)
    extractor = TableClassifier(spec(backbone), device="cpu", require_head=False)
    features = extractor.embed(CROPS)
    assert features.shape == (3, TINY_OPTIONS["embed_dim"]) and not np.allclose(features[0], features[1])
    # A head pointing along the difference of two crops' features tells those two crops apart.
    direction = torch.from_numpy(features[1] - features[0])
    head = {"weight": torch.stack([-direction, direction, torch.zeros_like(direction)]), "bias": torch.zeros(3)}
    write_weights(head, weights_dir / "diff.safetensors")
    classifier = TableClassifier(spec(backbone, weights_dir / "diff.safetensors"), device="cpu")
    assert [p.label for p in classifier.predict(CROPS[:2])] == ["empty", "occupied"]


def test_class_token_pooling_is_a_setting(weights_dir):
    backbone = write_tiny_backbone(weights_dir)
    avg = TableClassifier(spec(backbone), device="cpu", require_head=False)
    token = TableClassifier(spec(backbone, global_pool="token"), device="cpu", require_head=False)
    assert token.backbone.global_pool == "token" and avg.backbone.global_pool == "avg"
    assert not np.allclose(avg.embed(CROPS[:1]), token.embed(CROPS[:1]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": "/nowhere/backbone.safetensors"}, "not found"),
        ({"options_json": ClassifierSpec.options_to_json({**TINY_OPTIONS, "embed_dim": 48})}, "do not fit"),
        ({"labels": ("a", "b")}, "head does not fit"),
        ({"architecture": "no_such_model_dinov3"}, "cannot build"),
    ],
)
def test_weights_that_do_not_fit_are_a_clear_error(weights_dir, change, message):
    backbone = write_tiny_backbone(weights_dir)
    write_weights(constant_head("dirty", 0.9), weights_dir / "head.safetensors")
    with pytest.raises(ClassifierError, match=message):
        TableClassifier(spec(change.pop("weights", backbone), weights_dir / "head.safetensors", **change), device="cpu")


def test_a_corrupt_file_is_a_clear_error(weights_dir):
    (weights_dir / "broken.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(ClassifierError, match="cannot read"):
        TableClassifier(spec(weights_dir / "broken.safetensors"), device="cpu")


@pytest.mark.django_db
def test_status_says_why_no_classifier_runs(settings, weights_dir):
    assert "no active classifier" in classifier_status().reason
    model = install_tiny_model(weights_dir)
    assert classifier_status().configured and classifier_get().spec.version == model.version_label
    (weights_dir / "head-1.safetensors").unlink()
    status = classifier_status()
    assert not status.configured and "not found" in status.reason and classifier_get() is None
    settings.VISION_ENABLED = False
    assert "VISION_ENABLED=false" in classifier_status().reason


@pytest.mark.django_db
def test_the_model_is_loaded_once_per_process_and_again_when_its_files_change(weights_dir):
    install_tiny_model(weights_dir, label="occupied")
    first = classifier_get()
    assert classifier_get() is first
    set_head(weights_dir, label="dirty", confidence=0.95)
    second = classifier_get()
    assert second is not first and second.predict(CROPS[:1])[0].label == "dirty"


@pytest.mark.django_db
def test_registering_a_new_model_makes_it_the_only_active_one(weights_dir):
    install_tiny_model(weights_dir, version="1")
    install_tiny_model(weights_dir, version="2")
    assert list(ClassifierModel.objects.filter(active=True).values_list("version", flat=True)) == ["2"]
