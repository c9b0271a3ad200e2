"""ECR lifecycle policies and the archive storage class, end to end: the real aws CLI
(put/get/delete-lifecycle-policy, start-lifecycle-policy-preview, `aws ecr wait
lifecycle-policy-preview-complete`, get-lifecycle-policy-preview, update-image-storage-class,
describe-images --filter imageStatus=...), real skopeo pushes and pulls of small images built
here, and `wharf admin lifecycle preview|run` and `wharf admin usage` over the server's data
directory while it runs.

Time: `wharf admin lifecycle preview --at T` evaluates as of T; `wharf admin lifecycle run`
runs in its own process, so the LD_PRELOAD clock shim of ecr_helpers moves *its* wall clock
(the server keeps the real one) to show an age rule (sinceImagePulled -> archive, then
sinceImageTransitioned -> expire) acting weeks later.

Debian's aws CLI (2.9, early 2023) predates the archive storage class: it has no
update-image-storage-class, rejects `describe-images --filter imageStatus=...` as an unknown
member, and drops members it does not model (storageClass of preview results, lastArchivedAt).
Where it lacks something the same request goes out signed by ecr_helpers.raw_call; a newer CLI
is used as it is."""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

import images
from ecr_helpers import (ACCOUNT, AWS, AwsCli, assert_raw_error, audit_records, clock_shim,
                         needs_aws, needs_skopeo, push, raw_call, raw_ok, repo_arn,
                         restart_with_clock_offset, skopeo)
from conftest import _server_fixture
from harness import WHARF_BIN, ConfiguredServer, run

pytestmark = [needs_aws, needs_skopeo, pytest.mark.not_on_reference("ECR lifecycle policies")]

DAY = 86400

# ----------------------------------------------------------------------------- policies


def expire_rule(priority: int, selection: dict, description: str = "") -> dict:
    rule = {"rulePriority": priority, "selection": selection, "action": {"type": "expire"}}
    if description:
        rule["description"] = description
    return rule


def keep_newest(n: int, **tags) -> dict:
    return {"tagStatus": "tagged", **tags, "countType": "imageCountMoreThan", "countNumber": n}


def text(policy: dict) -> str:
    return json.dumps(policy)


# The user guide's "Filtering on multiple rules", examples A and B.
EXAMPLE_A = {"rules": [
    expire_rule(1, keep_newest(1, tagPatternList=["prod*"]), "Rule 1"),
    expire_rule(2, keep_newest(1, tagPatternList=["beta*"]), "Rule 2"),
]}
EXAMPLE_B = {"rules": [
    expire_rule(1, keep_newest(1, tagPatternList=["beta*"]), "Rule 1"),
    expire_rule(2, keep_newest(1, tagPatternList=["prod*"]), "Rule 2"),
]}

# The protect idiom: a high-priority rule that keeps every prod image shields it from the
# rules after it, including the catch-all; priorities need not be contiguous.
SHOP_POLICY = {"rules": [
    expire_rule(1, keep_newest(9999, tagPatternList=["prod*"]), "keep every prod image"),
    expire_rule(2, keep_newest(2, tagPrefixList=["ci-"]), "two newest CI builds"),
    expire_rule(3, keep_newest(1, tagPatternList=["beta-*"]), "newest beta"),
    expire_rule(10, {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days",
                     "countNumber": 7}, "anything else after a week"),
]}

# Cold storage: CI builds nobody pulled for 30 days go to the archive, and what has been in the
# archive for 90 days is deleted.
COLD_POLICY = {"rules": [
    expire_rule(1, keep_newest(9999, tagPatternList=["prod*"]), "keep every prod image"),
    {"rulePriority": 2, "description": "archive unpulled CI builds",
     "selection": {"tagStatus": "tagged", "tagPrefixList": ["ci-"],
                   "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 30},
     "action": {"type": "transition", "targetStorageClass": "archive"}},
    {"rulePriority": 3, "description": "delete what sat in the archive for 90 days",
     "selection": {"tagStatus": "any", "storageClass": "archive",
                   "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": 90},
     "action": {"type": "expire"}},
]}

# ----------------------------------------------------------------------------- images

BASE = images.LayerBuilder().file("opt/base/lib.bin",
                                  images.pseudo_random("lifecycle-base", 24 * 1024)).build()


def small_image(name: str) -> images.Image:
    """A distinct two-layer image: a base layer every image here shares, and its own layer."""
    own = (images.LayerBuilder()
           .file("app/name.txt", f"{name}\n".encode())
           .file("app/payload.bin", images.pseudo_random(name, 3000))
           .build())
    return images.make_image(name, [BASE, own], cmd=["/app/run"],
                             labels={"org.opencontainers.image.title": name})


class Pusher:
    """Builds images into OCI layouts and pushes them with skopeo, one at a time (push order
    is what imageCountMoreThan counts by)."""

    def __init__(self, server, env, layouts: Path):
        self.server, self.env, self.layouts = server, env, layouts
        self.images: dict[str, images.Image] = {}

    def push(self, repo: str, name: str, *tags: str) -> images.Image:
        """Pushes image `name` under each tag (none: by digest, untagged)."""
        img = self.images.get(name)
        if img is None:
            img = images.write_layout(self.layouts / name, small_image(name), "src")
            self.images[name] = img
        host = self.server.host
        if not tags:
            push(self.env, img, f"{host}/{repo}@{img.digest}")
        for tag in tags:
            push(self.env, img, f"{host}/{repo}:{tag}")
        return img


def pull_in_full(env, host: str, repo: str, image: images.Image, out: Path, ref: str = ""):
    """skopeo copy to a dir: the manifest and every blob, each checked against its digest."""
    ref = ref or f"@{image.digest}"
    skopeo(env, "copy", "--src-tls-verify=false", f"docker://{host}/{repo}{ref}", f"dir:{out}")
    manifest = (out / "manifest.json").read_bytes()
    assert images.sha256(manifest) == image.digest, f"{repo}{ref}: another manifest"
    for digest in image.all_blobs():
        blob = out / digest.split(":", 1)[1]
        assert blob.is_file(), f"{repo}{ref}: {digest} not pulled"
        assert images.sha256(blob.read_bytes()) == digest, f"{repo}{ref}: {digest} corrupt"


def inspect_fails(env, host: str, repo: str, ref: str) -> str:
    p = skopeo(env, "inspect", "--tls-verify=false", f"docker://{host}/{repo}{ref}", check=False)
    assert p.returncode != 0, f"{repo}{ref} still pulls: {p.stdout[:300]!r}"
    return p.stderr.decode()


# ----------------------------------------------------------------------------- wharf admin


def wharf_admin(server, *args, env: dict | None = None, check: bool = True):
    return run([WHARF_BIN, "admin", "--data", str(server.data_dir), *args], env=env,
               check=check, timeout=60)


def wharf_admin_json(server, *args, env: dict | None = None):
    return json.loads(wharf_admin(server, *args, env=env).stdout)


def shifted(lib: Path, seconds: int) -> dict:
    """The environment of a `wharf admin` process whose wall clock runs `seconds` ahead."""
    return dict(os.environ, LD_PRELOAD=str(lib), WHARF_E2E_CLOCK_OFFSET=str(seconds))


def instant(seconds_from_now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds_from_now))


