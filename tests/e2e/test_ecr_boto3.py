"""boto3 against the ECR API: pagination, the layer-upload API in parts, PutImage and pulling
the result through /v2/, GetDownloadUrlForLayer, index sizes, creation templates with
CREATE_ON_PUSH, registry policies, a SourceIp condition, and malformed requests (sent raw,
since boto3 validates parameters before sending)."""
from __future__ import annotations

import hashlib
import json
import os

import pytest
import requests

import images
from ecr_helpers import (ACCOUNT, TOKEN_ONLY, assert_raw_error, basic, error_code,
                         make_principal, needs_skopeo, poll, policy, push, raw_call, raw_ok,
                         repo_arn, user_arn)

pytestmark = pytest.mark.not_on_reference("ECR API and IAM")

MiB = 1024 * 1024


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def expect(exc_name: str, call, **kwargs):
    """Calls a boto3 method that must raise the named ECR exception; returns the response."""
    try:
        out = call(**kwargs)
    except Exception as e:  # botocore.exceptions.ClientError and its generated subclasses
        if not hasattr(e, "response"):
            raise
        assert error_code(e) == exc_name, e.response
        return e.response
    raise AssertionError(f"{call.__name__}({kwargs}) returned {out}, expected {exc_name}")


def upload_layer(ecr, repo: str, data: bytes, part: int = 6 * MiB) -> str:
    upload = ecr.initiate_layer_upload(repositoryName=repo)
    uid = upload["uploadId"]
    for first in range(0, len(data), part):
        last = min(first + part, len(data)) - 1
        out = ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=first,
                                    partLastByte=last, layerPartBlob=data[first:last + 1])
        assert out["lastByteReceived"] == last and out["uploadId"] == uid, out
    out = ecr.complete_layer_upload(repositoryName=repo, uploadId=uid,
                                    layerDigests=[digest_of(data)])
    assert out["layerDigest"] == digest_of(data), out
    return out["layerDigest"]


# ----------------------------------------------------------------------------- pagination

def test_describe_repositories_pages(shared_registry):
    ecr = shared_registry.ecr()
    names = [f"paging/repo-{i}" for i in range(5)]
    for name in names:
        ecr.create_repository(repositoryName=name)
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"maxResults": 2, **({"nextToken": token} if token else {})}
        page = ecr.describe_repositories(**kwargs)
        assert len(page["repositories"]) <= 2, page
        seen += [r["repositoryName"] for r in page["repositories"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)), f"a repository came twice: {seen}"
    assert set(names) <= set(seen) and pages >= 3
    paged = [r["repositoryName"]
             for p in ecr.get_paginator("describe_repositories").paginate(
                 PaginationConfig={"PageSize": 2}) for r in p["repositories"]]
    assert sorted(paged) == sorted(seen)
    expect("InvalidParameterException", ecr.describe_repositories,
           repositoryNames=[names[0]], maxResults=2)


@needs_skopeo
def test_image_paginators(shared_registry, tool_env, busybox_image):
    s = shared_registry
    ecr = s.ecr()
    repo = "paging/images"
    push(tool_env, busybox_image, f"{s.host}/{repo}:base")
    # Three more images of the same blobs, told apart by an annotation.
    digests = {busybox_image.digest}
    for i in range(3):
        doc = json.loads(busybox_image.manifest)
        doc["annotations"] = {"org.example.build": str(i)}
        body = images.dumps(doc).decode()
        out = ecr.put_image(repositoryName=repo, imageManifest=body, imageTag=f"build-{i}")
        assert out["image"]["imageId"]["imageDigest"] == digest_of(body.encode())
        digests.add(digest_of(body.encode()))
    untagged = json.loads(busybox_image.manifest)
    untagged["annotations"] = {"org.example.build": "untagged"}
    body = images.dumps(untagged).decode()
    ecr.put_image(repositoryName=repo, imageManifest=body)
    digests.add(digest_of(body.encode()))

    pages = list(ecr.get_paginator("describe_images").paginate(
        repositoryName=repo, PaginationConfig={"PageSize": 2}))
    assert len(pages) >= 3 and all(len(p["imageDetails"]) <= 2 for p in pages)
    described = [d["imageDigest"] for p in pages for d in p["imageDetails"]]
    assert sorted(described) == sorted(digests)

    pages = list(ecr.get_paginator("list_images").paginate(
        repositoryName=repo, PaginationConfig={"PageSize": 2}))
    listed = [(i["imageDigest"], i.get("imageTag")) for p in pages for i in p["imageIds"]]
    assert len(pages) >= 3 and len(listed) == len(set(listed)) == 5, listed
    assert {t for _, t in listed} == {"base", "build-0", "build-1", "build-2", None}
    untagged_ids = ecr.list_images(repositoryName=repo, filter={"tagStatus": "UNTAGGED"})
    assert untagged_ids["imageIds"] == [{"imageDigest": digest_of(body.encode())}]
    tagged = ecr.describe_images(repositoryName=repo, filter={"tagStatus": "TAGGED"})
    assert len(tagged["imageDetails"]) == 4

    missing = {"imageDigest": "sha256:" + "1" * 64}
    r = expect("ImageNotFoundException", ecr.describe_images, repositoryName=repo,
               imageIds=[missing])
    assert repo in r["Error"]["Message"], r
    expect("RepositoryNotFoundException", ecr.describe_images, repositoryName="paging/none")


