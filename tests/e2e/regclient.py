"""A small OCI Distribution client over `requests`, speaking the wire protocol exactly as the
spec words it, for the tests that check the protocol itself (errors, restarts, crash loop).
Real clients (skopeo, buildah, ctr) are driven by their own test files."""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urljoin

import requests

from images import ACCEPT_ALL, Image, sha256

OCTET = "application/octet-stream"


class RegistryClient:
    def __init__(self, base_url: str, timeout: float = 30.0, auth: tuple[str, str] | None = None):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.auth = auth

    # ---- plumbing
    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return self.base + path

    def location(self, resp: requests.Response) -> str:
        """Absolute URL of a response's Location header (which may be relative)."""
        loc = resp.headers.get("Location")
        assert loc, f"{resp.request.method} {resp.url} -> {resp.status_code}: no Location header"
        return urljoin(resp.url, loc)

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", self.timeout)
        kw.setdefault("allow_redirects", False)
        return self.session.request(method, self.url(path), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # ---- uploads
    def start_upload(self, repo: str, **kw) -> requests.Response:
        r = self.post(f"/v2/{repo}/blobs/uploads/", **kw)
        assert r.status_code == 202, describe(r, "POST upload")
        return r

    def upload_monolithic(self, repo: str, data: bytes) -> str:
        """POST then PUT ?digest= with the whole body."""
        digest = sha256(data)
        r = self.start_upload(repo)
        r = self.put(add_query(self.location(r), digest=digest), data=data,
                     headers={"Content-Type": OCTET})
        assert r.status_code == 201, describe(r, "PUT upload")
        return digest

    def upload_single_post(self, repo: str, data: bytes) -> requests.Response:
        """POST ?digest= with the body: one request."""
        return self.post(f"/v2/{repo}/blobs/uploads/?digest={sha256(data)}", data=data,
                         headers={"Content-Type": OCTET, "Content-Length": str(len(data))})

    def upload_chunked(self, repo: str, data: bytes, chunk: int = 64 * 1024) -> str:
        digest = sha256(data)
        r = self.start_upload(repo)
        loc = self.location(r)
        for offset in range(0, len(data), chunk):
            piece = data[offset:offset + chunk]
            r = self.patch(loc, data=piece, headers={
                "Content-Type": OCTET,
                "Content-Range": f"{offset}-{offset + len(piece) - 1}",
                "Content-Length": str(len(piece))})
            assert r.status_code == 202, describe(r, f"PATCH chunk at {offset}")
            loc = self.location(r)
        r = self.put(add_query(loc, digest=digest), headers={"Content-Length": "0"})
        assert r.status_code == 201, describe(r, "PUT closing chunked upload")
        return digest

    def push_blob(self, repo: str, data: bytes, how: str = "monolithic") -> str:
        if how == "chunked":
            return self.upload_chunked(repo, data)
        if how == "post":
            r = self.upload_single_post(repo, data)
            if r.status_code == 202:  # the registry may ignore the body; finish with PUT
                r = self.put(add_query(self.location(r), digest=sha256(data)), data=data)
            assert r.status_code == 201, describe(r, "POST ?digest=")
            return sha256(data)
        return self.upload_monolithic(repo, data)

    def blob_exists(self, repo: str, digest: str) -> bool:
        return self.head(f"/v2/{repo}/blobs/{digest}").status_code == 200

    # ---- manifests
    def put_manifest(self, repo: str, ref: str, body: bytes, media_type: str) -> requests.Response:
        return self.put(f"/v2/{repo}/manifests/{ref}", data=body,
                        headers={"Content-Type": media_type})

    def get_manifest(self, repo: str, ref: str, accept: str = ACCEPT_ALL) -> requests.Response:
        return self.get(f"/v2/{repo}/manifests/{ref}", headers={"Accept": accept})

    def push_image(self, repo: str, image: Image, tag: str | None = None,
                   how: str = "monolithic") -> str:
        """Pushes blobs, child manifests (by digest) and the manifest (by tag or digest)."""
        for blob in image.blobs:
            if not self.blob_exists(repo, blob.digest):
                self.push_blob(repo, blob.data, how)
        for child in image.children:
            self.push_image(repo, child, None, how)
        r = self.put_manifest(repo, tag or image.digest, image.manifest, image.media_type)
        assert r.status_code == 201, describe(r, f"PUT manifest {repo}:{tag or image.digest}")
        return image.digest

    def tags(self, repo: str) -> list[str]:
        r = self.get(f"/v2/{repo}/tags/list")
        assert r.status_code == 200, describe(r, "GET tags/list")
        return r.json().get("tags") or []


def add_query(url: str, **params) -> str:
    from urllib.parse import urlencode
    return url + ("&" if "?" in url else "?") + urlencode(params)


def describe(r: requests.Response, what: str = "") -> str:
    """One line a failing assertion prints: request, status, headers that matter, body."""
    body = r.content[:600]
    try:
        body = json.dumps(r.json())[:600]
    except ValueError:
        body = body.decode("utf-8", "replace")
    hdrs = {k: v for k, v in r.headers.items()
            if k.lower() in ("location", "range", "content-range", "docker-content-digest",
                             "docker-upload-uuid", "content-type", "content-length", "link",
                             "oci-subject", "oci-filters-applied", "oci-chunk-min-length")}
    return (f"{what}: {r.request.method} {r.request.url} -> {r.status_code} "
            f"headers={hdrs} body={body!r}")


def error_codes(r: requests.Response) -> list[str]:
    """Codes of a spec error body; fails the test when the body is not one."""
    try:
        doc = r.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {describe(r)}") from None
    assert isinstance(doc, dict) and isinstance(doc.get("errors"), list) and doc["errors"], \
        f"error body is not {{\"errors\":[...]}}: {describe(r)}"
    for e in doc["errors"]:
        assert isinstance(e, dict) and isinstance(e.get("code"), str), \
            f"error without a string code: {describe(r)}"
        assert "message" in e, f"error without message: {describe(r)}"
    return [e["code"] for e in doc["errors"]]


def assert_error(r: requests.Response, status: int | tuple, code: str | tuple, what: str = ""):
    statuses = status if isinstance(status, tuple) else (status,)
    codes = code if isinstance(code, tuple) else (code,)
    assert r.status_code in statuses, \
        f"expected HTTP {' or '.join(map(str, statuses))} {'/'.join(codes)}; " + describe(r, what)
    got = error_codes(r)
    assert got[0] in codes, \
        f"expected code {' or '.join(codes)}, got {got}; " + describe(r, what)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
