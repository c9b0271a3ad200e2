"""Builds the test images as OCI image layouts, with Python only and nothing downloaded.

Every byte is deterministic (fixed mtimes, owners, gzip header and entry order), so the
digests of an image are the same on every run on the same machine: they depend only on the
host files copied in (busybox, /etc/os-release, a few /usr/share/doc files).

  busybox_image()     (a) one layer: static busybox + applet links + real host files; runs
                          `echo hello from wharf`
  multilayer_image()  (b) four layers, one with a whiteout (`.wh.`) and one with an opaque dir
  platform_index()    (c) an image index with linux/amd64 and linux/arm64 manifests
  sbom_artifact(img)  (d) an artifact manifest (empty config, artifactType) whose subject is img
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import platform
import random
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
MT_EMPTY = "application/vnd.oci.empty.v1+json"
MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
MT_SBOM = "application/spdx+json"
SBOM_ARTIFACT_TYPE = "application/vnd.example.sbom.v1"
SIGNATURE_ARTIFACT_TYPE = "application/vnd.example.signature.v1"

# Every Accept a pulling client sends.
ACCEPT_ALL = ", ".join([MT_MANIFEST, MT_INDEX, MT_DOCKER_MANIFEST, MT_DOCKER_LIST])

MTIME = 1_700_000_000  # 2023-11-14T22:13:20Z, every file of every layer
CREATED = "2023-11-14T22:13:20Z"
EMPTY_JSON = b"{}"
HELLO = "hello from wharf"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def host_arch() -> str:
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
            "s390x": "s390x", "riscv64": "riscv64"}.get(machine, machine)


def dumps(obj) -> bytes:
    """The bytes of a JSON document as this module writes them (stable key order)."""
    return json.dumps(obj, indent=None, separators=(",", ":")).encode()


@dataclass
class Blob:
    media_type: str
    data: bytes
    annotations: dict | None = None

    @property
    def digest(self) -> str:
        return sha256(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def descriptor(self, **extra) -> dict:
        d = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.annotations:
            d["annotations"] = dict(self.annotations)
        d.update(extra)
        return d


@dataclass
class Image:
    """A manifest (or index) with everything it references."""

    name: str
    media_type: str
    manifest: bytes
    blobs: list[Blob] = field(default_factory=list)        # config + layers (deduplicated)
    children: list["Image"] = field(default_factory=list)  # manifests of an index
    platform: dict | None = None
    layout: Path | None = None                              # set by write_layout()
    tag: str = "latest"
    artifact_type: str | None = None
    annotations: dict | None = None

    @property
    def digest(self) -> str:
        return sha256(self.manifest)

    @property
    def size(self) -> int:
        return len(self.manifest)

    @property
    def json(self) -> dict:
        return json.loads(self.manifest)

    def descriptor(self, with_platform: bool = True) -> dict:
        d = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if with_platform and self.platform:
            d["platform"] = dict(self.platform)
        return d

    def all_blobs(self) -> dict[str, Blob]:
        """Every blob (not manifest) reachable from this image, by digest."""
        out = {b.digest: b for b in self.blobs}
        for child in self.children:
            out.update(child.all_blobs())
        return out

    @property
    def config(self) -> Blob:
        return self.blobs[0]

    @property
    def layers(self) -> list[Blob]:
        return self.blobs[1:]

    @property
    def oci_ref(self) -> str:
        """skopeo/buildah source name: oci:<layout>:<tag>."""
        assert self.layout is not None, "write_layout() first"
        return f"oci:{self.layout}:{self.tag}"


# ----------------------------------------------------------------------------- tar layers

class LayerBuilder:
    """Collects tar entries; build() sorts them so the archive is the same on every run."""

    def __init__(self):
        self._entries: dict[str, tuple] = {}

    def dir(self, path: str, mode: int = 0o755) -> "LayerBuilder":
        path = path.strip("/")
        # parents first
        parts = path.split("/")
        for i in range(1, len(parts)):
            self._entries.setdefault("/".join(parts[:i]), ("dir", 0o755, None))
        self._entries[path] = ("dir", mode, None)
        return self

    def file(self, path: str, data: bytes, mode: int = 0o644) -> "LayerBuilder":
        path = path.strip("/")
        parent = path.rpartition("/")[0]
        if parent and parent not in self._entries:
            self.dir(parent)
        self._entries[path] = ("file", mode, data)
        return self

    def symlink(self, path: str, target: str) -> "LayerBuilder":
        path = path.strip("/")
        parent = path.rpartition("/")[0]
        if parent and parent not in self._entries:
            self.dir(parent)
        self._entries[path] = ("symlink", 0o777, target)
        return self

    def whiteout(self, path: str) -> "LayerBuilder":
        """Deletes `path` of a lower layer: an empty file named .wh.<basename>."""
        parent, _, base = path.strip("/").rpartition("/")
        return self.file(f"{parent}/.wh.{base}" if parent else f".wh.{base}", b"", 0o644)

    def opaque(self, directory: str) -> "LayerBuilder":
        """Hides everything of lower layers under `directory`."""
        return self.file(f"{directory.strip('/')}/.wh..wh..opq", b"", 0o644)

    def tar(self) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
            for path in sorted(self._entries):
                kind, mode, payload = self._entries[path]
                info = tarfile.TarInfo(path)
                info.mtime = MTIME
                info.mode = mode
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                if kind == "dir":
                    info.type = tarfile.DIRTYPE
                    tf.addfile(info)
                elif kind == "symlink":
                    info.type = tarfile.SYMTYPE
                    info.linkname = payload
                    tf.addfile(info)
                else:
                    info.type = tarfile.REGTYPE
                    info.size = len(payload)
                    tf.addfile(info, io.BytesIO(payload))
        return buf.getvalue()

    def build(self, compress: bool = True) -> tuple[Blob, str]:
        """Returns (layer blob, diff_id)."""
        raw = self.tar()
        diff_id = sha256(raw)
        if not compress:
            return Blob(MT_LAYER_TAR, raw), diff_id
        return Blob(MT_LAYER_GZIP, gzip_bytes(raw)), diff_id


def gzip_bytes(raw: bytes) -> bytes:
    out = io.BytesIO()
    # mtime=0 and an empty file name make the gzip header deterministic.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as gz:
        gz.write(raw)
    return out.getvalue()


def pseudo_random(seed: str, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


# ----------------------------------------------------------------------------- images

def make_image(name: str, layers: list[tuple[Blob, str]], *, arch: str | None = None,
               cmd: list[str] | None = None, env: list[str] | None = None,
               annotations: dict | None = None, labels: dict | None = None) -> Image:
    arch = arch or host_arch()
    cfg = {
        "created": CREATED,
        "architecture": arch,
        "os": "linux",
        "config": {
            "Env": env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id for _, diff_id in layers]},
        "history": [{"created": CREATED, "created_by": f"wharf e2e images.py: {name} layer {i}"}
                    for i in range(len(layers))],
    }
    if cmd:
        cfg["config"]["Cmd"] = cmd
    if labels:
        cfg["config"]["Labels"] = labels
    config = Blob(MT_CONFIG, dumps(cfg))
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "config": config.descriptor(),
        "layers": [blob.descriptor() for blob, _ in layers],
    }
    if annotations:
        manifest["annotations"] = annotations
    blobs = [config]
    for blob, _ in layers:
        if blob.digest not in {b.digest for b in blobs}:
            blobs.append(blob)
    return Image(name=name, media_type=MT_MANIFEST, manifest=dumps(manifest), blobs=blobs,
                 platform={"architecture": arch, "os": "linux"}, annotations=annotations)


HOST_DOCS = [
    "/usr/share/doc/busybox-static/copyright",
    "/usr/share/doc/base-files/copyright",
    "/usr/share/doc/bash/copyright",
    "/usr/share/doc/coreutils/copyright",
    "/usr/share/doc/skopeo/copyright",
    "/usr/share/doc/containerd/copyright",
]
BUSYBOX_APPLETS = ["sh", "ls", "cat", "echo", "true", "sleep", "uname", "wc"]


def busybox_rootfs() -> LayerBuilder:
    """A small but real root filesystem: static busybox, applet links, copied host files."""
    busybox = Path("/bin/busybox")
    if not busybox.is_file():
        raise RuntimeError("/bin/busybox is missing: apt-get install busybox-static")
    layer = LayerBuilder()
    for d in ("bin", "etc", "tmp", "proc", "sys", "dev", "root", "usr/share/doc"):
        layer.dir(d, 0o1777 if d == "tmp" else 0o755)
    layer.file("bin/busybox", busybox.read_bytes(), 0o755)
    for applet in BUSYBOX_APPLETS:
        layer.symlink(f"bin/{applet}", "busybox")
    # Real files from the host (os-release is a symlink on Debian: copy its content).
    layer.file("etc/os-release", Path("/etc/os-release").read_bytes())
    layer.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    layer.file("etc/group", b"root:x:0:\n")
    for doc in HOST_DOCS:
        if os.path.isfile(doc):
            layer.file(doc.lstrip("/"), Path(doc).read_bytes())
    return layer


def busybox_image(cmd: list[str] | None = None) -> Image:
    """(a) The 'debian-like' runnable image."""
    layer = busybox_rootfs().build()
    return make_image(
        "busybox", [layer],
        cmd=cmd or ["/bin/sh", "-c", f"echo {HELLO}"],
        labels={"org.opencontainers.image.title": "wharf e2e busybox"},
        annotations={"org.opencontainers.image.created": CREATED})


def multilayer_image() -> Image:
    """(b) Four layers; the third deletes a file of the first with a whiteout and hides a
    directory with an opaque marker; the fourth is an uncompressed tar."""
    l1 = (LayerBuilder()
          .file("etc/app/config.txt", b"mode=base\n")
          .file("etc/app/obsolete.txt", b"to be deleted by a whiteout in layer 3\n")
          .file("var/cache/app/old.bin", pseudo_random("cache", 4096))
          .file("usr/lib/app/data.bin", pseudo_random("data", 64 * 1024))
          .build())
    l2 = (LayerBuilder()
          .file("usr/lib/app/big.bin", pseudo_random("big", 768 * 1024))  # incompressible
          .file("etc/app/config.txt", b"mode=layer2\n")
          .build())
    l3 = (LayerBuilder()
          .whiteout("etc/app/obsolete.txt")
          .opaque("var/cache/app")
          .file("var/cache/app/new.txt", b"fresh cache\n")
          .file("var/log/app.log", b"started\n")
          .build())
    l4 = (LayerBuilder()
          .file("etc/app/version", b"4\n")
          .build(compress=False))
    return make_image("multilayer", [l1, l2, l3, l4], arch=host_arch(),
                      labels={"layers": "4"})


def platform_index() -> Image:
    """(c) Two platforms, each with its own config and layer."""
    children = []
    for arch in ("amd64", "arm64"):
        layer = (LayerBuilder()
                 .file("etc/platform", f"linux/{arch}\n".encode())
                 .file(f"opt/{arch}/payload.bin", pseudo_random(arch, 32 * 1024))
                 .build())
        children.append(make_image(f"index-{arch}", [layer], arch=arch,
                                   cmd=["/bin/cat", "/etc/platform"]))
    index = {
        "schemaVersion": 2,
        "mediaType": MT_INDEX,
        "manifests": [c.descriptor() for c in children],
        "annotations": {"org.opencontainers.image.created": CREATED},
    }
    return Image(name="index", media_type=MT_INDEX, manifest=dumps(index), children=children)


def empty_config() -> Blob:
    return Blob(MT_EMPTY, EMPTY_JSON)


def empty_descriptor() -> dict:
    """The OCI 1.1 empty descriptor, with its data embedded."""
    return {"mediaType": MT_EMPTY, "digest": sha256(EMPTY_JSON), "size": 2, "data": "e30="}


def artifact(subject: Image, artifact_type: str = SBOM_ARTIFACT_TYPE, *, name: str = "sbom",
             payload: bytes | None = None, payload_type: str = MT_SBOM,
             annotations: dict | None = None) -> Image:
    """(d) An artifact manifest attached to `subject` (OCI 1.1 referrers)."""
    if payload is None:
        payload = dumps({
            "spdxVersion": "SPDX-2.3",
            "name": f"{subject.name}@{subject.digest}",
            "packages": [{"name": "busybox", "versionInfo": "1.35.0"}],
        })
    layer = Blob(payload_type, payload,
                 annotations={"org.opencontainers.image.title": f"{name}.json"})
    annotations = annotations or {
        "org.opencontainers.image.created": CREATED,
        "org.example.sbom.format": "spdx",
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "artifactType": artifact_type,
        "config": empty_descriptor(),
        "layers": [layer.descriptor()],
        "subject": subject.descriptor(with_platform=False),
        "annotations": annotations,
    }
    return Image(name=name, media_type=MT_MANIFEST, manifest=dumps(manifest),
                 blobs=[empty_config(), layer], artifact_type=artifact_type,
                 annotations=annotations)


def sbom_artifact(subject: Image) -> Image:
    return artifact(subject)


# ----------------------------------------------------------------------------- layouts

def write_layout(path: Path, image: Image, tag: str = "latest") -> Image:
    """Writes an OCI image layout holding `image` under `tag`; returns the image with
    .layout and .tag set."""
    path = Path(path)
    blobs_dir = path / "blobs" / "sha256"
    blobs_dir.mkdir(parents=True, exist_ok=True)
    (path / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')

    def put(data: bytes):
        target = blobs_dir / sha256(data).split(":", 1)[1]
        if not target.exists():
            target.write_bytes(data)

    def put_image(img: Image):
        for blob in img.blobs:
            put(blob.data)
        for child in img.children:
            put_image(child)
        put(img.manifest)

    put_image(image)
    desc = image.descriptor(with_platform=False)
    desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
    if image.artifact_type:
        desc["artifactType"] = image.artifact_type
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [desc]}
    (path / "index.json").write_bytes(dumps(index))
    image.layout = path
    image.tag = tag
    return image


def read_layout_manifest(path: Path, tag: str | None = None) -> tuple[str, bytes]:
    """(media type, manifest bytes) of the manifest `tag` (or the only one) of a layout."""
    index = json.loads((Path(path) / "index.json").read_text())
    manifests = index["manifests"]
    if tag is not None:
        manifests = [m for m in manifests
                     if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag]
    assert len(manifests) == 1, f"{path}: expected one manifest for {tag!r}, got {manifests}"
    desc = manifests[0]
    algo, hexdigest = desc["digest"].split(":", 1)
    return desc["mediaType"], (Path(path) / "blobs" / algo / hexdigest).read_bytes()
