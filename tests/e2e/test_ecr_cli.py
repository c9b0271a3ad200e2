"""The platform team's workflow with the real aws CLI (`aws ecr ... --endpoint-url`), skopeo and
`wharf admin`: repositories, roles with keys, a repository policy that lets `ci` push and
`k8s-node` pull, tokens from get-login-password, immutable tags, the image API, resource
tags, deletion, and the ways AWS refuses a caller (wrong secret, unknown key, skewed clock,
disabled key, expired token)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import requests

import images
from ecr_helpers import (ACCOUNT, PULL_ACTIONS, PUSH_ACTIONS, TOKEN_ONLY, AwsCli, admin,
                         allow, basic, clock_shim, make_principal, needs_aws, needs_skopeo,
                         poll, policy, push, raw_call, repo_arn, restart_with_clock_offset,
                         role_arn, skopeo, user_arn)

pytestmark = [needs_aws, needs_skopeo, pytest.mark.not_on_reference("ECR API and IAM")]

IMMUTABLE_REPOS = ("qualisys-api", "qualisys-web", "playwright-runner")
GAME = "typerush/game-service"
EXPIRED = "Your authorization token has expired. Reauthenticate and try again."


@pytest.fixture(scope="module")
def team(shared_registry, tool_env, tmp_path_factory):
    """Repositories, the ci / k8s-node / intruder roles with keys, and qualisys-api's policy."""
    s = shared_registry
    cli = AwsCli(s, tmp_path_factory.mktemp("aws"))
    created = {}
    for name in IMMUTABLE_REPOS:
        created[name] = cli.call("create-repository", "--repository-name", name,
                                 "--image-scanning-configuration", "scanOnPush=true",
                                 "--image-tag-mutability", "IMMUTABLE")["repository"]
    created[GAME] = cli.call("create-repository", "--repository-name", GAME,
                             "--image-tag-mutability", "MUTABLE")["repository"]
    keys = {name: make_principal(s, "role", name, {"ecr-login": TOKEN_ONLY})
            for name in ("ci", "k8s-node", "intruder")}
    repo_policy = policy(
        {"Sid": "CiPushes", "Effect": "Allow", "Principal": {"AWS": role_arn("ci")},
         "Action": PUSH_ACTIONS},
        {"Sid": "NodesPull", "Effect": "Allow", "Principal": {"AWS": [role_arn("k8s-node")]},
         "Action": PULL_ACTIONS})
    # Everyone else is refused by the implicit deny: no identity policy of theirs allows
    # ecr:* on the repository and no statement here names them.
    out = cli.call("set-repository-policy", "--repository-name", "qualisys-api",
                   "--policy-text", repo_policy)
    assert out["repositoryName"] == "qualisys-api" and out["registryId"] == ACCOUNT, out
    passwords = {name: cli.login_password(key) for name, key in keys.items()}
    return {"server": s, "cli": cli, "created": created, "keys": keys, "pw": passwords,
            "policy": repo_policy, "env": tool_env}


@pytest.fixture(scope="module")
def api_image(team, busybox_image):
    """busybox pushed to qualisys-api:1.0 by ci with its token."""
    s = team["server"]
    push(team["env"], busybox_image, f"{s.host}/qualisys-api:1.0",
         "--dest-creds", f"AWS:{team['pw']['ci']}")
    return busybox_image