def lines_by_digest(output: str) -> dict[str, str]:
    """`wharf admin lifecycle preview` rows keyed by the short digest they start with."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("sha256:"):
            rows[line.split()[0]] = line
    return rows


def short(digest: str) -> str:
    return digest[:len("sha256:") + 12]


def audit_for(server, action: str, repo: str) -> list[dict]:
    prefix = repo_arn(repo) + "@"
    return [r for r in audit_records(server, "--action", action)
            if r["resource"].startswith(prefix)]


# ----------------------------------------------------------------------------- CLI or raw


@functools.lru_cache(maxsize=None)
def cli_has_command(command: str) -> bool:
    p = subprocess.run([AWS, "ecr", command, "help"], capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL, env=dict(os.environ, PAGER="cat", AWS_PAGER=""))
    return p.returncode == 0


def epoch(value) -> float:
    """A timestamp as the CLI prints it (ISO 8601) or as the wire carries it (epoch seconds)."""
    if isinstance(value, (int, float)):
        return float(value)
    return dt.datetime.fromisoformat(value).timestamp()


def details_with_status(lc, repo: str, status: str) -> dict[str, dict]:
    """describe-images --filter imageStatus=STATUS; raw DescribeImages when the CLI refuses the
    member."""
    p = lc["cli"].call("describe-images", "--repository-name", repo, "--filter",
                       f"imageStatus={status}", check=False)
    if p.returncode == 0:
        out = json.loads(p.stdout)["imageDetails"]
    else:
        err = p.stderr.decode()
        assert "Unknown parameter" in err and "imageStatus" in err, err
        out = raw_ok(lc["server"], "DescribeImages",
                     {"repositoryName": repo, "filter": {"imageStatus": status}})["imageDetails"]
    return {d["imageDigest"]: d for d in out}


def update_storage_class(lc, repo: str, image_id: dict, target: str, error: str = ""):
    """update-image-storage-class (raw UpdateImageStorageClass when the CLI lacks it). With
    `error`, the call must fail with that exception; its message is returned."""
    if cli_has_command("update-image-storage-class"):
        args = ("update-image-storage-class", "--repository-name", repo, "--image-id",
                ",".join(f"{k}={v}" for k, v in image_id.items()),
                "--target-storage-class", target)
        if error:
            return lc["cli"].fails(error, "UpdateImageStorageClass", *args)
        return lc["cli"].call(*args)
    r = raw_call(lc["server"], "UpdateImageStorageClass",
                 {"repositoryName": repo, "imageId": image_id, "targetStorageClass": target})
    if error:
        return assert_raw_error(r, error)["message"]
    assert r.status_code == 200, r.text
    return r.json()


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lc_server(request, tmp_path_factory):
    """One server for the module. Its scheduled lifecycle runs (the first at a random point
    between one minute and `interval_hours`) would act on the policies stored here behind the
    tests' backs: at 168 hours the chance that one falls in this module's two minutes is about
    one in 10,000."""
    base = tmp_path_factory.mktemp("lifecycle-registry")
    server = ConfiguredServer(base / "data", base / "logs", "[lifecycle]\ninterval_hours = 168\n")
    yield from _server_fixture(request, base, server)


@pytest.fixture(scope="module")
def lc(lc_server, tool_env, tmp_path_factory):
    s = lc_server
    return {"server": s, "cli": AwsCli(s, tmp_path_factory.mktemp("aws")), "env": tool_env,
            "pusher": Pusher(s, tool_env, tmp_path_factory.mktemp("layouts"))}


def details_by_digest(cli, repo: str, *extra: str) -> dict[str, dict]:
    out = cli.call("describe-images", "--repository-name", repo, *extra)["imageDetails"]
    return {d["imageDigest"]: d for d in out}


def preview(lc, repo: str, *extra: str) -> tuple[dict, dict]:
    """start-lifecycle-policy-preview, `aws ecr wait lifecycle-policy-preview-complete`,
    get-lifecycle-policy-preview; returns what the CLI printed and the raw response (which has
    the members an older CLI drops)."""
    cli = lc["cli"]
    started = cli.call("start-lifecycle-policy-preview", "--repository-name", repo, *extra)
    assert started["registryId"] == ACCOUNT and started["repositoryName"] == repo, started
    assert started["status"] in ("IN_PROGRESS", "COMPLETE"), started
    cli.call("wait", "lifecycle-policy-preview-complete", "--repository-name", repo)
    got = cli.call("get-lifecycle-policy-preview", "--repository-name", repo)
    assert got["status"] == "COMPLETE", got
    assert got["lifecyclePolicyText"] == started["lifecyclePolicyText"], got
    raw = raw_ok(lc["server"], "GetLifecyclePolicyPreview", {"repositoryName": repo})
    assert raw["status"] == "COMPLETE", raw
    return got, raw


def assert_expiring(result: dict, raw: dict, expected: dict[str, tuple[list[str], int]],
                    details: dict):
    """previewResults are exactly `expected` {digest: (tags, rule)}: EXPIRE, STANDARD."""
    got = {r["imageDigest"]: r for r in result["previewResults"]}
    assert set(got) == set(expected), json.dumps(result["previewResults"], indent=1)
    wire = {r["imageDigest"]: r for r in raw["previewResults"]}
    assert set(wire) == set(expected), raw
    for digest, (tags, rule) in expected.items():
        r = got[digest]
        assert sorted(r.get("imageTags", [])) == sorted(tags), r
        assert r["action"] == {"type": "EXPIRE"}, r
        assert r["appliedRulePriority"] == rule, r
        assert r.get("storageClass", "STANDARD") == "STANDARD", r
        assert wire[digest]["storageClass"] == "STANDARD", wire[digest]
        assert epoch(r["imagePushedAt"]) == pytest.approx(
            epoch(details[digest]["imagePushedAt"]), abs=0.01), (r, details[digest])
        assert "reason" not in wire[digest], "the reason is wharf's; ECR's shape does not have it"
    assert result["summary"]["expiringImageTotalCount"] == len(expected), result["summary"]
    assert raw["summary"]["expiringImageTotalCount"] == len(expected), raw["summary"]


# ----------------------------------------------------------------------------- the policy API


def test_put_get_delete_policy(lc):
    cli, repo = lc["cli"], "lc/crud"
    cli.call("create-repository", "--repository-name", repo)
    args = ("--repository-name", repo)
    cli.fails("LifecyclePolicyPreviewNotFoundException", "GetLifecyclePolicyPreview",
              "get-lifecycle-policy-preview", *args)
    # A preview of the stored policy needs one.
    cli.fails("LifecyclePolicyNotFoundException", "StartLifecyclePolicyPreview",
              "start-lifecycle-policy-preview", *args)
    policy_text = text(SHOP_POLICY)
    put = cli.call("put-lifecycle-policy", *args, "--lifecycle-policy-text", policy_text)
    assert put == {"registryId": ACCOUNT, "repositoryName": repo,
                   "lifecyclePolicyText": policy_text}, put
    got = cli.call("get-lifecycle-policy", *args)
    assert got["lifecyclePolicyText"] == policy_text, got
    assert (got["registryId"], got["repositoryName"]) == (ACCOUNT, repo), got
    assert "lastEvaluatedAt" not in got, "never evaluated yet"
    # Put replaces.
    put = cli.call("put-lifecycle-policy", *args, "--lifecycle-policy-text", text(EXAMPLE_A))
    assert put["lifecyclePolicyText"] == text(EXAMPLE_A), put
    stored = lc["server"].ecr().get_lifecycle_policy(repositoryName=repo)
    assert stored["lifecyclePolicyText"] == text(EXAMPLE_A), stored

    deleted = cli.call("delete-lifecycle-policy", *args)
    assert deleted["lifecyclePolicyText"] == text(EXAMPLE_A), deleted
    assert deleted["repositoryName"] == repo, deleted
    err = cli.fails("LifecyclePolicyNotFoundException", "GetLifecyclePolicy",
                    "get-lifecycle-policy", *args)
    assert repo in err and ACCOUNT in err, err
    cli.fails("LifecyclePolicyNotFoundException", "DeleteLifecyclePolicy",
              "delete-lifecycle-policy", *args)
    r = raw_call(lc["server"], "PutLifecyclePolicy",
                 {"repositoryName": "lc/none", "lifecyclePolicyText": policy_text})
    assert_raw_error(r, "RepositoryNotFoundException", "lc/none")


def _rules(*rules) -> str:
    return json.dumps({"rules": list(rules)})


ANY_LAST = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100}
INVALID = {
    "any-not-last": (
        _rules(expire_rule(1, ANY_LAST, "catch-all first"),
               expire_rule(2, keep_newest(3, tagPrefixList=["ci-"]), "ci builds")),
        "rule 1 (rules[0]): 'selection.tagStatus' \"any\" is only allowed on the rule with the "
        "highest rulePriority"),
    "tagged-without-list": (
        _rules(expire_rule(1, {"tagStatus": "tagged", "countType": "imageCountMoreThan",
                               "countNumber": 3}, "tagged but which tags?")),
        "rule 1 (rules[0]): 'selection.tagPatternList' or 'selection.tagPrefixList' is required "
        "when tagStatus is \"tagged\""),
    "pulled-with-expire": (
        _rules(expire_rule(1, keep_newest(3, tagPrefixList=["ci-"]), "ci builds"),
               expire_rule(5, {"tagStatus": "untagged", "countType": "sinceImagePulled",
                               "countUnit": "days", "countNumber": 30}, "unpulled")),
        "rule 5 (rules[1]): 'action.type' must be \"transition\" when countType is "
        "sinceImagePulled"),
    "count-unit-with-image-count": (
        _rules(expire_rule(1, {"tagStatus": "untagged", "countType": "imageCountMoreThan",
                               "countUnit": "days", "countNumber": 3}, "untagged images")),
        "rule 1 (rules[0]): 'selection.countUnit' is not allowed when countType is "
        "imageCountMoreThan"),
    "both-lists": (
        _rules(expire_rule(1, keep_newest(3, tagPrefixList=["ci-"], tagPatternList=["ci-*"]),
                           "ci builds, twice")),
        "rule 1 (rules[0]): 'selection.tagPatternList' and 'selection.tagPrefixList' cannot "
        "both be set"),
    "five-wildcards": (
        _rules(expire_rule(1, keep_newest(3, tagPatternList=["test*1*2*3*4*5"]), "globs")),
        "rule 1 (rules[0]): 'selection.tagPatternList' entry \"test*1*2*3*4*5\" has 5 "
        "wildcards"),
    "duplicate-priority": (
        _rules(expire_rule(4, keep_newest(3, tagPrefixList=["ci-"]), "ci builds"),
               expire_rule(4, keep_newest(3, tagPrefixList=["beta-"]), "betas")),
        "rule 4 (rules[1]): 'rulePriority' 4 is also used by rule 4 (rules[0])"),
    "count-number-zero": (
        _rules(expire_rule(1, keep_newest(0, tagPrefixList=["ci-"]), "keep no CI build")),
        "rule 1 (rules[0]): 'selection.countNumber' must be an integer from 1"),
    "transition-without-target": (
        _rules({"rulePriority": 1, "selection": {"tagStatus": "untagged",
                                                 "countType": "sinceImagePulled",
                                                 "countUnit": "days", "countNumber": 30},
                "action": {"type": "transition"}}),
        "rule 1 (rules[0]): 'action.targetStorageClass' is required when action.type is "
        "\"transition\""),
    "unknown-property": (
        _rules({"rulePriority": 1, "selection": keep_newest(3, tagPrefixList=["ci-"]),
                "action": {"type": "expire"}, "enabled": True}),
        "rule 1 (rules[0]) has unknown property \"enabled\""),
}


@pytest.fixture(scope="module")
def invalid_repo(lc):
    """A repository with a valid policy stored, which no refused policy may replace."""
    repo = "lc/invalid"
    lc["cli"].call("create-repository", "--repository-name", repo)
    lc["cli"].call("put-lifecycle-policy", "--repository-name", repo,
                   "--lifecycle-policy-text", text(EXAMPLE_A))
    return repo


# The cases the CLI also sends as a draft to StartLifecyclePolicyPreview (the others go raw).
CLI_DRAFTS = ("any-not-last", "tagged-without-list", "pulled-with-expire",
              "count-unit-with-image-count")


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_policy_refused_and_nothing_stored(lc, invalid_repo, case):
    s, cli, repo = lc["server"], lc["cli"], invalid_repo
    bad_text, fragment = INVALID[case]
    args = ("--repository-name", repo)
    err = cli.fails("InvalidParameterException", "PutLifecyclePolicy", "put-lifecycle-policy",
                    *args, "--lifecycle-policy-text", bad_text)
    assert ("Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
            "'Lifecycle policy validation failure: ") in err, err
    assert fragment in err, f"expected {fragment!r} in:\n{err}"
    stored = s.ecr().get_lifecycle_policy(repositoryName=repo)["lifecyclePolicyText"]
    assert stored == text(EXAMPLE_A), "a refused policy replaced the stored one"

    # The same draft is refused by StartLifecyclePolicyPreview, and no preview is created.
    if case in CLI_DRAFTS:
        err = cli.fails("InvalidParameterException", "StartLifecyclePolicyPreview",
                        "start-lifecycle-policy-preview", *args, "--lifecycle-policy-text",
                        bad_text)
        assert fragment in err, err
    else:
        r = raw_call(s, "StartLifecyclePolicyPreview",
                     {"repositoryName": repo, "lifecyclePolicyText": bad_text})
        assert_raw_error(r, "InvalidParameterException", fragment)
    r = raw_call(s, "GetLifecyclePolicyPreview", {"repositoryName": repo})
    assert_raw_error(r, "LifecyclePolicyPreviewNotFoundException", repo)

    # `wharf admin lifecycle preview --policy FILE` refuses it with the same words.
    draft = Path(s.log_dir) / f"draft-{case}.json"
    draft.write_text(bad_text)
    p = wharf_admin(s, "lifecycle", "preview", "--repo", repo, "--policy", str(draft),
                    check=False)
    assert p.returncode != 0, p.stdout
    assert fragment in p.stderr.decode(), p.stderr


# ----------------------------------------------------------------------------- examples A and B


@pytest.fixture(scope="module")
def guide(lc):
    """The user guide's images: A{beta-1,prod-1} oldest, B{beta-2,prod-2}, C{beta-3} newest."""
    repo, pusher, cli = "guide/multi", lc["pusher"], lc["cli"]
    a = pusher.push(repo, "guide-a", "prod-1", "beta-1")
    b = pusher.push(repo, "guide-b", "prod-2", "beta-2")
    c = pusher.push(repo, "guide-c", "beta-3")
    cli.call("put-lifecycle-policy", "--repository-name", repo,
             "--lifecycle-policy-text", text(EXAMPLE_A))
    return {"repo": repo, "a": a, "b": b, "c": c, "details": details_by_digest(cli, repo)}


