"""The OCI Distribution v1.1 wire protocol with curl-like requests: every error path answers
the right HTTP status and a {"errors":[{"code","message","detail"}]} body, and nothing is
left behind by a failed request. Also the headers a client relies on (Range, Location,
Docker-Content-Digest, Link)."""
from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

import images
from regclient import OCTET, add_query, assert_error, describe, error_codes

REPO = "errors/app"


def small_image(tag_text: str = "x") -> images.Image:
    """A tiny valid image (one small layer) whose digest depends on tag_text."""
    layer = images.LayerBuilder().file("hello.txt", f"{tag_text}\n".encode()).build()
    return images.make_image(f"small-{tag_text}", [layer])


def assert_no_body(r, what):
    assert r.content == b"", f"{what}: HEAD must have no body; " + describe(r)


def link_next(r) -> str | None:
    link = r.headers.get("Link")
    if not link:
        return None
    m = re.match(r'\s*<([^>]+)>\s*;\s*rel="?next"?', link)
    assert m, f"Link header is not <url>; rel=\"next\": {link!r}"
    return m.group(1)


# ----------------------------------------------------------------------------- base

def test_base_endpoint(client):
    r = client.get("/v2/")
    assert r.status_code == 200, describe(r)
    assert r.headers.get("Docker-Distribution-API-Version") == "registry/2.0", describe(r)


# ----------------------------------------------------------------------------- names

@pytest.mark.not_on_reference("distribution's router answers 404 text/plain for names "
                              "outside the grammar")
@pytest.mark.parametrize("name", ["Upper/case", "bad..dots", "-leading", "trailing-",
                                  "a" * 300, "a//b", "with space"])
def test_name_invalid(client, name):
    r = client.post(f"/v2/{name}/blobs/uploads/")
    assert_error(r, 400, "NAME_INVALID", f"POST upload to {name!r}")
    r = client.get_manifest(name, "latest")
    assert_error(r, (400, 404), ("NAME_INVALID",), f"GET manifest of {name!r}")


def test_longest_valid_name_accepted(client):
    name = "/".join(["n" * 63] * 4)  # 255 characters, nested
    assert len(name) == 255
    img = small_image("long")
    client.push_image(name, img, "v1")
    r = client.get_manifest(name, "v1")
    assert r.status_code == 200 and r.content == img.manifest, describe(r)


def test_name_unknown(client):
    r = client.get("/v2/never/pushed/tags/list")
    assert_error(r, 404, "NAME_UNKNOWN", "tags/list of a repository never pushed")
    r = client.get_manifest("never/pushed", "latest")
    assert_error(r, 404, ("NAME_UNKNOWN", "MANIFEST_UNKNOWN"), "manifest of unknown repo")
    r = client.get(f"/v2/never/pushed/blobs/{images.sha256(b'x')}")
    assert_error(r, 404, ("NAME_UNKNOWN", "BLOB_UNKNOWN"), "blob of unknown repo")


# ----------------------------------------------------------------------------- unknown content

def test_manifest_unknown(client):
    img = small_image()
    client.push_image(REPO, img, "v1")
    r = client.get_manifest(REPO, "nosuchtag")
    assert_error(r, 404, "MANIFEST_UNKNOWN", "GET unknown tag")
    missing = images.sha256(b"no such manifest")
    r = client.get_manifest(REPO, missing)
    assert_error(r, 404, "MANIFEST_UNKNOWN", "GET unknown digest")
    r = client.head(f"/v2/{REPO}/manifests/nosuchtag")
    assert r.status_code == 404, describe(r)
    assert_no_body(r, "HEAD unknown manifest")
    r = client.head(f"/v2/{REPO}/manifests/{missing}")
    assert r.status_code == 404, describe(r)
    assert_no_body(r, "HEAD unknown manifest digest")


def test_blob_unknown(client):
    client.push_image(REPO, small_image(), "v1")
    missing = images.sha256(b"no such blob")
    r = client.get(f"/v2/{REPO}/blobs/{missing}")
    assert_error(r, 404, "BLOB_UNKNOWN", "GET unknown blob")
    r = client.head(f"/v2/{REPO}/blobs/{missing}")
    assert r.status_code == 404, describe(r)
    assert_no_body(r, "HEAD unknown blob")


