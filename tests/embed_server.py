"""A small OpenAI-compatible embeddings server for tests: the real bundled sentence-transformers
model behind ``POST /v1/embeddings`` (and ``GET /v1/models``), embedding exactly the text it is sent.

    python tests/embed_server.py --port 8081 [--model FOLDER]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import load_settings  # noqa: E402
from rag.models.embedder import load_sentence_transformer  # noqa: E402


def serve(port: int, model: str, name: str) -> None:
    st = load_sentence_transformer(model, cache_dir=load_settings().cache_dir)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": name, "object": "model", "owned_by": "test"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") != "/v1/embeddings":
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
            if request.get("model") != name:
                self._send(404, {"error": {"message": f"model {request.get('model')!r} not served; try {name!r}"}})
                return
            with lock:
                vectors = st.encode(texts, batch_size=len(texts), normalize_embeddings=True, convert_to_numpy=True)
            self._send(200, {"object": "list", "model": name, "usage": {"prompt_tokens": 0, "total_tokens": 0},
                             "data": [{"object": "embedding", "index": i, "embedding": v.tolist()}
                                      for i, v in enumerate(vectors)]})

        def log_message(self, format: str, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", default="", help="sentence-transformers folder (default: the bundled model)")
    parser.add_argument("--name", default="e5-small", help="model name the server answers to")
    args = parser.parse_args()
    serve(args.port, args.model, args.name)