def test_example_a_only_the_oldest_expires(lc, guide):
    """Rule 1 (prod, keep 1) marks A; rule 2 (beta, keep 1) would mark A and B, but B matched
    the tags of rule 1 first: only A expires."""
    result, raw = preview(lc, guide["repo"])
    assert json.loads(result["lifecyclePolicyText"]) == EXAMPLE_A
    assert_expiring(result, raw, {guide["a"].digest: (["beta-1", "prod-1"], 1)},
                    guide["details"])
    assert result["summary"].get("transitioningImageTotalCounts", []) == [], result["summary"]


def test_example_b_as_a_draft_expires_a_and_b(lc, guide):
    """The same images with the priorities swapped, given as draft text to
    start-lifecycle-policy-preview: A and B expire by the beta rule; the stored policy stays."""
    cli, repo = lc["cli"], guide["repo"]
    result, raw = preview(lc, repo, "--lifecycle-policy-text", text(EXAMPLE_B))
    assert json.loads(result["lifecyclePolicyText"]) == EXAMPLE_B
    assert_expiring(result, raw, {guide["a"].digest: (["beta-1", "prod-1"], 1),
                             guide["b"].digest: (["beta-2", "prod-2"], 1)}, guide["details"])
    stored = cli.call("get-lifecycle-policy", "--repository-name", repo)
    assert json.loads(stored["lifecyclePolicyText"]) == EXAMPLE_A, "a draft must not be stored"
    # Filters of GetLifecyclePolicyPreview.
    got = cli.call("get-lifecycle-policy-preview", "--repository-name", repo,
                   "--image-ids", "imageTag=beta-2")
    assert [r["imageDigest"] for r in got["previewResults"]] == [guide["b"].digest], got
    got = cli.call("get-lifecycle-policy-preview", "--repository-name", repo,
                   "--filter", "tagStatus=UNTAGGED")
    assert got["previewResults"] == [], got
    # Nothing was acted on: a preview is a preview.
    assert set(details_by_digest(cli, repo)) == {guide[k].digest for k in "abc"}


