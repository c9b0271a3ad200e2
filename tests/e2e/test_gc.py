"""Online garbage collection, end to end: `wharf admin gc` (and the server's own collector)
delete the blobs nothing references any more while pushes and pulls go on, never a blob an
acknowledged image needs; abandoned upload sessions are removed.

`wharf admin gc` is given the server's own config file (`--config`), so it uses the same
`[gc] grace_seconds` and `upload_max_age_seconds` as the server; without it the defaults (24 h)
apply. An upload is made abandoned by moving the admin process's wall clock forward with the
LD_PRELOAD shim of ecr_helpers (the server keeps the real clock)."""
from __future__ import annotations

import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

import images
from ecr_helpers import AwsCli, clock_shim, needs_aws, needs_skopeo, push, raw_ok, skopeo
from harness import WHARF_BIN, RawHttp, run

pytestmark = [needs_skopeo, pytest.mark.not_on_reference("wharf's collector and wharf admin")]

# grace 0: a blob is collectable as soon as nothing references it. The server's own collector
# runs hourly, so only `wharf admin gc` collects in these tests (a collector with grace 0 could
# drop the links of a push between its layer uploads and its manifest).
GC_NOW = "[gc]\ngrace_seconds = 0\ninterval_seconds = 3600\n"

BASE = images.LayerBuilder().file("opt/base/lib.bin",
                                  images.pseudo_random("gc-base", 20 * 1024)).build()


def small_image(name: str, with_base: bool = True) -> images.Image:
    own = (images.LayerBuilder()
           .file("app/name.txt", f"{name}\n".encode())
           .file("app/payload.bin", images.pseudo_random(name, 2500))
           .build())
    return images.make_image(name, [BASE, own] if with_base else [own], cmd=["/app/run"])


def layout(tmp: Path, name: str, with_base: bool = True) -> images.Image:
    return images.write_layout(tmp / "layouts" / name, small_image(name, with_base), "src")


def own_blobs(image: images.Image) -> set[str]:
    """Config and layers of `image` other than the shared base layer."""
    return set(image.all_blobs()) - {BASE[0].digest}


def gc(server, *args, env: dict | None = None) -> dict:
    p = run([WHARF_BIN, "admin", "--config", str(server.config_path), "--data",
             str(server.data_dir), "gc", *args], env=env, timeout=60)
    return json.loads(p.stdout)


def blob_files(server, digest: str) -> list[Path]:
    hexdigest = digest.split(":", 1)[1]
    return [p for p in (server.data_dir / "blobs").rglob(hexdigest) if p.is_file()]


def on_disk(server, digest: str) -> bool:
    return bool(blob_files(server, digest))


def pull_in_full(env, host: str, repo: str, image: images.Image, out: Path):
    """skopeo copy to a dir by digest; the manifest and every blob checked against its digest."""
    skopeo(env, "copy", "--src-tls-verify=false", f"docker://{host}/{repo}@{image.digest}",
           f"dir:{out}")
    assert images.sha256((out / "manifest.json").read_bytes()) == image.digest
    for digest in image.all_blobs():
        blob = out / digest.split(":", 1)[1]
        assert blob.is_file(), f"{repo}@{image.digest}: {digest} not pulled"
        assert images.sha256(blob.read_bytes()) == digest, f"{repo}: {digest} corrupt"


def error_code(r: requests.Response) -> str:
    return r.json()["errors"][0]["code"]


def metrics(server) -> dict[str, float]:
    r = requests.get(server.url + "/metrics", timeout=10)
    assert r.status_code == 200, r.text
    return {name: float(value) for name, value in
            (line.split() for line in r.text.splitlines() if line and not line.startswith("#"))}


def no_server_errors(server):
    bad = [line for line in server.access_log() if line.get("status", 0) >= 500]
    assert not bad, f"{len(bad)} responses with 5xx: {bad[:5]}"


# ----------------------------------------------------------------------------- collection


