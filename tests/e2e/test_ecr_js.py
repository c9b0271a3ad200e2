"""The ECR APIs of 2024-2026 that Debian's aws CLI (2.9) and boto3 (1.26) predate, driven by the
current AWS SDK for JavaScript v3 (tests/e2e/js/: `node ecr.mjs <Operation> '<json>'`):
tag mutability with exclusion filters (IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION) on
CreateRepository and PutImageTagMutability, enforced on skopeo pushes; repository creation
templates (create, describe, update, delete) and CREATE_ON_PUSH with a prefix, ROOT and
longest-prefix precedence, the template's mutability, resource tags and repository policy;
the archive storage class (UpdateImageStorageClass, imageStatus filters).

Needs node and `npm ci --prefix tests/e2e/js` (scripts/install-deps.sh test does it)."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ecr_helpers import ACCOUNT, needs_skopeo, push, repo_arn, user_arn

JS_DIR = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.not_on_reference("ECR API"),
    pytest.mark.skipif(NODE is None, reason="node not on PATH (the JS SDK tests need node >= 18)"),
    pytest.mark.skipif(not (JS_DIR / "node_modules" / "@aws-sdk" / "client-ecr").is_dir(),
                       reason="tests/e2e/js/node_modules missing: run "
                              "`npm ci --prefix tests/e2e/js` (scripts/install-deps.sh test)"),
]

# ----------------------------------------------------------------------------- the JS client


def js_env(server, key: tuple[str, str] | None = None) -> dict:
    """Only this server's endpoint and key: nothing of the host's AWS configuration leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    akid, secret = key or server.auth
    env.update({"WHARF_ENDPOINT": server.url, "AWS_ACCESS_KEY_ID": akid,
                "AWS_SECRET_ACCESS_KEY": secret, "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true"})
    return env


def js_call(server, operation: str, params: dict, key=None) -> tuple[int, dict, str]:
    cmd = [NODE, str(JS_DIR / "ecr.mjs"), operation, json.dumps(params)]
    try:
        p = subprocess.run(cmd, env=js_env(server, key), capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL, cwd=JS_DIR)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"node ecr.mjs {operation} timed out")
    out, err = p.stdout.decode(), p.stderr.decode()
    if p.returncode not in (0, 3):
        raise AssertionError(f"node ecr.mjs {operation} exited {p.returncode}\n"
                             f"stdout: {out[-2000:]}\nstderr: {err[-2000:]}")
    try:
        doc = json.loads(out)
    except ValueError:
        raise AssertionError(f"node ecr.mjs {operation}: stdout is not JSON: {out[-2000:]!r}\n"
                             f"stderr: {err[-2000:]}")
    return p.returncode, doc, err


def js(server, operation: str, params: dict | None = None, key=None) -> dict:
    """An ECR call through the JS SDK that must succeed; returns its output."""
    code, doc, err = js_call(server, operation, params or {}, key)
    assert code == 0, f"{operation}({params}) failed: {doc}\nstderr: {err[-2000:]}"
    return doc


def js_fails(server, exception: str, operation: str, params: dict, *fragments: str,
             key=None) -> dict:
    """An ECR call that must reach the server and fail with `exception` (HTTP 400)."""
    code, doc, err = js_call(server, operation, params, key)
    assert code == 3, f"{operation}({params}) succeeded: {doc}"
    assert doc["error"] == exception, doc
    assert doc["status"] == 400, f"not a server answer (SDK-side error?): {doc}"
    for f in fragments:
        assert f in doc["message"], (f, doc)
    return doc


def iso(text: str) -> dt.datetime:
    assert isinstance(text, str) and text.endswith("Z"), text
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def describe_repo(server, name: str) -> dict:
    repos = js(server, "DescribeRepositories", {"repositoryNames": [name]})["repositories"]
    assert [r["repositoryName"] for r in repos] == [name], repos
    return repos[0]