# ----------------------------------------------------------------------------- protect idiom


@pytest.fixture(scope="module")
def shop(lc):
    """shop/api, pushed oldest first: an untagged image, A{prod-1,beta-1}, B{beta-2}, ci-1..5;
    SHOP_POLICY stored."""
    repo, pusher, cli = "shop/api", lc["pusher"], lc["cli"]
    imgs = {"untagged": pusher.push(repo, "shop-untagged")}
    imgs["prod"] = pusher.push(repo, "shop-prod", "prod-1", "beta-1")
    imgs["beta-2"] = pusher.push(repo, "shop-beta-2", "beta-2")
    for i in range(1, 6):
        imgs[f"ci-{i}"] = pusher.push(repo, f"shop-ci-{i}", f"ci-{i}")
    cli.call("put-lifecycle-policy", "--repository-name", repo,
             "--lifecycle-policy-text", text(SHOP_POLICY))
    details = details_by_digest(cli, repo)
    assert len(details) == 8, details
    assert "imageTags" not in details[imgs["untagged"].digest], details
    return {"repo": repo, "images": imgs, "details": details}


def test_preview_of_the_protect_idiom(lc, shop):
    cli, imgs = lc["cli"], shop["images"]
    result, raw = preview(lc, shop["repo"])
    expiring = {imgs[f"ci-{i}"].digest: ([f"ci-{i}"], 2) for i in (1, 2, 3)}
    assert_expiring(result, raw, expiring, shop["details"])
    # The CLI's paginator: one result per page (maxResults=1, nextToken), all three in the end;
    # --max-items 2 stops after two with a token to go on.
    paged = cli.call("get-lifecycle-policy-preview", "--repository-name", shop["repo"],
                     "--page-size", "1")
    assert sorted(r["imageDigest"] for r in paged["previewResults"]) == sorted(expiring), paged
    first = cli.call("get-lifecycle-policy-preview", "--repository-name", shop["repo"],
                     "--max-items", "2")
    assert len(first["previewResults"]) == 2 and first.get("NextToken"), first
    rest = cli.call("get-lifecycle-policy-preview", "--repository-name", shop["repo"],
                    "--max-items", "2", "--starting-token", first["NextToken"])
    assert len(rest["previewResults"]) == 1 and not rest.get("NextToken"), rest
    assert {r["imageDigest"] for r in first["previewResults"] + rest["previewResults"]} == \
        set(expiring)


