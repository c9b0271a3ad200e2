"""kill -9 during a lifecycle run: `wharf admin lifecycle run` is killed at random instants while
it expires hundreds of images; after every kill each image is either fully present (manifest
and every tag) or fully gone (manifest and every tag), and a final run finishes the job.
The server keeps serving throughout (the admin command shares its data directory)."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

import pytest

import images
from harness import WHARF_BIN

pytestmark = pytest.mark.not_on_reference("ECR lifecycle policies")

REPO = "crash/lifecycle"
IMAGES = 240
KILLS = 6
SEED = int(os.environ.get("WHARF_E2E_SEED", int(time.time()) & 0xFFFF))
POLICY = json.dumps({"rules": [{
    "rulePriority": 1, "description": "keep the newest CI build only",
    "selection": {"tagStatus": "tagged", "tagPrefixList": ["ci-"],
                  "countType": "imageCountMoreThan", "countNumber": 1},
    "action": {"type": "expire"}}]})


def state(client, pushed):
    """(present, gone) digests; fails on any image that is half there."""
    tags = set(client.tags(REPO))
    present, gone = set(), set()
    for digest, its_tags in pushed.items():
        r = client.get_manifest(REPO, digest)
        tagged = {t for t in its_tags if t in tags}
        if r.status_code == 200:
            assert tagged == set(its_tags), (
                f"{digest} is stored but lost tags {sorted(set(its_tags) - tagged)}")
            for t in its_tags:
                by_tag = client.get_manifest(REPO, t)
                assert by_tag.headers.get("Docker-Content-Digest") == digest, t
            present.add(digest)
        else:
            assert r.status_code == 404, r.text
            assert not tagged, f"{digest} is gone but tags {sorted(tagged)} remain"
            gone.add(digest)
    return present, gone


def test_killed_lifecycle_runs_leave_whole_images(registry, tmp_path):
    rng = random.Random(SEED)
    print(f"seed {SEED}")
    client = registry.client()
    base = images.LayerBuilder().file("base.txt", b"shared base layer\n").build(compress=False)
    pushed = {}
    for i in range(IMAGES):
        layer = images.LayerBuilder().file("n.txt", f"build {i}\n".encode()).build(compress=False)
        image = images.make_image(f"crash-{i}", [base, layer])
        tags = [f"ci-{i:04d}"] + ([f"release-{i}"] if i % 3 == 0 else [])
        for t in tags:
            client.push_image(REPO, image, t)
        pushed[image.digest] = tags
    ecr = registry.ecr()
    ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=POLICY)

    env = dict(os.environ)
    command = [WHARF_BIN, "admin", "--data", str(registry.data_dir), "lifecycle", "run",
               "--repo", REPO]
    for _ in range(KILLS):
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(rng.uniform(0.02, 0.4))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        present, gone = state(client, pushed)
        assert len(present) + len(gone) == IMAGES
        print(f"after a kill: {len(gone)} of {IMAGES} images expired")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    present, gone = state(client, pushed)
    newest = max(pushed, key=lambda d: pushed[d][0])
    assert present == {newest}, f"{len(present)} images left"
    assert len(gone) == IMAGES - 1
    # The survivor pulls in full.
    for layer in client.get_manifest(REPO, newest).json()["layers"]:
        r = client.get(f"/v2/{REPO}/blobs/{layer['digest']}")
        assert r.status_code == 200 and images.sha256(r.content) == layer["digest"]
