"""kill -9 loop: concurrent pushers while the server is killed at random instants.

After every restart, what a user would check:
  - every tag resolves to a manifest that GETs with the right digest;
  - every blob such a manifest references is pullable with the right digest;
  - every push acknowledged (201 on the manifest PUT) before the kill is served, unchanged.
Bounded: at most ITERATIONS kills and BUDGET seconds of pushing.
"""
from __future__ import annotations

import json
import os
import random
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests

import images
from harness import TARGET
from regclient import RegistryClient, describe

PUSHERS = 4
ITERATIONS = 10
BUDGET = 50.0          # seconds for the whole loop, verification included
SEED = int(os.environ.get("WHARF_E2E_SEED", int(time.time()) & 0xFFFF))  # printed; set to replay
SHARED_REPO = "crash/shared"
# distribution 2.8 is not crash-safe: it creates a tag's directory before its link file, and
# rewrites link files in place, so after a kill -9 tags/list names tags that answer 404 or
# 500, and a blob re-pushed at the wrong instant answers 500 "invalid checksum digest format".
# On the reference these (for pushes never acknowledged) are counted and printed, not
# failed, so that the rest of the loop is still validated there. Wharf gets no such slack.
TOLERATE_REFERENCE_DAMAGE = TARGET == "reference"
BASE_LAYER = images.LayerBuilder().file(
    "base.bin", images.pseudo_random("crash-base", 300 * 1024)).build(compress=False)[0]


@dataclass
class Ack:
    repo: str
    tag: str
    digest: str
    blobs: list[str]


