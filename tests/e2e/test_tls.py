"""wharf serving HTTPS from `[server.tls]`: curl and requests verify it against the self-signed
certificate it was given, plain HTTP to the TLS port is turned away without harm, and skopeo
pushes and pulls an image over TLS with a certificate directory (`ca.crt`)."""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests

import images
from harness import RawHttp, run
from regclient import describe

pytestmark = pytest.mark.not_on_reference("starts wharf with a TLS config file")


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (CN and IP SAN) and its unencrypted key."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "server.crt", d / "server.key"
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)], timeout=60)
    return cert, key


def tls_config(tls_files, extra: str = "") -> str:
    cert, key = tls_files
    return extra + f'[server.tls]\ncertificate = "{cert}"\nprivate_key = "{key}"\n'


@pytest.fixture
def tls_registry(start_registry, tls_files):
    server = start_registry(tls_config(tls_files), ca_file=tls_files[0], name="tls")
    assert server.scheme == "https", \
        f"TLS config but the ready line is not https: {server.stderr_tail(500)}"
    return server


def curl(*args, timeout=20) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_curl_with_cacert_gets_v2(tls_registry, tls_files):
    cert, _ = tls_files
    p = curl("--cacert", str(cert), "-u", ":".join(tls_registry.auth), "-D", "-", "-o",
             "/dev/null", f"{tls_registry.url}/v2/")
    assert p.returncode == 0, f"curl --cacert {tls_registry.url}/v2/ exit {p.returncode}: " \
        f"{p.stderr.decode()}"
    head = p.stdout.decode("latin-1")
    status = head.splitlines()[0]
    assert " 200" in status, f"GET /v2/ over TLS: {status!r}\n{head}"
    assert "docker-distribution-api-version: registry/2.0" in head.lower(), head

    # The certificate the server presents is the one configured.
    served = ssl.get_server_certificate(("127.0.0.1", tls_registry.port))
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(cert.read_text())

    # Without the CA, curl refuses it: the server is not silently plain or anonymous.
    p = curl(f"{tls_registry.url}/v2/")
    assert p.returncode == 60, f"curl without --cacert: exit {p.returncode} " \
        f"(expected 60, certificate problem): {p.stderr.decode()}"


def test_plain_http_to_tls_port_fails_cleanly(tls_registry, tls_files):
    cert, _ = tls_files
    # curl speaking plain HTTP to the TLS port: an error, quickly, not a hang or a 200.
    t0 = time.monotonic()
    p = curl("-o", "/dev/null", "-w", "%{http_code}", f"http://{tls_registry.host}/v2/")
    took = time.monotonic() - t0
    assert p.stdout.decode() != "200", "plain HTTP to the TLS port was answered 200"
    assert took < 5, f"plain HTTP to the TLS port took {took:.1f}s to fail (curl exit " \
        f"{p.returncode}: {p.stderr.decode()})"

    # Same by hand: the connection is closed (maybe after a TLS alert), never answered in clear.
    with socket.create_connection(("127.0.0.1", tls_registry.port), timeout=5) as s:
        s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        got = b""
        try:
            while True:
                data = s.recv(4096)
                if not data:
                    break
                got += data
        except ConnectionResetError:
            pass
        except socket.timeout:
            pytest.fail(f"plain HTTP request on the TLS port: connection still open after 5 s "
                        f"(got {got[:100]!r})")
    assert not got.startswith(b"HTTP/1.1 200"), f"answered plain HTTP on the TLS port: {got!r}"

    # The server keeps serving TLS afterwards.
    assert tls_registry.alive()
    p = curl("--cacert", str(cert), "-u", ":".join(tls_registry.auth), "-o", "/dev/null", "-w",
             "%{http_code}", f"{tls_registry.url}/v2/")
    assert p.returncode == 0 and p.stdout == b"200", \
        f"after the plain-HTTP attempt: curl exit {p.returncode} code {p.stdout!r} " \
        f"{p.stderr.decode()}"


