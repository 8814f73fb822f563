"""A real OpenAI-compatible chat-completions server on loopback, for the LLM tests: it answers what the
test queues (a good answer, prose, fences, a bad shape, an error status, or nothing until released)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(content: str, model: str = "test-model") -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@dataclass
class Reply:
    status: int = 200
    body: dict | str | None = None
    hold: bool = False  # wait for the test's release (a slow server) before answering


@dataclass
class LoopbackLLM:
    replies: list[Reply] = field(default_factory=list)  # served in order; the last one repeats
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def answer_with(self, *replies: Reply) -> None:
        self.replies[:] = list(replies)
        self.requests.clear()

    def say(self, content: str) -> None:
        self.answer_with(Reply(body=completion(content)))


def start() -> tuple[LoopbackLLM, ThreadingHTTPServer, threading.Thread]:
    state = LoopbackLLM()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"path": self.path, "body": body, "authorization": self.headers.get("Authorization")})
            index = min(len(state.requests) - 1, len(state.replies) - 1)
            reply = state.replies[index] if state.replies else Reply(status=500, body={"error": "no reply queued"})
            if reply.hold:
                state.release.wait(timeout=30)
            payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("retry-after-ms", "1")  # the SDK's retry waits 1 ms, not its backoff
                self.send_header("Content-Length", str(len(payload.encode())))
                self.end_headers()
                self.wfile.write(payload.encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout) before the answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, name="loopback-llm", daemon=True)
    thread.start()
    return state, server, thread