def test_blob_of_other_repository_not_readable(client):
    """A blob is readable in a repository only if that repository has it."""
    data = b"private layer of repo one"
    client.push_blob("errors/one", data)
    client.push_image("errors/two", small_image(), "v1")  # repo two exists, lacks the blob
    r = client.get(f"/v2/errors/two/blobs/{images.sha256(data)}")
    assert_error(r, 404, "BLOB_UNKNOWN", "GET another repository's blob")


# ----------------------------------------------------------------------------- digests

@pytest.mark.parametrize("bad", ["sha256:xyz", "sha256:" + "a" * 63, "sha256:" + "A" * 64,
                                 "nosuchalgo:" + "a" * 64, "sha256"])
def test_digest_invalid_on_upload_put(client, bad):
    r = client.start_upload(REPO)
    r = client.put(add_query(client.location(r), digest=bad), data=b"payload",
                   headers={"Content-Type": OCTET})
    assert_error(r, 400, ("DIGEST_INVALID", "UNSUPPORTED"), f"PUT upload ?digest={bad}")


@pytest.mark.not_on_reference("distribution 2.8 answers 500 UNKNOWN")
def test_digest_invalid_in_path(client):
    client.push_image(REPO, small_image(), "v1")
    r = client.get_manifest(REPO, "sha256:nothex")
    assert_error(r, 400, "DIGEST_INVALID", "GET manifest sha256:nothex")
    r = client.get(f"/v2/{REPO}/blobs/sha256:nothex")
    assert_error(r, (400, 404), "DIGEST_INVALID", "GET blob sha256:nothex")


def test_digest_mismatch_on_upload_stores_nothing(client):
    data, claimed = b"the real content", images.sha256(b"some other content")
    r = client.start_upload(REPO)
    r = client.put(add_query(client.location(r), digest=claimed), data=data,
                   headers={"Content-Type": OCTET})
    assert_error(r, 400, "DIGEST_INVALID", "PUT upload with a digest that does not match")
    for d in (claimed, images.sha256(data)):
        r = client.head(f"/v2/{REPO}/blobs/{d}")
        assert r.status_code == 404, "a failed upload left a blob behind: " + describe(r)

    # Chunked, then a closing PUT with the wrong digest.
    r = client.start_upload(REPO)
    r = client.patch(client.location(r), data=data,
                     headers={"Content-Type": OCTET, "Content-Range": f"0-{len(data) - 1}"})
    assert r.status_code == 202, describe(r)
    r = client.put(add_query(client.location(r), digest=claimed))
    assert_error(r, 400, "DIGEST_INVALID", "closing PUT with a digest that does not match")
    assert client.head(f"/v2/{REPO}/blobs/{images.sha256(data)}").status_code == 404


def test_digest_mismatch_on_manifest_put_stores_nothing(client):
    img = small_image()
    for blob in img.blobs:
        client.push_blob(REPO, blob.data)
    wrong = images.sha256(b"not this manifest")
    r = client.put_manifest(REPO, wrong, img.manifest, img.media_type)
    assert_error(r, 400, "DIGEST_INVALID", "PUT manifest by a digest its body does not have")
    for ref in (wrong, img.digest):
        r = client.get_manifest(REPO, ref)
        assert r.status_code == 404, "a refused manifest was stored: " + describe(r)


# ----------------------------------------------------------------------------- manifests

def test_manifest_blob_unknown_names_the_blob(client):
    img = small_image()
    client.push_blob(REPO, img.config.data)  # config present, layer missing
    missing = img.layers[0].digest
    r = client.put_manifest(REPO, "v1", img.manifest, img.media_type)
    assert_error(r, 400, "MANIFEST_BLOB_UNKNOWN", "PUT manifest whose layer is missing")
    assert missing in r.text, f"the error should name the missing blob {missing}: " + describe(r)
    r = client.get_manifest(REPO, "v1")
    assert r.status_code == 404, "refused manifest is visible under its tag: " + describe(r)


