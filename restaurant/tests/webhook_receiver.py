"""A real HTTP server on loopback that receives our webhooks, as an integrator's would: it can refuse the
first attempts of every event, hold a request until told to answer (a worker killed mid-post), and it
verifies every signature with the Standard Webhooks package."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    webhook_id: str
    headers: dict
    body: bytes
    answered: int


@dataclass
class WebhookReceiver:
    """`fail_first`: answer 503 to the first n attempts of each webhook-id; `always_fail`: answer 500 to
    everything; `hold`: an Event the handler waits on before answering (set it to release)."""

    fail_first: int = 0
    always_fail: bool = False
    hold: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                webhook_id = self.headers.get("webhook-id", "")
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(timeout=60)
                with receiver.lock:
                    seen = sum(1 for r in receiver.received if r.webhook_id == webhook_id)
                    code = 500 if receiver.always_fail else 503 if seen < receiver.fail_first else 200
                    receiver.received.append(Received(webhook_id, dict(self.headers.items()), body, code))
                self.send_response(code)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"not now")

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def accepted_ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received if r.answered == 200]

    def verify_all(self, secret: str) -> list:
        """Every request's body, checked against its headers with the integrator's secret (raises if one fails)."""
        webhook = Webhook(secret)
        with self.lock:
            return [webhook.verify(r.body, r.headers) for r in self.received]
