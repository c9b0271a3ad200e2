"""skopeo pushes the test images to the registry and pulls them back: digests must not change.
Then the OCI 1.1 referrers API lists the SBOM attached to the busybox image."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import images
from harness import run
from regclient import assert_error, describe

pytestmark = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")


def skopeo(tool_env, *args, timeout=120, check=True):
    return run(["skopeo", "--policy", tool_env["WHARF_E2E_POLICY"], *args], env=tool_env,
               timeout=timeout, check=check)


def push(tool_env, image: images.Image, dest: str, *extra):
    skopeo(tool_env, "copy", "--dest-tls-verify=false", "--preserve-digests", *extra,
           image.oci_ref, f"docker://{dest}")


def raw_manifest(tool_env, ref: str) -> bytes:
    return skopeo(tool_env, "inspect", "--tls-verify=false", "--raw", f"docker://{ref}").stdout


def assert_layout_holds(layout: Path, tag: str, image: images.Image):
    """The OCI layout skopeo wrote has the same manifest and every blob, byte for byte."""
    media_type, manifest = images.read_layout_manifest(layout, tag)
    assert images.sha256(manifest) == image.digest, \
        f"manifest pulled into {layout} has digest {images.sha256(manifest)}, pushed {image.digest}"
    assert media_type == image.media_type
    for child in image.children:
        path = layout / "blobs" / "sha256" / child.digest.split(":")[1]
        assert path.is_file(), f"child manifest {child.digest} missing from {layout}"
        assert path.read_bytes() == child.manifest
    for digest, blob in image.all_blobs().items():
        path = layout / "blobs" / "sha256" / digest.split(":")[1]
        assert path.is_file(), f"blob {digest} missing from {layout}"
        assert images.sha256(path.read_bytes()) == digest


def roundtrip(registry, tool_env, tmp_path, image: images.Image, repo: str, tag: str, *extra):
    dest = f"{registry.host}/{repo}:{tag}"
    push(tool_env, image, dest, *extra)

    # What a user checks first: the registry serves the manifest under the pushed digest.
    raw = raw_manifest(tool_env, dest)
    assert images.sha256(raw) == image.digest, \
        f"skopeo inspect --raw {dest}: digest {images.sha256(raw)}, pushed {image.digest}"
    r = registry.client().get_manifest(repo, tag)
    assert r.status_code == 200, describe(r)
    assert r.headers.get("Docker-Content-Digest") == image.digest, describe(r)
    assert r.headers.get("Content-Type") == image.media_type, describe(r)

    # Pull back into a fresh OCI layout and a dir: directory.
    back = tmp_path / f"back-{image.name}"
    skopeo(tool_env, "copy", "--src-tls-verify=false", "--preserve-digests", *extra,
           f"docker://{dest}", f"oci:{back}:{tag}")
    assert_layout_holds(back, tag, image)

    if not image.children:
        d = tmp_path / f"dir-{image.name}"
        skopeo(tool_env, "copy", "--src-tls-verify=false", "--preserve-digests",
               f"docker://{dest}", f"dir:{d}")
        assert images.sha256((d / "manifest.json").read_bytes()) == image.digest
        for digest in image.all_blobs():
            f = d / digest.split(":")[1]
            assert f.is_file(), f"dir: copy lacks blob {digest}"
            assert images.sha256(f.read_bytes()) == digest


def test_busybox_roundtrip_nested_repo(registry, tool_env, tmp_path, busybox_image):
    roundtrip(registry, tool_env, tmp_path, busybox_image, "team/app/api", "v1")
    # The pulled config is the runnable one.
    out = skopeo(tool_env, "inspect", "--tls-verify=false", "--config",
                 f"docker://{registry.host}/team/app/api:v1").stdout
    config = json.loads(out)
    assert config["config"]["Cmd"] == ["/bin/sh", "-c", f"echo {images.HELLO}"]


def test_multilayer_roundtrip(registry, tool_env, tmp_path, multilayer_image):
    roundtrip(registry, tool_env, tmp_path, multilayer_image, "multi/layer", "v2")
    out = skopeo(tool_env, "inspect", "--tls-verify=false",
                 f"docker://{registry.host}/multi/layer:v2").stdout
    info = json.loads(out)
    assert info["Layers"] == [b.digest for b in multilayer_image.layers]
    assert info["Digest"] == multilayer_image.digest


def test_index_roundtrip_all_platforms(registry, tool_env, tmp_path, index_image):
    roundtrip(registry, tool_env, tmp_path, index_image, "platforms/tool", "multi", "--all")
    c = registry.client()
    for child in index_image.children:
        r = c.get_manifest("platforms/tool", child.digest)
        assert r.status_code == 200 and r.content == child.manifest, describe(r)
    # A client on arm64 resolves the arm64 manifest through the index.
    out = skopeo(tool_env, "--override-arch", "arm64", "inspect", "--tls-verify=false",
                 f"docker://{registry.host}/platforms/tool:multi").stdout
    info = json.loads(out)
    assert info["Architecture"] == "arm64"
    assert info["Digest"] == index_image.digest  # skopeo reports the digest it resolved


def test_artifact_push_by_digest(registry, tool_env, tmp_path, busybox_image, sbom_artifact):
    """An OCI 1.1 artifact (empty config, artifactType, subject) goes through unchanged,
    pushed by digest as an attaching client would."""
    push(tool_env, busybox_image, f"{registry.host}/team/app/api:v1")
    dest = f"{registry.host}/team/app/api@{sbom_artifact.digest}"
    push(tool_env, sbom_artifact, dest)
    raw = raw_manifest(tool_env, dest)
    assert raw == sbom_artifact.manifest
    doc = json.loads(raw)
    assert doc["artifactType"] == images.SBOM_ARTIFACT_TYPE
    assert doc["subject"]["digest"] == busybox_image.digest
    c = registry.client()
    r = c.get(f"/v2/team/app/api/blobs/{images.sha256(images.EMPTY_JSON)}")
    assert r.status_code == 200 and r.content == b"{}", describe(r)
    back = tmp_path / "back-sbom"
    skopeo(tool_env, "copy", "--src-tls-verify=false", "--preserve-digests", f"docker://{dest}",
           f"oci:{back}:sbom")
    assert_layout_holds(back, "sbom", sbom_artifact)


@pytest.mark.not_on_reference("distribution 2.8 has no referrers API")
def test_referrers_lists_sbom(registry, tool_env, busybox_image, sbom_artifact):
    repo = "team/app/api"
    push(tool_env, busybox_image, f"{registry.host}/{repo}:v1")
    push(tool_env, sbom_artifact, f"{registry.host}/{repo}@{sbom_artifact.digest}")
    c = registry.client()

    # A second referrer of another type, pushed over plain HTTP: the PUT names the subject.
    signature = images.artifact(busybox_image, images.SIGNATURE_ARTIFACT_TYPE, name="sig",
                                payload=b"not really a signature",
                                payload_type="application/octet-stream",
                                annotations={"org.example.signer": "e2e"})
    for blob in signature.blobs:
        c.push_blob(repo, blob.data)
    r = c.put_manifest(repo, signature.digest, signature.manifest, signature.media_type)
    assert r.status_code == 201, describe(r)
    assert r.headers.get("OCI-Subject") == busybox_image.digest, \
        "PUT of a manifest with a subject must answer OCI-Subject: " + describe(r)

    r = c.get(f"/v2/{repo}/referrers/{busybox_image.digest}")
    assert r.status_code == 200, describe(r)
    assert r.headers.get("Content-Type", "").startswith(images.MT_INDEX), describe(r)
    index = r.json()
    assert index.get("schemaVersion") == 2 and index.get("mediaType") == images.MT_INDEX
    by_digest = {m["digest"]: m for m in index["manifests"]}
    assert set(by_digest) == {sbom_artifact.digest, signature.digest}, describe(r)
    sbom = by_digest[sbom_artifact.digest]
    assert sbom["mediaType"] == images.MT_MANIFEST
    assert sbom["size"] == sbom_artifact.size
    assert sbom["artifactType"] == images.SBOM_ARTIFACT_TYPE
    assert sbom.get("annotations") == sbom_artifact.annotations
    assert by_digest[signature.digest]["artifactType"] == images.SIGNATURE_ARTIFACT_TYPE

    # The artifactType filter.
    r = c.get(f"/v2/{repo}/referrers/{busybox_image.digest}",
              params={"artifactType": images.SBOM_ARTIFACT_TYPE})
    assert r.status_code == 200, describe(r)
    assert r.headers.get("OCI-Filters-Applied") == "artifactType", describe(r)
    assert [m["digest"] for m in r.json()["manifests"]] == [sbom_artifact.digest], describe(r)

    r = c.get(f"/v2/{repo}/referrers/{busybox_image.digest}",
              params={"artifactType": "application/vnd.example.none"})
    assert r.status_code == 200, describe(r)
    assert r.headers.get("OCI-Filters-Applied") == "artifactType", describe(r)
    assert r.json()["manifests"] == [], describe(r)

    # A manifest nobody refers to, and a digest that is not stored: an empty index either way.
    for digest in (sbom_artifact.digest, images.sha256(b"never pushed")):
        r = c.get(f"/v2/{repo}/referrers/{digest}")
        assert r.status_code == 200, describe(r)
        assert r.json()["manifests"] == [], describe(r)

    # Deleting the referrer removes it from the list.
    r = c.delete(f"/v2/{repo}/manifests/{signature.digest}")
    assert r.status_code == 202, describe(r)
    r = c.get(f"/v2/{repo}/referrers/{busybox_image.digest}")
    assert [m["digest"] for m in r.json()["manifests"]] == [sbom_artifact.digest], describe(r)


def test_list_tags_and_delete(registry, tool_env, busybox_image, multilayer_image):
    repo = f"{registry.host}/team/app/api"
    push(tool_env, busybox_image, f"{repo}:v1")
    push(tool_env, busybox_image, f"{repo}:stable")
    push(tool_env, multilayer_image, f"{repo}:v2")
    tags = json.loads(skopeo(tool_env, "list-tags", "--tls-verify=false",
                             f"docker://{repo}").stdout)["Tags"]
    assert sorted(tags) == ["stable", "v1", "v2"]

    # skopeo delete resolves the tag and deletes the manifest by digest.
    skopeo(tool_env, "delete", "--tls-verify=false", f"docker://{repo}:v2")
    tags = json.loads(skopeo(tool_env, "list-tags", "--tls-verify=false",
                             f"docker://{repo}").stdout)["Tags"]
    assert sorted(tags) == ["stable", "v1"]
    gone = skopeo(tool_env, "inspect", "--tls-verify=false", "--raw", f"docker://{repo}:v2",
                  check=False)
    assert gone.returncode != 0
    assert b"manifest unknown" in gone.stderr.lower(), gone.stderr
    r = registry.client().get_manifest("team/app/api", multilayer_image.digest)
    assert_error(r, 404, "MANIFEST_UNKNOWN", "GET deleted manifest by digest")
    # The other image is untouched.
    assert images.sha256(raw_manifest(tool_env, f"{repo}:stable")) == busybox_image.digest