# ----------------------------------------------------------------------------- layer API

def test_layer_upload_in_parts_put_image_and_pull(shared_registry):
    s = shared_registry
    ecr = s.ecr()
    repo = "layers/parts"
    ecr.create_repository(repositoryName=repo)
    layer = os.urandom(6 * MiB + 123_457)
    config = images.dumps({"architecture": "amd64", "os": "linux",
                           "rootfs": {"type": "layers", "diff_ids": []}})
    check = ecr.batch_check_layer_availability(
        repositoryName=repo, layerDigests=[digest_of(layer), "sha256:short"])
    assert check["layers"] == [{"layerDigest": digest_of(layer),
                                "layerAvailability": "UNAVAILABLE"}], check
    assert [(f["layerDigest"], f["failureCode"]) for f in check["failures"]] == \
        [("sha256:short", "InvalidLayerDigest")], check

    # A part that does not start where the previous one ended.
    uid = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    P = 6 * MiB
    ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=0,
                          partLastByte=P - 1, layerPartBlob=layer[:P])
    r = expect("InvalidLayerPartException", ecr.upload_layer_part, repositoryName=repo,
               uploadId=uid, partFirstByte=P + 10, partLastByte=len(layer) - 1,
               layerPartBlob=layer[P + 10:])
    assert str(P - 1) in r["Error"]["Message"], r
    ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=P,
                          partLastByte=len(layer) - 1, layerPartBlob=layer[P:])
    assert ecr.complete_layer_upload(repositoryName=repo, uploadId=uid,
                                     layerDigests=[digest_of(layer)])["layerDigest"] == \
        digest_of(layer)
    expect("UploadNotFoundException", ecr.complete_layer_upload, repositoryName=repo,
           uploadId=uid, layerDigests=[digest_of(layer)])

    # A small part that is not the last one.
    uid = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=0,
                          partLastByte=MiB - 1, layerPartBlob=layer[:MiB])
    ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=MiB,
                          partLastByte=2 * MiB - 1, layerPartBlob=layer[MiB:2 * MiB])
    r = expect("LayerPartTooSmallException", ecr.complete_layer_upload, repositoryName=repo,
               uploadId=uid, layerDigests=[digest_of(layer[:2 * MiB])])
    # A digest the bytes do not have.
    uid = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=0,
                          partLastByte=99, layerPartBlob=config[:100].ljust(100, b" "))
    expect("InvalidLayerException", ecr.complete_layer_upload, repositoryName=repo,
           uploadId=uid, layerDigests=["sha256:" + "0" * 64])
    expect("UploadNotFoundException", ecr.upload_layer_part, repositoryName=repo,
           uploadId="00000000-0000-0000-0000-000000000000", partFirstByte=0,
           partLastByte=0, layerPartBlob=b"x")

    config_digest = upload_layer(ecr, repo, config)
    check = ecr.batch_check_layer_availability(repositoryName=repo,
                                               layerDigests=[digest_of(layer), config_digest])
    assert [(x["layerDigest"], x["layerAvailability"], x["layerSize"])
            for x in check["layers"]] == [(digest_of(layer), "AVAILABLE", len(layer)),
                                          (config_digest, "AVAILABLE", len(config))], check

    manifest = images.dumps({
        "schemaVersion": 2, "mediaType": images.MT_MANIFEST,
        "config": {"mediaType": images.MT_CONFIG, "digest": config_digest,
                   "size": len(config)},
        "layers": [{"mediaType": images.MT_LAYER_GZIP, "digest": digest_of(layer),
                    "size": len(layer)}]})
    out = ecr.put_image(repositoryName=repo, imageManifest=manifest.decode(), imageTag="parts",
                        imageDigest=digest_of(manifest))
    assert out["image"]["imageId"] == {"imageDigest": digest_of(manifest), "imageTag": "parts"}
    assert out["image"]["imageManifestMediaType"] == images.MT_MANIFEST
    missing = json.loads(manifest)
    missing["layers"][0]["digest"] = "sha256:" + "2" * 64
    expect("LayersNotFoundException", ecr.put_image, repositoryName=repo,
           imageManifest=images.dumps(missing).decode(), imageTag="broken")

    # Pulled back through the OCI API, byte for byte.
    r = requests.get(f"{s.url}/v2/{repo}/manifests/parts", auth=s.auth, timeout=30,
                     headers={"Accept": images.ACCEPT_ALL})
    assert r.status_code == 200 and r.content == manifest, r.text[:300]
    assert r.headers["Docker-Content-Digest"] == digest_of(manifest)
    r = requests.get(f"{s.url}/v2/{repo}/blobs/{digest_of(layer)}", auth=s.auth, timeout=60)
    assert r.status_code == 200 and r.content == layer

    # GetDownloadUrlForLayer: a URL anyone holding it can fetch, without a credential header.
    out = ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=digest_of(layer))
    assert out["layerDigest"] == digest_of(layer)
    r = requests.get(out["downloadUrl"], timeout=60)
    assert r.status_code == 200 and r.content == layer, r.status_code
    expect("LayersNotFoundException", ecr.get_download_url_for_layer, repositoryName=repo,
           layerDigest="sha256:" + "3" * 64)
    # The credential in the URL is checked: tampered, it is refused.
    tampered = out["downloadUrl"][:-4] + ("AAAA" if not out["downloadUrl"].endswith("AAAA")
                                          else "BBBB")
    assert requests.get(tampered, timeout=30).status_code in (401, 403)