@needs_aws
def test_deleted_image_blobs_are_collected(start_registry, tool_env, tmp_path):
    s = start_registry(GC_NOW)
    repo = "gc/app"
    keep, doomed = layout(tmp_path, "gc-keep"), layout(tmp_path, "gc-doomed")
    push(tool_env, keep, f"{s.host}/{repo}:keep")
    push(tool_env, doomed, f"{s.host}/{repo}:doomed")
    for digest in keep.all_blobs() | doomed.all_blobs():
        assert on_disk(s, digest), f"{digest} not found under {s.data_dir / 'blobs'}"

    # Everything is referenced: a collection deletes nothing.
    report = gc(s)
    assert (report["blobsDeleted"], report["blobs"]) == (0, []), report

    cli = AwsCli(s, tmp_path / "aws")
    out = cli.call("batch-delete-image", "--repository-name", repo, "--image-ids",
                   f"imageDigest={doomed.digest}")
    assert out["failures"] == [] and out["imageIds"][0]["imageDigest"] == doomed.digest, out

    # With the default grace (24 h, no --config) nothing is due yet.
    p = run([WHARF_BIN, "admin", "--data", str(s.data_dir), "gc"], timeout=60)
    default = json.loads(p.stdout)
    assert default["blobsDeleted"] == 0 and default["pendingReviews"] > 0, default

    report = gc(s)
    assert report["dryRun"] is False, report
    assert report["blobsDeleted"] >= len(doomed.layers), report
    assert set(report["blobs"]) == own_blobs(doomed), report
    assert report["bytesFreed"] == sum(b.size for b in doomed.all_blobs().values()
                                       if b.digest in own_blobs(doomed)), report
    for digest in own_blobs(doomed):
        assert not on_disk(s, digest), f"{digest} still on disk: {blob_files(s, digest)}"
    for digest in keep.all_blobs():
        assert on_disk(s, digest), f"{digest} of the kept image was deleted"

    # The image sharing the base layer pulls in full; the deleted one is gone, bytes and all.
    pull_in_full(tool_env, s.host, repo, keep, tmp_path / "keep")
    c = s.client()
    r = c.get_manifest(repo, doomed.digest)
    assert r.status_code == 404 and error_code(r) == "MANIFEST_UNKNOWN", r.text
    r = c.get(f"/v2/{repo}/blobs/{doomed.layers[-1].digest}")
    assert r.status_code == 404 and error_code(r) == "BLOB_UNKNOWN", r.text

    again = gc(s)
    assert again["blobsDeleted"] == 0 and again["pendingReviews"] == 0, again
    no_server_errors(s)


def test_dry_run_reports_without_deleting(start_registry, tool_env, tmp_path):
    """A manifest deleted with the registry API (DELETE /v2/<name>/manifests/<digest>); dry runs
    report the same thing twice and change nothing; the real run then does what they said."""
    s = start_registry(GC_NOW)
    repo = "gc/dry"
    keep, doomed = layout(tmp_path, "dry-keep"), layout(tmp_path, "dry-doomed")
    push(tool_env, keep, f"{s.host}/{repo}:keep")
    push(tool_env, doomed, f"{s.host}/{repo}:doomed")
    c = s.client()
    r = c.delete(f"/v2/{repo}/manifests/{doomed.digest}")
    assert r.status_code == 202, r.text

    first = gc(s, "--dry-run")
    assert first["dryRun"] is True, first
    assert first["blobsToDelete"] == len(own_blobs(doomed)), first
    assert set(first["blobs"]) == own_blobs(doomed), first
    assert "blobsDeleted" not in first and "bytesFreed" not in first, first
    for digest in own_blobs(doomed):
        assert on_disk(s, digest), f"--dry-run deleted {digest}"
        r = c.head(f"/v2/{repo}/blobs/{digest}")
        assert r.status_code == 200, f"--dry-run unlinked {digest}: {r.status_code}"
    second = gc(s, "--dry-run")
    assert second == first, "a dry run changed what a run would do"

    done = gc(s)
    assert done["blobsDeleted"] == first["blobsToDelete"], done
    assert done["bytesFreed"] == first["bytesToFree"], done
    assert sorted(done["blobs"]) == sorted(first["blobs"]), done
    for digest in own_blobs(doomed):
        assert not on_disk(s, digest), digest
    pull_in_full(tool_env, s.host, repo, keep, tmp_path / "keep")
    assert gc(s, "--dry-run")["blobsToDelete"] == 0
    no_server_errors(s)