def test_index_with_unknown_child_refused(client):
    index = images.platform_index()
    child = index.children[0]  # pushed; the second child is not
    client.push_image(REPO, child)
    r = client.put_manifest(REPO, "multi", index.manifest, index.media_type)
    assert_error(r, 400, ("MANIFEST_BLOB_UNKNOWN", "MANIFEST_UNKNOWN"),
                 "PUT index naming a manifest that is not stored")
    assert index.children[1].digest in r.text, describe(r)


MT = images.MT_MANIFEST.encode()


@pytest.mark.parametrize("body", [
    pytest.param(b"this is not json", id="not-json"),
    pytest.param(b'{"schemaVersion": 2, "mediaType": "' + MT + b'"', id="truncated"),
    pytest.param(b"[]", id="array"),
    pytest.param(b'{"schemaVersion": 2, "mediaType": "' + MT + b'", "layers": []}',
                 id="no-config",
                 marks=pytest.mark.not_on_reference("distribution 2.8: DIGEST_INVALID")),
    pytest.param(b'{"schemaVersion": 3, "mediaType": "' + MT + b'", "config": {}, "layers": []}',
                 id="schema-3",
                 marks=pytest.mark.not_on_reference("distribution 2.8: 500 UNKNOWN")),
])
def test_manifest_invalid(client, body):
    client.push_image(REPO, small_image(), "v1")
    r = client.put_manifest(REPO, "bad", body, images.MT_MANIFEST)
    assert_error(r, 400, "MANIFEST_INVALID", "PUT an invalid manifest")
    assert client.get_manifest(REPO, "bad").status_code == 404


@pytest.mark.not_on_reference("distribution 2.8 does not compare Content-Type with mediaType")
def test_manifest_media_type_mismatch(client):
    img = small_image()
    for blob in img.blobs:
        client.push_blob(REPO, blob.data)
    r = client.put_manifest(REPO, "v1", img.manifest, images.MT_INDEX)
    assert_error(r, 400, "MANIFEST_INVALID", "PUT manifest whose mediaType is not Content-Type")


def test_schema1_refused(client):
    img = small_image()
    for blob in img.blobs:
        client.push_blob(REPO, blob.data)
    schema1 = {
        "schemaVersion": 1, "name": REPO, "tag": "old", "architecture": "amd64",
        "fsLayers": [{"blobSum": img.layers[0].digest}],
        "history": [{"v1Compatibility": json.dumps({"id": "a" * 64, "created": images.CREATED})}],
        "signatures": [{"header": {"alg": "ES256"}, "signature": "c2ln", "protected": "e30"}],
    }
    body = json.dumps(schema1, indent=3).encode()
    for mt in (images.MT_SCHEMA1_SIGNED, "application/vnd.docker.distribution.manifest.v1+json"):
        r = client.put_manifest(REPO, "old", body, mt)
        assert_error(r, (400, 415), ("MANIFEST_INVALID", "UNSUPPORTED"), f"PUT schema 1 as {mt}")
    assert client.get_manifest(REPO, "old").status_code == 404


def big_manifest(img: images.Image, total: int) -> bytes:
    doc = img.json
    doc["annotations"] = {"org.example.padding": ""}
    base = len(images.dumps(doc))
    doc["annotations"]["org.example.padding"] = "p" * (total - base)
    body = images.dumps(doc)
    assert len(body) == total
    return body


def test_manifest_of_4mib_accepted(client):
    img = small_image()
    for blob in img.blobs:
        client.push_blob(REPO, blob.data)
    body = big_manifest(img, 4 * 1024 * 1024)
    r = client.put_manifest(REPO, "big", body, img.media_type)
    assert r.status_code == 201, "a 4 MiB manifest must be accepted: " + describe(r)
    r = client.get_manifest(REPO, "big")
    assert r.status_code == 200 and images.sha256(r.content) == images.sha256(body)


