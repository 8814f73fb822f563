"""`python manage.py train_table_classifier --data <folder>`: a linear probe on the frozen backbone.

`--data` is a folder with one subfolder per label (empty/, occupied/, dirty/); `--from-labelled` uses the
crops people labelled in the dashboard instead. The backbone is `--backbone` (a weights file, e.g. real
DINOv3 weights dropped into weights/), else the active model's. Writes a versioned head and its metrics to
weights/ and the registry, and makes it the active model unless --no-activate."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from restaurant.exceptions import DomainError
from vision.services.classifier import weights_path
from vision.services.training import (
    BackboneChoice,
    backbone_of_active,
    classifier_train,
    examples_from_folder,
    labelled_crop_examples,
)


class Command(BaseCommand):
    help = "Train the table classifier's head (linear probe on cached backbone features) and register it."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--data", help="folder with one subfolder of images per label")
        source.add_argument("--from-labelled", action="store_true", help="the crops labelled in the dashboard")
        parser.add_argument("--backbone", help="backbone weights (.safetensors/.pt); default: the active model's")
        parser.add_argument("--architecture", default=None, help="timm model name (default vit_small_patch16_dinov3)")
        parser.add_argument("--input-size", type=int, default=None, help="input size in pixels (default 224)")
        parser.add_argument("--global-pool", choices=["avg", "token"], default=None)
        parser.add_argument(
            "--model-options", default=None, help='extra timm arguments as JSON, e.g. \'{"embed_dim": 64, "depth": 2}\''
        )
        parser.add_argument("--labels", help="comma-separated label order (default: the data's, sorted)")
        parser.add_argument("--name", default="table-state")
        parser.add_argument("--model-version", dest="model_version", default=None, help="default: the time of training")
        parser.add_argument("--epochs", type=int, default=300)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--no-activate", action="store_true", help="register without making it active")

    def handle(self, *args, **opts):
        try:
            self._train(opts)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _train(self, opts):
        examples = labelled_crop_examples() if opts["from_labelled"] else examples_from_folder(Path(opts["data"]))
        if not examples:
            raise CommandError("no labelled crops yet: label some in the vision dashboard first")
        backbone = self._backbone(opts)
        labels = [label.strip() for label in opts["labels"].split(",")] if opts["labels"] else None
        verbosity = opts["verbosity"]
        self.stdout.write(
            f"{len(examples)} images, backbone {backbone.architecture} ({backbone.weights.name}, "
            f"{backbone.input_size} px, pool {backbone.global_pool})"
        )
        features_bar = tqdm(total=len(examples), desc="Features", unit="img", disable=verbosity < 1)
        epochs_bar = tqdm(total=opts["epochs"], desc="Training", unit="epoch", disable=verbosity < 1)
        done = {"epochs": 0}

        def on_epoch(epochs_done: int) -> None:
            epochs_bar.update(epochs_done - done["epochs"])
            done["epochs"] = epochs_done

        try:
            result = classifier_train(
                examples=examples,
                backbone=backbone,
                name=opts["name"],
                version=opts["model_version"],
                labels=labels,
                epochs=opts["epochs"],
                seed=opts["seed"],
                activate=not opts["no_activate"],
                on_features=features_bar.update,
                on_epoch=on_epoch,
            )
        finally:
            features_bar.close()
            epochs_bar.close()
        metrics = result.model.metrics
        self.stdout.write(
            f"Registered {result.model.name} {result.model.version}"
            f"{' (active)' if result.model.active else ''}: accuracy {metrics['accuracy']} on {metrics['evaluated_on']}"
            f"{' (features from cache)' if result.from_cache else ''}"
        )
        self.stdout.write(f"Confusion matrix (rows: truth, columns: predicted; {', '.join(metrics['labels'])}):")
        for name, row in zip(metrics["labels"], metrics["confusion_matrix"], strict=True):
            self.stdout.write(f"  {name:<12} {' '.join(f'{count:>5}' for count in row)}")
        self.stdout.write(f"Head: {result.head_path}\nMetrics: {result.metrics_path}")

    def _backbone(self, opts) -> BackboneChoice:
        active = backbone_of_active()
        options = None
        if opts["model_options"]:
            try:
                options = json.loads(opts["model_options"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--model-options is not JSON: {exc}") from exc
            if not isinstance(options, dict):
                raise CommandError("--model-options must be a JSON object")
        if opts["backbone"]:
            return BackboneChoice(
                architecture=opts["architecture"] or "vit_small_patch16_dinov3",
                weights=weights_path(opts["backbone"]),
                input_size=opts["input_size"] or 224,
                global_pool=opts["global_pool"] or "avg",
                options=options or {},
            )
        if active is None:
            raise CommandError("give --backbone (no active model to take the backbone from)")
        return BackboneChoice(
            architecture=opts["architecture"] or active.architecture,
            weights=active.weights,
            input_size=opts["input_size"] or active.input_size,
            global_pool=opts["global_pool"] or active.global_pool,
            options=active.options if options is None else options,
        )