def test_push_and_pull_over_tls_with_requests(tls_registry, busybox_image):
    c = tls_registry.client()
    repo = "tls/busybox"
    # Blobs: the layer monolithically, the config in chunks (Location URLs must stay https).
    layer = busybox_image.layers[0]
    assert c.push_blob(repo, layer.data, "monolithic") == layer.digest
    cfg = busybox_image.config
    assert c.upload_chunked(repo, cfg.data, chunk=max(1, len(cfg.data) // 3)) == cfg.digest
    r = c.put_manifest(repo, "v1", busybox_image.manifest, busybox_image.media_type)
    assert r.status_code == 201, describe(r, "PUT manifest over TLS")
    assert r.headers.get("Docker-Content-Digest") == busybox_image.digest, describe(r)
    loc = r.headers.get("Location", "")
    assert not loc.startswith("http://"), f"Location over TLS is plain http: {loc}"

    # Pull with a fresh session: same digests, same bytes.
    puller = tls_registry.client()
    r = puller.get_manifest(repo, "v1")
    assert r.status_code == 200, describe(r)
    assert images.sha256(r.content) == busybox_image.digest
    assert r.headers.get("Docker-Content-Digest") == busybox_image.digest
    for blob in busybox_image.blobs:
        r = puller.get(f"/v2/{repo}/blobs/{blob.digest}")
        assert r.status_code == 200, describe(r, "GET blob over TLS")
        assert images.sha256(r.content) == blob.digest, \
            f"blob {blob.digest} pulled over TLS hashes to {images.sha256(r.content)}"


def test_large_blob_and_ranges_over_tls(tls_registry):
    """Over TLS the body cannot go by sendfile: the copying path must frame it the same."""
    c = tls_registry.client(timeout=60)
    data = images.pseudo_random("tls-large", 12 * 1024 * 1024 + 123)
    digest = c.push_blob("tls/large", data, "monolithic")
    url = f"/v2/tls/large/blobs/{digest}"
    r = c.get(url)
    assert r.status_code == 200 and r.content == data, describe(r, "GET 12 MiB over TLS")
    n = len(data)
    for first, last in ((n - 1, n - 1), (5_000_000, 5_300_000), (0, 262_144)):
        r = c.get(url, headers={"Range": f"bytes={first}-{last}"})
        assert r.status_code == 206, describe(r, f"Range {first}-{last} over TLS")
        assert r.headers.get("Content-Range") == f"bytes {first}-{last}/{n}", describe(r)
        assert r.content == data[first:last + 1], f"Range {first}-{last} over TLS: wrong bytes"
    # Keep-alive over TLS: the session still works after ranges (framing intact).
    assert c.get("/v2/").status_code == 200


def test_silent_client_on_tls_port_is_closed_after_header_seconds(start_registry, tls_files):
    """A client that connects and never says hello (or never finishes its head after the
    handshake) is dropped after header_seconds, like on plain HTTP."""
    cert = tls_files[0]
    server = start_registry(tls_config(tls_files, "[server.timeouts]\nheader_seconds = 1\n\n"),
                            ca_file=cert, name="tls-timeout")
    with RawHttp(server.port, auth=server.auth_header()) as silent:
        t0 = time.monotonic()
        closed, _ = silent.wait_closed(4)
        took = time.monotonic() - t0
    assert closed and took < 3.5, \
        f"header_seconds=1: a TLS client that never sent a ClientHello open after {took:.1f}s"

    ctx = ssl.create_default_context(cafile=str(cert))
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as tcp:
        with ctx.wrap_socket(tcp, server_hostname="127.0.0.1") as tls:
            t0 = time.monotonic()
            tls.sendall(b"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
            try:
                got = tls.recv(4096)
            except (ssl.SSLError, ConnectionResetError):
                got = b""
            except socket.timeout:
                pytest.fail("header_seconds=1: an incomplete head over TLS still open after 5 s")
            took = time.monotonic() - t0
    assert got == b"" and took < 3.5, \
        f"header_seconds=1: incomplete head over TLS: after {took:.1f}s got {got[:100]!r}"
    r = requests.get(server.url + "/v2/", verify=str(cert), timeout=5,
                     auth=server.auth)
    assert r.status_code == 200


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")
def test_skopeo_copy_over_tls_with_cert_dir(tls_registry, tls_files, tool_env, tmp_path,
                                            busybox_image):
    cert, _ = tls_files
    # containers/image: in a cert dir, *.crt are CA certificates (*.cert/*.key a client pair).
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(cert, certs / "ca.crt")
    dest = f"{tls_registry.host}/tls/skopeo:v1"
    policy = tool_env["WHARF_E2E_POLICY"]
    run(["skopeo", "--policy", policy, "copy", "--preserve-digests", "--dest-cert-dir",
         str(certs), busybox_image.oci_ref, f"docker://{dest}"], env=tool_env, timeout=120)

    raw = run(["skopeo", "--policy", policy, "inspect", "--raw", "--cert-dir", str(certs),
               f"docker://{dest}"], env=tool_env, timeout=60).stdout
    assert images.sha256(raw) == busybox_image.digest

    back = tmp_path / "back"
    run(["skopeo", "--policy", policy, "copy", "--preserve-digests", "--src-cert-dir",
         str(certs), f"docker://{dest}", f"oci:{back}:v1"], env=tool_env, timeout=120)
    media_type, manifest = images.read_layout_manifest(back, "v1")
    assert images.sha256(manifest) == busybox_image.digest
    for digest in busybox_image.all_blobs():
        f = back / "blobs" / "sha256" / digest.split(":")[1]
        assert f.is_file() and images.sha256(f.read_bytes()) == digest, \
            f"blob {digest} missing or altered after the TLS round trip"

    # Verification is real: without the cert dir skopeo refuses the self-signed certificate.
    p = run(["skopeo", "--policy", policy, "inspect", "--raw", f"docker://{dest}"],
            env=tool_env, timeout=60, check=False)
    assert p.returncode != 0, "skopeo accepted the self-signed certificate without --cert-dir"
    assert b"certificate" in p.stderr.lower(), p.stderr.decode()[-1000:]
