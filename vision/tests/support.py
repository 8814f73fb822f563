"""Real parts for the vision tests: a tiny DINOv3-architecture model written to a weights folder and
loaded through the real loading code, and a camera served over HTTP on loopback that serves generated
frames and fails on demand."""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import torch

from vision.engine.classifier import random_backbone_weights, write_weights
from vision.engine.geometry import RotatedBox
from vision.engine.images import encode_jpeg
from vision.engine.synth import DrawnTable, draw_frame
from vision.services.classifier import classifier_register

TINY_ARCHITECTURE = "vit_small_patch16_dinov3"
TINY_OPTIONS = {"embed_dim": 32, "depth": 1, "num_heads": 2}
TINY_INPUT = 32
LABELS = ["empty", "occupied", "dirty"]


def write_tiny_backbone(folder: Path, name: str = "tiny-backbone.safetensors", seed: int = 0) -> Path:
    path = Path(folder) / name
    write_weights(
        random_backbone_weights(TINY_ARCHITECTURE, input_size=TINY_INPUT, options=TINY_OPTIONS, seed=seed), path
    )
    return path


def constant_head(label: str, confidence: float, labels=LABELS) -> dict:
    """A head that ignores the image and answers `label` with `confidence`: zero weights, and biases whose
    softmax gives exactly that probability (the rest shared equally)."""
    n = len(labels)
    rest = (1 - confidence) / (n - 1)
    bias = np.array([math.log(confidence if name == label else rest) for name in labels], dtype=np.float32)
    return {"weight": torch.zeros((n, TINY_OPTIONS["embed_dim"])), "bias": torch.from_numpy(bias)}


def install_tiny_model(folder: Path, *, label: str = "occupied", confidence: float = 0.9, version: str = "1", **extra):
    """Register (and activate) a tiny model whose head answers `label` at `confidence`."""
    backbone = write_tiny_backbone(folder)
    head = Path(folder) / f"head-{version}.safetensors"
    write_weights(constant_head(label, confidence), head)
    return classifier_register(
        name="tiny",
        version=version,
        architecture=TINY_ARCHITECTURE,
        weights=backbone,
        head=head,
        labels=LABELS,
        input_size=TINY_INPUT,
        model_options=TINY_OPTIONS,
        **extra,
    )


def set_head(folder: Path, *, label: str, confidence: float, version: str = "1") -> None:
    """Make the installed tiny model answer something else from the next frame on (the file changes, so
    the per-process cache reloads it)."""
    path = Path(folder) / f"head-{version}.safetensors"
    before = path.stat().st_mtime_ns if path.exists() else 0
    write_weights(constant_head(label, confidence), path)
    if path.stat().st_mtime_ns == before:  # same timestamp granularity tick: make the change visible
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


FRAME_W, FRAME_H = 320, 240
BOXES = [RotatedBox(80, 70, 90, 60, 10), RotatedBox(230, 80, 80, 60, -20), RotatedBox(160, 180, 110, 60, 0)]


def frame_bytes(labels=("empty", "occupied", "dirty"), seed: int = 0) -> bytes:
    tables = [DrawnTable(box, label) for box, label in zip(BOXES, labels, strict=False)]
    return encode_jpeg(draw_frame(FRAME_W, FRAME_H, tables, seed=seed))


@dataclass
class CameraServer:
    """Serves `/snapshot.jpg` (a generated frame) until told to fail: `mode` is "ok", "error" (HTTP 500),
    "garbage" (200 with bytes that are no image) or "hang" (holds the request until the server stops,
    so the client's timeout fires)."""

    mode: str = "ok"
    requests: int = 0
    url: str = ""
    _release: threading.Event = field(default_factory=threading.Event)

    def snapshot_url(self) -> str:
        return f"{self.url}/snapshot.jpg"


def start_camera_server() -> tuple[CameraServer, ThreadingHTTPServer]:
    state = CameraServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):  # noqa: N802
            state.requests += 1
            if state.mode == "hang":
                state._release.wait(30)
                return
            if state.mode == "error":
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"camera busy")
                return
            body = b"not an image at all" if state.mode == "garbage" else frame_bytes(seed=state.requests)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, name="camera-server", daemon=True).start()
    return state, server


def stop_camera_server(state: CameraServer, server: ThreadingHTTPServer) -> None:
    state._release.set()
    server.shutdown()
    server.server_close()
