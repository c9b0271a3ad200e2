"""The HTTP limits an operator sets in `[server]` and `[server.timeouts]`, checked from the
wire: connection cap (503 + Retry-After), header size (431), slow heads and stalled bodies
closed, pipelining and keep-alive, graceful SIGTERM, garbage answered 400. Every test starts
its own wharf with the config it needs; the server must keep serving other clients."""
from __future__ import annotations

import signal
import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

import images
from harness import RawHttp
from regclient import OCTET, add_query, describe

pytestmark = pytest.mark.not_on_reference("starts wharf with a config file")

GET_V2 = b"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def timeouts(**seconds) -> str:
    return "[server.timeouts]\n" + "".join(f"{k}_seconds = {v}\n" for k, v in seconds.items())


def assert_serves(server, what: str):
    """A fresh client still gets 200 from /v2/."""
    try:
        r = requests.get(server.url + "/v2/", timeout=5, auth=server.auth)
    except requests.RequestException as e:
        raise AssertionError(f"{what}: GET /v2/ from another client failed: {e!r}") from None
    assert r.status_code == 200, f"{what}: GET /v2/ -> {r.status_code}"


def upload_path(client, repo: str) -> str:
    """POST a new upload; the path (and query) of its Location, for raw requests."""
    r = client.start_upload(repo)
    u = urlsplit(client.location(r))
    return u.path + (f"?{u.query}" if u.query else "")


def upload_offset(client, location: str) -> int:
    """Bytes the registry holds for an upload, from GET's Range ("0-N": N+1 bytes)."""
    r = client.get(location)
    assert r.status_code == 204, describe(r, "GET upload status")
    rng = r.headers.get("Range")
    if rng is None:
        return 0
    start, _, end = rng.partition("-")
    assert start == "0", describe(r, "upload Range must start at 0")
    return int(end) + 1


# ----------------------------------------------------------------------------- (a) connections

def test_max_connections_refuses_with_503_and_recovers(start_registry):
    server = start_registry("[server]\nmax_connections = 4\n")
    held = []
    try:
        for i in range(4):  # four idle keep-alive connections, each after one full exchange
            c = RawHttp(server.port, timeout=5, auth=server.auth_header())
            held.append(c)
            c.send(GET_V2)
            status, headers, _ = c.read_response()
            assert status == 200, f"connection {i + 1} of 4: GET /v2/ -> {status}"
            assert headers.get("connection", "").lower() != "close", \
                f"connection {i + 1} of 4 was not kept alive: {headers}"

        with RawHttp(server.port, timeout=5, auth=server.auth_header()) as fifth:
            fifth.send(GET_V2)
            status, headers, body = fifth.read_response()
            assert status == 503, f"5th connection with max_connections=4: got {status} " \
                f"{headers} {body!r}"
            assert headers.get("retry-after", "").isdigit(), \
                f"503 without a Retry-After in seconds: {headers}"
            closed, extra = fifth.wait_closed(3)
            assert closed, f"the refused connection was left open (then got {extra!r})"

        # The same through requests, as a client library sees it.
        r = requests.get(server.url + "/v2/", timeout=5, auth=server.auth)
        assert r.status_code == 503 and "Retry-After" in r.headers, \
            f"requests over the limit: {r.status_code} {dict(r.headers)}"

        # The held connections were not harmed by the refusals.
        held[0].send(GET_V2)
        status, _, _ = held[0].read_response()
        assert status == 200, f"a held connection after the refusals: {status}"
    finally:
        for c in held:
            c.close()

    # Closing them frees the slots (the server sees the FINs asynchronously: allow 2 s).
    deadline = time.monotonic() + 2
    while True:
        r = requests.get(server.url + "/v2/", timeout=5, auth=server.auth)
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert r.status_code == 200, \
        f"2 s after closing the 4 connections, GET /v2/ still -> {r.status_code}"
    # And no slot leaked: 4 concurrent connections again (once the server has seen the
    # close of the probe connections above).
    deadline = time.monotonic() + 2
    while True:
        again = [RawHttp(server.port, timeout=5, auth=server.auth_header()) for _ in range(4)]
        try:
            statuses = []
            for c in again:
                c.send(GET_V2)
                statuses.append(c.read_response()[0])
        finally:
            for c in again:
                c.close()
        if statuses == [200] * 4 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert statuses == [200] * 4, \
        f"4 concurrent connections after the others closed (max_connections=4): {statuses}"