def test_admin_preview_explains_every_image(lc, shop):
    s, imgs = lc["server"], shop["images"]
    out = wharf_admin(s, "lifecycle", "preview", "--repo", shop["repo"]).stdout.decode()
    rows = lines_by_digest(out)
    assert len(rows) == 8, out
    row = {name: rows[short(img.digest)] for name, img in imgs.items()}
    assert "kept: protected by rule 1 (tagged prod*); rule 3 would expire it" in row["prod"], out
    assert "kept: newest 1 of rule 3 (this is 1st)" in row["beta-2"], out
    assert "kept: newest 2 of rule 2 (this is 1st)" in row["ci-5"], out
    assert "kept: newest 2 of rule 2 (this is 2nd)" in row["ci-4"], out
    for i, nth in ((3, "3rd"), (2, "4th"), (1, "5th")):
        assert f"expired by rule 2: {nth} newest of tagged prefix ci- (keeps 2)" in \
            row[f"ci-{i}"], out
    assert "<untagged>" in row["untagged"], out
    assert ("kept: rule 10 selects any images pushed more than 7 days ago; pushed 0 days ago"
            in row["untagged"]), out
    assert "8 images: 3 expire, 0 move to the archive, 5 kept" in out, out


def test_admin_preview_at_a_future_instant(lc, shop):
    """Eight days on, the week-old catch-all (rule 10) takes the untagged image; everything a
    higher rule matched stays protected."""
    s, imgs = lc["server"], shop["images"]
    at = instant(8 * DAY)
    now_doc = wharf_admin_json(s, "lifecycle", "preview", "--repo", shop["repo"], "--json")
    doc = wharf_admin_json(s, "lifecycle", "preview", "--repo", shop["repo"], "--json",
                           "--at", at)
    assert doc["evaluatedAt"].startswith(at[:-1]), doc["evaluatedAt"]
    assert {r["imageDigest"] for r in now_doc["previewResults"]} == \
        {imgs[f"ci-{i}"].digest for i in (1, 2, 3)}
    acted = {r["imageDigest"]: r for r in doc["previewResults"]}
    assert set(acted) == {imgs["untagged"].digest} | {imgs[f"ci-{i}"].digest for i in (1, 2, 3)}
    u = acted[imgs["untagged"].digest]
    assert u["appliedRulePriority"] == 10 and u["action"] == {"type": "EXPIRE"}, u
    assert u["imageTags"] == [], u
    assert u["reason"] == "expired by rule 10: any, pushed 8 days ago > 7", u
    assert acted[imgs["ci-1"].digest]["reason"].startswith("expired by rule 2: 5th newest"), acted
    assert doc["summary"]["expiringImageTotalCount"] == 4, doc["summary"]
    assert now_doc["summary"]["expiringImageTotalCount"] == 3, now_doc["summary"]
    kept = {k["imageDigest"]: k for k in doc["keptImages"]}
    assert set(kept) == {imgs[n].digest for n in ("prod", "beta-2", "ci-4", "ci-5")}, kept
    assert kept[imgs["prod"].digest]["reason"] == \
        "kept: protected by rule 1 (tagged prod*); rule 3 would expire it", kept
    assert kept[imgs["prod"].digest]["protectingRulePriority"] == 1, kept
    assert kept[imgs["beta-2"].digest]["reason"] == \
        "kept: protected by rule 3 (tagged beta-*); rule 10 would expire it", kept
    assert kept[imgs["ci-4"].digest]["reason"] == \
        "kept: protected by rule 2 (tagged prefix ci-); rule 10 would expire it", kept
    # The stored preview of the API is not touched by the admin command.
    stored = lc["cli"].call("get-lifecycle-policy-preview", "--repository-name", shop["repo"])
    assert stored["summary"]["expiringImageTotalCount"] == 3, stored


