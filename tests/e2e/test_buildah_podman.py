"""buildah builds an image from scratch (busybox + applet links), pushes it; buildah and podman
pull it back into fresh storage, and podman runs it. No engine daemon: every command uses a
private --root/--runroot in a temp dir with the vfs storage driver."""
from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

import images
from harness import run, short_tempdir
from regclient import describe

pytestmark = pytest.mark.skipif(shutil.which("buildah") is None,
                                reason="buildah not installed (apt-get install buildah)")

SANDBOX_LIMITS = re.compile(r"cgroup|operation not permitted|permission denied|"
                            r"executable file not found|failed to mount|pivot_root|unshare|"
                            r"conmon", re.I)


class Storage:
    """A private containers/storage + engine config for buildah and podman."""

    def __init__(self, base: Path, tool_env: dict):
        self.base = base
        (base / "tmp").mkdir(parents=True)
        conf = base / "containers.conf"
        conf.write_text('[containers]\nnetns = "none"\n'
                        '[engine]\nevents_logger = "file"\ncgroup_manager = "cgroupfs"\n'
                        f'tmp_dir = "{base / "tmp"}"\n')
        self.env = dict(tool_env)
        self.env.update({"CONTAINERS_CONF": str(conf), "STORAGE_DRIVER": "vfs",
                         "BUILDAH_ISOLATION": "chroot", "TMPDIR": str(base / "tmp")})
        self.policy = tool_env["WHARF_E2E_POLICY"]
        self.common = ["--root", str(base / "root"), "--runroot", str(base / "runroot"),
                       "--storage-driver", "vfs"]

    def buildah(self, *args, check=True, timeout=180):
        return run(["buildah", *self.common, *args], env=self.env, check=check, timeout=timeout)

    def podman(self, *args, check=True, timeout=180):
        return run(["podman", *self.common, "--cgroup-manager", "cgroupfs",
                    "--events-backend", "file", "--tmpdir", str(self.base / "tmp"), *args],
                   env=self.env, check=check, timeout=timeout)

    def cleanup(self):
        with open("/proc/mounts") as f:
            mounts = [line.split()[1] for line in f if str(self.base) in line.split()[1]]
        for m in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", m], check=False)
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def storage_factory(tool_env):
    made = []

    def make() -> Storage:
        s = Storage(short_tempdir("wharf-bh-"), tool_env)
        made.append(s)
        return s
    yield make
    for s in made:
        s.cleanup()


def build_busybox(storage: Storage, tmp_path: Path, name: str) -> None:
    """`buildah from scratch` + `buildah copy` of a rootfs with busybox and its applet links."""
    rootfs = tmp_path / "rootfs"
    (rootfs / "bin").mkdir(parents=True)
    (rootfs / "etc").mkdir()
    shutil.copy2("/bin/busybox", rootfs / "bin" / "busybox")
    for applet in images.BUSYBOX_APPLETS:
        (rootfs / "bin" / applet).symlink_to("busybox")
    (rootfs / "etc" / "os-release").write_bytes(Path("/etc/os-release").read_bytes())
    ctr = storage.buildah("from", "--signature-policy", storage.policy,
                          "scratch").stdout.decode().strip()
    storage.buildah("copy", ctr, f"{rootfs}/", "/")
    storage.buildah("config", "--cmd", json.dumps(["/bin/sh", "-c", f"echo {images.HELLO}"]),
                    "--label", "org.opencontainers.image.title=wharf e2e buildah", ctr)
    storage.buildah("commit", "--signature-policy", storage.policy, ctr, name)
    storage.buildah("rm", ctr)


def pushed_manifest_checks(registry, repo: str, tag: str, digest: str, media_type: str):
    """What the registry holds is exactly what buildah reports it pushed."""
    c = registry.client()
    r = c.get_manifest(repo, tag)
    assert r.status_code == 200, describe(r)
    assert images.sha256(r.content) == digest, \
        f"buildah pushed {digest}, registry serves {images.sha256(r.content)}"
    assert r.headers.get("Docker-Content-Digest") == digest, describe(r)
    assert r.headers.get("Content-Type") == media_type, describe(r)
    doc = r.json()
    for desc in [doc["config"]] + doc["layers"]:
        b = c.get(f"/v2/{repo}/blobs/{desc['digest']}")
        assert b.status_code == 200 and images.sha256(b.content) == desc["digest"], describe(b)
        assert len(b.content) == desc["size"]
    return doc


