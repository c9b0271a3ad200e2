"""Restarts: an upload session and pushed content survive SIGTERM and kill -9."""
from __future__ import annotations

import random

import pytest

import images
from regclient import OCTET, add_query, describe

REPO = "restart/app"


def patch(client, loc, data, start):
    r = client.patch(loc, data=data, headers={
        "Content-Type": OCTET, "Content-Range": f"{start}-{start + len(data) - 1}",
        "Content-Length": str(len(data))})
    assert r.status_code == 202, describe(r, f"PATCH {start}-{start + len(data) - 1}")
    assert r.headers.get("Range") == f"0-{start + len(data) - 1}", describe(r)
    return client.location(r)


def status(client, loc, upload_id, end):
    r = client.get(loc)
    assert r.status_code == 204, describe(r, "upload status after restart")
    assert r.headers.get("Range") == f"0-{end}", \
        f"after the restart the upload should be at 0-{end}: " + describe(r)
    assert r.headers.get("Docker-Upload-UUID") == upload_id, describe(r)
    return client.location(r) if r.headers.get("Location") else loc


@pytest.mark.parametrize("how", ["sigterm", "kill9", "both"])
def test_chunked_upload_resumes_after_restart(registry, how):
    data = random.Random(how).randbytes(3 * 1024 * 1024 + 123)
    cuts = [0, 1024 * 1024, 2 * 1024 * 1024 + 7, len(data)]
    c = registry.client()
    r = c.start_upload(REPO)
    upload_id = r.headers.get("Docker-Upload-UUID")
    loc = c.location(r)

    loc = patch(c, loc, data[cuts[0]:cuts[1]], cuts[0])
    registry.restart(kill=how == "kill9")
    c = registry.client()
    loc = status(c, loc, upload_id, cuts[1] - 1)

    loc = patch(c, loc, data[cuts[1]:cuts[2]], cuts[1])
    if how == "both":
        registry.restart(kill=True)
        c = registry.client()
        loc = status(c, loc, upload_id, cuts[2] - 1)

    loc = patch(c, loc, data[cuts[2]:], cuts[2])
    r = c.put(add_query(loc, digest=images.sha256(data)), headers={"Content-Length": "0"})
    assert r.status_code == 201, describe(r, "closing PUT")
    assert r.headers.get("Docker-Content-Digest") == images.sha256(data), describe(r)
    r = c.get(f"/v2/{REPO}/blobs/{images.sha256(data)}")
    assert r.status_code == 200, describe(r)
    assert images.sha256(r.content) == images.sha256(data)


@pytest.mark.parametrize("kill", [False, True], ids=["sigterm", "kill9"])
def test_pushed_images_survive_restart(registry, busybox_image, index_image, kill):
    c = registry.client()
    c.push_image("restart/busybox", busybox_image, "v1", how="chunked")
    c.push_image("restart/multi", index_image, "multi")
    registry.restart(kill=kill)
    c = registry.client()
    for repo, img, tag in (("restart/busybox", busybox_image, "v1"),
                           ("restart/multi", index_image, "multi")):
        r = c.get_manifest(repo, tag)
        assert r.status_code == 200 and r.content == img.manifest, describe(r)
        assert r.headers.get("Docker-Content-Digest") == img.digest, describe(r)
        for child in img.children:
            r = c.get_manifest(repo, child.digest)
            assert r.status_code == 200 and r.content == child.manifest, describe(r)
        for digest, blob in img.all_blobs().items():
            r = c.get(f"/v2/{repo}/blobs/{digest}")
            assert r.status_code == 200 and images.sha256(r.content) == digest, describe(r)
        assert c.tags(repo) == [tag]
    r = c.get("/v2/_catalog")
    assert r.status_code == 200, describe(r)
    assert sorted(r.json()["repositories"]) == ["restart/busybox", "restart/multi"]