def wildcard(*patterns: str) -> list[dict]:
    return [{"filterType": "WILDCARD", "filter": p} for p in patterns]


def immutable_message(repo: str, tag: str) -> str:
    return (f"The image tag '{tag}' already exists in the '{repo}' repository and cannot be "
            "overwritten because the tag is immutable.")


def push_ok(tool_env, image, dest: str):
    push(tool_env, image, dest)


def push_refused(tool_env, image, host: str, repo: str, tag: str):
    """A skopeo push that the registry must refuse with TAG_INVALID (immutable tag)."""
    p = push(tool_env, image, f"{host}/{repo}:{tag}", check=False)
    err = p.stderr.decode()
    assert p.returncode != 0, f"push to immutable {repo}:{tag} succeeded:\n{err}"
    assert "tag invalid" in err and immutable_message(repo, tag) in err, err


def tag_digest(server, repo: str, tag: str) -> str:
    out = js(server, "DescribeImages", {"repositoryName": repo, "imageIds": [{"imageTag": tag}]})
    [detail] = out["imageDetails"]
    assert tag in detail["imageTags"], detail
    return detail["imageDigest"]


# ----------------------------------------------------------------------------- mutability


@needs_skopeo
def test_create_repository_immutable_with_exclusion(registry, tool_env, busybox_image,
                                                    multilayer_image):
    s, repo = registry, "exclusions/app"
    filters = wildcard("latest", "dev-*")
    out = js(s, "CreateRepository", {"repositoryName": repo,
                                     "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                                     "imageTagMutabilityExclusionFilters": filters})["repository"]
    assert (out["repositoryName"], out["repositoryArn"], out["registryId"]) == \
        (repo, repo_arn(repo), ACCOUNT), out
    assert out["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION", out
    assert out["imageTagMutabilityExclusionFilters"] == filters, out
    iso(out["createdAt"])
    got = describe_repo(s, repo)
    assert got["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION", got
    assert got["imageTagMutabilityExclusionFilters"] == filters, got

    # Not excluded: immutable, to other content and to the same digest again.
    push_ok(tool_env, busybox_image, f"{s.host}/{repo}:1.0")
    push_refused(tool_env, multilayer_image, s.host, repo, "1.0")
    push_refused(tool_env, busybox_image, s.host, repo, "1.0")
    # dev-* matches a tag beginning with "dev-" only.
    push_ok(tool_env, busybox_image, f"{s.host}/{repo}:devel")
    push_refused(tool_env, multilayer_image, s.host, repo, "devel")
    assert tag_digest(s, repo, "1.0") == tag_digest(s, repo, "devel") == busybox_image.digest

    # Excluded tags stay mutable.
    for tag in ("latest", "dev-x"):
        push_ok(tool_env, busybox_image, f"{s.host}/{repo}:{tag}")
        push_ok(tool_env, multilayer_image, f"{s.host}/{repo}:{tag}")
        assert tag_digest(s, repo, tag) == multilayer_image.digest
        push_ok(tool_env, busybox_image, f"{s.host}/{repo}:{tag}")
        assert tag_digest(s, repo, tag) == busybox_image.digest

    # PutImage through the API obeys the same rule.
    js_fails(s, "ImageTagAlreadyExistsException", "PutImage",
             {"repositoryName": repo, "imageTag": "1.0",
              "imageManifest": multilayer_image.manifest.decode()}, "1.0")
    out = js(s, "PutImage", {"repositoryName": repo, "imageTag": "dev-x",
                             "imageManifest": multilayer_image.manifest.decode()})
    assert out["image"]["imageId"] == {"imageDigest": multilayer_image.digest,
                                       "imageTag": "dev-x"}, out


@needs_skopeo
def test_put_image_tag_mutability_mutable_with_exclusion(registry, tool_env, busybox_image,
                                                         multilayer_image):
    s, repo = registry, "exclusions/svc"
    js(s, "CreateRepository", {"repositoryName": repo})
    assert describe_repo(s, repo)["imageTagMutability"] == "MUTABLE"
    for tag in ("release-1", "main"):
        push_ok(tool_env, busybox_image, f"{s.host}/{repo}:{tag}")

    out = js(s, "PutImageTagMutability", {
        "repositoryName": repo, "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": wildcard("release-*")})
    assert out == {"registryId": ACCOUNT, "repositoryName": repo,
                   "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
                   "imageTagMutabilityExclusionFilters": wildcard("release-*")}, out
    got = describe_repo(s, repo)
    assert (got["imageTagMutability"], got["imageTagMutabilityExclusionFilters"]) == \
        ("MUTABLE_WITH_EXCLUSION", wildcard("release-*")), got

    # Matching tags became immutable (even those pushed before); the others stay mutable.
    push_refused(tool_env, multilayer_image, s.host, repo, "release-1")
    assert tag_digest(s, repo, "release-1") == busybox_image.digest
    push_ok(tool_env, multilayer_image, f"{s.host}/{repo}:main")
    assert tag_digest(s, repo, "main") == multilayer_image.digest
    push_ok(tool_env, multilayer_image, f"{s.host}/{repo}:release-2")
    push_refused(tool_env, busybox_image, s.host, repo, "release-2")

    # Back to MUTABLE: the filters go, release-1 moves again.
    out = js(s, "PutImageTagMutability", {"repositoryName": repo, "imageTagMutability": "MUTABLE"})
    assert out["imageTagMutability"] == "MUTABLE" and \
        not out.get("imageTagMutabilityExclusionFilters"), out
    got = describe_repo(s, repo)
    assert got["imageTagMutability"] == "MUTABLE" and \
        not got.get("imageTagMutabilityExclusionFilters"), got
    push_ok(tool_env, multilayer_image, f"{s.host}/{repo}:release-1")
    assert tag_digest(s, repo, "release-1") == multilayer_image.digest


def test_invalid_exclusion_filters(registry):
    s = registry
    six = wildcard("a", "b", "c", "d", "e", "f")
    bad_char = wildcard("release/1")
    cases = [
        ({"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"}, "between 1 and 5"),
        ({"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
          "imageTagMutabilityExclusionFilters": []}, "between 1 and 5"),
        ({"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
          "imageTagMutabilityExclusionFilters": six}, "(got 6)"),
        ({"imageTagMutability": "MUTABLE_WITH_EXCLUSION",
          "imageTagMutabilityExclusionFilters": bad_char}, "release/1"),
        ({"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
          "imageTagMutabilityExclusionFilters": wildcard("x" * 129)}, "x" * 129),
    ]
    for extra, fragment in cases:
        js_fails(s, "InvalidParameterException", "CreateRepository",
                 {"repositoryName": "exclusions/bad", **extra}, fragment)
    js_fails(s, "RepositoryNotFoundException", "DescribeRepositories",
             {"repositoryNames": ["exclusions/bad"]})

    # The same checks on PutImageTagMutability; the repository keeps its setting.
    js(s, "CreateRepository", {"repositoryName": "exclusions/good",
                               "imageTagMutability": "IMMUTABLE"})
    for extra, fragment in cases:
        js_fails(s, "InvalidParameterException", "PutImageTagMutability",
                 {"repositoryName": "exclusions/good", **extra}, fragment)
    got = describe_repo(s, "exclusions/good")
    assert got["imageTagMutability"] == "IMMUTABLE" and \
        not got.get("imageTagMutabilityExclusionFilters"), got
    # 128 characters of the whole allowed alphabet are fine.
    ok = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._*-" * 2)[:128]
    out = js(s, "PutImageTagMutability", {"repositoryName": "exclusions/good",
                                          "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                                          "imageTagMutabilityExclusionFilters": wildcard(ok)})
    assert out["imageTagMutabilityExclusionFilters"] == wildcard(ok), out


# ----------------------------------------------------------------------------- templates

TEAM_TAGS = [{"Key": "owner", "Value": "platform"}, {"Key": "cost-center", "Value": "42"}]


def pull_policy(principal: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": principal},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]})


def team_template(**extra) -> dict:
    return {"prefix": "team", "description": "team repositories",
            "appliedFor": ["CREATE_ON_PUSH"], "imageTagMutability": "IMMUTABLE",
            "resourceTags": TEAM_TAGS, "repositoryPolicy": pull_policy(user_arn("admin")),
            **extra}


def tag_pairs(tags: list[dict]) -> list[tuple[str, str]]:
    return sorted((t["Key"], t["Value"]) for t in tags)


def test_creation_template_lifecycle(registry):
    s = registry
    spec = team_template()
    out = js(s, "CreateRepositoryCreationTemplate", spec)
    assert out["registryId"] == ACCOUNT, out
    t = out["repositoryCreationTemplate"]
    assert (t["prefix"], t["description"], t["appliedFor"], t["imageTagMutability"]) == \
        ("team", "team repositories", ["CREATE_ON_PUSH"], "IMMUTABLE"), t
    assert tag_pairs(t["resourceTags"]) == tag_pairs(TEAM_TAGS), t
    assert json.loads(t["repositoryPolicy"]) == json.loads(spec["repositoryPolicy"]), t
    created = iso(t["createdAt"])
    assert abs(created - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5), t

    listed = js(s, "DescribeRepositoryCreationTemplates", {})
    assert listed["registryId"] == ACCOUNT, listed
    [got] = listed["repositoryCreationTemplates"]
    assert got["prefix"] == "team" and iso(got["createdAt"]) == created, got
    [got] = js(s, "DescribeRepositoryCreationTemplates",
               {"prefixes": ["team"]})["repositoryCreationTemplates"]
    assert got["description"] == "team repositories", got

    js_fails(s, "TemplateAlreadyExistsException", "CreateRepositoryCreationTemplate",
             {"prefix": "team", "appliedFor": ["CREATE_ON_PUSH"]})

    out = js(s, "UpdateRepositoryCreationTemplate",
             {"prefix": "team", "description": "owned by the platform team"})
    t = out["repositoryCreationTemplate"]
    assert t["description"] == "owned by the platform team", t
    # An update changes what it names only.
    assert (t["imageTagMutability"], t["appliedFor"]) == ("IMMUTABLE", ["CREATE_ON_PUSH"]), t
    assert tag_pairs(t["resourceTags"]) == tag_pairs(TEAM_TAGS), t
    assert iso(t["createdAt"]) == created and iso(t["updatedAt"]) >= created, t
    [got] = js(s, "DescribeRepositoryCreationTemplates",
               {"prefixes": ["team"]})["repositoryCreationTemplates"]
    assert got["description"] == "owned by the platform team", got
    js_fails(s, "TemplateNotFoundException", "UpdateRepositoryCreationTemplate",
             {"prefix": "nobody", "description": "x"})

    out = js(s, "DeleteRepositoryCreationTemplate", {"prefix": "team"})
    assert out["repositoryCreationTemplate"]["prefix"] == "team", out
    js_fails(s, "TemplateNotFoundException", "DescribeRepositoryCreationTemplates",
             {"prefixes": ["team"]}, "team")
    js_fails(s, "TemplateNotFoundException", "DeleteRepositoryCreationTemplate",
             {"prefix": "team"})
    assert js(s, "DescribeRepositoryCreationTemplates", {})["repositoryCreationTemplates"] == []


@needs_skopeo
def test_creation_template_create_on_push(start_registry, tool_env, busybox_image,
                                          multilayer_image):
    s = start_registry("[registry]\ncreate_on_push = false\n")
    spec = team_template()
    js(s, "CreateRepositoryCreationTemplate", spec)

    push_ok(tool_env, busybox_image, f"{s.host}/team/svc:1")
    repo = describe_repo(s, "team/svc")
    assert repo["imageTagMutability"] == "IMMUTABLE", repo
    assert repo["repositoryArn"] == repo_arn("team/svc"), repo
    tags = js(s, "ListTagsForResource", {"resourceArn": repo_arn("team/svc")})["tags"]
    assert tag_pairs(tags) == tag_pairs(TEAM_TAGS), tags
    pol = js(s, "GetRepositoryPolicy", {"repositoryName": "team/svc"})
    assert pol["repositoryName"] == "team/svc" and pol["registryId"] == ACCOUNT, pol
    assert json.loads(pol["policyText"]) == json.loads(spec["repositoryPolicy"]), pol
    assert tag_digest(s, "team/svc", "1") == busybox_image.digest
    push_refused(tool_env, multilayer_image, s.host, "team/svc", "1")

    # No template matches: ECR's rule holds (a prefix is whole path segments).
    for name in ("other/svc", "teamwork/svc"):
        p = push(tool_env, busybox_image, f"{s.host}/{name}:1", check=False)
        err = p.stderr.decode()
        assert p.returncode != 0 and "name unknown" in err.lower(), err
        assert f"does not exist in the registry with id '{ACCOUNT}'" in err, err
        js_fails(s, "RepositoryNotFoundException", "DescribeRepositories",
                 {"repositoryNames": [name]}, name)


@needs_skopeo
def test_root_template_and_longest_prefix(start_registry, tool_env, busybox_image,
                                          multilayer_image):
    s = start_registry("[registry]\ncreate_on_push = false\n")

    def scope(name: str) -> list[dict]:
        return [{"Key": "template", "Value": name}]

    js(s, "CreateRepositoryCreationTemplate", {
        "prefix": "ROOT", "appliedFor": ["CREATE_ON_PUSH"], "imageTagMutability": "MUTABLE",
        "resourceTags": scope("root")})
    js(s, "CreateRepositoryCreationTemplate", {
        "prefix": "team", "appliedFor": ["CREATE_ON_PUSH"], "imageTagMutability": "IMMUTABLE",
        "resourceTags": scope("team")})
    js(s, "CreateRepositoryCreationTemplate", {
        "prefix": "team/web", "appliedFor": ["CREATE_ON_PUSH"],
        "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": wildcard("latest"),
        "resourceTags": scope("team/web")})
    prefixes = [t["prefix"] for t in js(s, "DescribeRepositoryCreationTemplates",
                                        {})["repositoryCreationTemplates"]]
    assert sorted(prefixes) == ["ROOT", "team", "team/web"], prefixes

    expected = {  # repository -> (template, mutability, filters)
        "misc/app": ("root", "MUTABLE", None),
        "teamwork/app": ("root", "MUTABLE", None),
        "team/api": ("team", "IMMUTABLE", None),
        "team/website": ("team", "IMMUTABLE", None),
        "team/web/front": ("team/web", "IMMUTABLE_WITH_EXCLUSION", wildcard("latest")),
    }
    for name, (template, mutability, filters) in expected.items():
        push_ok(tool_env, busybox_image, f"{s.host}/{name}:latest")
        repo = describe_repo(s, name)
        assert repo["imageTagMutability"] == mutability, (name, repo)
        assert repo.get("imageTagMutabilityExclusionFilters") == filters or \
            (filters is None and not repo.get("imageTagMutabilityExclusionFilters")), (name, repo)
        tags = js(s, "ListTagsForResource", {"resourceArn": repo_arn(name)})["tags"]
        assert tag_pairs(tags) == tag_pairs(scope(template)), (name, tags)

    # The settings are enforced, not only reported.
    push_ok(tool_env, multilayer_image, f"{s.host}/misc/app:latest")
    push_refused(tool_env, multilayer_image, s.host, "team/api", "latest")
    push_ok(tool_env, multilayer_image, f"{s.host}/team/web/front:latest")
    push_ok(tool_env, busybox_image, f"{s.host}/team/web/front:1")
    push_refused(tool_env, multilayer_image, s.host, "team/web/front", "1")

    # Without ROOT, an unmatched name is refused again.
    out = js(s, "DeleteRepositoryCreationTemplate", {"prefix": "ROOT"})
    assert out["repositoryCreationTemplate"]["prefix"] == "ROOT", out
    p = push(tool_env, busybox_image, f"{s.host}/misc/other:1", check=False)
    assert p.returncode != 0 and "name unknown" in p.stderr.decode().lower(), p.stderr


# ----------------------------------------------------------------------------- archive (2025)


def test_archive_and_restore_with_update_image_storage_class(registry, tool_env, busybox_image):
    """UpdateImageStorageClass and the imageStatus filters of DescribeImages/ListImages, through
    the SDK that knows them: an archived image is hidden by default, listed on request, not
    pullable; STANDARD restores it."""
    repo = "archive/app"
    js(registry, "CreateRepository", {"repositoryName": repo})
    push_ok(tool_env, busybox_image, f"{registry.host}/{repo}:1.0")
    digest = tag_digest(registry, repo, "1.0")

    out = js(registry, "UpdateImageStorageClass",
             {"repositoryName": repo, "imageId": {"imageTag": "1.0"}, "targetStorageClass": "ARCHIVE"})
    assert out["imageStatus"] == "ARCHIVED" and out["imageId"]["imageDigest"] == digest, out
    assert js(registry, "DescribeImages", {"repositoryName": repo})["imageDetails"] == []
    assert js(registry, "ListImages", {"repositoryName": repo})["imageIds"] == []
    [archived] = js(registry, "DescribeImages", {"repositoryName": repo,
                                                 "filter": {"imageStatus": "ARCHIVED"}})["imageDetails"]
    assert archived["imageStatus"] == "ARCHIVED" and archived["imageDigest"] == digest
    assert "lastArchivedAt" in archived, archived
    listed = js(registry, "ListImages", {"repositoryName": repo, "filter": {"imageStatus": "ANY"}})
    assert {"imageDigest": digest, "imageTag": "1.0"} in listed["imageIds"], listed
    got = js(registry, "BatchGetImage", {"repositoryName": repo, "imageIds": [{"imageTag": "1.0"}]})
    assert got["images"] == [] and got["failures"][0]["failureCode"] == "ImageNotFound", got
    pulled = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", "--creds",
                             ":".join(registry.auth), f"docker://{registry.host}/{repo}:1.0"],
                            capture_output=True, env=tool_env, timeout=60)
    assert pulled.returncode != 0 and b"archived" in pulled.stderr, pulled.stderr

    out = js(registry, "UpdateImageStorageClass",
             {"repositoryName": repo, "imageId": {"imageDigest": digest},
              "targetStorageClass": "STANDARD"})
    assert out["imageStatus"] == "ACTIVE", out
    [active] = js(registry, "DescribeImages", {"repositoryName": repo})["imageDetails"]
    assert active["imageStatus"] == "ACTIVE" and "lastActivatedAt" in active, active
    pulled = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", "--creds",
                             ":".join(registry.auth), f"docker://{registry.host}/{repo}:1.0"],
                            capture_output=True, env=tool_env, timeout=60)
    assert pulled.returncode == 0, pulled.stderr

    js_fails(registry, "ImageNotFoundException", "UpdateImageStorageClass",
             {"repositoryName": repo, "imageId": {"imageTag": "nope"},
              "targetStorageClass": "ARCHIVE"}, "nope")
    js_fails(registry, "RepositoryNotFoundException", "UpdateImageStorageClass",
             {"repositoryName": "archive/none", "imageId": {"imageTag": "1.0"},
              "targetStorageClass": "ARCHIVE"})