def test_lifecycle_expiry_feeds_the_collector(start_registry, tool_env, tmp_path):
    """Images a lifecycle policy expired give their bytes back at the next collection."""
    s = start_registry(GC_NOW)
    repo = "gc/ci"
    builds = [layout(tmp_path, f"ci-build-{i}") for i in range(1, 4)]
    for i, img in enumerate(builds, 1):
        push(tool_env, img, f"{s.host}/{repo}:ci-{i}")
    s.ecr().put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps({"rules": [{
        "rulePriority": 1, "description": "newest CI build only",
        "selection": {"tagStatus": "tagged", "tagPrefixList": ["ci-"],
                      "countType": "imageCountMoreThan", "countNumber": 1},
        "action": {"type": "expire"}}]}))
    p = run([WHARF_BIN, "admin", "--data", str(s.data_dir), "lifecycle", "run", "--repo", repo],
            timeout=60)
    assert json.loads(p.stdout)[0]["expired"] == 2, p.stdout
    report = gc(s)
    expired = own_blobs(builds[0]) | own_blobs(builds[1])
    assert set(report["blobs"]) == expired, report
    for digest in expired:
        assert not on_disk(s, digest), digest
    pull_in_full(tool_env, s.host, repo, builds[2], tmp_path / "newest")


def test_archived_images_keep_their_blobs(start_registry, tool_env, tmp_path):
    """Archiving changes what can be pulled, not what is stored: a collection keeps an archived
    image's blobs, and it pulls in full once restored; deleted while archived, it is
    collected like any image."""
    s = start_registry(GC_NOW)
    repo = "gc/cold"
    cold, other = layout(tmp_path, "cold-1"), layout(tmp_path, "cold-2")
    push(tool_env, cold, f"{s.host}/{repo}:1")
    push(tool_env, other, f"{s.host}/{repo}:2")

    def storage_class(image, target):
        out = raw_ok(s, "UpdateImageStorageClass", {"repositoryName": repo,
                                                    "imageId": {"imageDigest": image.digest},
                                                    "targetStorageClass": target})
        assert out["imageStatus"] == ("ARCHIVED" if target == "ARCHIVE" else "ACTIVE"), out

    storage_class(cold, "ARCHIVE")
    report = gc(s)
    assert report["blobsDeleted"] == 0, report
    for digest in cold.all_blobs():
        assert on_disk(s, digest), f"the archived image's {digest} was collected"
    storage_class(cold, "STANDARD")
    pull_in_full(tool_env, s.host, repo, cold, tmp_path / "restored")

    storage_class(other, "ARCHIVE")
    s.ecr().batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": other.digest}])
    report = gc(s)
    assert set(report["blobs"]) == own_blobs(other), report
    pull_in_full(tool_env, s.host, repo, cold, tmp_path / "again")


def test_deleted_repository_blobs_are_collected(start_registry, tool_env, tmp_path):
    """DeleteRepository with force: the blobs only it linked are collected; the base layer,
    which another repository links too, stays."""
    s = start_registry(GC_NOW)
    doomed, kept = layout(tmp_path, "repo-doomed"), layout(tmp_path, "repo-kept")
    push(tool_env, doomed, f"{s.host}/gc/doomed:1")
    push(tool_env, kept, f"{s.host}/gc/kept:1")
    s.ecr().delete_repository(repositoryName="gc/doomed", force=True)
    report = gc(s)
    assert set(report["blobs"]) == own_blobs(doomed), report
    for digest in own_blobs(doomed):
        assert not on_disk(s, digest), digest
    pull_in_full(tool_env, s.host, "gc/kept", kept, tmp_path / "kept")
    no_server_errors(s)


