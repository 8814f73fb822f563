"""Vision figures: frame -> predictions throughput against the raw forward pass, and the dispatcher with
100 cameras of which 10 are offline.

1. Throughput. `vit_small_patch16_dinov3` (random weights, its 224 px input here) is written to a
   temporary weights folder and loaded through the real loading code. A generated 1280x720 frame with
   `--tables` tables is cut into crops; the same crops, preprocessed once, make the raw batch. Measured in
   alternation, `--repeats` times each, medians kept:
   - raw forward: backbone + head on the ready batch (what the model alone costs);
   - pipeline: frame -> crops (rotated boxes) -> preprocess -> one batched forward -> labels;
   - service: the poll's whole path (`frame_process`: frame and crop JPEGs, Crop and Prediction rows,
     hysteresis) on a temporary SQLite database.
   Ratio = pipeline crops/s over raw crops/s (aim: >= 0.9).
2. Dispatcher. 100 snapshot cameras on a loopback HTTP server; 10 of them hang until the capture
   timeout (`--timeout`). One beat tick claims every due camera (two queries) and enqueues a poll per
   camera; `--workers` threads stand in for the Celery worker's concurrency and run the polls in queue
   order. Reported: the tick's own time (all healthy vs. 10 offline) and the delay from the tick to each
   healthy camera's poll finishing, (a) all healthy, (b) the tick where the 10 are first seen failing,
   (c) a later tick, once they are offline and polled slowly (not due).

    .venv/bin/python bench/bench_vision.py [--tables 8] [--repeats 5] [--workers 8] [--timeout 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCRATCH = Path(tempfile.mkdtemp(prefix="bench-vision-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "restaurant.settings",
        "DJANGO_ENV_FILE": "/dev/null",
        "DATABASE_URL": f"sqlite:///{SCRATCH / 'bench.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "memory://",
        "DJANGO_MEDIA_ROOT": str(SCRATCH / "media"),
        "VISION_WEIGHTS_DIR": str(SCRATCH / "weights"),
        "VISION_ENABLED": "true",
        "VISION_DEVICE": "cpu",
        "LOG_LEVEL": "ERROR",
    }
)

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from floor.models import Section, Table  # noqa: E402
from restaurant.models import Restaurant  # noqa: E402
from vision.engine.classifier import random_backbone_weights, write_weights  # noqa: E402
from vision.engine.geometry import RotatedBox, crop_table  # noqa: E402
from vision.engine.images import encode_jpeg  # noqa: E402
from vision.engine.synth import DrawnTable, draw_frame, layout_boxes  # noqa: E402
from vision.models import Camera, CameraStatus, TableRegion  # noqa: E402
from vision.services.classifier import classifier_get, classifier_register  # noqa: E402
from vision.services.polling import camera_poll, cameras_dispatch  # noqa: E402
from vision.services.predict import frame_process  # noqa: E402

ARCHITECTURE = "vit_small_patch16_dinov3"
LABELS = ["empty", "occupied", "dirty"]


def median_seconds(samples: list[float]) -> float:
    return statistics.median(samples)


# --- 1. Throughput -------------------------------------------------------------------------------------


def throughput(*, tables: int, repeats: int, input_size: int) -> dict:
    weights = SCRATCH / "weights"
    backbone_path = weights / "vits16-random.safetensors"
    write_weights(random_backbone_weights(ARCHITECTURE, input_size=input_size, seed=0), backbone_path)
    rng = np.random.default_rng(0)
    head = {"weight": rng.normal(0, 0.02, (len(LABELS), 384)).astype(np.float32), "bias": np.zeros(3, np.float32)}
    import torch

    write_weights({k: torch.from_numpy(v) for k, v in head.items()}, weights / "head.safetensors")
    classifier_register(
        name="bench",
        version="1",
        architecture=ARCHITECTURE,
        weights=backbone_path,
        head=weights / "head.safetensors",
        labels=LABELS,
        input_size=input_size,
    )
    classifier = classifier_get()
    assert classifier is not None, "the bench model did not load"

    columns = 4
    plan = [((i % columns) * 160, (i // columns) * 140, 110, 80, (i * 17) % 60 - 30) for i in range(tables)]
    boxes = layout_boxes(plan, width=1280, height=720)
    frame = draw_frame(1280, 720, [DrawnTable(b, LABELS[i % 3]) for i, b in enumerate(boxes)], seed=1)
    crops = [crop_table(frame, box, 0.1) for box in boxes]
    batch = classifier.preprocess(crops)

    # The service path needs a camera over those tables.
    restaurant = Restaurant.objects.create(name="Bench Bistro")
    section = Section.objects.create(restaurant=restaurant, name="Main")
    camera = Camera.objects.create(restaurant=restaurant, name="Bench cam", source_type="push", crop_padding=0.1)
    for index, box in enumerate(boxes):
        table = Table.objects.create(restaurant=restaurant, section=section, label=f"B{index}")
        TableRegion.objects.create(
            camera=camera, table=table, center_x=box.cx, center_y=box.cy, width=box.w, height=box.h, angle=box.angle
        )

    classifier.forward(batch)  # warm-up: first calls allocate
    classifier.predict(crops)
    raw, pipeline, service, overhead = [], [], [], []
    start = timezone.now()
    for repeat in range(repeats):
        # Side by side in each round, so that load from elsewhere on the machine hits all three alike.
        t0 = time.perf_counter()
        classifier.forward(batch)
        raw.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        classifier.predict([crop_table(frame, box, 0.1) for box in boxes])
        pipeline.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        frame_process(camera=camera, frame=frame, at=start + timedelta(seconds=repeat))
        service.append(time.perf_counter() - t0)
        # What the pipeline adds to the forward pass, on its own: cutting and preprocessing the crops.
        t0 = time.perf_counter()
        classifier.preprocess([crop_table(frame, box, 0.1) for box in boxes])
        overhead.append(time.perf_counter() - t0)
    raw_rate = tables / median_seconds(raw)
    pipeline_rate = tables / median_seconds(pipeline)
    service_rate = tables / median_seconds(service)
    paired = statistics.median(r / p for r, p in zip(raw, pipeline, strict=True))
    paired_service = statistics.median(r / s for r, s in zip(raw, service, strict=True))
    return {
        "model": f"{ARCHITECTURE} (random weights) at {input_size} px, batch {tables}, CPU, "
        f"torch threads {torch.get_num_threads()}",
        # The forward pass over itself plus what the pipeline adds (cut + preprocess, timed alone): immune to
        # the machine's load swinging between the timed rounds.
        "pipeline_over_raw_from_overhead": round(
            median_seconds(raw) / (median_seconds(raw) + median_seconds(overhead)), 4
        ),
        "raw_forward_crops_per_s": round(raw_rate, 2),
        "pipeline_crops_per_s": round(pipeline_rate, 2),
        "service_crops_per_s": round(service_rate, 2),
        "pipeline_over_raw": round(paired, 3),
        "service_over_raw": round(paired_service, 3),
        "crop_and_preprocess_ms": round(1000 * median_seconds(overhead), 2),
        "raw_forward_ms": round(1000 * median_seconds(raw), 1),
        "pipeline_ms": round(1000 * median_seconds(pipeline), 1),
        "service_ms": round(1000 * median_seconds(service), 1),
    }


# --- 2. Dispatcher ---------------------------------------------------------------------------------------


class Cameras:
    """A loopback HTTP server: `/ok/<n>.jpg` answers a small frame, `/hang/<n>.jpg` holds the request."""

    def __init__(self):
        frame = encode_jpeg(draw_frame(320, 240, [DrawnTable(RotatedBox(160, 120, 120, 80, 10), "occupied")]))
        release = self.release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                if self.path.startswith("/hang/"):
                    release.wait(60)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(frame)))
                self.end_headers()
                self.wfile.write(frame)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


def run_tick(*, workers: int, now) -> tuple[float, dict[int, float]]:
    """One beat tick and its polls on `workers` threads; (tick seconds, camera id -> seconds to done)."""
    queue: list[tuple[int, str]] = []
    t0 = time.perf_counter()
    cameras_dispatch(enqueue=lambda pk, token: queue.append((pk, token)), now=now)
    tick = time.perf_counter() - t0
    done: dict[int, float] = {}

    def poll(item):
        camera_poll(camera_id=item[0], token=item[1], now=now)
        done[item[0]] = time.perf_counter() - t0
        connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(poll, queue))
    return tick, done


def dispatcher(*, cameras: int, offline: int, workers: int, timeout: float, ticks: int, rounds: int) -> dict:
    server = Cameras()
    restaurant = Restaurant.objects.create(name="Camera Farm")
    # Offline cameras spread through the list (ids interleaved), as a real fleet would have them.
    offline_every = cameras // offline
    ids_offline = set()
    for index in range(cameras):
        bad = index % offline_every == 0 and len(ids_offline) < offline
        camera = Camera.objects.create(
            restaurant=restaurant,
            name=f"cam {index:03d}",
            source_url=f"{server.url}/{'hang' if bad else 'ok'}/{index}.jpg",
            poll_interval_seconds=5,
        )
        if bad:
            ids_offline.add(camera.pk)
    farm = Camera.objects.filter(restaurant=restaurant)

    def reset(url_for_bad: str):
        for camera in farm:
            bad = camera.pk in ids_offline
            Camera.objects.filter(pk=camera.pk).update(
                source_url=f"{server.url}/{url_for_bad if bad else 'ok'}/{camera.pk}.jpg",
                status=CameraStatus.OK,
                consecutive_failures=0,
                next_poll_at=None,
                in_flight_since=None,
                lease_token="",
            )

    def delays(done: dict[int, float]) -> dict:
        healthy = sorted(v for k, v in done.items() if k not in ids_offline)
        return {
            "healthy_polled": len(healthy),
            "p50_ms": round(1000 * statistics.median(healthy), 1),
            "p95_ms": round(1000 * healthy[int(0.95 * (len(healthy) - 1))], 1),
            "max_ms": round(1000 * healthy[-1], 1),
        }

    results = {}
    with override_settings(VISION_CAPTURE_TIMEOUT=timeout, VISION_OFFLINE_AFTER=1):
        # Dispatcher overhead alone (claims only, nothing polled), all due: healthy fleet vs. 10 offline.
        for label, bad_url in (("all_healthy", "ok"), ("ten_offline", "hang")):
            samples = []
            for _ in range(ticks):
                reset(bad_url)
                if label == "ten_offline":
                    farm.filter(pk__in=ids_offline).update(status=CameraStatus.OFFLINE, consecutive_failures=9)
                t0 = time.perf_counter()
                claimed = cameras_dispatch(enqueue=lambda *a: None).claimed
                samples.append(time.perf_counter() - t0)
                assert len(claimed) == cameras
            results[f"tick_ms_{label}"] = round(1000 * statistics.median(samples), 2)

        # Each scenario `rounds` times, alternating, the median of each figure kept (the machine is shared).
        runs: dict[str, list[dict]] = {"all_healthy": [], "offline_first_seen": [], "offline_known": []}
        polled_again = []
        for _ in range(rounds):
            now = timezone.now()
            reset("ok")
            runs["all_healthy"].append(delays(run_tick(workers=workers, now=now)[1]))
            reset("hang")
            runs["offline_first_seen"].append(delays(run_tick(workers=workers, now=now)[1]))
            results["offline_after_first_tick"] = farm.filter(pk__in=ids_offline, status=CameraStatus.OFFLINE).count()
            # Six seconds later the healthy ones are due again; the offline ones wait their slow interval.
            done = run_tick(workers=workers, now=now + timedelta(seconds=6))[1]
            runs["offline_known"].append(delays(done))
            polled_again.append(sum(1 for pk in done if pk in ids_offline))
        for name, samples in runs.items():
            results[f"healthy_delay_{name}"] = {
                key: statistics.median(sample[key] for sample in samples) for key in samples[0]
            }
        results["offline_polled_again_in_later_tick"] = max(polled_again)
    server.close()
    results.update({"cameras": cameras, "offline": offline, "workers": workers, "capture_timeout_s": timeout})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=8, help="tables (crops) per frame")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--input-size", type=int, default=224)
    parser.add_argument("--workers", type=int, default=8, help="poll threads standing in for worker concurrency")
    parser.add_argument("--timeout", type=float, default=1.0, help="capture timeout of the hanging cameras (s)")
    parser.add_argument("--ticks", type=int, default=5, help="ticks timed for the dispatcher overhead")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each poll-delay scenario (medians kept)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object last")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    figures = {"throughput": throughput(tables=args.tables, repeats=args.repeats, input_size=args.input_size)}
    t = figures["throughput"]
    print(f"Throughput ({t['model']}):")
    print(f"  raw forward   {t['raw_forward_crops_per_s']:>8} crops/s  ({t['raw_forward_ms']} ms per batch)")
    for key, label in (("pipeline", "pipeline"), ("service", "service")):
        rate, ms, ratio = t[f"{key}_crops_per_s"], t[f"{key}_ms"], t[f"{key}_over_raw"]
        print(f"  {label:<13} {rate:>8} crops/s  ({ms} ms)  ratio {ratio}")
    print(
        f"  (ratios: median of each round's raw/pipeline time; crop + preprocess alone "
        f"{t['crop_and_preprocess_ms']} ms, so forward/(forward + that) = {t['pipeline_over_raw_from_overhead']})"
    )

    d = figures["dispatcher"] = dispatcher(
        cameras=100, offline=10, workers=args.workers, timeout=args.timeout, ticks=args.ticks, rounds=args.rounds
    )
    print(
        f"Dispatcher ({d['cameras']} cameras, {d['offline']} offline, {d['workers']} poll threads, "
        f"timeout {d['capture_timeout_s']} s):"
    )
    healthy, offline = d["tick_ms_all_healthy"], d["tick_ms_ten_offline"]
    print(f"  tick (claim + enqueue)   all healthy {healthy} ms   10 offline {offline} ms")
    for key, label in (
        ("healthy_delay_all_healthy", "all healthy"),
        ("healthy_delay_offline_first_seen", "10 failing, first seen"),
        ("healthy_delay_offline_known", "10 offline, polled slowly"),
    ):
        x = d[key]
        print(
            f"  healthy polls done after  {label:<26} p50 {x['p50_ms']} ms  p95 {x['p95_ms']} ms  max {x['max_ms']} ms"
        )
    print(f"  offline cameras polled again in the later tick: {d['offline_polled_again_in_later_tick']}")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