def test_invalid_layer_part_says_where_the_upload_stands(shared_registry):
    """The model's InvalidLayerPartException carries registryId, repositoryName, uploadId and
    lastValidByteReceived, so a client can resume."""
    ecr = shared_registry.ecr()
    repo = "layers/resume"
    ecr.create_repository(repositoryName=repo)
    uid = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=0,
                          partLastByte=5 * MiB - 1, layerPartBlob=bytes(5 * MiB))
    r = expect("InvalidLayerPartException", ecr.upload_layer_part, repositoryName=repo,
               uploadId=uid, partFirstByte=5 * MiB + 1, partLastByte=5 * MiB + 9,
               layerPartBlob=bytes(9))
    assert (r.get("registryId"), r.get("repositoryName"), r.get("uploadId"),
            r.get("lastValidByteReceived")) == (ACCOUNT, repo, uid, 5 * MiB - 1), r


def test_download_url_needs_an_image(shared_registry):
    """ECR: "the specified layer is not available because it is not associated with an
    image" (LayerInaccessibleException)."""
    ecr = shared_registry.ecr()
    repo = "layers/orphan"
    ecr.create_repository(repositoryName=repo)
    data = os.urandom(4096)
    digest = upload_layer(ecr, repo, data)
    expect("LayerInaccessibleException", ecr.get_download_url_for_layer, repositoryName=repo,
           layerDigest=digest)


@needs_skopeo
def test_index_size_is_largest_child(shared_registry, tool_env, index_image):
    s = shared_registry
    ecr = s.ecr()
    push(tool_env, index_image, f"{s.host}/sizes/multi:multi", "--all")
    details = {d["imageDigest"]: d
               for d in ecr.describe_images(repositoryName="sizes/multi")["imageDetails"]}
    assert set(details) == {index_image.digest, *(c.digest for c in index_image.children)}
    index = details[index_image.digest]
    assert index["imageManifestMediaType"] == images.MT_INDEX
    assert index["imageTags"] == ["multi"]
    children = [details[c.digest]["imageSizeInBytes"] for c in index_image.children]
    assert index["imageSizeInBytes"] == max(children), (index, children)
    # A child of an index cannot be deleted on its own.
    out = ecr.batch_delete_image(repositoryName="sizes/multi",
                                 imageIds=[{"imageDigest": index_image.children[0].digest}])
    assert [f["failureCode"] for f in out["failures"]] == ["ImageReferencedByManifestList"], out