@pytest.mark.not_on_reference("distribution 2.8 has no manifest size limit")
def test_manifest_over_4mib_refused(client):
    img = small_image()
    for blob in img.blobs:
        client.push_blob(REPO, blob.data)
    body = big_manifest(img, 4 * 1024 * 1024 + 1)
    try:
        r = client.put_manifest(REPO, "huge", body, img.media_type)
    except requests.ConnectionError as e:
        raise AssertionError(f"PUT of a {len(body)}-byte manifest: the server closed the "
                             f"connection without a readable 413 response ({e})")
    assert r.status_code == 413, "a manifest over 4 MiB must get 413: " + describe(r)
    if r.content:
        error_codes(r)
    assert client.get_manifest(REPO, "huge").status_code == 404


def test_manifest_put_headers(client):
    img = small_image()
    for blob in img.blobs:
        client.push_blob(REPO, blob.data)
    r = client.put_manifest(REPO, "v1", img.manifest, img.media_type)
    assert r.status_code == 201, describe(r)
    assert r.headers.get("Docker-Content-Digest") == img.digest, describe(r)
    assert r.headers.get("Location"), describe(r)
    for method in ("GET", "HEAD"):
        r = client.request(method, f"/v2/{REPO}/manifests/v1",
                           headers={"Accept": images.ACCEPT_ALL})
        assert r.status_code == 200, describe(r)
        assert r.headers.get("Docker-Content-Digest") == img.digest, describe(r)
        assert r.headers.get("Content-Type") == img.media_type, describe(r)
        assert int(r.headers.get("Content-Length", -1)) == img.size, describe(r)
    r = client.get(f"/v2/{REPO}/blobs/{img.config.digest}")
    assert r.status_code == 200 and r.content == img.config.data, describe(r)
    assert r.headers.get("Docker-Content-Digest") == img.config.digest, describe(r)
    r = client.head(f"/v2/{REPO}/blobs/{img.config.digest}")
    assert r.status_code == 200 and r.content == b"", describe(r)
    assert r.headers.get("Docker-Content-Digest") == img.config.digest, describe(r)
    assert int(r.headers.get("Content-Length", -1)) == img.config.size, describe(r)


# ----------------------------------------------------------------------------- uploads

@pytest.mark.not_on_reference("distribution 2.8 ignores the body of POST ?digest= (202)")
def test_single_post_monolithic_upload(client):
    data = b"single POST monolithic upload" * 100
    r = client.upload_single_post(REPO, data)
    assert r.status_code == 201, describe(r, "POST ?digest= with body")
    assert r.headers.get("Docker-Content-Digest") == images.sha256(data), describe(r)
    assert r.headers.get("Location"), describe(r)
    r = client.get(client.location(r))
    assert r.status_code == 200 and r.content == data, describe(r)


@pytest.mark.not_on_reference("distribution 2.8 sends no OCI-Chunk-Min-Length")
def test_chunk_min_length_advertised(client):
    r = client.start_upload(REPO)
    value = r.headers.get("OCI-Chunk-Min-Length")
    assert value is not None and value.isdigit(), "POST upload lacks OCI-Chunk-Min-Length: " + \
        describe(r)


def test_upload_status(client):
    r = client.start_upload(REPO)
    loc = client.location(r)
    upload_id = r.headers.get("Docker-Upload-UUID")
    assert upload_id, describe(r)
    r = client.patch(loc, data=b"x" * 100, headers={"Content-Type": OCTET,
                                                    "Content-Range": "0-99"})
    assert r.status_code == 202, describe(r)
    assert r.headers.get("Range") == "0-99", describe(r)
    loc = client.location(r)
    r = client.get(loc)
    assert r.status_code == 204, describe(r, "GET upload status")
    assert r.headers.get("Range") == "0-99", describe(r)
    assert r.headers.get("Docker-Upload-UUID") == upload_id, describe(r)
    assert r.headers.get("Location"), describe(r)


