"""A local Hugging Face hub for tests: the suites' dataset repositories, small, served on 127.0.0.1.

Each repository is laid out as the real mirror is (``data/test-0000i-of-0000N.parquet`` shards written by
``datasets`` with the real column names and feature types, images rendered here) and served at the pinned
commit of ``snare/data/suites.json`` through the endpoints ``huggingface_hub`` calls: ``/api/datasets/<repo>/
revision/<rev>``, ``/api/datasets/<repo>/tree/<rev>``, and ``/datasets/<repo>/resolve/<rev>/<path>`` (HEAD and
GET, with ``Range``, and with the LFS sha256 as ``X-Linked-Etag`` as the hub sends it). ``truncate`` makes the
server cut a file's body short, as a dropped connection would. Nothing here reaches the network.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

RELATIONS = [  # (obj1, relation, obj2)
    ("horse", "eating", "grass"),
    ("lemon", "on", "wagon"),
    ("cup", "to the left of", "plate"),
    ("shelf", "below", "lamp"),
    ("man", "sitting on", "bench"),
    ("dog", "to the right of", "cat"),
    ("bowl", "on", "table"),
]
ATTRIBUTES = [  # (att1, obj1, att2, obj2); the last two are ambiguous without an attributes column
    ("white", "plate", "brown", "table"),
    ("red", "car", "green", "tree"),
    ("wooden", "chair", "metal", "door"),
    ("black", "cat", "white", "dog"),
    ("light blue", "shirt", "dark blue", "pants"),
]
CAPTIONS = [
    "A man riding a horse on the beach.",
    "Two dogs are sitting on a couch.",
    "The brown dog chases a white cat.",
    "A little girl holding a kitten next to a blue fence.",
    "A woman is riding a motorcycle down the street.",
]


def png(shade: int, size: tuple[int, int] = (48, 36)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (shade % 256, 120, (200 - shade) % 256)).save(buf, format="PNG")
    return buf.getvalue()


def _parquet_shards(columns: dict, features: dict, n_shards: int) -> dict[str, bytes]:
    """``data/test-0000i-of-0000N.parquet`` files of the rows, as ``datasets`` writes them."""
    import datasets

    datasets.disable_progress_bars()
    feats = datasets.Features(
        {k: datasets.Image() if v == "image" else datasets.Value("string") for k, v in features.items() if v != "bbox"}
    )
    if "bbox" in features:
        feats["bbox"] = {k: datasets.Value("float32") for k in "xywh"}
    if "attributes" in features:
        feats["attributes"] = datasets.Sequence(datasets.Value("string"))
    ds = datasets.Dataset.from_dict(columns, features=feats)
    files = {}
    for i in range(n_shards):
        buf = io.BytesIO()
        ds.shard(n_shards, i, contiguous=True).to_parquet(buf)
        files[f"data/test-{i:05d}-of-{n_shards:05d}.parquet"] = buf.getvalue()
    return files


def vg_relation_repo() -> dict[str, bytes]:
    rows = RELATIONS
    return _parquet_shards(
        {
            "image": [{"bytes": png(i * 30), "path": None} for i in range(len(rows))],
            "true_caption": [f"the {a} is {r} the {b}" for a, r, b in rows],
            "false_caption": [f"the {b} is {r} the {a}" for a, r, b in rows],
            "relation_name": [r for _, r, _ in rows],
            "bbox": [{"x": 2.0, "y": 3.0, "w": 30.0, "h": 20.0} for _ in rows],
        },
        {"image": "image", "true_caption": "s", "false_caption": "s", "relation_name": "s", "bbox": "bbox"},
        n_shards=2,
    )


def vg_attribution_repo() -> dict[str, bytes]:
    rows = ATTRIBUTES
    return _parquet_shards(
        {
            "image": [{"bytes": png(i * 30), "path": None} for i in range(len(rows))],  # shares images with relation
            "true_caption": [f"the {a1} {o1} and the {a2} {o2}" for a1, o1, a2, o2 in rows],
            "false_caption": [f"the {a2} {o1} and the {a1} {o2}" for a1, o1, a2, o2 in rows],
        },
        {"image": "image", "true_caption": "s", "false_caption": "s"},
        n_shards=2,
    )


def order_repo(n_images: int, shade0: int) -> dict[str, bytes]:
    images, captions = [], []
    for i in range(n_images):
        for caption in CAPTIONS[i:] + CAPTIONS[:i]:
            images.append({"bytes": png(shade0 + i * 40, (40, 40)), "path": None})
            captions.append(caption)
    cols = {"images": images, "correct_caption": captions}
    cols.update({f"hard_text_{k}": [c[::-1] for c in captions] for k in range(1, 5)})  # the mirror's negatives
    return _parquet_shards(cols, {"images": "image", **{k: "s" for k in cols if k != "images"}}, n_shards=1)


SUGARCREPE = [  # (caption, hard negative); the last row re-uses the first row's image
    ("a red car next to a green tree", "a green car next to a red tree"),
    ("a man riding a brown horse", "a brown man riding a horse"),
    ("two dogs sitting on a couch", "two couches sitting on a dog"),
    ("a cat sleeping on a wooden chair", "a cat sleeping on a metal chair"),
]


def choice_shard(rows: list[tuple[str, str]], shade0: int, *, swap_last: bool = False, labelled: bool = True) -> bytes:
    """One HuggingFaceM4/SugarCrepe_* shard: ``image``, ``tested_labels`` ([caption, negative]) and ``true_label``,
    a ClassLabel over every caption (the mirror's vocabulary, in no particular order). ``swap_last`` puts the
    last row's negative first, so only the label tells which option is intended; ``labelled=False`` stores
    ``true_label`` as a plain integer (no class names)."""
    import datasets

    datasets.disable_progress_bars()
    vocab = sorted({c for pair in rows for c in pair}, reverse=True)
    options = [list(pair) for pair in rows]
    if swap_last:
        options[-1].reverse()
    label = datasets.ClassLabel(names=vocab) if labelled else datasets.Value("int64")
    feats = datasets.Features(
        {"image": datasets.Image(), "tested_labels": datasets.Sequence(datasets.Value("string")), "true_label": label}
    )
    distinct = [i % (len(rows) - 1) for i in range(len(rows))]  # the last row re-uses the first row's image
    images = [{"bytes": png(shade0 + 20 * k, (40 + k, 30)), "path": None} for k in distinct]
    cols = {"image": images, "tested_labels": options, "true_label": [vocab.index(c) for c, _ in rows]}
    buf = io.BytesIO()
    datasets.Dataset.from_dict(cols, features=feats).to_parquet(buf)
    return buf.getvalue()


def sugarcrepe_repo(files: str, shade0: int) -> dict[str, bytes]:
    """A SugarCrepe set's repository in its layout: ``data/test-00000-of-00001-<hash>.parquet`` on main, or
    ``default/test/0000.parquet`` on the parquet-converter's branch."""
    shard = choice_shard(SUGARCREPE, shade0, swap_last=True)
    name = (
        "data/test-00000-of-00001-0123456789abcdef.parquet"
        if files.startswith("data/")
        else "default/test/0000.parquet"
    )
    return {name: shard}


WINOGROUND = [  # (caption_0, caption_1)
    ("an old person kisses a young person", "a young person kisses an old person"),
    ("the dog bites the man", "the man bites the dog"),
    ("there is a mug in some grass", "there is some grass in a mug"),
]


def winoground_repo() -> dict[str, bytes]:
    """facebook/winoground's data files: ``data/examples.jsonl`` (the real fields) and ``data/images.zip``
    (``images/<stem>.png``), plus the licence file the repository keeps beside them."""
    import zipfile

    lines, buf = [], io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i, (a, b) in enumerate(WINOGROUND):
            stems = [f"ex_{i}_img_{j}" for j in (0, 1)]
            for j, stem in enumerate(stems):
                zf.writestr(f"images/{stem}.png", png(60 * i + 110 * j + 5))
            ex = {"id": i, "caption_0": a, "caption_1": b, "tag": "Object", "image_0": stems[0], "image_1": stems[1]}
            lines.append(json.dumps({**ex, "secondary_tag": "", "num_main_preds": 1, "collapsed_tag": "Object"}))
    return {
        "data/examples.jsonl": ("\n".join(lines) + "\n").encode(),
        "data/images.zip": buf.getvalue(),
        "license_agreement.txt": b"research use only\n",
    }


def bivlc_repo() -> dict[str, bytes]:
    """imirandam/BiVLC at its pinned commit: two shards named as uploaded (``-of-00002-<hash>.parquet``) with the
    real columns ``image``, ``caption``, ``negative_image``, ``negative_caption``, ``type``, ``subtype``."""
    import datasets

    datasets.disable_progress_bars()
    rows = [*WINOGROUND, ("a red car next to a tree", "a tree next to a red car")]
    feats = datasets.Features(
        {
            "image": datasets.Image(),
            "caption": datasets.Value("string"),
            "negative_image": datasets.Image(),
            "negative_caption": datasets.Value("string"),
            "type": datasets.Value("string"),
            "subtype": datasets.Value("string"),
        }
    )
    cols = {
        "image": [{"bytes": png(30 * i, (44, 33)), "path": None} for i in range(len(rows))],
        "caption": [a for a, _ in rows],
        "negative_image": [{"bytes": png(30 * i + 15, (44, 33)), "path": None} for i in range(len(rows))],
        "negative_caption": [b for _, b in rows],
        "type": ["SWAP", "SWAP", "REPLACE", "SWAP"],
        "subtype": ["att", "obj", "rel", "obj"],
    }
    ds = datasets.Dataset.from_dict(cols, features=feats)
    files = {}
    for i, suffix in enumerate(("23fe2e02660e9182", "14f2e7301669b3c1")):
        buf = io.BytesIO()
        ds.shard(2, i, contiguous=True).to_parquet(buf)
        files[f"data/test-{i:05d}-of-00002-{suffix}.parquet"] = buf.getvalue()
    return files


@dataclass
class LocalHub:
    """Repositories ``{repo: (commit, {path: bytes})}`` served over HTTP; ``truncate`` lists paths to cut short,
    ``gated`` repositories answer 403 as the hub does to a user who has not accepted their licence."""

    repos: dict[str, tuple[str, dict[str, bytes]]]
    truncate: set[str] = field(default_factory=set)
    gated: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def serve(self) -> ThreadingHTTPServer:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def _json(self, status: int, data: object, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _answer(self, body: bool) -> None:
                path = unquote(urlparse(self.path).path)
                hub.requests.append(f"{self.command} {path}")
                parts = path.strip("/").split("/")
                if parts[:2] == ["api", "datasets"] and len(parts) >= 6:
                    repo, verb, rev = "/".join(parts[2:4]), parts[4], parts[5]
                    return self._api(repo, verb, rev)
                if parts[:1] == ["datasets"] and len(parts) >= 6 and parts[3] == "resolve":
                    return self._file("/".join(parts[1:3]), parts[4], "/".join(parts[5:]), body)
                self._json(404, {"error": "not found"})

            def _repo(self, repo: str, rev: str) -> dict[str, bytes] | None:
                if repo in hub.gated:
                    self._json(403, {"error": "Access to this dataset is restricted"}, {"X-Error-Code": "GatedRepo"})
                    return None
                if repo not in hub.repos:
                    self._json(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
                    return None
                commit, files = hub.repos[repo]
                # a commit abbreviated to 7+ hex digits resolves to the full one, as git and the hub resolve it
                if rev not in (commit, "main") and not (len(rev) >= 7 and commit.startswith(rev)):
                    self._json(404, {"error": f"Invalid rev id: {rev}"}, {"X-Error-Code": "RevisionNotFound"})
                    return None
                return files

            def _api(self, repo: str, verb: str, rev: str) -> None:
                files = self._repo(repo, rev)
                if files is None:
                    return
                commit = hub.repos[repo][0]
                if verb == "revision":
                    siblings = [{"rfilename": p} for p in sorted(files)]
                    return self._json(200, {"id": repo, "sha": commit, "siblings": siblings, "private": False})
                tree = [
                    {
                        "type": "file",
                        "path": p,
                        "size": len(data),
                        "oid": hashlib.sha1(data).hexdigest(),
                        "lfs": {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134},
                    }
                    for p, data in sorted(files.items())
                ]
                self._json(200, tree)

            def _file(self, repo: str, rev: str, name: str, body: bool) -> None:
                files = self._repo(repo, rev)
                if files is None:
                    return
                if name not in files:
                    return self._json(404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound"})
                data, start = files[name], 0
                rng = self.headers.get("Range", "")
                if rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    hub.requests.append(f"{self.command} {name} from byte {start}")
                sha = hashlib.sha256(data).hexdigest()
                self.send_response(206 if start else 200)
                self.send_header("X-Repo-Commit", hub.repos[repo][0])
                self.send_header("ETag", f'"{sha}"')
                self.send_header("X-Linked-Etag", f'"{sha}"')
                self.send_header("X-Linked-Size", str(len(data)))
                self.send_header("Content-Length", str(len(data) - start))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if body:
                    chunk = data[start:]
                    if name in hub.truncate:  # a dropped connection: half the body, then close
                        self.wfile.write(chunk[: max(1, len(chunk) // 2)])
                        self.close_connection = True
                        return
                    self.wfile.write(chunk)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def suite_repos() -> dict[str, tuple[str, dict[str, bytes]]]:
    """Every repository of the suites table, at its pinned commit, with small contents."""
    from snare.probes.suites import dataset_table

    contents = {
        "vg_relation": vg_relation_repo(),
        "vg_attribution": vg_attribution_repo(),
        "coco": order_repo(3, 0),
        "flickr30k": order_repo(2, 150),
    }
    for k, (name, ds) in enumerate(n for n in dataset_table().items() if n[1].kind == "choice"):
        contents[name] = sugarcrepe_repo(ds.files, 10 + 7 * k)
    contents["winoground"] = winoground_repo()
    contents["bivlc"] = bivlc_repo()
    # an abbreviated pinned commit is served as a full one that it abbreviates
    return {ds.repo: (ds.revision.ljust(40, "0"), contents[name]) for name, ds in dataset_table().items()}


_REPOS: dict[str, tuple[str, dict[str, bytes]]] = {}


@pytest.fixture
def local_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A running :class:`LocalHub` with the suites' repositories; ``HF_ENDPOINT`` points at it, the hub may be
    used (``HF_HUB_OFFLINE=0``) and ``HF_HOME`` is a fresh folder of this test."""
    if not _REPOS:  # writing the parquet shards is the slow part: once per session
        _REPOS.update(suite_repos())
    hub = LocalHub({repo: (commit, dict(files)) for repo, (commit, files) in _REPOS.items()})
    server = hub.serve()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)  # read when it was imported
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    yield hub
    server.shutdown()
    server.server_close()
