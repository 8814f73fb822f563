"""The demo restaurant's camera: a folder of generated frames of part of its floor, and a demo model.

No pretrained backbone can be fetched here, so the demo model is a small randomly initialised
DINOv3-architecture backbone (timm's `vit_small_patch16_dinov3` layout at a fraction of its width and
depth) with a linear head trained at seed time on generated crops. It is marked `is_demo` and shown as a
demo everywhere. It becomes the active model only when no other model is active, so real weights
registered later (manage.py train_table_classifier) replace it without code changes.

The frames show each watched table in the state the floor has at seed time, so the demo camera
confirms the floor rather than fights it; change a table on the floor and the camera flags (or, after
the host's M minutes, applies) what it sees."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from floor.models import Table, TableState
from vision.engine.classifier import random_backbone_weights, write_weights
from vision.engine.images import decode_image, encode_jpeg, encode_png
from vision.engine.synth import LABELS, DrawnTable, draw_frame, layout_boxes
from vision.models import Camera, CameraSource, ClassifierModel, TableRegion, VisionSettings
from vision.selectors import camera_regions, region_box
from vision.services.capture import folder_frames
from vision.services.crops import crops_cut, media_path
from vision.services.training import BackboneChoice, Example, classifier_train

DEMO_CAMERA_NAME = "Demo camera (generated frames)"
DEMO_MODEL_NAME = "demo-table-state"
DEMO_ARCHITECTURE = "vit_small_patch16_dinov3"
DEMO_OPTIONS = {"embed_dim": 64, "depth": 2, "num_heads": 2}
DEMO_INPUT_SIZE = 64
FRAME_SIZE = (640, 480)
FRAMES = 6
TRAINING_FRAMES = 12
WATCHED_SECTIONS = 2

STATE_TO_LABEL = {TableState.OCCUPIED: "occupied", TableState.DIRTY: "dirty"}


@dataclass(frozen=True)
class DemoVision:
    camera: Camera
    model: ClassifierModel | None
    created: bool


def _watched_tables(restaurant) -> list[Table]:
    tables = list(
        Table.objects.for_restaurant(restaurant)
        .filter(active=True)
        .select_related("section")
        .order_by("section__sort_order", "section_id", "label")
    )
    sections = []
    for table in tables:
        if table.section_id not in sections:
            sections.append(table.section_id)
    watched = set(sections[:WATCHED_SECTIONS])
    return [table for table in tables if table.section_id in watched]


def _folder(restaurant) -> Path:
    return media_path(f"vision/demo/{restaurant.pk}")


def _draw_frames(folder: Path, tables: list[Table], boxes, *, seed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    drawn = [
        DrawnTable(box, STATE_TO_LABEL.get(table.state, "empty")) for table, box in zip(tables, boxes, strict=True)
    ]
    for index in range(FRAMES):
        frame = draw_frame(*FRAME_SIZE, drawn, seed=seed * 1000 + index)
        (folder / f"frame-{index:02d}.jpg").write_bytes(encode_jpeg(frame, quality=90))


def _demo_model(camera: Camera, *, seed: int) -> ClassifierModel:
    """The demo model: reused when its files are there, else trained now (a few seconds)."""
    existing = ClassifierModel.objects.filter(name=DEMO_MODEL_NAME, is_demo=True).order_by("-created_at").first()
    weights_dir = Path(settings.VISION_WEIGHTS_DIR)
    if (
        existing is not None
        and (weights_dir / existing.weights_path).is_file()
        and (weights_dir / existing.head_path).is_file()
    ):
        return existing
    backbone_path = weights_dir / "demo" / "backbone.safetensors"
    write_weights(
        random_backbone_weights(DEMO_ARCHITECTURE, input_size=DEMO_INPUT_SIZE, options=DEMO_OPTIONS, seed=seed),
        backbone_path,
    )
    # Training crops: the watched tables in random states over a few generated frames, plus the camera's
    # own frames (the floor as seeded), so the demo camera reads its tables right rather than flagging
    # conflicts or clearing visits on a random backbone's mistakes.
    rng = random.Random(seed)
    examples_dir = weights_dir / "demo" / "training-crops"
    examples = []
    regions = camera_regions(camera)
    frames = []
    for index in range(TRAINING_FRAMES):
        labels = {region.table_id: LABELS[rng.randrange(len(LABELS))] for region in regions}
        drawn = [DrawnTable(region_box(region), labels[region.table_id]) for region in regions]
        frames.append((draw_frame(*FRAME_SIZE, drawn, seed=seed + 50_000 + index), labels))
    shown = {region.table_id: STATE_TO_LABEL.get(region.table.state, "empty") for region in regions}
    frames += [(decode_image(path.read_bytes()), shown) for path in folder_frames(Path(camera.source_url))]
    for index, (frame, labels) in enumerate(frames):
        for cut in crops_cut(camera=camera, frame=frame, regions=regions):
            label = labels[cut.region.table_id]
            path = examples_dir / label / f"{index:02d}-{cut.region.table_id}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encode_png(cut.pixels))
            examples.append(Example(path, label))
    has_real_model = ClassifierModel.objects.filter(active=True, is_demo=False).exists()
    trained = classifier_train(
        examples=examples,
        backbone=BackboneChoice(DEMO_ARCHITECTURE, backbone_path, DEMO_INPUT_SIZE, "avg", DEMO_OPTIONS),
        name=DEMO_MODEL_NAME,
        version=f"seed{seed}",
        labels=list(LABELS),
        epochs=150,
        seed=seed,
        activate=not has_real_model,
        is_demo=True,
    )
    return trained.model


def vision_demo_ensure(*, restaurant, seed: int = 7) -> DemoVision:
    """The demo camera over generated frames of the restaurant's first sections, its regions, the
    restaurant's vision settings and the demo model. Safe to run again: repairs missing files only."""
    tables = _watched_tables(restaurant)
    width, height = FRAME_SIZE
    boxes = layout_boxes([(t.x, t.y, t.width, t.height, t.rotation) for t in tables], width=width, height=height)
    folder = _folder(restaurant)
    with transaction.atomic():
        camera, created = Camera.objects.get_or_create(
            restaurant=restaurant,
            name=DEMO_CAMERA_NAME,
            defaults={
                "source_type": CameraSource.FILE,
                "source_url": str(folder),
                "poll_interval_seconds": 10,
                "crop_padding": 0.15,
            },
        )
        if created:
            TableRegion.objects.bulk_create(
                TableRegion(
                    camera=camera,
                    table=table,
                    center_x=max(0.0, box.cx),
                    center_y=max(0.0, box.cy),
                    width=max(1.0, box.w),
                    height=max(1.0, box.h),
                    angle=box.angle,
                )
                for table, box in zip(tables, boxes, strict=True)
            )
        VisionSettings.objects.get_or_create(restaurant=restaurant)
    if created or not folder.is_dir() or len(folder_frames(folder)) < FRAMES:
        _draw_frames(folder, tables, boxes, seed=seed)
    model = _demo_model(camera, seed=seed) if created or _model_missing() else None
    return DemoVision(camera, model or ClassifierModel.objects.filter(name=DEMO_MODEL_NAME).first(), created)


def _model_missing() -> bool:
    existing = ClassifierModel.objects.filter(name=DEMO_MODEL_NAME, is_demo=True).first()
    if existing is None:
        return True
    weights_dir = Path(settings.VISION_WEIGHTS_DIR)
    return not (weights_dir / existing.weights_path).is_file() or not (weights_dir / existing.head_path).is_file()