@pytest.mark.not_on_reference("distribution 2.8 ignores Content-Range on PATCH and appends")
def test_chunked_upload_out_of_order(client):
    data = bytes(range(256)) * 4  # 1024 bytes
    r = client.start_upload(REPO)
    loc = client.location(r)
    r = client.patch(loc, data=data[:100], headers={"Content-Type": OCTET,
                                                    "Content-Range": "0-99"})
    assert r.status_code == 202 and r.headers.get("Range") == "0-99", describe(r)
    loc = client.location(r)

    r = client.patch(loc, data=data[200:300], headers={"Content-Type": OCTET,
                                                       "Content-Range": "200-299"})
    assert r.status_code == 416, "a chunk past the end must get 416: " + describe(r)
    assert r.headers.get("Range") == "0-99", "416 must carry the current Range: " + describe(r)
    if r.content:
        error_codes(r)

    r = client.patch(loc, data=data[50:150], headers={"Content-Type": OCTET,
                                                      "Content-Range": "50-149"})
    assert r.status_code == 416, "an overlapping chunk must get 416: " + describe(r)

    # The session is intact: the right chunk continues it.
    r = client.get(loc)
    assert r.status_code == 204 and r.headers.get("Range") == "0-99", describe(r)
    r = client.patch(loc, data=data[100:], headers={"Content-Type": OCTET,
                                                    "Content-Range": f"100-{len(data) - 1}"})
    assert r.status_code == 202, describe(r)
    assert r.headers.get("Range") == f"0-{len(data) - 1}", describe(r)
    r = client.put(add_query(client.location(r), digest=images.sha256(data)))
    assert r.status_code == 201, describe(r)
    assert client.get(f"/v2/{REPO}/blobs/{images.sha256(data)}").content == data


@pytest.mark.not_on_reference("distribution 2.8 answers BLOB_UPLOAD_INVALID without its _state")
def test_upload_unknown(client):
    client.push_image(REPO, small_image(), "v1")
    bogus = f"/v2/{REPO}/blobs/uploads/{uuid.uuid4()}"
    r = client.get(bogus)
    assert_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "GET status of unknown upload")
    r = client.patch(bogus, data=b"abc", headers={"Content-Type": OCTET, "Content-Range": "0-2"})
    assert_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "PATCH unknown upload")
    r = client.put(add_query(bogus, digest=images.sha256(b"abc")), data=b"abc")
    assert_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "PUT unknown upload")


@pytest.mark.not_on_reference("distribution 2.8 answers BLOB_UPLOAD_INVALID (_state mismatch)")
def test_upload_of_other_repository_unknown(client):
    r = client.start_upload("errors/one")
    loc = client.location(r)
    other = loc.replace("/errors/one/", "/errors/two/")
    assert other != loc
    client.push_image("errors/two", small_image(), "v1")
    r = client.get(other)
    assert_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "upload id used under another repository")


def test_cancel_upload(client):
    r = client.start_upload(REPO)
    r = client.patch(client.location(r), data=b"y" * 10,
                     headers={"Content-Type": OCTET, "Content-Range": "0-9"})
    assert r.status_code == 202, describe(r)
    loc = client.location(r)
    r = client.delete(loc)
    assert r.status_code == 204, describe(r, "DELETE upload")
    r = client.get(loc)
    assert_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "status of a cancelled upload")
    r = client.put(add_query(loc, digest=images.sha256(b"y" * 10)))
    assert_error(r, 404, "BLOB_UPLOAD_UNKNOWN", "finishing a cancelled upload")
    assert client.head(f"/v2/{REPO}/blobs/{images.sha256(b'y' * 10)}").status_code == 404


def test_empty_blob(client):
    digest = client.upload_monolithic(REPO, b"")
    assert digest == images.sha256(b"")
    r = client.get(f"/v2/{REPO}/blobs/{digest}")
    assert r.status_code == 200 and r.content == b"", describe(r)
    assert r.headers.get("Docker-Content-Digest") == digest, describe(r)


def test_streamed_patches_without_content_range(client):
    data = b"streamed " * 5000
    r = client.start_upload(REPO)
    loc = client.location(r)
    for start in (0, 20000):
        piece = data[start:start + 20000]
        r = client.patch(loc, data=piece, headers={"Content-Type": OCTET})
        assert r.status_code == 202, describe(r, "PATCH without Content-Range")
        assert r.headers.get("Range") == f"0-{min(start + 20000, len(data)) - 1}", describe(r)
        loc = client.location(r)
    r = client.put(add_query(loc, digest=images.sha256(data[:40000])))
    assert r.status_code == 201, describe(r)
    assert client.get(f"/v2/{REPO}/blobs/{images.sha256(data[:40000])}").content == data[:40000]