def test_a_push_that_skipped_a_collected_blob_is_refused(start_registry, tool_env, tmp_path):
    """The window the grace covers, held open on purpose: a client finds the blobs of a
    deleted image still there (HEAD 200, so it skips the uploads), the collector reclaims them,
    then the client pushes the manifest. It must be refused (MANIFEST_BLOB_UNKNOWN) — never
    accepted with blobs that are gone — and a retry that uploads them succeeds. Pushed before
    the collection, the manifest makes the blobs referenced again and they stay."""
    s = start_registry(GC_NOW)
    c = s.client()
    repo = "gc/window"
    late, early = layout(tmp_path, "window-late"), layout(tmp_path, "window-early")
    for img in (late, early):
        c.push_image(repo, img, img.name)
        r = c.delete(f"/v2/{repo}/manifests/{img.digest}")
        assert r.status_code == 202, r.text
        for digest in img.all_blobs():
            assert c.blob_exists(repo, digest), digest  # a client would skip these uploads

    # early: the manifest comes back before the collection.
    r = c.put_manifest(repo, "early", early.manifest, early.media_type)
    assert r.status_code == 201, r.text
    report = gc(s)
    assert set(report["blobs"]) == own_blobs(late), report

    # late: the manifest comes after its blobs were collected.
    r = c.put_manifest(repo, "late", late.manifest, late.media_type)
    if r.status_code == 201:
        missing = [d for d in late.all_blobs() if c.get(f"/v2/{repo}/blobs/{d}").status_code != 200]
        pytest.fail(f"manifest accepted although its blobs were collected; missing: {missing}")
    assert r.status_code == 400 and error_code(r) == "MANIFEST_BLOB_UNKNOWN", r.text
    c.push_image(repo, late, "late")  # the retry uploads what is missing
    for img, tag in ((early, "early"), (late, "late")):
        pull_in_full(tool_env, s.host, repo, img, tmp_path / tag)
    no_server_errors(s)


# ----------------------------------------------------------------------------- under load

LOAD = "[gc]\ngrace_seconds = 2\ninterval_seconds = 1\n"
LOAD_SECONDS = 20.0
GRACE = 2.0