def test_run_expires_exactly_what_the_preview_said(lc, shop, tmp_path):
    s, cli, env, repo, imgs = lc["server"], lc["cli"], lc["env"], shop["repo"], shop["images"]
    plan = wharf_admin_json(s, "lifecycle", "preview", "--repo", repo, "--json")
    expiring = {r["imageDigest"] for r in plan["previewResults"]}
    expired_names = ["ci-1", "ci-2", "ci-3"]
    assert expiring == {imgs[n].digest for n in expired_names}
    expired_bytes = sum(shop["details"][d]["imageSizeInBytes"] for d in expiring)

    dry = wharf_admin_json(s, "lifecycle", "run", "--repo", repo, "--dry-run")
    assert dry == [{"repositoryName": repo, "wouldExpire": 3, "wouldArchive": 0, "skipped": 0,
                    "expiredImageBytes": expired_bytes}], dry
    assert len(details_by_digest(cli, repo)) == 8, "--dry-run changed something"

    done = wharf_admin_json(s, "lifecycle", "run", "--repo", repo)
    assert done == [{"repositoryName": repo, "expired": 3, "archived": 0, "skipped": 0,
                     "expiredImageBytes": expired_bytes}], done

    survivors = {n: imgs[n] for n in imgs if n not in expired_names}
    after = details_by_digest(cli, repo)
    assert {d: sorted(x.get("imageTags", [])) for d, x in after.items()} == {
        survivors["untagged"].digest: [], survivors["prod"].digest: ["beta-1", "prod-1"],
        survivors["beta-2"].digest: ["beta-2"], survivors["ci-4"].digest: ["ci-4"],
        survivors["ci-5"].digest: ["ci-5"]}, after

    host = s.host
    for n in expired_names:
        err = inspect_fails(env, host, repo, f":{n}")
        assert "manifest unknown" in err, err
        inspect_fails(env, host, repo, f"@{imgs[n].digest}")
    for name, img in survivors.items():
        pull_in_full(env, host, repo, img, tmp_path / name)

    records = audit_for(s, "lifecycle:ExpireImage", repo)
    assert sorted(r["resource"] for r in records) == \
        sorted(f"{repo_arn(repo)}@{imgs[n].digest}" for n in expired_names), records
    for r in records:
        assert r["principal"] == "wharf:lifecycle" and r["outcome"] == "success", r
        assert r["detail"].startswith("expired by rule 2: "), r

    got = cli.call("get-lifecycle-policy", "--repository-name", repo)
    assert abs(epoch(got["lastEvaluatedAt"]) - time.time()) < 120, got
    # Run again: nothing left to do.
    again = wharf_admin_json(s, "lifecycle", "run", "--repo", repo)
    assert again[0]["expired"] == 0 and again[0]["archived"] == 0, again
    assert len(audit_for(s, "lifecycle:ExpireImage", repo)) == 3


# ----------------------------------------------------------------------------- usage


def test_usage_before_and_after_lifecycle(lc):
    s, cli, pusher = lc["server"], lc["cli"], lc["pusher"]
    with_policy, plain = "usage/ci", "usage/plain"
    builds = [pusher.push(with_policy, f"usage-ci-{i}", f"ci-{i}") for i in range(1, 5)]
    others = [pusher.push(plain, f"usage-plain-{i}", f"v{i}") for i in range(1, 3)]
    cli.call("put-lifecycle-policy", "--repository-name", with_policy,
             "--lifecycle-policy-text",
             text({"rules": [expire_rule(1, keep_newest(1, tagPrefixList=["ci-"]),
                                         "only the newest CI build")]}))

    def blob_bytes(imgs):
        return sum(b.size for b in {d: b for i in imgs for d, b in i.all_blobs().items()}.values())

    rows = {r["repositoryName"]: r for r in wharf_admin_json(s, "usage", "--json")}
    for repo, imgs, policy in ((with_policy, builds, True), (plain, others, False)):
        row = rows[repo]
        details = details_by_digest(cli, repo)
        assert row["images"] == len(imgs), row
        assert row["logicalBytes"] == sum(d["imageSizeInBytes"] for d in details.values()), row
        assert row["storedBytes"] == blob_bytes(imgs), row
        # Every repository of this module links the base layer: it is not exclusive.
        assert row["exclusiveBytes"] == row["storedBytes"] - BASE[0].size, row
        assert row["hasLifecyclePolicy"] is policy, row
    ci = rows[with_policy]
    assert ci["storedBytesAfterLifecycle"] == blob_bytes(builds[-1:]), ci
    assert ci["storedBytesAfterLifecycle"] < ci["storedBytes"], ci
    assert ci["monthlyCostAfterLifecycle"] < ci["monthlyCost"], ci
    assert rows[plain]["storedBytesAfterLifecycle"] == rows[plain]["storedBytes"], rows[plain]

    table = wharf_admin(s, "usage").stdout.decode()
    line = next(l for l in table.splitlines() if l.startswith(plain + " "))
    assert "no policy" in line, table
    assert table.splitlines()[-1].startswith("total: "), table


# ----------------------------------------------------------------------------- archive