def test_last_chunk_in_closing_put(client):
    data = bytes(range(256)) * 100
    r = client.start_upload(REPO)
    r = client.patch(client.location(r), data=data[:10000],
                     headers={"Content-Type": OCTET, "Content-Range": "0-9999"})
    assert r.status_code == 202, describe(r)
    r = client.put(add_query(client.location(r), digest=images.sha256(data)), data=data[10000:],
                   headers={"Content-Type": OCTET,
                            "Content-Range": f"10000-{len(data) - 1}"})
    assert r.status_code == 201, describe(r, "closing PUT carrying the last chunk")
    assert client.get(f"/v2/{REPO}/blobs/{images.sha256(data)}").content == data


@pytest.mark.not_on_reference("distribution's router answers 404 text/plain for such tags")
@pytest.mark.parametrize("tag", [".hidden", "-dash", "a" * 129, "tag+plus"])
def test_tag_invalid(client, tag):
    img = small_image()
    for blob in img.blobs:
        client.push_blob(REPO, blob.data)
    r = client.put_manifest(REPO, tag, img.manifest, img.media_type)
    assert_error(r, (400, 404), ("TAG_INVALID", "MANIFEST_INVALID", "NAME_INVALID"),
                 f"PUT manifest under the tag {tag!r}")
    assert client.get_manifest(REPO, img.digest).status_code == 404


# ----------------------------------------------------------------------------- mount

def test_cross_repository_mount(client):
    data = b"layer shared between repositories" * 50
    digest = client.push_blob("errors/source", data)
    r = client.post(f"/v2/errors/target/blobs/uploads/?mount={digest}&from=errors/source")
    assert r.status_code == 201, describe(r, "mount")
    assert r.headers.get("Docker-Content-Digest") == digest, describe(r)
    assert r.headers.get("Location"), describe(r)
    r = client.get(client.location(r))
    assert r.status_code == 200 and r.content == data, describe(r)
    assert client.get(f"/v2/errors/target/blobs/{digest}").content == data


def test_mount_falls_back_to_upload(client):
    client.push_image("errors/source", small_image(), "v1")
    data = b"not in the source repository"
    digest = images.sha256(data)
    for source in ("errors/source", "errors/nosuchrepo"):
        r = client.post(f"/v2/errors/target/blobs/uploads/?mount={digest}&from={source}")
        assert r.status_code == 202, describe(r, f"mount of a blob {source} lacks")
        assert r.headers.get("Location"), describe(r)
        r = client.put(add_query(client.location(r), digest=digest), data=data,
                       headers={"Content-Type": OCTET})
        assert r.status_code == 201, describe(r, "finishing the fallback upload")


# ----------------------------------------------------------------------------- ranges

def test_range_get(client):
    data = bytes(range(256)) * 8  # 2048 bytes
    digest = client.push_blob(REPO, data)
    r = client.get(f"/v2/{REPO}/blobs/{digest}", headers={"Range": "bytes=100-199"})
    assert r.status_code == 206, describe(r)
    assert r.headers.get("Content-Range") == f"bytes 100-199/{len(data)}", describe(r)
    assert r.content == data[100:200]
    r = client.get(f"/v2/{REPO}/blobs/{digest}", headers={"Range": "bytes=2000-"})
    assert r.status_code == 206 and r.content == data[2000:], describe(r)
    r = client.get(f"/v2/{REPO}/blobs/{digest}", headers={"Range": "bytes=5000-6000"})
    assert r.status_code == 416, describe(r, "unsatisfiable range")
    assert r.headers.get("Content-Range") == f"bytes */{len(data)}", describe(r)


# ----------------------------------------------------------------------------- listing

TAGS = [f"t{i:02d}" for i in range(7)] + ["latest", "v1.0", "v1.0-rc"]


def push_tags(client, tags) -> images.Image:
    img = small_image()
    client.push_image(REPO, img, tags[0])
    for tag in tags[1:]:
        r = client.put_manifest(REPO, tag, img.manifest, img.media_type)
        assert r.status_code == 201, describe(r)
    return img