def test_repositories_as_created(team):
    cli = team["cli"]
    repos = {r["repositoryName"]: r for r in cli.call("describe-repositories")["repositories"]}
    assert set(repos) == {*IMMUTABLE_REPOS, GAME}
    for name, r in repos.items():
        assert r["repositoryArn"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{name}"
        assert r["registryId"] == ACCOUNT
        assert r["repositoryUri"] == f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{name}"
        assert dt.datetime.fromisoformat(r["createdAt"]).tzinfo is not None, r
        assert r["encryptionConfiguration"] == {"encryptionType": "AES256"}
        assert r == team["created"][name], "describe-repositories differs from create-repository"
        want = ("MUTABLE", False) if name == GAME else ("IMMUTABLE", True)
        assert (r["imageTagMutability"],
                r["imageScanningConfiguration"]["scanOnPush"]) == want, r
    one = cli.call("describe-repositories", "--repository-names", "qualisys-web")
    assert [r["repositoryName"] for r in one["repositories"]] == ["qualisys-web"]
    err = cli.fails("RepositoryNotFoundException", "DescribeRepositories",
                    "describe-repositories", "--repository-names", "qualisys-nope")
    assert "qualisys-nope" in err and ACCOUNT in err
    cli.fails("RepositoryAlreadyExistsException", "CreateRepository",
              "create-repository", "--repository-name", "qualisys-api")
    cli.fails("InvalidParameterException", "CreateRepository",
              "create-repository", "--repository-name", "Upper/Case")


def test_repository_policy_reads_back(team):
    out = team["cli"].call("get-repository-policy", "--repository-name", "qualisys-api")
    assert json.loads(out["policyText"]) == json.loads(team["policy"])
    team["cli"].fails("RepositoryPolicyNotFoundException", "GetRepositoryPolicy",
                      "get-repository-policy", "--repository-name", "qualisys-web")


def test_login_password_needs_an_identity_grant(team):
    s, cli = team["server"], team["cli"]
    for name, pw in team["pw"].items():
        assert pw and ":" not in pw, (name, pw)
        r = requests.get(s.url + "/v2/", headers=basic("AWS", pw), timeout=10)
        assert r.status_code == 200, (name, r.status_code, r.text)
    nobody = make_principal(s, "role", "no-login")
    err = cli.fails("AccessDeniedException", "GetAuthorizationToken",
                    "get-login-password", key=nobody)
    assert role_arn("no-login") in err and "ecr:GetAuthorizationToken" in err


def test_ci_pushes_node_pulls_others_refused(team, api_image, multilayer_image, tmp_path):
    """ci has pushed busybox (api_image) to qualisys-api:1.0 with its token."""
    s, env, pw, cli = team["server"], team["env"], team["pw"], team["cli"]
    ref = f"{s.host}/qualisys-api"
    busybox_image = api_image

    # The node cannot push: refused at the first upload, naming the principal and action.
    p = push(env, multilayer_image, f"{ref}:node", "--dest-creds", f"AWS:{pw['k8s-node']}",
             check=False)
    err = p.stderr.decode()
    assert p.returncode != 0 and "denied" in err, err
    assert f"{role_arn('k8s-node')} is not authorized to perform: ecr:" in err, err
    assert repo_arn("qualisys-api") in err, err

    # The registry holds what ci pushed, and nothing of the refused push.
    details = cli.call("describe-images", "--repository-name", "qualisys-api")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in details] == \
        [(busybox_image.digest, ["1.0"])], "the node's refused push must leave nothing behind"

    # The node pulls: inspect and copy to a local layout, digests unchanged.
    node = ("--creds", f"AWS:{pw['k8s-node']}")
    info = json.loads(skopeo(env, "inspect", "--tls-verify=false", *node,
                             f"docker://{ref}:1.0").stdout)
    assert info["Digest"] == busybox_image.digest
    out = tmp_path / "pulled"
    skopeo(env, "copy", "--src-tls-verify=false", "--src-creds", f"AWS:{pw['k8s-node']}",
           "--preserve-digests", f"docker://{ref}:1.0", f"oci:{out}:1.0")
    _, manifest = images.read_layout_manifest(out, "1.0")
    assert images.sha256(manifest) == busybox_image.digest
    for digest in busybox_image.all_blobs():
        blob = out / "blobs" / "sha256" / digest.split(":")[1]
        assert images.sha256(blob.read_bytes()) == digest

    # ... but cannot delete.
    p = skopeo(env, "delete", "--tls-verify=false", *node, f"docker://{ref}:1.0", check=False)
    err = p.stderr.decode()
    assert p.returncode != 0 and "403" in err and "ecr:BatchDeleteImage" in err, err
    r = requests.get(f"{s.url}/v2/qualisys-api/manifests/1.0", timeout=10,
                     headers={**basic("AWS", pw["k8s-node"]), "Accept": images.ACCEPT_ALL})
    assert r.status_code == 200 and images.sha256(r.content) == busybox_image.digest

    # A principal the policy does not name is refused by the implicit deny.
    p = skopeo(env, "inspect", "--tls-verify=false", "--creds", f"AWS:{pw['intruder']}",
               f"docker://{ref}:1.0", check=False)
    err = p.stderr.decode()
    assert p.returncode != 0 and "denied" in err, err
    assert f"{role_arn('intruder')} is not authorized to perform: ecr:BatchGetImage" in err, err
    # ci's grant is on qualisys-api only.
    p = skopeo(env, "inspect", "--tls-verify=false", "--creds", f"AWS:{pw['ci']}",
               f"docker://{s.host}/qualisys-web:1.0", check=False)
    assert p.returncode != 0 and "denied" in p.stderr.decode(), p.stderr

    # Anonymous: 401 with ECR's Basic challenge.
    p = skopeo(env, "inspect", "--tls-verify=false", "--no-creds", f"docker://{ref}:1.0",
               check=False)
    assert p.returncode != 0 and "unauthorized" in p.stderr.decode().lower(), p.stderr
    r = requests.get(f"{s.url}/v2/qualisys-api/manifests/1.0", timeout=10)
    assert r.status_code == 401, r.text
    assert r.headers["WWW-Authenticate"].startswith("Basic realm="), r.headers
    assert 'service="ecr' in r.headers["WWW-Authenticate"], r.headers