# ----------------------------------------------------------------------------- (b) header size

def test_request_head_over_max_header_kib_gets_431(start_registry):
    server = start_registry("[server]\nmax_header_kib = 8\n")
    url = server.url + "/v2/"
    r = requests.get(url, headers={"X-Padding": "a" * 6000}, timeout=5, auth=server.auth)
    assert r.status_code == 200, f"a 6 KiB head under the 8 KiB limit: {r.status_code}"
    for size in (9 * 1024, 256 * 1024):
        try:
            r = requests.get(url, headers={"X-Padding": "a" * size}, timeout=5)
        except requests.RequestException as e:
            raise AssertionError(f"GET /v2/ with a {size}-byte header and max_header_kib=8: "
                                 f"expected 431, the connection failed: {e!r}") from None
        assert r.status_code == 431, \
            f"GET /v2/ with a {size}-byte header, max_header_kib=8: expected 431, got " \
            f"{r.status_code} {r.text[:200]!r}"
    # Many small fields add up too.
    many = {f"X-Field-{i}": "v" * 100 for i in range(100)}
    r = requests.get(url, headers=many, timeout=5, auth=server.auth)
    assert r.status_code == 431, f"100 fields of 100 bytes (~11 KiB): {r.status_code}"
    assert_serves(server, "after the 431s")


# ----------------------------------------------------------------------------- (c) slow head

