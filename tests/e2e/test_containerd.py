"""containerd pulls from the registry as a Kubernetes node does, and runs the busybox image.

A private containerd daemon (own root, state, socket and config, no CRI plugin) is started
for the module; `ctr --address SOCK` talks to it, so nothing of the host's containerd is used.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import images
from harness import run, short_tempdir

NAMESPACE = "wharf-e2e"

pytestmark = [
    pytest.mark.skipif(shutil.which("containerd") is None or shutil.which("ctr") is None,
                       reason="containerd / ctr not installed (apt-get install containerd)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="a private containerd needs root"),
]

# ctr run errors that mean "this machine cannot run containers", not "the registry is wrong".
SANDBOX_LIMITS = re.compile(r"cgroup|operation not permitted|permission denied|"
                            r"no such file or directory.*runc|executable file not found|"
                            r"failed to mount|pivot_root|unshare", re.I)


class Containerd:
    def __init__(self, base: Path):
        self.base = base
        self.root = base / "root"
        self.state = base / "state"
        self.sock = base / "c.sock"
        self.config = base / "config.toml"
        self.log = base / "containerd.log"
        self.proc: subprocess.Popen | None = None

    def start(self):
        self.config.write_text(f"""version = 2
root = "{self.root}"
state = "{self.state}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{self.sock}"
[ttrpc]
  address = "{self.sock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
""")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(["containerd", "--config", str(self.config)],
                                         stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"containerd exited with {self.proc.returncode}:\n"
                                   + self.log.read_text()[-3000:])
            if self.sock.exists():
                p = self.ctr("version", check=False, timeout=10)
                if p.returncode == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("containerd did not answer within 30s:\n"
                           + self.log.read_text()[-3000:])

    def ctr(self, *args, check=True, timeout=120):
        return run(["ctr", "--address", str(self.sock), "--namespace", NAMESPACE, *args],
                   check=check, timeout=timeout)

    def stop(self):
        if self.proc is None:
            return
        # Tasks left by a failed test: kill them so no shim outlives the daemon.
        p = self.ctr("tasks", "ls", "-q", check=False, timeout=20)
        for task in p.stdout.decode().split():
            self.ctr("tasks", "kill", "-s", "SIGKILL", task, check=False, timeout=20)
            self.ctr("tasks", "delete", "--force", task, check=False, timeout=20)
        p = self.ctr("containers", "ls", "-q", check=False, timeout=20)
        for container in p.stdout.decode().split():
            self.ctr("containers", "delete", container, check=False, timeout=20)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        # Snapshot mounts left behind would keep the directory busy.
        with open("/proc/mounts") as f:
            mounts = [line.split()[1] for line in f if str(self.base) in line.split()[1]]
        for m in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", m], check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    def image_digest(self, ref: str) -> str:
        """The digest `ctr images ls` shows for ref."""
        out = self.ctr("images", "ls").stdout.decode()
        for line in out.splitlines()[1:]:
            cols = line.split()
            if cols and cols[0] == ref:
                return cols[2]
        raise AssertionError(f"{ref} is not in `ctr images ls`:\n{out}")

    def content_digests(self) -> set[str]:
        out = self.ctr("content", "ls", "-q").stdout.decode()
        return set(out.split())


@pytest.fixture(scope="module")
def containerd():
    d = Containerd(short_tempdir("wharf-ctd-"))
    try:
        d.start()
    except RuntimeError as e:
        d.stop()
        pytest.skip(f"cannot start a private containerd here: {e}")
    try:
        yield d
    finally:
        d.stop()


def node_login(registry) -> str:
    """What a Kubernetes node's ECR credential provider hands containerd: AWS:<token>."""
    if registry.auth is None:  # the reference registry runs without authentication
        return "anonymous:"
    return "AWS:" + registry.login_password()


def test_pull_busybox(registry, containerd, busybox_image):
    registry.client().push_image("k8s/busybox", busybox_image, "v1")
    ref = f"{registry.host}/k8s/busybox:v1"
    containerd.ctr("images", "pull", "--plain-http", "--user", node_login(registry), ref)
    assert containerd.image_digest(ref) == busybox_image.digest
    content = containerd.content_digests()
    for digest in [busybox_image.digest, *busybox_image.all_blobs()]:
        assert digest in content, f"{digest} not in containerd's content store"

    # By digest too, as a pod spec pinned to image@sha256:... does.
    by_digest = f"{registry.host}/k8s/busybox@{busybox_image.digest}"
    containerd.ctr("images", "pull", "--plain-http", "--user", node_login(registry), by_digest)
    assert containerd.image_digest(by_digest) == busybox_image.digest


def test_run_busybox_prints_hello(registry, containerd, busybox_image):
    registry.client().push_image("k8s/hello", busybox_image, "v1")
    ref = f"{registry.host}/k8s/hello:v1"
    containerd.ctr("images", "pull", "--plain-http", "--user", node_login(registry), ref)
    name = f"hello-{uuid.uuid4().hex[:8]}"
    p = containerd.ctr("run", "--rm", ref, name, check=False, timeout=120)
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0 and SANDBOX_LIMITS.search(err):
        pytest.skip(f"ctr run cannot run a container in this sandbox: {err}")
    assert p.returncode == 0, f"ctr run failed ({p.returncode}): {err}"
    assert p.stdout.decode().strip() == images.HELLO


def test_pull_multilayer_applies_whiteouts(registry, containerd, multilayer_image):
    registry.client().push_image("k8s/layers", multilayer_image, "v2", how="chunked")
    ref = f"{registry.host}/k8s/layers:v2"
    containerd.ctr("images", "pull", "--plain-http", "--user", node_login(registry), ref)
    assert containerd.image_digest(ref) == multilayer_image.digest
    target = containerd.base / "mnt"
    target.mkdir()
    containerd.ctr("images", "mount", ref, str(target))
    try:
        assert (target / "etc/app/config.txt").read_text() == "mode=layer2\n"
        assert (target / "etc/app/version").read_text() == "4\n"
        assert not (target / "etc/app/obsolete.txt").exists(), "whiteout not applied"
        assert not (target / "var/cache/app/old.bin").exists(), "opaque dir not applied"
        assert (target / "var/cache/app/new.txt").exists()
        big = (target / "usr/lib/app/big.bin").read_bytes()
        assert big == images.pseudo_random("big", 768 * 1024)
    finally:
        containerd.ctr("images", "unmount", str(target), check=False)


def test_pull_index_all_platforms(registry, containerd, index_image):
    registry.client().push_image("k8s/multiarch", index_image, "multi")
    ref = f"{registry.host}/k8s/multiarch:multi"
    containerd.ctr("images", "pull", "--plain-http", "--user", node_login(registry), "--all-platforms",
                   ref)
    assert containerd.image_digest(ref) == index_image.digest
    content = containerd.content_digests()
    for child in index_image.children:
        assert child.digest in content
        for digest in child.all_blobs():
            assert digest in content, f"{digest} ({child.platform}) not pulled"