def test_immutable_tag_cannot_move(team, api_image, multilayer_image):
    s, env, pw, cli = team["server"], team["env"], team["pw"], team["cli"]
    message = ("The image tag '1.0' already exists in the 'qualisys-api' repository and "
               "cannot be overwritten because the tag is immutable.")
    for image in (multilayer_image, api_image):  # other content, and the same digest again
        p = push(env, image, f"{s.host}/qualisys-api:1.0", "--dest-creds", f"AWS:{pw['ci']}",
                 check=False)
        err = p.stderr.decode()
        assert p.returncode != 0 and "tag invalid" in err and message in err, err
    err = cli.fails("ImageTagAlreadyExistsException", "PutImage", "put-image",
                    "--repository-name", "qualisys-api", "--image-tag", "1.0",
                    "--image-manifest", api_image.manifest.decode())
    assert "1.0" in err and "immutable" in err, err
    ids = cli.call("list-images", "--repository-name", "qualisys-api")["imageIds"]
    assert ids == [{"imageDigest": api_image.digest, "imageTag": "1.0"}], ids


def test_image_api(team, busybox_image, multilayer_image):
    s, env, cli = team["server"], team["env"], team["cli"]
    for image, tag in ((busybox_image, "v1"), (busybox_image, "stable"),
                       (multilayer_image, "v2")):
        push(env, image, f"{s.host}/{GAME}:{tag}")  # the administrator's key
    repo = ("--repository-name", GAME)

    details = {d["imageDigest"]: d for d in cli.call("describe-images", *repo)["imageDetails"]}
    assert set(details) == {busybox_image.digest, multilayer_image.digest}
    for image in (busybox_image, multilayer_image):
        d = details[image.digest]
        assert d["registryId"] == ACCOUNT and d["repositoryName"] == GAME
        assert d["imageManifestMediaType"] == images.MT_MANIFEST
        assert d["artifactMediaType"] == images.MT_CONFIG
        layers = sum(b.size for b in image.layers)
        assert layers <= d["imageSizeInBytes"] <= layers + image.config.size + image.size, d
        pushed = dt.datetime.fromisoformat(d["imagePushedAt"])
        assert abs((dt.datetime.now(dt.timezone.utc) - pushed).total_seconds()) < 300, d
    assert sorted(details[busybox_image.digest]["imageTags"]) == ["stable", "v1"]
    assert details[multilayer_image.digest]["imageTags"] == ["v2"]

    ids = cli.call("list-images", *repo)["imageIds"]
    assert sorted((i["imageDigest"], i.get("imageTag")) for i in ids) == sorted(
        [(busybox_image.digest, "v1"), (busybox_image.digest, "stable"),
         (multilayer_image.digest, "v2")])
    assert cli.call("list-images", *repo, "--filter", "tagStatus=UNTAGGED")["imageIds"] == []

    got = cli.call("batch-get-image", *repo, "--image-ids", "imageTag=v1", "imageTag=nope")
    assert len(got["images"]) == 1, got
    img = got["images"][0]
    assert img["imageId"] == {"imageDigest": busybox_image.digest, "imageTag": "v1"}
    assert hashlib.sha256(img["imageManifest"].encode()).hexdigest() == \
        busybox_image.digest.split(":")[1], "imageManifest must be the pushed bytes"
    assert img["imageManifestMediaType"] == images.MT_MANIFEST
    assert got["failures"] == [{"imageId": {"imageTag": "nope"}, "failureCode": "ImageNotFound",
                                "failureReason": "Requested image not found"}]

    # PutImage: same manifest and tag again; a new tag; a digest that does not match.
    manifest = busybox_image.manifest.decode()
    cli.fails("ImageAlreadyExistsException", "PutImage", "put-image", *repo,
              "--image-tag", "v1", "--image-manifest", manifest)
    put = cli.call("put-image", *repo, "--image-tag", "v1-copy", "--image-manifest", manifest)
    assert put["image"]["imageId"] == {"imageDigest": busybox_image.digest, "imageTag": "v1-copy"}
    assert put["image"]["imageManifest"] == manifest
    cli.fails("ImageDigestDoesNotMatchException", "PutImage", "put-image", *repo,
              "--image-tag", "v1-bad", "--image-manifest", manifest,
              "--image-digest", "sha256:" + "0" * 64)

    # BatchDeleteImage: a tag removes the tag only; a missing tag is a failure, not an error.
    out = cli.call("batch-delete-image", *repo, "--image-ids", "imageTag=stable", "imageTag=nope")
    assert out["imageIds"] == [{"imageDigest": busybox_image.digest, "imageTag": "stable"}], out
    assert out["failures"] == [{"imageId": {"imageTag": "nope"}, "failureCode": "ImageNotFound",
                                "failureReason": "Requested image not found"}], out
    tags = cli.call("describe-images", *repo, "--image-ids",
                    f"imageDigest={busybox_image.digest}")["imageDetails"][0]["imageTags"]
    assert sorted(tags) == ["v1", "v1-copy"]
    # The last tag of an image takes the image with it.
    cli.call("batch-delete-image", *repo, "--image-ids", "imageTag=v2")
    cli.fails("ImageNotFoundException", "DescribeImages", "describe-images", *repo,
              "--image-ids", f"imageDigest={multilayer_image.digest}")
    # A digest removes the image and all its tags.
    out = cli.call("batch-delete-image", *repo, "--image-ids",
                   f"imageDigest={busybox_image.digest}")
    assert {i["imageDigest"] for i in out["imageIds"]} == {busybox_image.digest}, out
    assert sorted(i.get("imageTag", "") for i in out["imageIds"]) == ["v1", "v1-copy"], out
    assert out["failures"] == []
    assert cli.call("list-images", *repo)["imageIds"] == []
    r = requests.get(f"{s.url}/v2/{GAME}/manifests/v1", auth=s.auth, timeout=10,
                     headers={"Accept": images.ACCEPT_ALL})
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN", r.text