def test_incomplete_request_head_is_closed_after_header_seconds(start_registry):
    server = start_registry(timeouts(header=1))
    with RawHttp(server.port, auth=server.auth_header()) as slow:
        t0 = time.monotonic()
        slow.send(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        time.sleep(0.3)
        assert_serves(server, "while a head is incomplete")
        closed, got = slow.wait_closed(3.5)
        took = time.monotonic() - t0
    assert closed, f"header_seconds=1: an incomplete head was still open after {took:.1f}s"
    assert took < 3.5, f"header_seconds=1: closed only after {took:.1f}s"
    assert not got.startswith(b"HTTP/1.1 200"), f"an incomplete head was answered: {got!r}"
    assert_serves(server, "after closing the slow client")


def test_trickled_request_head_is_closed_after_header_seconds(start_registry):
    """Slowloris: a byte of head every 0.3 s keeps the socket busy but must not keep it."""
    server = start_registry(timeouts(header=1))
    line = b"GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40
    with RawHttp(server.port, auth=server.auth_header()) as slow:
        t0 = time.monotonic()
        closed = False
        for b in line:
            try:
                slow.send(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed, _ = slow.wait_closed(0.3)
            if closed or time.monotonic() - t0 > 4:
                break
        took = time.monotonic() - t0
    assert closed, f"header_seconds=1: a head trickled a byte per 0.3 s was still open after " \
        f"{took:.1f}s"
    assert took < 3.5, f"header_seconds=1: trickled head closed only after {took:.1f}s"


def test_idle_keep_alive_connection_is_closed_after_idle_seconds(start_registry):
    server = start_registry(timeouts(idle=1))
    with RawHttp(server.port, auth=server.auth_header()) as raw:
        raw.send(GET_V2)
        assert raw.read_response()[0] == 200
        t0 = time.monotonic()
        closed, got = raw.wait_closed(4)
        took = time.monotonic() - t0
    assert closed and took < 3.5, \
        f"idle_seconds=1: an idle keep-alive connection still open after {took:.1f}s ({got!r})"
    assert_serves(server, "after the idle close")


def test_client_that_stops_reading_is_dropped_after_write_seconds(start_registry):
    """max_connections=1 makes the stalled download's slot visible: 503 while it is held,
    200 once write_seconds=1 has dropped it."""
    server = start_registry("[server]\nmax_connections = 1\n" + timeouts(write=1))
    c = server.client()
    blob = images.pseudo_random("unread-download", 32 * 1024 * 1024)
    digest = c.push_blob("limits/unread", blob)
    c.session.close()
    time.sleep(0.2)  # the server sees that connection go
    with RawHttp(server.port, auth=server.auth_header()) as raw:
        raw.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        raw.send(f"GET /v2/limits/unread/blobs/{digest} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.3)
        r = requests.get(server.url + "/v2/", timeout=5, auth=server.auth)
        assert r.status_code == 503, \
            f"max_connections=1 with a download in progress: GET /v2/ -> {r.status_code}"
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5:
            r = requests.get(server.url + "/v2/", timeout=5, auth=server.auth)
            if r.status_code == 200:
                break
            time.sleep(0.2)
        took = time.monotonic() - t0
        assert r.status_code == 200, \
            f"write_seconds=1: a client that stopped reading still holds its connection " \
            f"{took:.1f}s later (GET /v2/ -> {r.status_code})"
        # What the stalled client receives ends short: the server closed it.
        raw.sock.settimeout(5)
        got = 0
        try:
            while data := raw.sock.recv(1 << 20):
                got += len(data)
        except ConnectionResetError:
            pass
        assert got < len(blob), "the unread download completed although it was dropped"


# ----------------------------------------------------------------------------- (d) stalled body

def test_stalled_patch_body_is_ended_and_upload_stays_consistent(start_registry):
    server = start_registry(timeouts(body=1))
    c = server.client()
    repo = "limits/stall"
    path = upload_path(c, repo)
    data = images.pseudo_random("stalled-body", 1000)

    with RawHttp(server.port, auth=server.auth_header()) as raw:
        t0 = time.monotonic()
        raw.send(f"PATCH {path} HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: {OCTET}\r\n"
                 f"Content-Length: 1000\r\nContent-Range: 0-999\r\n\r\n".encode() + data[:10])
        closed, got = raw.wait_closed(4)
        took = time.monotonic() - t0
    assert closed, f"body_seconds=1: a PATCH stalled after 10 of 1000 bytes was still open " \
        f"after {took:.1f}s (got {got!r})"
    assert took < 3.5, f"body_seconds=1: the stalled PATCH was ended only after {took:.1f}s"
    assert not got.startswith(b"HTTP/1.1 202"), \
        f"a PATCH that delivered 10 of its 1000 bytes was acknowledged: {got!r}"
    assert_serves(server, "after the stalled body")

    # The upload survives, holding exactly the bytes that arrived or none of them.
    loc = server.url + path
    r = c.get(loc)
    assert r.status_code == 204, describe(r, "GET upload status after the stalled PATCH")
    rng = r.headers.get("Range")
    # 0-9: the 10 bytes were kept; 0-0 or none: nothing was (0-0 is how 2.8 says empty).
    assert rng in ("0-9", "0-0", None), describe(r, "Range after the stall")
    held = 10 if rng == "0-9" else 0
    # Resume where the registry says it is: the rest goes in, the digest is that of `data`.
    r = c.patch(loc, data=data[held:], headers={
        "Content-Type": OCTET, "Content-Range": f"{held}-{len(data) - 1}"})
    assert r.status_code == 202, describe(
        r, f"PATCH resuming at offset {held} (Range said {rng!r})")
    assert r.headers.get("Range") == f"0-{len(data) - 1}", describe(r)
    r = c.put(add_query(c.location(r), digest=images.sha256(data)))
    assert r.status_code == 201, describe(r, "PUT ?digest= after resuming")
    r = c.get(f"/v2/{repo}/blobs/{images.sha256(data)}")
    assert r.status_code == 200 and r.content == data, describe(r, "GET the resumed blob")


# ----------------------------------------------------------------------------- (e) pipelining

def test_pipelined_requests_answered_in_order(start_registry):
    server = start_registry()
    c = server.client()
    blob = images.pseudo_random("pipelined", 70_000)
    digest = c.push_blob("limits/pipe", blob)

    with RawHttp(server.port, auth=server.auth_header()) as raw:
        raw.send(GET_V2 * 3)
        for i in range(3):
            status, headers, body = raw.read_response()
            assert status == 200, f"pipelined GET /v2/ #{i + 1}: {status} {headers}"
            assert headers.get("docker-distribution-api-version") == "registry/2.0"
        # A mix whose answers tell the order apart, with and without bodies.
        host = f"Host: {server.host}\r\n"
        raw.send((f"HEAD /v2/limits/pipe/blobs/{digest} HTTP/1.1\r\n{host}\r\n"
                  f"GET /v2/limits/pipe/blobs/{digest} HTTP/1.1\r\n{host}\r\n"
                  f"GET /v2/no/such/tags/list HTTP/1.1\r\n{host}\r\n"
                  f"GET /v2/limits/pipe/blobs/{digest} HTTP/1.1\r\n{host}"
                  f"Range: bytes=5-9\r\n\r\n"
                  f"GET /v2/ HTTP/1.1\r\n{host}\r\n").encode())
        status, headers, body = raw.read_response(head_request=True)
        assert (status, headers.get("content-length")) == (200, str(len(blob))), \
            f"pipelined HEAD blob: {status} {headers}"
        status, headers, body = raw.read_response()
        assert status == 200 and body == blob, f"pipelined GET blob: {status} {len(body)} bytes"
        status, headers, body = raw.read_response()
        assert status == 404, f"pipelined GET unknown repo tags: {status} {body!r}"
        status, headers, body = raw.read_response()
        assert status == 206 and body == blob[5:10], f"pipelined range GET: {status} {body!r}"
        status, headers, body = raw.read_response()
        assert status == 200, f"pipelined GET /v2/ (last): {status}"
        assert raw.buf == b"", f"bytes after the last pipelined response: {raw.buf[:100]!r}"

        # A request with a body and the next request in one write: the body reader must not
        # swallow the request after it.
        path = upload_path(c, "limits/pipe")
        chunk = images.pseudo_random("pipelined-patch", 70_000)
        raw.send(f"PATCH {path} HTTP/1.1\r\n{host}Content-Type: {OCTET}\r\n"
                 f"Content-Length: {len(chunk)}\r\nContent-Range: 0-{len(chunk) - 1}\r\n\r\n"
                 .encode() + chunk + f"GET {path} HTTP/1.1\r\n{host}\r\n".encode())
        status, headers, body = raw.read_response()
        assert status == 202 and headers.get("range") == f"0-{len(chunk) - 1}", \
            f"pipelined PATCH: {status} {headers} {body!r}"
        status, headers, body = raw.read_response()
        assert status == 204 and headers.get("range") == f"0-{len(chunk) - 1}", \
            f"GET upload status pipelined after the PATCH body: {status} {headers} {body!r}"


# ----------------------------------------------------------------------------- (f) keep-alive

def test_keep_alive_reuses_one_connection_for_100_requests(start_registry):
    server = start_registry()
    before = len(server.access_log())
    s = requests.Session()
    s.trust_env = False
    s.auth = server.auth
    for i in range(100):
        r = s.get(f"{server.url}/v2/?keepalive={i}", timeout=5)
        assert r.status_code == 200, f"request {i + 1}: {r.status_code}"
    s.close()
    # Wait for the 100 lines themselves: the start-up probe's line may land after `before`
    # was read, so a count of all new lines can reach 100 one line early.
    deadline = time.monotonic() + 2
    while True:
        lines = server.access_log()[before:]
        mine = [d for d in lines if str(d.get("path", "")).startswith("/v2/?keepalive=")]
        if len(mine) >= 100 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(mine) == 100, f"{len(mine)} access-log lines for the 100 requests"
    # Each line names who asked (the administrator's ARN), never a secret.
    assert {d.get("principal") for d in mine} == {"arn:aws:iam::000000000000:user/admin"}
    assert not any(server.secret_key in json.dumps(d) for d in mine)
    remotes = {d.get("remote") for d in mine}
    assert len(remotes) == 1, \
        f"100 requests on one keep-alive session came from {len(remotes)} connections: " \
        f"{sorted(remotes)[:10]}"


# ----------------------------------------------------------------------------- (g) SIGTERM

def test_sigterm_lets_a_slow_upload_finish_then_exits_zero(start_registry):
    server = start_registry(timeouts(shutdown_grace=10))
    c = server.client()
    repo = "limits/drain"
    path = upload_path(c, repo)
    data = images.pseudo_random("sigterm-drain", 20 * 4096)
    idle = RawHttp(server.port, auth=server.auth_header())  # an idle keep-alive must not delay exit
    idle.send(GET_V2)
    assert idle.read_response()[0] == 200

    raw = RawHttp(server.port, auth=server.auth_header())
    try:
        raw.send(f"PATCH {path} HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: {OCTET}\r\n"
                 f"Content-Length: {len(data)}\r\nContent-Range: 0-{len(data) - 1}\r\n\r\n"
                 .encode())
        t_signal = None
        for i in range(20):  # ~2 s of upload; SIGTERM after the first 0.5 s
            raw.send(data[i * 4096:(i + 1) * 4096])
            time.sleep(0.1)
            if i == 4:
                server.proc.send_signal(signal.SIGTERM)
                t_signal = time.monotonic()
        status, headers, body = raw.read_response()
        assert status == 202, f"PATCH in flight during SIGTERM: expected 202, got {status} " \
            f"{headers} {body!r}"
        assert headers.get("range") == f"0-{len(data) - 1}", headers
    finally:
        raw.close()
    try:
        code = server.proc.wait(5)
    except Exception:
        raise AssertionError(f"wharf still running {time.monotonic() - t_signal:.1f}s after "
                             "SIGTERM although its last request completed") from None
    finally:
        idle.close()
    assert code == 0, f"exit code {code} after SIGTERM; stderr:\n{server.stderr_tail(1500)}"
    server.stop()

    # The acknowledged bytes are there after a restart; the upload completes.
    server.start()
    c = server.client()
    loc = server.url + path
    assert upload_offset(c, loc) == len(data)
    r = c.put(add_query(loc, digest=images.sha256(data)))
    assert r.status_code == 201, describe(r, "PUT ?digest= after the drained PATCH")


# ----------------------------------------------------------------------------- (h) garbage

@pytest.mark.parametrize("garbage", [
    pytest.param(images.pseudo_random("garbage", 512), id="random-bytes"),
    pytest.param(bytes.fromhex("16030100f4010000f00303") + images.pseudo_random("hello", 200),
                 id="tls-hello"),
    pytest.param(b"HELLO THERE, THIS IS NOT HTTP\r\n\r\n", id="text-line"),
    pytest.param(b"GET /v2/ HTTP/1.1\r\nHost x\r\nno colon here\r\n\r\n", id="bad-header"),
])
def test_garbage_gets_400_and_server_keeps_serving(start_registry, garbage):
    server = start_registry()
    with RawHttp(server.port, timeout=5, auth=server.auth_header()) as raw:
        raw.send(garbage)
        try:
            status, headers, body = raw.read_response()
        except (ConnectionError, socket.timeout) as e:
            raise AssertionError(f"{garbage[:40]!r}...: expected an HTTP 400, got {e!r} "
                                 f"({raw.buf[:100]!r})") from None
        assert status == 400, f"{garbage[:40]!r}...: expected 400, got {status} {body!r}"
        closed, _ = raw.wait_closed(3)
        assert closed, "the connection stayed open after a 400 for garbage"
    assert server.alive()
    assert_serves(server, "after garbage")
