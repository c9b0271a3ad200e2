"""Bodies streamed through wharf: a chunked-encoded 64 MiB PATCH, a 1 GiB upload and download
in constant server memory (VmHWM), `Expect: 100-continue`, and byte ranges of a large blob."""
from __future__ import annotations

import hashlib
import shutil
import struct
import subprocess
import time

import pytest

import images
from harness import RawHttp
from regclient import OCTET, add_query, describe

pytestmark = pytest.mark.not_on_reference("checks wharf's streaming and memory")

MiB = 1024 * 1024
BIG = 64 * MiB
REPO = "stream/big"


@pytest.fixture(scope="module")
def data64() -> bytes:
    return images.pseudo_random("streaming-64MiB", BIG)


def pieces(data: bytes, size: int = MiB):
    for off in range(0, len(data), size):
        yield data[off:off + size]


def vm_status(pid: int) -> dict[str, int]:
    """VmRSS/VmHWM of a process, in bytes."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0]) * 1024
    return out


class GeneratedBody:
    """A body of `count` 1 MiB pieces made on the fly (a random block, each piece stamped
    with its index so no two are equal), hashed as it is sent. Having a length, requests
    sends it with Content-Length rather than chunked."""

    def __init__(self, count: int, seed: str):
        self.count = count
        self.block = images.pseudo_random(seed, MiB)
        self.hash = hashlib.sha256()

    def piece(self, i: int) -> bytes:
        return struct.pack("<Q", i) + self.block[8:]

    def __len__(self):
        return self.count * MiB

    def __iter__(self):
        for i in range(self.count):
            p = self.piece(i)
            self.hash.update(p)
            yield p

    @property
    def digest(self) -> str:
        return "sha256:" + self.hash.hexdigest()


# ----------------------------------------------------------------------------- (a) chunked

def test_chunked_transfer_encoding_patch_of_64_mib(shared_registry, data64):
    c = shared_registry.client(timeout=120)
    digest = images.sha256(data64)
    r = c.start_upload(REPO)
    # A generator body: requests sends it with Transfer-Encoding: chunked, no Content-Length.
    r = c.patch(c.location(r), data=pieces(data64), headers={"Content-Type": OCTET})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in r.request.headers
    assert r.status_code == 202, describe(r, "chunked PATCH of 64 MiB")
    assert r.headers.get("Range") == f"0-{BIG - 1}", describe(r, "Range after the chunked PATCH")
    r = c.put(add_query(c.location(r), digest=digest))
    assert r.status_code == 201, describe(r, "PUT ?digest= after the chunked PATCH")
    assert r.headers.get("Docker-Content-Digest") == digest, describe(r)

    r = c.head(f"/v2/{REPO}/blobs/{digest}")
    assert r.status_code == 200 and r.headers.get("Content-Length") == str(BIG), describe(r)
    r = c.get(f"/v2/{REPO}/blobs/{digest}")
    assert r.status_code == 200, describe(r, "GET the 64 MiB blob")
    assert len(r.content) == BIG and hashlib.sha256(r.content).digest() == \
        hashlib.sha256(data64).digest(), "the 64 MiB blob came back different"


def test_chunked_manifest_put(shared_registry, busybox_image):
    c = shared_registry.client()
    for blob in busybox_image.blobs:
        c.push_blob("stream/manifest", blob.data)
    r = c.put("/v2/stream/manifest/manifests/chunked",
              data=pieces(busybox_image.manifest, 100),
              headers={"Content-Type": busybox_image.media_type})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert r.status_code == 201, describe(r, "PUT manifest with a chunked body")
    assert r.headers.get("Docker-Content-Digest") == busybox_image.digest, describe(r)
    r = c.get_manifest("stream/manifest", "chunked")
    assert r.status_code == 200 and r.content == busybox_image.manifest, describe(r)


# ----------------------------------------------------------------------------- (b) memory

@pytest.mark.slow
def test_1_gib_upload_and_download_in_constant_memory(registry):
    pid = registry.proc.pid
    c = registry.client(timeout=300)
    repo = "stream/huge"
    try:
        assert c.get("/v2/").status_code == 200
        before = vm_status(pid)

        body = GeneratedBody(1024, "streaming-1GiB")
        r = c.start_upload(repo)
        t0 = time.monotonic()
        r = c.patch(c.location(r), data=body, headers={"Content-Type": OCTET})
        t_up = time.monotonic() - t0
        assert r.request.headers.get("Content-Length") == str(len(body))
        assert r.status_code == 202, describe(r, "PATCH of 1 GiB")
        assert r.headers.get("Range") == f"0-{len(body) - 1}", describe(r)
        after_upload = vm_status(pid)
        t0 = time.monotonic()
        r = c.put(add_query(c.location(r), digest=body.digest))
        t_commit = time.monotonic() - t0
        assert r.status_code == 201, describe(r, "PUT ?digest= closing the 1 GiB upload")

        t0 = time.monotonic()
        got = hashlib.sha256()
        n = 0
        with c.get(f"/v2/{repo}/blobs/{body.digest}", stream=True) as r:
            assert r.status_code == 200, describe(r, "GET the 1 GiB blob")
            assert r.headers.get("Content-Length") == str(len(body))
            for chunk in r.iter_content(MiB):
                got.update(chunk)
                n += len(chunk)
        t_down = time.monotonic() - t0
        assert n == len(body), f"downloaded {n} bytes of {len(body)}"
        assert "sha256:" + got.hexdigest() == body.digest, "the 1 GiB blob came back different"
        after = vm_status(pid)

        growth_up = after_upload["VmHWM"] - before["VmHWM"]
        growth = after["VmHWM"] - before["VmHWM"]
        print(f"\n1 GiB: upload {1024 / t_up:.0f} MiB/s ({t_up:.1f}s), commit {t_commit:.1f}s, "
              f"download {1024 / t_down:.0f} MiB/s ({t_down:.1f}s); server VmHWM "
              f"{before['VmHWM'] / MiB:.1f} -> {after_upload['VmHWM'] / MiB:.1f} (after upload)"
              f" -> {after['VmHWM'] / MiB:.1f} MiB (after download), VmRSS now "
              f"{after['VmRSS'] / MiB:.1f} MiB")
        assert growth_up < 64 * MiB, \
            f"server peak RSS grew {growth_up / MiB:.1f} MiB while receiving a 1 GiB body"
        assert growth < 64 * MiB, \
            f"server peak RSS grew {growth / MiB:.1f} MiB over a 1 GiB upload + download"
    finally:
        registry.stop()
        shutil.rmtree(registry.data_dir, ignore_errors=True)  # 1 GiB of /tmp


# ----------------------------------------------------------------------------- (c) 100-continue

def test_expect_100_continue_on_manifest_put(shared_registry, busybox_image):
    c = shared_registry.client()
    repo = "stream/continue"
    for blob in busybox_image.blobs:
        c.push_blob(repo, blob.data)
    body = busybox_image.manifest
    with RawHttp(shared_registry.port, timeout=5, auth=shared_registry.auth_header()) as raw:
        raw.send(f"PUT /v2/{repo}/manifests/v1 HTTP/1.1\r\nHost: {shared_registry.host}\r\n"
                 f"Content-Type: {busybox_image.media_type}\r\nContent-Length: {len(body)}\r\n"
                 f"Expect: 100-continue\r\n\r\n".encode())
        try:
            status, line, _ = raw.read_head()
        except TimeoutError:
            raise AssertionError("PUT manifest with Expect: 100-continue: nothing within 5 s "
                                 "(the server waits for a body the client holds back)") from None
        assert status == 100, f"PUT manifest with Expect: 100-continue: first line {line!r}, " \
            "expected HTTP/1.1 100 Continue before the body"
        assert raw.buf == b"", f"bytes after 100 Continue before the body: {raw.buf!r}"
        raw.send(body)
        status, headers, resp = raw.read_response()
        assert status == 201, f"PUT manifest after 100 Continue: {status} {resp!r}"
        assert headers.get("docker-content-digest") == busybox_image.digest
        # The connection stays usable.
        raw.send(f"GET /v2/{repo}/manifests/v1 HTTP/1.1\r\nHost: x\r\n"
                 f"Accept: {busybox_image.media_type}\r\n\r\n".encode())
        status, _, resp = raw.read_response()
        assert status == 200 and resp == body


def test_expect_100_continue_with_curl(shared_registry, tmp_path):
    """curl waits for 100 Continue (here up to 10 s) before sending a body over 1 MiB."""
    c = shared_registry.client()
    data = images.pseudo_random("curl-continue", 3 * MiB)
    (tmp_path / "blob").write_bytes(data)
    r = c.start_upload("stream/curl")
    url = add_query(c.location(r), digest=images.sha256(data))
    t0 = time.monotonic()
    p = subprocess.run(["curl", "-sS", "-v", "--max-time", "30", "--expect100-timeout", "10",
                        *(["-u", ":".join(shared_registry.auth)] if shared_registry.auth else []),
                        "-X", "PUT", "-H", "Expect: 100-continue", "-H",
                        f"Content-Type: {OCTET}", "--data-binary", f"@{tmp_path / 'blob'}",
                        "-o", "/dev/null", "-w", "%{http_code}", url],
                       capture_output=True, timeout=60)
    took = time.monotonic() - t0
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 0 and p.stdout == b"201", \
        f"curl PUT 3 MiB with Expect: 100-continue: exit {p.returncode}, " \
        f"code {p.stdout!r}\n{err[-2000:]}"
    assert "HTTP/1.1 100 Continue" in err, f"curl never saw 100 Continue:\n{err[-2000:]}"
    assert took < 5, f"curl took {took:.1f}s: it waited for its expect100 timeout"
    assert c.blob_exists("stream/curl", images.sha256(data))


def test_expect_100_continue_on_unknown_upload_answers_without_body(shared_registry):
    """A request that fails on its head alone: the final status comes at once (RFC 9110
    10.1.1), or 100 Continue and then the final status once the body is sent; never a hang."""
    with RawHttp(shared_registry.port, timeout=5, auth=shared_registry.auth_header()) as raw:
        raw.send(f"PATCH /v2/stream/nothing/blobs/uploads/00000000-0000-0000-0000-000000000000 "
                 f"HTTP/1.1\r\nHost: x\r\nContent-Type: {OCTET}\r\nContent-Length: 1000\r\n"
                 f"Expect: 100-continue\r\n\r\n".encode())
        try:
            status, line, headers = raw.read_head()
        except TimeoutError:
            raise AssertionError("PATCH of an unknown upload with Expect: 100-continue: no "
                                 "answer within 5 s") from None
        if status == 100:
            raw.send(b"x" * 1000)
            status, headers, _ = raw.read_response()
        else:
            n = int(headers.get("content-length", 0))
            while len(raw.buf) < n and raw._fill():
                pass
        assert status == 404, f"PATCH of an unknown upload: {status} {headers}"
    # The server is fine afterwards.
    assert shared_registry.client().get("/v2/").status_code == 200


# ----------------------------------------------------------------------------- (d) ranges

def test_range_gets_of_a_64_mib_blob(shared_registry, data64):
    c = shared_registry.client(timeout=120)
    digest = images.sha256(data64)
    if not c.blob_exists(REPO, digest):  # test (a) pushed it unless run alone
        c.push_blob(REPO, data64)
    url = f"/v2/{REPO}/blobs/{digest}"

    def check(range_header: str, first: int, last: int):
        r = c.get(url, headers={"Range": range_header})
        assert r.status_code == 206, describe(r, f"GET Range: {range_header}")
        assert r.headers.get("Content-Range") == f"bytes {first}-{last}/{BIG}", \
            describe(r, f"Content-Range for {range_header}")
        assert r.headers.get("Content-Length") == str(last - first + 1), describe(r)
        assert r.content == data64[first:last + 1], \
            f"Range: {range_header}: {len(r.content)} bytes, not bytes {first}-{last} of the blob"

    check(f"bytes={BIG - 1}-{BIG - 1}", BIG - 1, BIG - 1)             # the last byte
    mid = 32 * MiB - 1000                                           # across a 1 MiB boundary
    check(f"bytes={mid}-{mid + 3 * MiB}", mid, mid + 3 * MiB)
    check(f"bytes={BIG - 5000}-", BIG - 5000, BIG - 1)                # open-ended
    check(f"bytes={BIG - 10}-{BIG + 100}", BIG - 10, BIG - 1)         # end past the size: clamped
    check("bytes=0-0", 0, 0)

    # Suffix form (RFC 9110 14.1.2): a server may ignore Range (200 + all), never mis-answer.
    r = c.get(url, headers={"Range": "bytes=-1"})
    if r.status_code == 206:
        assert r.headers.get("Content-Range") == f"bytes {BIG - 1}-{BIG - 1}/{BIG}", describe(r)
        assert r.content == data64[-1:]
    else:
        assert r.status_code == 200 and len(r.content) == BIG, \
            describe(r, "GET Range: bytes=-1 (last byte, suffix form)")

    # Unsatisfiable: 416 with the size.
    r = c.get(url, headers={"Range": f"bytes={BIG}-{BIG + 10}"})
    assert r.status_code == 416, describe(r, "Range starting at the size")
    assert r.headers.get("Content-Range") == f"bytes */{BIG}", describe(r)