def test_resource_tags(team):
    cli = team["cli"]
    arn = ("--resource-arn", repo_arn("qualisys-web"))
    cli.call("tag-resource", *arn, "--tags", "Key=team,Value=qa", "Key=env,Value=prod")
    cli.call("tag-resource", *arn, "--tags", "Key=env,Value=staging", "Key=cost,Value=42")
    tags = cli.call("list-tags-for-resource", *arn)["tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == \
        [("cost", "42"), ("env", "staging"), ("team", "qa")]
    cli.call("untag-resource", *arn, "--tag-keys", "env", "cost")
    assert cli.call("list-tags-for-resource", *arn)["tags"] == [{"Key": "team", "Value": "qa"}]
    cli.fails("RepositoryNotFoundException", "ListTagsForResource", "list-tags-for-resource",
              "--resource-arn", repo_arn("qualisys-none"))
    cli.fails("InvalidParameterException", "TagResource", "tag-resource",
              "--resource-arn", "arn:aws:s3:::bucket", "--tags", "Key=a,Value=b")


def test_explicit_deny_beats_administrator(team):
    cli = team["cli"]
    cli.call("set-repository-policy", "--repository-name", "playwright-runner", "--policy-text",
             policy({"Effect": "Deny", "Principal": "*", "Action": "ecr:BatchDeleteImage"}))
    err = cli.fails("AccessDeniedException", "BatchDeleteImage", "batch-delete-image",
                    "--repository-name", "playwright-runner", "--image-ids", "imageTag=x")
    assert user_arn("admin") in err and "explicit deny" in err, err
    cli.call("delete-repository-policy", "--repository-name", "playwright-runner")
    out = cli.call("batch-delete-image", "--repository-name", "playwright-runner",
                   "--image-ids", "imageTag=x")
    assert out["failures"][0]["failureCode"] == "ImageNotFound", out


def test_delete_repository(team, busybox_image):
    s, env, cli = team["server"], team["env"], team["cli"]
    cli.call("create-repository", "--repository-name", "scratch/doomed")
    push(env, busybox_image, f"{s.host}/scratch/doomed:1")
    err = cli.fails("RepositoryNotEmptyException", "DeleteRepository", "delete-repository",
                    "--repository-name", "scratch/doomed")
    assert "scratch/doomed" in err
    out = cli.call("delete-repository", "--repository-name", "scratch/doomed", "--force")
    assert out["repository"]["repositoryName"] == "scratch/doomed"
    assert out["repository"]["repositoryArn"] == repo_arn("scratch/doomed")
    cli.fails("RepositoryNotFoundException", "DescribeRepositories", "describe-repositories",
              "--repository-names", "scratch/doomed")
    cli.fails("RepositoryNotFoundException", "DeleteRepository", "delete-repository",
              "--repository-name", "scratch/doomed")
    r = requests.get(f"{s.url}/v2/scratch/doomed/tags/list", auth=s.auth, timeout=10)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "NAME_UNKNOWN", r.text


def test_wrong_secret_and_unknown_key(team):
    s, cli = team["server"], team["cli"]
    akid, secret = team["keys"]["ci"]
    wrong = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    err = cli.fails("InvalidSignatureException", "GetAuthorizationToken",
                    "get-login-password", key=(akid, wrong))
    assert "The request signature we calculated does not match the signature you provided" in err
    err = cli.fails("UnrecognizedClientException", "DescribeRepositories",
                    "describe-repositories", key=("AKIAIOSFODNN7EXAMPLE", secret))
    assert "The security token included in the request is invalid" in err
    # The data plane refuses the same pairs.
    for user, password in ((akid, wrong), ("AKIAIOSFODNN7EXAMPLE", secret), ("AWS", "x" * 40)):
        r = requests.get(s.url + "/v2/", headers=basic(user, password), timeout=10)
        assert r.status_code == 401, (user, r.status_code, r.text)


def test_skewed_clock(team):
    s = team["server"]
    now = dt.datetime.utcnow()
    for skew, words in ((-20, "Signature expired"), (20, "Signature not yet current")):
        r = raw_call(s, "DescribeRepositories", {}, when=now + dt.timedelta(minutes=skew))
        assert r.status_code in (400, 403), r.text
        doc = r.json()
        assert doc["__type"] == "InvalidSignatureException", doc
        assert doc["message"].startswith(words), doc
    # Within the 15 minutes AWS tolerates.
    r = raw_call(s, "DescribeRepositories", {}, when=now - dt.timedelta(minutes=10))
    assert r.status_code == 200, r.text


def test_disabled_key_token_stops_working(team, busybox_image):
    s, cli, env = team["server"], team["cli"], team["env"]
    key = make_principal(s, "user", "temp-dev", {"all-ecr": policy(allow("ecr:*"))})
    pw = cli.login_password(key)
    url = f"{s.url}/v2/qualisys-web/manifests/dev"
    headers = {**basic("AWS", pw), "Accept": images.ACCEPT_ALL}
    push(env, busybox_image, f"{s.host}/qualisys-web:dev", "--dest-creds", f"AWS:{pw}")
    assert requests.get(url, headers=headers, timeout=10).status_code == 200

    admin(s, "key", "disable", key[0])
    poll(lambda: requests.get(url, headers=headers, timeout=10).status_code in (401, 403),
         what="token of a disabled key refused")
    cli.fails("UnrecognizedClientException", "DescribeRepositories", "describe-repositories",
              key=key)
    p = skopeo(env, "inspect", "--tls-verify=false", "--creds", f"AWS:{pw}",
               f"docker://{s.host}/qualisys-web:dev", check=False)
    assert p.returncode != 0, p.stdout

    admin(s, "key", "enable", key[0])
    poll(lambda: requests.get(url, headers=headers, timeout=10).status_code == 200,
         what="token works again")


def test_expired_token(start_registry, tool_env, monkeypatch, tmp_path, busybox_image):
    """Tokens last 12 h: the server is restarted with its wall clock 13 h ahead (an LD_PRELOAD
    shim), and the token minted before is refused with ECR's message."""
    s = start_registry()
    cli = AwsCli(s, tmp_path / "aws")
    pw = cli.login_password(None)
    push(tool_env, busybox_image, f"{s.host}/late/app:1", "--dest-creds", f"AWS:{pw}")
    lib = clock_shim(tmp_path)
    restart_with_clock_offset(s, monkeypatch, lib, 13 * 3600)

    r = requests.get(f"{s.url}/v2/late/app/manifests/1", headers=basic("AWS", pw), timeout=10)
    assert r.status_code == 403, r.text
    err = r.json()["errors"][0]
    assert (err["code"], err["message"]) == ("DENIED", EXPIRED), r.text
    p = skopeo(tool_env, "inspect", "--tls-verify=false", "--creds", f"AWS:{pw}",
               f"docker://{s.host}/late/app:1", check=False)
    assert p.returncode != 0 and EXPIRED in p.stderr.decode(), p.stderr
    # Access keys do not expire: the administrator's Basic AKID:secret still pulls.
    r = requests.get(f"{s.url}/v2/late/app/manifests/1", auth=s.auth, timeout=10,
                     headers={"Accept": images.ACCEPT_ALL})
    assert r.status_code == 200 and images.sha256(r.content) == busybox_image.digest

    restart_with_clock_offset(s, monkeypatch, lib, 0)
    r = requests.get(f"{s.url}/v2/late/app/manifests/1", headers=basic("AWS", pw), timeout=10)
    assert r.status_code == 200, "the same token 13 h earlier is valid: " + r.text