@dataclass
class Stats:
    acked: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Pusher(threading.Thread):
    def __init__(self, idx: int, loop: "CrashLoop"):
        super().__init__(name=f"pusher-{idx}", daemon=True)
        self.idx = idx
        self.loop = loop
        self.busy = threading.Lock()
        self.rng = random.Random(SEED * 100 + idx)
        self.n = 0

    def run(self):
        while not self.loop.stop.is_set():
            with self.busy:
                if self.loop.go.is_set():
                    try:
                        self.push_one()
                    except (requests.RequestException, AssertionError, ValueError) as e:
                        with self.loop.lock:
                            self.loop.stats.failed += 1
                            if self.loop.go.is_set() and len(self.loop.stats.errors) < 20:
                                # A failure while the server is up is worth reporting.
                                self.loop.stats.errors.append(f"{self.name}: {e}")
                    continue
            self.loop.go.wait(0.05)

    def layer(self) -> bytes:
        rng = self.rng
        size = rng.choice([rng.randint(1, 4096), rng.randint(4096, 128 * 1024),
                           rng.randint(128 * 1024, 1024 * 1024)])
        body = rng.randbytes(size)
        blob, _ = (images.LayerBuilder()
                   .file(f"p{self.idx}/n{self.n}/data.bin", body).build(compress=False))
        return blob.data

    def push_one(self):
        rng, c = self.rng, RegistryClient(self.loop.url, timeout=10, auth=self.loop.auth)
        self.n += 1
        repo = SHARED_REPO if rng.random() < 0.4 else f"crash/p{self.idx}"
        tag = f"p{self.idx}-{self.n}"
        layers = [self.layer() for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:
            layers.insert(0, BASE_LAYER.data)  # the same digest pushed by everyone at once
        config = images.dumps({
            "architecture": "amd64", "os": "linux",
            "config": {"Labels": {"pusher": str(self.idx), "n": str(self.n)}},
            "rootfs": {"type": "layers", "diff_ids": [images.sha256(b) for b in layers]}})
        for data in [config] + layers:
            how = rng.choice(["monolithic", "chunked", "post"])
            if how == "chunked":
                c.upload_chunked(repo, data, chunk=rng.choice([64, 256, 512]) * 1024)
            else:
                c.push_blob(repo, data, how)
        manifest = images.dumps({
            "schemaVersion": 2, "mediaType": images.MT_MANIFEST,
            "config": {"mediaType": images.MT_CONFIG, "digest": images.sha256(config),
                       "size": len(config)},
            "layers": [{"mediaType": images.MT_LAYER_TAR, "digest": images.sha256(d),
                        "size": len(d)} for d in layers]})
        digest = images.sha256(manifest)
        r = c.put_manifest(repo, tag, manifest, images.MT_MANIFEST)
        assert r.status_code == 201, describe(r, "manifest PUT")
        assert r.headers.get("Docker-Content-Digest") == digest, describe(r)
        with self.loop.lock:
            self.loop.acks.append(Ack(repo, tag, digest,
                                      [images.sha256(config)] + [images.sha256(d) for d in layers]))
            self.loop.repos.add(repo)
            self.loop.stats.acked += 1
        if rng.random() < 0.3:  # move a shared tag too
            r = c.put_manifest(repo, "latest", manifest, images.MT_MANIFEST)
            assert r.status_code == 201, describe(r, "moving latest")


class CrashLoop:
    def __init__(self, registry):
        self.registry = registry
        self.url = registry.url
        self.auth = registry.auth
        self.go = threading.Event()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acks: list[Ack] = []
        self.repos: set[str] = set()
        self.stats = Stats()
        self.verified_blobs: set[tuple[str, str]] = set()
        self.damage: list[str] = []  # tolerated on the reference only
        self.pushers = [Pusher(i, self) for i in range(PUSHERS)]

    def quiesce(self):
        """Stops pushing and waits until no push is in flight."""
        self.go.clear()
        for p in self.pushers:
            with p.busy:
                pass

    def all_tags(self, c: RegistryClient, repo: str) -> list[str]:
        tags, url = [], f"/v2/{repo}/tags/list"
        for _ in range(1000):
            r = c.get(url)
            assert r.status_code == 200, describe(r, f"tags of {repo}")
            tags += r.json().get("tags") or []
            link = r.headers.get("Link")
            if not link:
                return tags
            url = link.split(";")[0].strip().strip("<>")
        raise AssertionError("tags/list pagination does not end")

    def check_blob(self, c: RegistryClient, repo: str, digest: str, where: str):
        if TOLERATE_REFERENCE_DAMAGE:
            r = c.head(f"/v2/{repo}/blobs/{digest}")
            if r.status_code == 500:
                self.damage.append(f"{where}: blob {repo}@{digest} -> 500")
                return
        if (repo, digest) in self.verified_blobs:
            r = c.head(f"/v2/{repo}/blobs/{digest}")
            assert r.status_code == 200, f"{where}: blob {digest} vanished: " + describe(r)
            return
        r = c.get(f"/v2/{repo}/blobs/{digest}")
        assert r.status_code == 200, f"{where}: blob {digest} not pullable: " + describe(r)
        assert images.sha256(r.content) == digest, \
            f"{where}: blob {digest} served with digest {images.sha256(r.content)}"
        self.verified_blobs.add((repo, digest))

    def verify(self, iteration: int):
        c = RegistryClient(self.url, timeout=30, auth=self.auth)
        where = f"after kill #{iteration}"
        with self.lock:
            acks = list(self.acks)
            repos = set(self.repos)
        acked = {(a.repo, a.tag) for a in acks}
        for repo in sorted(repos):
            tags = set(self.all_tags(c, repo))
            for tag in sorted(tags):
                r = c.get_manifest(repo, tag)
                if (r.status_code in (404, 500) and TOLERATE_REFERENCE_DAMAGE
                        and (repo, tag) not in acked):
                    self.damage.append(f"{where}: tag {repo}:{tag} -> {r.status_code}")
                    continue
                assert r.status_code == 200, f"{where}: listed tag {repo}:{tag} does not " \
                    "resolve: " + describe(r)
                digest = images.sha256(r.content)
                assert r.headers.get("Docker-Content-Digest") == digest, \
                    f"{where}: {repo}:{tag} " + describe(r)
                doc = json.loads(r.content)
                for desc in [doc["config"]] + doc["layers"]:
                    self.check_blob(c, repo, desc["digest"], f"{where} {repo}:{tag}")
            for ack in (a for a in acks if a.repo == repo):
                assert ack.tag in tags, \
                    f"{where}: acknowledged push {repo}:{ack.tag} ({ack.digest}) is not listed"
                r = c.get_manifest(repo, ack.tag)
                assert r.status_code == 200 and images.sha256(r.content) == ack.digest, \
                    f"{where}: acknowledged {repo}:{ack.tag} should be {ack.digest}: " + \
                    describe(r)
                r = c.head(f"/v2/{repo}/manifests/{ack.digest}",
                           headers={"Accept": images.ACCEPT_ALL})
                assert r.status_code == 200, f"{where}: {ack.digest} by digest: " + describe(r)
                for d in ack.blobs:
                    self.check_blob(c, repo, d, f"{where} acknowledged {repo}:{ack.tag}")


@pytest.mark.slow
def test_kill9_loop_loses_nothing_acknowledged(registry):
    loop = CrashLoop(registry)
    rng = random.Random(SEED)
    started = time.monotonic()
    kills = 0
    for p in loop.pushers:
        p.start()
    try:
        while kills < ITERATIONS and time.monotonic() - started < BUDGET:
            loop.go.set()
            time.sleep(rng.uniform(0.2, 1.5))
            registry.kill9()
            kills += 1
            t0 = time.monotonic()
            loop.quiesce()
            t1 = time.monotonic()
            registry.start(registry.port)
            t2 = time.monotonic()
            loop.url = registry.url
            loop.verify(kills)
            t3 = time.monotonic()
            print(f"kill #{kills}: quiesce {t1 - t0:.2f}s, start {t2 - t1:.2f}s, "
                  f"verify {t3 - t2:.2f}s")
        loop.quiesce()
    finally:
        loop.stop.set()
        loop.go.set()
        for p in loop.pushers:
            p.join(15)
    elapsed = time.monotonic() - started
    print(f"crash loop seed={SEED}: {kills} kills in {elapsed:.1f}s, "
          f"{loop.stats.acked} pushes acknowledged, {loop.stats.failed} interrupted, "
          f"{len(loop.verified_blobs)} blobs verified; "
          f"reference damage tolerated: {loop.damage}")
    assert kills >= 3, f"only {kills} kills in {BUDGET}s: the loop is too slow to mean much"
    assert loop.stats.acked >= kills, \
        f"only {loop.stats.acked} pushes acknowledged in {kills} rounds; errors: " + \
        "\n".join(loop.stats.errors)
    # Final check once more, after a clean restart.
    registry.restart()
    loop.url = registry.url
    loop.verify(kills + 1)