@pytest.mark.slow
def test_gc_under_concurrent_push_load(start_registry, tool_env, tmp_path):
    """Two threads push distinct small images with skopeo (two of three share a base layer, to
    two repositories) for LOAD_SECONDS while a third deletes older ones (batch-delete-image), a
    fourth runs `wharf admin gc` over and over, and the server's own collector runs every
    second. Every fourth push of a pusher is a deleted image pushed again (one pusher takes the
    image deleted last, whose blobs are likely on disk, linked but unreferenced; the other the
    one deleted first, likely collected). Afterwards every acknowledged
    push that was not deleted since pulls in full, the deleted images' own blobs are gone from
    the disk, and no request got a 5xx."""
    s = start_registry(LOAD)
    repos = ("load/a", "load/b")
    lock = threading.Lock()
    acked: list[tuple[str, str, images.Image]] = []   # (repo, tag, image), in ack order
    failed: list[tuple[str, str, str]] = []           # (repo, tag, skopeo's stderr)
    deleted: dict[str, str] = {}                       # digest -> repo
    reports: list[dict] = []
    errors: list[str] = []
    pushed_again: list[str] = []                       # deleted, then pushed again
    deadline = time.monotonic() + LOAD_SECONDS

    def guarded(fn):
        def body(*args):
            try:
                fn(*args)
            except BaseException as e:  # reported by the main thread
                with lock:
                    errors.append(f"{fn.__name__}: {e!r}")
        return body

    repushing: set[str] = set()

    def repush_candidate(newest: bool):
        """A deleted image nobody is pushing again: the one deleted last (its blobs are likely
        still on disk, linked but unreferenced: the case the grace protects) or first (likely
        collected already)."""
        with lock:
            entries = list(deleted.items())
            for digest, repo in reversed(entries) if newest else entries:
                if digest not in repushing:
                    repushing.add(digest)
                    img = next(i for _, _, i in acked if i.digest == digest)
                    return repo, img
        return None

    @guarded
    def pusher(t: int):
        k = 0
        while time.monotonic() < deadline and not errors:
            k += 1
            tag = f"t{t}-{k}"
            again = repush_candidate(newest=t == 1) if k % 4 == 0 else None
            if again:
                repo, img = again
                tag = f"again-{tag}"
            else:
                img = layout(tmp_path, f"load-{tag}", with_base=k % 3 != 0)
                repo = repos[(k + t) % 2]
            p = push(tool_env, img, f"{s.host}/{repo}:{tag}", check=False)
            with lock:
                if again:
                    repushing.discard(img.digest)
                if p.returncode == 0:
                    acked.append((repo, tag, img))
                    deleted.pop(img.digest, None)
                    if again:
                        pushed_again.append(img.digest)
                else:
                    failed.append((repo, tag, p.stderr.decode()[-600:]))

    @guarded
    def deleter():
        ecr = s.ecr()
        while time.monotonic() < deadline and not errors:
            with lock:
                # Everything but the newest four and every fourth acknowledged image.
                todo = {img.digest: (repo, img) for i, (repo, _, img) in enumerate(acked[:-4])
                        if i % 4 != 0 and img.digest not in deleted}.values()
            for repo, img in todo:
                out = ecr.batch_delete_image(repositoryName=repo,
                                             imageIds=[{"imageDigest": img.digest}])
                assert out["failures"] == [], out
                assert [i["imageDigest"] for i in out["imageIds"]] == [img.digest], out
                with lock:
                    deleted[img.digest] = repo
            time.sleep(0.3)

    @guarded
    def collector():
        while time.monotonic() < deadline and not errors:
            reports.append(gc(s))
            time.sleep(0.2)

    threads = [threading.Thread(target=pusher, args=(t,)) for t in (1, 2)]
    threads += [threading.Thread(target=deleter), threading.Thread(target=collector)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(LOAD_SECONDS + 120)
    assert not any(th.is_alive() for th in threads), "a worker hangs"
    assert not errors, errors

    total = len(acked) + len(failed)
    assert len(acked) >= 20, f"only {len(acked)} pushes acknowledged in {LOAD_SECONDS}s"
    assert deleted, "the deleter deleted nothing"
    # The refusals the collector's design allows, each answered by a retry: a push that found
    # a blob present (HEAD) and pushed its manifest after the grace ran out
    # (MANIFEST_BLOB_UNKNOWN), and an upload completed while the collector was deleting the
    # same bytes (BLOB_UPLOAD_INVALID "... reclaimed by garbage collection ...").
    allowed = ("blob unknown", "reclaimed by garbage collection")
    unexpected = [f for f in failed if not any(a in f[2].lower() for a in allowed)]
    assert not unexpected, f"{len(unexpected)} of {total} pushes failed: {unexpected[:3]}"
    assert len(failed) <= total // 10, f"{len(failed)} of {total} pushes refused: {failed[:3]}"

    # Let every review come due and collect once more (the server's collector runs too).
    time.sleep(GRACE + 0.5)
    final = gc(s)
    reports.append(final)
    collected = sum(r["blobsDeleted"] for r in reports)
    # The server's collector: its log lines and /metrics agree (read around the log, as it
    # keeps running).
    before = metrics(s)
    server_collected = sum(int(n) for n in re.findall(r"gc: deleted (\d+) blobs",
                                                      s._read_from(s.stderr_path, 0)))
    after = metrics(s)
    assert after["wharf_gc_runs_total"] >= LOAD_SECONDS / 2, after
    assert before["wharf_gc_blobs_deleted_total"] <= server_collected <= \
        after["wharf_gc_blobs_deleted_total"], (before, server_collected, after)
    assert collected + server_collected > 0, "nothing was ever collected"

    survivors = {img.digest: (repo, tag, img) for repo, tag, img in acked
                 if img.digest not in deleted}
    survivors = list(survivors.values())
    assert survivors

    def check(entry):
        repo, tag, img = entry
        pull_in_full(tool_env, s.host, repo, img, tmp_path / "pulled" / tag)

    (tmp_path / "pulled").mkdir()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(check, survivors))

    c = s.client()
    shared = {BASE[0].digest}
    kept_blobs = {d for _, _, img in survivors for d in img.all_blobs()}
    for digest, repo in deleted.items():
        r = c.get_manifest(repo, digest)
        assert r.status_code == 404 and error_code(r) == "MANIFEST_UNKNOWN", (digest, r.text)
    gone = {d for _, _, img in acked if img.digest in deleted
            for d in img.all_blobs()} - kept_blobs - shared
    left = [d for d in gone if on_disk(s, d)]
    assert not left, f"{len(left)} blobs of deleted images still on disk after the grace"
    no_server_errors(s)
    print(f"load: {len(acked)} pushes acknowledged ({len(pushed_again)} of deleted images "
          f"pushed again), {len(failed)} refused, {len(deleted)} "
          f"deleted, {len(survivors)} verified, {collected} blobs collected by wharf admin gc "
          f"in {len(reports)} runs, {server_collected} by the server; refused: {failed}")