def test_tags_list(client):
    push_tags(client, TAGS)
    r = client.get(f"/v2/{REPO}/tags/list")
    assert r.status_code == 200, describe(r)
    assert r.json()["name"] == REPO, describe(r)
    assert sorted(r.json()["tags"]) == sorted(TAGS), describe(r)


@pytest.mark.not_on_reference("distribution 2.8 ignores n and last on tags/list")
def test_tags_pagination(client):
    push_tags(client, TAGS)
    want = TAGS
    got, url, pages = [], f"/v2/{REPO}/tags/list?n=3", 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, describe(r)
        page = r.json()["tags"]
        assert len(page) <= 3, describe(r)
        got += page
        pages += 1
        url = link_next(r)
        assert pages <= 10, "pagination does not end"
    assert got == sorted(want)
    assert pages >= 4

    r = client.get(f"/v2/{REPO}/tags/list", params={"n": 2, "last": "t03"})
    assert r.status_code == 200 and r.json()["tags"] == ["t04", "t05"], describe(r)


def test_catalog_pagination(client):
    img = small_image()
    # Names whose byte order is also distribution's directory-walk order.
    repos = sorted(["cat/a", "cat/b", "cat/b/c", "cat/d", "dog", "zeta-1", "zeta_2"])
    for repo in repos:
        client.push_image(repo, img, "v1")
    r = client.get("/v2/_catalog")
    assert r.status_code == 200, describe(r)
    assert r.json()["repositories"] == repos, describe(r)
    got, url, pages = [], "/v2/_catalog?n=2", 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, describe(r)
        page = r.json()["repositories"]
        assert len(page) <= 2, describe(r)
        got += page
        pages += 1
        url = link_next(r)
        assert pages <= 10, "pagination does not end"
    assert got == repos
    r = client.get("/v2/_catalog", params={"n": 2, "last": "cat/b"})
    assert r.status_code == 200 and r.json()["repositories"] == ["cat/b/c", "cat/d"], describe(r)


# ----------------------------------------------------------------------------- delete

def test_delete_manifest(client):
    img = small_image()
    client.push_image(REPO, img, "v1")
    r = client.delete(f"/v2/{REPO}/manifests/{img.digest}")
    assert r.status_code == 202, describe(r)
    assert_error(client.get_manifest(REPO, img.digest), 404, "MANIFEST_UNKNOWN", "deleted digest")
    assert_error(client.get_manifest(REPO, "v1"), 404, "MANIFEST_UNKNOWN", "tag of deleted")
    r = client.delete(f"/v2/{REPO}/manifests/{img.digest}")
    assert_error(r, 404, "MANIFEST_UNKNOWN", "deleting it again")


@pytest.mark.not_on_reference("distribution 2.8 cannot delete a tag (405 UNSUPPORTED)")
def test_delete_tag_keeps_manifest(client):
    img = small_image()
    client.push_image(REPO, img, "a")
    assert client.put_manifest(REPO, "b", img.manifest, img.media_type).status_code == 201
    r = client.delete(f"/v2/{REPO}/manifests/a")
    assert r.status_code == 202, describe(r, "DELETE tag")
    assert_error(client.get_manifest(REPO, "a"), 404, "MANIFEST_UNKNOWN", "deleted tag")
    r = client.get_manifest(REPO, "b")
    assert r.status_code == 200 and r.content == img.manifest, describe(r)
    r = client.get_manifest(REPO, img.digest)
    assert r.status_code == 200, describe(r)
    assert client.tags(REPO) == ["b"]


def test_delete_blob(client):
    data = b"blob to delete"
    digest = client.push_blob(REPO, data)
    r = client.delete(f"/v2/{REPO}/blobs/{digest}")
    assert r.status_code == 202, describe(r)
    r = client.head(f"/v2/{REPO}/blobs/{digest}")
    assert r.status_code == 404, describe(r)
    assert_error(client.get(f"/v2/{REPO}/blobs/{digest}"), 404, "BLOB_UNKNOWN", "deleted blob")
    r = client.delete(f"/v2/{REPO}/blobs/{digest}")
    assert_error(r, 404, "BLOB_UNKNOWN", "deleting it again")