def test_archive_and_restore_by_hand(lc, tmp_path):
    s, cli, env, pusher = lc["server"], lc["cli"], lc["env"], lc["pusher"]
    repo = "arch/app"
    v1 = pusher.push(repo, "arch-v1", "v1")
    v2 = pusher.push(repo, "arch-v2", "v2")

    out = update_storage_class(lc, repo, {"imageTag": "v1"}, "ARCHIVE")
    assert out == {"registryId": ACCOUNT, "repositoryName": repo,
                   "imageId": {"imageDigest": v1.digest, "imageTag": "v1"},
                   "imageStatus": "ARCHIVED"}, out

    # describe-images shows active images unless asked for archived ones.
    assert set(details_by_digest(cli, repo)) == {v2.digest}, "describe-images shows archived"
    assert set(details_with_status(lc, repo, "ACTIVE")) == {v2.digest}
    archived = details_with_status(lc, repo, "ARCHIVED")
    assert set(archived) == {v1.digest}, archived
    d = archived[v1.digest]
    assert (d["imageStatus"], d["imageTags"]) == ("ARCHIVED", ["v1"]), d
    assert abs(epoch(d["lastArchivedAt"]) - time.time()) < 120, d
    assert set(details_with_status(lc, repo, "ANY")) == {v1.digest, v2.digest}

    # An archived image cannot be pulled, by tag or digest.
    for ref in (":v1", f"@{v1.digest}"):
        err = inspect_fails(env, s.host, repo, ref)
        assert "manifest unknown" in err and "archived" in err, err
    got = cli.call("batch-get-image", "--repository-name", repo, "--image-ids", "imageTag=v1")
    assert got["images"] == [] and len(got["failures"]) == 1, got
    pull_in_full(env, s.host, repo, v2, tmp_path / "v2", ":v2")

    # ListImages hides it too; asked for by imageIds, DescribeImages describes it.
    listed = cli.call("list-images", "--repository-name", repo)["imageIds"]
    assert listed == [{"imageDigest": v2.digest, "imageTag": "v2"}], listed
    by_id = cli.call("describe-images", "--repository-name", repo, "--image-ids",
                     "imageTag=v1")["imageDetails"]
    assert [d["imageDigest"] for d in by_id] == [v1.digest], by_id

    # STANDARD restores it (at once here: nothing is ever ACTIVATING).
    out = update_storage_class(lc, repo, {"imageDigest": v1.digest}, "STANDARD")
    assert out["imageStatus"] == "ACTIVE", out
    assert out["imageId"] == {"imageDigest": v1.digest}, out
    assert set(details_by_digest(cli, repo)) == {v1.digest, v2.digest}
    assert details_with_status(lc, repo, "ARCHIVED") == {}
    restored = details_with_status(lc, repo, "ACTIVE")[v1.digest]
    assert restored["imageStatus"] == "ACTIVE", restored
    assert epoch(restored["lastActivatedAt"]) >= epoch(d["lastArchivedAt"]), restored
    pull_in_full(env, s.host, repo, v1, tmp_path / "v1", ":v1")

    # Pushing an archived image again restores it too.
    update_storage_class(lc, repo, {"imageTag": "v2"}, "ARCHIVE")
    assert set(details_with_status(lc, repo, "ARCHIVED")) == {v2.digest}
    push(env, v2, f"{s.host}/{repo}:v2")
    assert details_with_status(lc, repo, "ARCHIVED") == {}
    assert details_with_status(lc, repo, "ACTIVE")[v2.digest]["imageStatus"] == "ACTIVE"
    pull_in_full(env, s.host, repo, v2, tmp_path / "v2-again", ":v2")

    msg = update_storage_class(lc, repo, {"imageTag": "v1"}, "GLACIER",
                               error="InvalidParameterException")
    assert "GLACIER" in msg, msg
    update_storage_class(lc, repo, {"imageTag": "nope"}, "ARCHIVE",
                         error="ImageNotFoundException")


def test_transition_rule_archives_then_expires(lc, tmp_path):
    """COLD_POLICY: CI builds not pulled for 30 days go to the archive; 90 days in the archive
    and they are deleted. `wharf admin lifecycle run` runs with its clock moved forward (the
    LD_PRELOAD shim, in its own process only)."""
    s, cli, env, pusher = lc["server"], lc["cli"], lc["env"], lc["pusher"]
    repo = "cold/app"
    prod = pusher.push(repo, "cold-prod", "prod-1")
    ci = [pusher.push(repo, f"cold-ci-{i}", f"ci-{i}") for i in (1, 2)]
    cli.call("put-lifecycle-policy", "--repository-name", repo,
             "--lifecycle-policy-text", text(COLD_POLICY))
    lib = clock_shim(tmp_path)

    # Today nothing moves: the API preview and the admin one agree.
    result, _ = preview(lc, repo)
    assert result["previewResults"] == [], result
    assert result["summary"]["expiringImageTotalCount"] == 0, result
    rows = lines_by_digest(wharf_admin(s, "lifecycle", "preview", "--repo", repo)
                           .stdout.decode())
    assert ("kept: rule 2 selects tagged prefix ci- images not pulled for more than 30 days; "
            "never pulled, pushed 0 days ago") in rows[short(ci[0].digest)], rows

    # 31 days on (--at): both CI builds would move to the archive.
    doc = wharf_admin_json(s, "lifecycle", "preview", "--repo", repo, "--json",
                           "--at", instant(31 * DAY))
    acted = {r["imageDigest"]: r for r in doc["previewResults"]}
    assert set(acted) == {i.digest for i in ci}, doc
    for r in acted.values():
        assert r["action"] == {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}, r
        assert r["appliedRulePriority"] == 2 and r["storageClass"] == "STANDARD", r
        assert r["reason"] == ("archived by rule 2: tagged prefix ci-, never pulled, "
                               "pushed 31 days ago > 30"), r
    assert doc["summary"] == {"expiringImageTotalCount": 0, "transitioningImageTotalCounts": [
        {"targetStorageClass": "ARCHIVE", "imageTotalCount": 2}]}, doc["summary"]

    # A run today does nothing; a run whose clock is 31 days ahead archives them.
    today = wharf_admin_json(s, "lifecycle", "run", "--repo", repo)
    assert (today[0]["expired"], today[0]["archived"]) == (0, 0), today
    later = wharf_admin_json(s, "lifecycle", "run", "--repo", repo, env=shifted(lib, 31 * DAY))
    assert later == [{"repositoryName": repo, "expired": 0, "archived": 2, "skipped": 0,
                      "expiredImageBytes": 0}], later

    assert set(details_by_digest(cli, repo)) == {prod.digest}
    archived = details_with_status(lc, repo, "ARCHIVED")
    assert set(archived) == {i.digest for i in ci}, archived
    for d in archived.values():
        assert d["imageStatus"] == "ARCHIVED", d
        # Archived by a process whose clock ran 31 days ahead.
        assert abs(epoch(d["lastArchivedAt"]) - (time.time() + 31 * DAY)) < 600, d
    err = inspect_fails(env, s.host, repo, ":ci-1")
    assert "archived" in err, err
    pull_in_full(env, s.host, repo, prod, tmp_path / "prod", ":prod-1")
    records = audit_for(s, "lifecycle:ArchiveImage", repo)
    assert sorted(r["resource"] for r in records) == \
        sorted(f"{repo_arn(repo)}@{i.digest}" for i in ci), records

    # 91 days in the archive: rule 3 deletes them; prod stays.
    much_later = wharf_admin_json(s, "lifecycle", "run", "--repo", repo,
                                  env=shifted(lib, (31 + 91) * DAY))
    assert (much_later[0]["expired"], much_later[0]["archived"]) == (2, 0), much_later
    assert details_with_status(lc, repo, "ARCHIVED") == {}
    assert set(details_by_digest(cli, repo)) == {prod.digest}
    records = audit_for(s, "lifecycle:ExpireImage", repo)
    assert len(records) == 2, records
    for r in records:
        assert r["detail"] == "expired by rule 3: any, archived 91 days ago > 90", r
    err = inspect_fails(env, s.host, repo, ":ci-2")
    assert "manifest unknown" in err, err