# ----------------------------------------------------------------------------- uploads


def test_abandoned_upload_is_removed(start_registry, tmp_path):
    """An upload started and written to, never finished: a collection with the real clock keeps
    it; one whose clock is two minutes ahead (upload_max_age_seconds = 60) removes it."""
    s = start_registry(GC_NOW + "upload_max_age_seconds = 60\n")
    lib = clock_shim(tmp_path)
    s.ecr().create_repository(repositoryName="up/app")
    chunk = b"abandoned bytes " * 64
    with RawHttp(s.port, auth=s.auth_header()) as h:
        h.send(b"POST /v2/up/app/blobs/uploads/ HTTP/1.1\r\nHost: wharf\r\n"
               b"Content-Length: 0\r\n\r\n")
        status, headers, body = h.read_response()
        assert status == 202, (status, headers, body)
        location = headers["location"]
        h.send(f"PATCH {location} HTTP/1.1\r\nHost: wharf\r\n"
               f"Content-Type: application/octet-stream\r\nContent-Length: {len(chunk)}\r\n\r\n"
               .encode() + chunk)
        status, headers, body = h.read_response()
        assert status == 202 and headers["range"] == f"0-{len(chunk) - 1}", (status, headers)
        location = headers["location"]
        uuid = headers["docker-upload-uuid"]
    url = urljoin(s.url + "/", location)
    r = requests.get(url, auth=s.auth, timeout=10)
    assert r.status_code == 204 and r.headers["Range"] == f"0-{len(chunk) - 1}", r.text
    upload_dirs = [p for p in (s.data_dir / "blobs").rglob(uuid)]
    assert upload_dirs, f"no upload directory named {uuid} under {s.data_dir / 'blobs'}"

    fresh = gc(s)
    assert fresh["uploadsRemoved"] == 0, fresh
    assert requests.get(url, auth=s.auth, timeout=10).status_code == 204

    later = dict(os.environ, LD_PRELOAD=str(lib), WHARF_E2E_CLOCK_OFFSET="120")
    dry = gc(s, "--dry-run", env=later)
    assert dry["uploadsToRemove"] == 1, dry
    assert requests.get(url, auth=s.auth, timeout=10).status_code == 204, "--dry-run removed it"

    done = gc(s, env=later)
    assert done["uploadsRemoved"] == 1, done
    r = requests.get(url, auth=s.auth, timeout=10)
    assert r.status_code == 404 and error_code(r) == "BLOB_UPLOAD_UNKNOWN", r.text
    r = requests.patch(url, data=b"more", auth=s.auth, timeout=10,
                       headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 404 and error_code(r) == "BLOB_UPLOAD_UNKNOWN", r.text
    assert not any(p.exists() for p in upload_dirs), "the upload's bytes are still on disk"
    no_server_errors(s)
