"""A tiny Hugging Face Hub on 127.0.0.1 for upload tests: create a repo, pre-upload, commit (files inline).

It implements only what ``huggingface_hub``'s ``create_repo`` / ``upload_folder`` / ``upload_file`` call, keeps
the committed files in memory (``repos[(type, id)][path] = bytes``) and answers everything else 404, so a test
sees exactly what a push would publish, without the network.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 64 << 20  # a test upload never needs more; refuse instead of reading without bound


@dataclass
class Hub:
    url: str
    repos: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    commits: list[dict[str, Any]] = field(default_factory=list)


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

        def _reply(self, status: int, data: Any = None) -> None:
            body = json.dumps(data if data is not None else {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            n = int(self.headers.get("Content-Length") or 0)
            if n > MAX_BODY:
                raise ValueError("body too large")
            return self.rfile.read(n)

        def do_GET(self) -> None:
            self._reply(404, {"error": "not found"})

        def do_POST(self) -> None:
            body = self._body()
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[:2] == ["api", "validate-yaml"]:  # a README's metadata block: accepted as it is
                return self._reply(200, {"errors": [], "warnings": []})
            if parts[:3] == ["api", "repos", "create"]:
                req = json.loads(body)
                kind = req.get("type") or "model"
                repo = f"{req['organization']}/{req['name']}" if req.get("organization") else req["name"]
                hub.repos.setdefault((kind, repo), {})
                prefix = "" if kind == "model" else f"{kind}s/"
                return self._reply(200, {"url": f"{hub.url}/{prefix}{repo}", "name": repo})
            if len(parts) >= 6 and parts[0] == "api" and parts[4] in ("preupload", "commit"):
                kind, repo = parts[1].removesuffix("s"), f"{parts[2]}/{parts[3]}"
                if (kind, repo) not in hub.repos:
                    return self._reply(404, {"error": "Repository not found"})
                if parts[4] == "preupload":
                    # every file inline ("regular"): no LFS or Xet storage to emulate
                    modes = [
                        {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                        for f in json.loads(body)["files"]
                    ]
                    return self._reply(200, {"files": modes})
                return self._commit(kind, repo, body)
            return self._reply(404, {"error": "not found"})

        def _commit(self, kind: str, repo: str, body: bytes) -> None:
            header: dict[str, Any] = {}
            for line in body.decode().splitlines():
                entry = json.loads(line)
                if entry["key"] == "header":
                    header = entry["value"]
                elif entry["key"] == "file":
                    value = entry["value"]
                    hub.repos[(kind, repo)][value["path"]] = base64.b64decode(value["content"])
            oid = hashlib.sha1(body).hexdigest()
            hub.commits.append({"repo": repo, "type": kind, "summary": header.get("summary"), "oid": oid})
            return self._reply(200, {"commitUrl": f"{hub.url}/{repo}/commit/{oid}", "commitOid": oid})

    return Handler


@contextlib.contextmanager
def local_hub() -> Iterator[Hub]:
    """Serve a fresh in-memory hub on a free 127.0.0.1 port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    hub = Hub(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
