"""lastRecordedPullTime: pulls are noted in memory and written in batches
(`registry.pull_time_flush_seconds`), and once more at a clean shutdown."""
from __future__ import annotations

import time

import pytest

from images import ACCEPT_ALL

pytestmark = pytest.mark.not_on_reference("ECR API")

FAST = "[registry]\ncreate_on_push = true\npull_time_flush_seconds = 1\n"


def pull_time(server, repo: str, digest: str):
    detail = server.ecr().describe_images(repositoryName=repo,
                                          imageIds=[{"imageDigest": digest}])["imageDetails"][0]
    return detail.get("lastRecordedPullTime")


def wait_for_pull_time(server, repo: str, digest: str, limit: float = 10.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        at = pull_time(server, repo, digest)
        if at is not None:
            return at
        time.sleep(0.2)
    return None


def test_a_get_records_the_pull_time_within_the_flush_interval(start_registry, busybox_image):
    server = start_registry(FAST)
    c = server.client()
    digest = c.push_image("pulls/app", busybox_image, "v1")
    assert pull_time(server, "pulls/app", digest) is None, "never pulled, yet a pull time"
    r = c.get("/v2/pulls/app/manifests/v1", headers={"Accept": ACCEPT_ALL})
    assert r.status_code == 200
    at = wait_for_pull_time(server, "pulls/app", digest)
    assert at is not None, "GET manifest did not set lastRecordedPullTime within 10 s"
    pushed = server.ecr().describe_images(repositoryName="pulls/app")["imageDetails"][0]
    assert at >= pushed["imagePushedAt"]


def test_a_head_is_not_a_pull(start_registry, busybox_image):
    server = start_registry(FAST)
    c = server.client()
    digest = c.push_image("pulls/head", busybox_image, "v1")
    assert c.head("/v2/pulls/head/manifests/v1", headers={"Accept": ACCEPT_ALL}).status_code == 200
    time.sleep(2.5)  # two flush intervals
    assert pull_time(server, "pulls/head", digest) is None


def test_batch_get_image_is_a_pull(start_registry, busybox_image):
    server = start_registry(FAST)
    digest = server.client().push_image("pulls/api", busybox_image, "v1")
    got = server.ecr().batch_get_image(repositoryName="pulls/api", imageIds=[{"imageTag": "v1"}])
    assert got["images"][0]["imageId"]["imageDigest"] == digest
    assert wait_for_pull_time(server, "pulls/api", digest) is not None


def test_a_clean_shutdown_writes_pending_pull_times(start_registry, busybox_image):
    server = start_registry("[registry]\ncreate_on_push = true\npull_time_flush_seconds = 3600\n")
    c = server.client()
    digest = c.push_image("pulls/stop", busybox_image, "v1")
    assert c.get("/v2/pulls/stop/manifests/v1", headers={"Accept": ACCEPT_ALL}).status_code == 200
    assert pull_time(server, "pulls/stop", digest) is None  # an hour to the next flush
    server.restart()
    assert pull_time(server, "pulls/stop", digest) is not None, \
        "SIGTERM lost the pull noted before it"