# ----------------------------------------------------------------------------- indexes


def test_platform_manifests_follow_their_index(lc, index_image, tmp_path):
    """A multi-platform index tagged `multi` lists two untagged platform manifests. An untagged
    rule never takes them from under the index (ECR's containers-roadmap#1466 complaint); when
    the index expires they go with it."""
    s, cli, env = lc["server"], lc["cli"], lc["env"]
    repo = "multi/app"
    skopeo(env, "copy", "--all", "--dest-tls-verify=false", "--preserve-digests",
           index_image.oci_ref, f"docker://{s.host}/{repo}:multi")
    solo = lc["pusher"].push(repo, "multi-solo", "solo-1")
    children = {c.digest for c in index_image.children}
    policy = {"rules": [
        expire_rule(1, {"tagStatus": "untagged", "countType": "imageCountMoreThan",
                        "countNumber": 1}, "at most one untagged image"),
        expire_rule(2, {"tagStatus": "tagged", "tagPatternList": ["multi*"],
                        "countType": "sinceImagePushed", "countUnit": "days",
                        "countNumber": 1}, "multi-platform builds for a day"),
    ]}
    cli.call("put-lifecycle-policy", "--repository-name", repo,
             "--lifecycle-policy-text", text(policy))

    out = wharf_admin(s, "lifecycle", "preview", "--repo", repo).stdout.decode()
    rows = lines_by_digest(out)
    for child in children:
        assert f"kept: follows its index {index_image.digest}" in rows[short(child)], out
    assert "4 images: 0 expire" in out, out
    today = wharf_admin_json(s, "lifecycle", "run", "--repo", repo)
    assert today[0]["expired"] == 0, today

    lib = clock_shim(tmp_path)
    later = wharf_admin_json(s, "lifecycle", "run", "--repo", repo, env=shifted(lib, 2 * DAY))
    assert later[0]["expired"] == 3 and later[0]["skipped"] == 0, later
    assert set(details_by_digest(cli, repo)) == {solo.digest}
    inspect_fails(env, s.host, repo, ":multi")
    for child in children:
        inspect_fails(env, s.host, repo, f"@{child}")
    records = {r["resource"].rsplit("@", 1)[1]: r
               for r in audit_for(s, "lifecycle:ExpireImage", repo)}
    assert set(records) == children | {index_image.digest}, records
    assert records[index_image.digest]["detail"].startswith("expired by rule 2: "), records
    for child in children:
        assert records[child]["detail"] == f"expired with its index {index_image.digest}", records


# ----------------------------------------------------------------------------- preview expiry


def test_a_finished_preview_expires_after_24_hours(start_registry, monkeypatch, tmp_path):
    """GetLifecyclePolicyPreview reports EXPIRED once the preview is a day old (the server is
    restarted with its clock 25 hours ahead)."""
    s = start_registry()
    cli = AwsCli(s, tmp_path / "aws")
    repo = "lc/stale"
    cli.call("create-repository", "--repository-name", repo)
    cli.call("put-lifecycle-policy", "--repository-name", repo,
             "--lifecycle-policy-text", text(EXAMPLE_A))
    lc = {"cli": cli, "server": s}
    result, _ = preview(lc, repo)
    assert result["previewResults"] == [], result
    lib = clock_shim(tmp_path)
    restart_with_clock_offset(s, monkeypatch, lib, 25 * 3600)
    # The server's clock is a day ahead: requests are signed at its time (SigV4 allows 15 min).
    def call(action, body):
        when = dt.datetime.utcnow() + dt.timedelta(hours=25)
        return raw_call(s, action, {"repositoryName": repo, **body}, when=when)

    r = call("GetLifecyclePolicyPreview", {})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["status"] == "EXPIRED", got
    assert not got.get("previewResults"), got
    # A new preview starts over.
    r = call("StartLifecyclePolicyPreview", {})
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 10
    while (got := call("GetLifecyclePolicyPreview", {}).json())["status"] == "IN_PROGRESS":
        assert time.monotonic() < deadline, got
        time.sleep(0.1)
    assert got["status"] == "COMPLETE", got