def test_buildah_push_and_pull(registry, storage_factory, tmp_path):
    builder = storage_factory()
    build_busybox(builder, tmp_path, "e2e-busybox")
    digest_file = tmp_path / "digest"
    ref = f"{registry.host}/buildah/busybox:v1"
    builder.buildah("push", "--signature-policy", builder.policy, "--tls-verify=false",
                    "--digestfile", str(digest_file), "e2e-busybox", f"docker://{ref}")
    digest = digest_file.read_text().strip()
    doc = pushed_manifest_checks(registry, "buildah/busybox", "v1", digest, images.MT_MANIFEST)
    assert len(doc["layers"]) == 1

    # Docker schema 2 as well (what `docker push` would send).
    docker_digest_file = tmp_path / "digest-docker"
    builder.buildah("push", "--signature-policy", builder.policy, "--tls-verify=false",
                    "--format", "docker", "--digestfile", str(docker_digest_file),
                    "e2e-busybox", f"docker://{registry.host}/buildah/busybox:docker")
    pushed_manifest_checks(registry, "buildah/busybox", "docker",
                           docker_digest_file.read_text().strip(), images.MT_DOCKER_MANIFEST)

    # A second machine pulls it into empty storage.
    puller = storage_factory()
    puller.buildah("pull", "--signature-policy", puller.policy, "--tls-verify=false",
                   f"docker://{ref}")
    out = puller.buildah("images", "--digests", "--format", "{{.Name}}:{{.Tag}} {{.Digest}}")
    assert [ref, digest] in [line.split() for line in out.stdout.decode().splitlines()], \
        out.stdout.decode()
    built_id = builder.buildah("inspect", "--type", "image", "--format", "{{.FromImageID}}",
                               "e2e-busybox").stdout.decode().strip()
    pulled_id = puller.buildah("inspect", "--type", "image", "--format", "{{.FromImageID}}",
                               ref).stdout.decode().strip()
    assert built_id == pulled_id, "the image ID (config digest) changed on the way"


def host_ulimits() -> list[str]:
    """podman raises RLIMIT_NOFILE/NPROC by default, which this sandbox forbids (no
    CAP_SYS_RESOURCE: 'error setting rlimit type 7: operation not permitted'); ask for
    1024, as containerd's default spec does."""
    args = []
    for name, res in (("nofile", resource.RLIMIT_NOFILE), ("nproc", resource.RLIMIT_NPROC)):
        _, hard = resource.getrlimit(res)
        limit = 1024 if hard == resource.RLIM_INFINITY else min(1024, hard)
        args += ["--ulimit", f"{name}={limit}:{limit}"]
    return args


@pytest.mark.skipif(shutil.which("podman") is None, reason="podman not installed")
def test_podman_pull_and_run(registry, storage_factory, tmp_path, busybox_image):
    registry.client().push_image("podman/busybox", busybox_image, "v1")
    ref = f"{registry.host}/podman/busybox:v1"
    s = storage_factory()
    s.podman("pull", "--signature-policy", s.policy, "--tls-verify=false", f"docker://{ref}")
    out = s.podman("images", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.Digest}}")
    assert [ref, busybox_image.digest] in [line.split() for line in
                                           out.stdout.decode().splitlines()], out.stdout.decode()

    name = f"hello-{uuid.uuid4().hex[:8]}"
    p = s.podman("run", "--rm", "--name", name, "--network", "none", *host_ulimits(), ref,
                 check=False, timeout=120)
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0 and SANDBOX_LIMITS.search(err):
        pytest.skip(f"podman run cannot run a container in this sandbox: {err}")
    assert p.returncode == 0, f"podman run failed ({p.returncode}): {err}"
    assert p.stdout.decode().strip() == images.HELLO
