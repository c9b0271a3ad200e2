"""The audit log: ECR API calls and /v2/ pushes, pulls and refusals each leave one JSON line
that `wharf admin audit` prints and filters; no secret is ever written, to the log or to the
server's output."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

import images
from ecr_helpers import (TOKEN_ONLY, allow, audit_records, basic, error_code, make_principal,
                         needs_skopeo, poll, policy, push, repo_arn, role_arn, skopeo, user_arn)

pytestmark = [needs_skopeo, pytest.mark.not_on_reference("audit log")]

REPO = "audited/app"


@pytest.fixture
def audited(registry, tool_env, busybox_image):
    """A fresh server on which a developer pushed and pulled, a reader was refused a pull,
    and a few ECR calls succeeded or failed."""
    s = registry
    admin_ecr = s.ecr()
    admin_ecr.create_repository(repositoryName=REPO)
    try:
        admin_ecr.describe_repositories(repositoryNames=["audited/missing"])
    except Exception as e:
        assert error_code(e) == "RepositoryNotFoundException"
    dev = make_principal(s, "user", "dev", {
        "push-pull": policy(allow("ecr:GetAuthorizationToken"),
                            allow(["ecr:*"], repo_arn(REPO)))})
    reader = make_principal(s, "role", "reader", {"login": TOKEN_ONLY})
    dev_pw = s.login_password(dev)
    reader_pw = s.login_password(reader)

    push(tool_env, busybox_image, f"{s.host}/{REPO}:1", "--dest-creds", f"AWS:{dev_pw}")
    info = json.loads(skopeo(tool_env, "inspect", "--tls-verify=false", "--creds",
                             f"AWS:{dev_pw}", f"docker://{s.host}/{REPO}:1").stdout)
    assert info["Digest"] == busybox_image.digest
    layer = busybox_image.layers[0].digest
    r = requests.get(f"{s.url}/v2/{REPO}/blobs/{layer}", headers=basic("AWS", dev_pw),
                     timeout=30)
    assert r.status_code == 200 and images.sha256(r.content) == layer
    r = requests.get(f"{s.url}/v2/{REPO}/manifests/1", headers=basic("AWS", reader_pw),
                     timeout=10)
    assert r.status_code == 403, r.text
    wrong = s.ecr((dev[0], dev[1][::-1]))
    try:
        wrong.describe_repositories()
    except Exception as e:
        assert error_code(e) == "InvalidSignatureException"
    return {"server": s, "dev": dev, "reader": reader, "passwords": [dev_pw, reader_pw],
            "layer": layer}


def wait_for_fixture(server):
    """Audit records are fsync-batched and written in order: polls until the record of the
    fixture's last call (the bad signature) is there, so every earlier one is too."""
    def check():
        recs = audit_records(server)
        return [r for r in recs if r.get("errorCode") == "InvalidSignatureException"] and recs
    return poll(check, timeout=10, what="the fixture's last call, refused for its signature")


def test_records_of_calls_pushes_pulls_and_refusals(audited):
    s = audited["server"]
    dev_akid = audited["dev"][0]
    recs = wait_for_fixture(s)

    for r in recs:
        for field in ("time", "requestId", "principal", "sourceIp", "userAgent", "action",
                      "resource", "outcome"):
            assert field in r, f"{field} missing from {r}"
        assert r["outcome"] in ("success", "failure"), r
        assert r["action"].startswith("ecr:"), r
        assert (r["outcome"] == "failure") == ("errorCode" in r), r
        assert r["sourceIp"].startswith("127.0.0.1"), r
    times = [dt.datetime.fromisoformat(r["time"].replace("Z", "+00:00")) for r in recs]
    assert times == sorted(times), "oldest first"
    assert len({r["requestId"] for r in recs}) == len(recs), "one line per request"

    def one(**want):
        found = [r for r in recs if all(r.get(k) == v for k, v in want.items())]
        assert found, f"no audit record with {want}; have:\n" + "\n".join(map(json.dumps, recs))
        return found[0]

    create = one(action="ecr:CreateRepository")
    assert create["principal"] == user_arn("admin") and create["accessKeyId"] == s.access_key
    assert create["resource"] == repo_arn(REPO) and create["outcome"] == "success"
    assert "Boto3" in create["userAgent"] or "botocore" in create["userAgent"].lower()

    missing = one(action="ecr:DescribeRepositories", errorCode="RepositoryNotFoundException")
    assert missing["outcome"] == "failure" and missing["principal"] == user_arn("admin")

    token = one(action="ecr:GetAuthorizationToken", principal=user_arn("dev"))
    assert token["accessKeyId"] == dev_akid and token["outcome"] == "success"

    # The push through /v2/ with the token: the key behind the token is named.
    put = one(action="ecr:PutImage", principal=user_arn("dev"))
    assert put["accessKeyId"] == dev_akid and put["resource"] == repo_arn(REPO)
    assert put["outcome"] == "success" and "skopeo" in put["userAgent"]
    for action in ("ecr:InitiateLayerUpload", "ecr:CompleteLayerUpload"):
        rec = one(action=action, principal=user_arn("dev"), outcome="success")
        assert rec["resource"] == repo_arn(REPO)
    pull = one(action="ecr:BatchGetImage", principal=user_arn("dev"), outcome="success")
    assert pull["accessKeyId"] == dev_akid and pull["resource"] == repo_arn(REPO)
    one(action="ecr:GetDownloadUrlForLayer", principal=user_arn("dev"), outcome="success")

    denied = one(action="ecr:BatchGetImage", principal=role_arn("reader"))
    assert denied["outcome"] == "failure" and denied["errorCode"] == "DENIED", denied
    assert denied["accessKeyId"] == audited["reader"][0]
    assert denied["resource"] == repo_arn(REPO)

    bad = one(action="ecr:DescribeRepositories", errorCode="InvalidSignatureException")
    assert bad["outcome"] == "failure" and bad.get("principal") != user_arn("dev"), bad


def test_filters(audited):
    s = audited["server"]
    everything = wait_for_fixture(s)

    by_reader = audit_records(s, "--principal", role_arn("reader"))
    assert by_reader and all(r["principal"] == role_arn("reader") for r in by_reader)
    assert by_reader == [r for r in everything if r.get("principal") == role_arn("reader")]
    partial = audit_records(s, "--principal", "role/reader")
    assert partial == by_reader

    puts = audit_records(s, "--action", "ecr:PutImage")
    assert puts and all(r["action"] == "ecr:PutImage" for r in puts)
    assert puts == [r for r in everything if r["action"] == "ecr:PutImage"]

    both = audit_records(s, "--principal", user_arn("dev"), "--action", "ecr:BatchGetImage")
    assert both and all(r["principal"] == user_arn("dev") and r["action"] == "ecr:BatchGetImage"
                        for r in both)

    assert audit_records(s, "--since", "1h") == everything
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    assert audit_records(s, "--since", future) == []
    assert audit_records(s, "--action", "ecr:DeleteRepository") == []


def test_no_secret_is_written(audited):
    s = audited["server"]
    wait_for_fixture(s)
    secrets = [s.secret_key, audited["dev"][1], audited["reader"][1], audited["dev"][1][::-1],
               *audited["passwords"]]
    places = {p: p.read_bytes() for p in (s.data_dir / "audit").rglob("*") if p.is_file()}
    assert places, f"no audit file under {s.data_dir / 'audit'}"
    places[s.stdout_path] = s.stdout_path.read_bytes()
    places[s.stderr_path] = s.stderr_path.read_bytes()
    for path, content in places.items():
        for secret in secrets:
            assert secret.encode() not in content, f"a secret or token appears in {path}"
