"""A read-only model repository served on 127.0.0.1 in the endpoints ``huggingface_hub`` downloads through:
revision info, the file tree, and ``resolve`` (HEAD and GET, with the ETag and commit headers it checks)."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def serve(repo_id: str, folder: Path) -> ThreadingHTTPServer:
    """Serve ``folder``'s files as ``repo_id`` at commit :data:`COMMIT`; call ``shutdown()`` when done."""
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, head: bool, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _route(self, head: bool) -> None:
            path = unquote(self.path.split("?")[0])
            as_json = {"Content-Type": "application/json"}
            if path.startswith(f"/api/models/{repo_id}/revision/"):
                siblings = [{"rfilename": name} for name in sorted(files)]
                body = json.dumps({"id": repo_id, "sha": COMMIT, "siblings": siblings}).encode()
                return self._send(200, body, head, as_json)
            if path.startswith(f"/api/models/{repo_id}/tree/"):
                tree = [
                    {"type": "file", "path": n, "size": len(d), "oid": hashlib.sha1(d).hexdigest()}
                    for n, d in files.items()
                ]
                return self._send(200, json.dumps(tree).encode(), head, as_json)
            prefix = f"/{repo_id}/resolve/"
            name = path[len(prefix) :].split("/", 1)[-1] if path.startswith(prefix) else ""
            if name in files:
                etag = '"' + hashlib.sha256(files[name]).hexdigest() + '"'
                return self._send(200, files[name], head, {"ETag": etag, "X-Repo-Commit": COMMIT})
            return self._send(404, b"", head, {})

        def do_GET(self) -> None:
            self._route(False)

        def do_HEAD(self) -> None:
            self._route(True)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