# ----------------------------------------------------------------------------- templates

@needs_skopeo
def test_creation_template_create_on_push(start_registry, tool_env, busybox_image):
    s = start_registry("[registry]\ncreate_on_push = false\n")
    ecr = s.ecr()
    p = push(tool_env, busybox_image, f"{s.host}/team/app:1", check=False)
    err = p.stderr.decode()
    assert p.returncode != 0 and "name unknown" in err.lower(), err
    assert f"does not exist in the registry with id '{ACCOUNT}'" in err, err
    assert ecr.describe_repositories()["repositories"] == []

    tags = [{"Key": "owner", "Value": "team-a"}, {"Key": "cost-center", "Value": "42"}]
    out = raw_ok(s, "CreateRepositoryCreationTemplate", {
        "prefix": "team", "description": "team repositories", "appliedFor": ["CREATE_ON_PUSH"],
        "imageTagMutability": "IMMUTABLE", "resourceTags": tags})
    t = out["repositoryCreationTemplate"]
    assert out["registryId"] == ACCOUNT
    assert (t["prefix"], t["appliedFor"], t["imageTagMutability"]) == \
        ("team", ["CREATE_ON_PUSH"], "IMMUTABLE"), out
    r = raw_call(s, "CreateRepositoryCreationTemplate",
                 {"prefix": "team", "appliedFor": ["CREATE_ON_PUSH"]})
    assert_raw_error(r, "TemplateAlreadyExistsException")
    listed = raw_ok(s, "DescribeRepositoryCreationTemplates", {"prefixes": ["team"]})
    assert [x["prefix"] for x in listed["repositoryCreationTemplates"]] == ["team"]

    push(tool_env, busybox_image, f"{s.host}/team/app:1")
    repo = ecr.describe_repositories(repositoryNames=["team/app"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE", repo
    assert repo["repositoryArn"] == repo_arn("team/app")
    got = ecr.list_tags_for_resource(resourceArn=repo_arn("team/app"))["tags"]
    assert sorted((x["Key"], x["Value"]) for x in got) == sorted((x["Key"], x["Value"])
                                                                  for x in tags)
    images_ = ecr.describe_images(repositoryName="team/app")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in images_] == [(busybox_image.digest, ["1"])]
    # The template's immutability applies.
    p = push(tool_env, busybox_image, f"{s.host}/team/app:1", check=False)
    assert p.returncode != 0 and "tag invalid" in p.stderr.decode(), p.stderr
    # Outside the prefix, ECR's rule still holds.
    p = push(tool_env, busybox_image, f"{s.host}/teamwork/app:1", check=False)
    assert p.returncode != 0 and "name unknown" in p.stderr.decode().lower(), p.stderr

    out = raw_ok(s, "DeleteRepositoryCreationTemplate", {"prefix": "team"})
    assert out["repositoryCreationTemplate"]["prefix"] == "team"
    assert_raw_error(raw_call(s, "DeleteRepositoryCreationTemplate", {"prefix": "team"}),
                     "TemplateNotFoundException")
    p = push(tool_env, busybox_image, f"{s.host}/team/other:1", check=False)
    assert p.returncode != 0 and "name unknown" in p.stderr.decode().lower(), p.stderr


# ----------------------------------------------------------------------------- policies

@needs_skopeo
def test_registry_policy(shared_registry, tool_env, busybox_image):
    s = shared_registry
    ecr = s.ecr()
    push(tool_env, busybox_image, f"{s.host}/regpol/app:1")
    reader = make_principal(s, "user", "regpol-reader", {"login": TOKEN_ONLY})
    pw = s.login_password(reader)
    url = f"{s.url}/v2/regpol/app/manifests/1"
    headers = {**basic("AWS", pw), "Accept": images.ACCEPT_ALL}
    assert requests.get(url, headers=headers, timeout=10).status_code == 403

    expect("RegistryPolicyNotFoundException", ecr.get_registry_policy)
    text = policy({"Sid": "ReadAll", "Effect": "Allow",
                   "Principal": {"AWS": user_arn("regpol-reader")},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                   "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"})
    out = ecr.put_registry_policy(policyText=text)
    assert out["registryId"] == ACCOUNT and json.loads(out["policyText"]) == json.loads(text)
    got = ecr.get_registry_policy()
    assert json.loads(got["policyText"]) == json.loads(text)
    poll(lambda: requests.get(url, headers=headers, timeout=10).status_code == 200,
         what="pull granted by the registry policy")
    r = requests.get(url, headers=headers, timeout=10)
    assert images.sha256(r.content) == busybox_image.digest

    out = ecr.delete_registry_policy()
    assert json.loads(out["policyText"]) == json.loads(text)
    expect("RegistryPolicyNotFoundException", ecr.get_registry_policy)
    expect("RegistryPolicyNotFoundException", ecr.delete_registry_policy)
    poll(lambda: requests.get(url, headers=headers, timeout=10).status_code == 403,
         what="pull refused again")
    expect("InvalidParameterException", ecr.put_registry_policy, policyText='{"Statement": 3}')


def test_source_ip_condition(shared_registry):
    s = shared_registry
    ecr = s.ecr()
    repo = "conditions/ip"
    ecr.create_repository(repositoryName=repo)

    def deny_if(operator: str) -> str:
        return policy({"Effect": "Deny", "Principal": "*", "Action": "ecr:DescribeImages",
                       "Condition": {operator: {"aws:SourceIp": "127.0.0.0/8"}}})

    def allowed() -> bool:
        try:
            ecr.describe_images(repositoryName=repo)
            return True
        except Exception as e:
            assert error_code(e) == "AccessDeniedException", e
            return False

    expect("InvalidParameterException", ecr.set_repository_policy, repositoryName=repo,
           policyText=policy({"Effect": "Allow", "Principal": "*", "Action": "ecr:*",
                              "Condition": {"IpAddress": {"aws:SourceIp": "not-an-ip"}}}))
    ecr.set_repository_policy(repositoryName=repo, policyText=deny_if("NotIpAddress"))
    poll(allowed, what="Deny NotIpAddress 127.0.0.0/8 lets loopback through")
    ecr.set_repository_policy(repositoryName=repo, policyText=deny_if("IpAddress").replace(
        "127.0.0.0/8", "10.0.0.0/8"))
    poll(allowed, what="Deny IpAddress 10.0.0.0/8 lets loopback through")
    ecr.set_repository_policy(repositoryName=repo, policyText=deny_if("IpAddress"))
    poll(lambda: not allowed(), what="Deny IpAddress 127.0.0.0/8 refuses loopback")
    r = expect("AccessDeniedException", ecr.describe_images, repositoryName=repo)
    assert "explicit deny" in r["Error"]["Message"], r
    ecr.delete_repository_policy(repositoryName=repo)
    poll(allowed, what="allowed again without the policy")


# ----------------------------------------------------------------------------- bad input

def test_malformed_requests(shared_registry):
    s = shared_registry
    r = raw_call(s, "DescribeKittens", {})
    assert_raw_error(r, "UnknownOperationException")
    r = raw_call(s, "DescribeRepositories", b'{"repositoryNames": [')
    assert_raw_error(r, "SerializationException")
    r = raw_call(s, "DescribeRepositories", {"repositoryNames": ["a"], "colour": "blue"})
    assert_raw_error(r, "InvalidParameterException", "colour")
    r = raw_call(s, "CreateRepository", {})
    assert_raw_error(r, "InvalidParameterException", "repositoryName")
    r = raw_call(s, "CreateRepository", {"repositoryName": "bad", "imageTagMutability": "SOMETIMES"})
    assert_raw_error(r, "InvalidParameterException", "imageTagMutability")
    r = raw_call(s, "DescribeRepositories", {"maxResults": 1001})
    assert_raw_error(r, "InvalidParameterException", "maxResults")
    # A failed call changes nothing.
    names = [x["repositoryName"] for x in s.ecr().describe_repositories()["repositories"]]
    assert "bad" not in names
    # Unsigned: AWS's MissingAuthenticationToken family.
    r = requests.post(s.url + "/", data=b"{}", timeout=10, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"})
    assert r.status_code in (400, 403) and "__type" in r.json(), r.text
