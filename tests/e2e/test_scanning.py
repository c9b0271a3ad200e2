"""Vulnerability scanning end to end: images built here from the real Debian 12 fixture files
(../shared/vulndb/fixtures) and a Go binary compiled here, pushed with skopeo; the real aws CLI
(put/get-registry-scanning-configuration, `aws ecr wait image-scan-complete`,
describe-image-scan-findings, describe-images, start-image-scan); the advisory data imported
with `wharf admin vulndb import` beside the running server; SBOM referrers fetched over the
OCI API; the pull gate refusing a real skopeo pull.

Every expected finding set is computed here independently of the scanner: the OSV evaluation
written again in Python, with `dpkg --compare-versions` for Debian versions, the `packaging`
module vendored in pip for PEP 440, and a small semver order for Go."""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
import requests

import images
from ecr_helpers import (AwsCli, admin, admin_json, audit_records, clock_shim, needs_aws,
                         needs_skopeo, push, skopeo)
from conftest import _server_fixture
from harness import WHARF_BIN, ConfiguredServer, run

pytestmark = [needs_aws, needs_skopeo, pytest.mark.not_on_reference("vulnerability scanning")]



def _vulndb_dir() -> Path:
    """The shared advisory data: WHARF_VULNDB_DIR, beside the checkout, or /work/shared."""
    candidates = [os.environ.get("WHARF_VULNDB_DIR", ""),
                  str(Path(__file__).resolve().parents[2].parent / "shared" / "vulndb"),
                  "/work/shared/vulndb"]
    for c in candidates:
        if c and (Path(c) / "SOURCES.md").is_file():
            return Path(c)
    return Path(candidates[1])


SHARED = _vulndb_dir()
FIXTURES = SHARED / "fixtures"
DEBIAN_MIN = SHARED / "debian" / "osv-minimal-bookworm"
PYPI = SHARED / "pypi" / "osv-yaml"
GO_OSV = SHARED / "go" / "osv"

needs_data = pytest.mark.skipif(not DEBIAN_MIN.is_dir(), reason=f"no advisory data at {SHARED}")


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    base = tmp_path_factory.mktemp("scanning")
    s = ConfiguredServer(base / "data", base / "logs",
                         "[registry]\ncreate_on_push = true\n[scan]\nsweep_seconds = 1\n")
    gen = _server_fixture(request, base, s)
    started = next(gen)
    yield started
    next(gen, None)


@pytest.fixture(scope="module")
def aws(server, tmp_path_factory) -> AwsCli:
    cli = AwsCli(server, tmp_path_factory.mktemp("aws"))
    cli.call("put-registry-scanning-configuration", "--scan-type", "BASIC", "--rules",
             json.dumps([{"scanFrequency": "SCAN_ON_PUSH",
                          "repositoryFilters": [{"filter": "scan/*", "filterType": "WILDCARD"}]}]))
    return cli


@pytest.fixture(scope="module")
def imported(server):
    """The Debian bookworm subset, PyPA and the Go vulndb, imported beside the running server."""
    report = admin_json(server, "vulndb", "import", str(DEBIAN_MIN), str(PYPI), str(GO_OSV))
    assert report["problems"] == [], report["problems"]
    return report


@pytest.fixture(scope="module")
def layouts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scan-layouts")


def publish(server, tool_env, layouts: Path, repo: str, tag: str, layers) -> images.Image:
    img = images.write_layout(layouts / f"{repo.replace('/', '_')}-{tag}",
                              images.make_image(f"{repo}:{tag}", layers), "src")
    push(tool_env, img, f"{server.host}/{repo}:{tag}")
    return img


def wait_complete(aws: AwsCli, repo: str, tag: str) -> dict:
    aws.call("wait", "image-scan-complete", "--repository-name", repo, "--image-id",
             f"imageTag={tag}", output="text")
    return aws.call("describe-image-scan-findings", "--repository-name", repo, "--image-id",
                    f"imageTag={tag}")


def wait_status(aws: AwsCli, repo: str, tag: str, timeout: float = 60) -> dict:
    """Polls until the scan left PENDING/IN_PROGRESS (the waiter only ends on COMPLETE/FAILED)."""
    deadline = time.monotonic() + timeout
    while True:
        out = aws.call("describe-image-scan-findings", "--repository-name", repo, "--image-id",
                       f"imageTag={tag}")
        if out["imageScanStatus"]["status"] not in ("PENDING", "IN_PROGRESS"):
            return out
        assert time.monotonic() < deadline, out
        time.sleep(0.3)


def scanner_findings(server, repo: str, tag: str) -> list[dict]:
    return admin_json(server, "scan", "findings", "--repo", repo, "--tag", tag, "--json")["findings"]


# ----------------------------------------------------------------------------- layers

OS_RELEASE = (FIXTURES / "bookworm-os-release").read_bytes() if FIXTURES.is_dir() else b""
STATUS = (FIXTURES / "bookworm-dpkg-status").read_bytes() if FIXTURES.is_dir() else b""


def debian_base() -> images.LayerBuilder:
    return (images.LayerBuilder()
            .symlink("etc/os-release", "../usr/lib/os-release")
            .file("usr/lib/os-release", OS_RELEASE)
            .file("etc/debian_version", (FIXTURES / "bookworm-debian_version").read_bytes()))


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def field(paragraph: str, name: str) -> str:
    m = re.search(rf"^{name}: *(.*)$", paragraph, re.M)
    return m.group(1).strip() if m else ""


# ----------------------------------------------------------------------------- independent checks

def dpkg_lt_many(pairs: list[tuple[str, str]]) -> list[bool]:
    """a < b by `dpkg --compare-versions`, one shell for all pairs."""
    script = "".join(f"dpkg --compare-versions '{a}' lt '{b}' && echo 1 || echo 0\n"
                     for a, b in pairs)
    out = subprocess.run(["sh"], input=script.encode(), capture_output=True, check=True).stdout
    return [line == "1" for line in out.decode().split()]


def installed_debian(status: str) -> list[dict]:
    out = []
    for p in paragraphs(status):
        if field(p, "Status").split()[-1:] != ["installed"]:
            continue
        name, version = field(p, "Package"), field(p, "Version")
        source = field(p, "Source") or name
        m = re.match(r"(\S+)\s*\((.*)\)", source)
        src_name, src_version = (m.group(1), m.group(2)) if m else (source, version)
        out.append({"name": name, "src": src_name, "srcver": src_version})
    return out


def expected_debian(status: str) -> set[tuple[str, str]]:
    """(advisory id, binary package) by the OSV evaluation over the Debian:12 entries."""
    by_src: dict[str, list[dict]] = {}
    for pkg in installed_debian(status):
        by_src.setdefault(pkg["src"], []).append(pkg)
    candidates = []  # (id, package, srcver, introduced, fixed|None, versions)
    for f in sorted(DEBIAN_MIN.rglob("*.json")):
        rec = json.loads(f.read_text())
        if rec.get("withdrawn"):
            continue
        for aff in rec.get("affected", []):
            pkg = aff.get("package", {})
            if pkg.get("ecosystem") != "Debian:12" or pkg.get("name") not in by_src:
                continue
            for inst in by_src[pkg["name"]]:
                if inst["srcver"] in aff.get("versions", []):
                    candidates.append((rec["id"], inst["name"], None))
                    continue
                for rng in aff.get("ranges", []):
                    if rng.get("type") != "ECOSYSTEM":
                        continue
                    fixed = [e["fixed"] for e in rng["events"] if "fixed" in e]
                    intro = [e["introduced"] for e in rng["events"] if "introduced" in e]
                    assert intro == ["0"], f"{f.name}: only introduced 0 in this data"
                    candidates.append((rec["id"], inst["name"],
                                       (inst["srcver"], fixed[0]) if fixed else None))
    pairs = [c[2] for c in candidates if c[2]]
    verdicts = iter(dpkg_lt_many(pairs))
    out = set()
    for rid, name, cmp in candidates:
        if cmp is None or next(verdicts):
            out.add((rid, name))
    return out


def covered(findings: list[dict]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(every id a finding names, with related ids) and (the finding ids), per package."""
    everything, primary = set(), set()
    for f in findings:
        name = f["package"]["name"]
        primary.add((f["id"], name))
        for rid in [f["id"], *f.get("related", [])]:
            everything.add((rid, name))
    return everything, primary


def assert_same_as_osv(findings: list[dict], expected: set[tuple[str, str]]):
    everything, primary = covered(findings)
    missing = expected - everything
    extra = {p for p in primary if p not in expected}
    assert not missing, f"{len(missing)} expected findings missing, e.g. {sorted(missing)[:5]}"
    assert not extra, f"{len(extra)} findings the data does not support, e.g. {sorted(extra)[:5]}"


# ----------------------------------------------------------------------------- tests

@needs_data
def test_vulndb_import_and_status(server, imported):
    assert imported["advisories"] == 597 + 272 + 459, imported
    status = admin_json(server, "vulndb", "status")
    sources = {s["name"]: s["records"] for s in status["sources"]}
    assert sources["debian-osv"] == 597 and sources["pypi-osv"] == 272, sources
    assert sources["go-osv"] == 459, sources
    assert status["version"] >= 1 and status["age"].endswith("hours"), status


@needs_data
def test_debian_fixture_findings_are_exactly_the_osv_evaluation(server, aws, imported, tool_env,
                                                                layouts):
    layer = debian_base().file("var/lib/dpkg/status", STATUS).build()
    publish(server, tool_env, layouts, "scan/debian", "bookworm", [layer])
    out = wait_complete(aws, "scan/debian", "bookworm")
    assert out["imageScanStatus"]["status"] == "COMPLETE", out["imageScanStatus"]
    body = out["imageScanFindings"]
    assert body["findingSeverityCounts"], body
    assert "imageScanCompletedAt" in body and "vulnerabilitySourceUpdatedAt" in body
    # The CLI followed nextToken: every finding is here, each in ECR's shape.
    counts = {}
    for f in body["findings"]:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        keys = {a["key"] for a in f["attributes"]}
        assert {"package_name", "package_version"} <= keys, f
        assert f["name"] and f["uri"].startswith("http"), f
    assert counts == body["findingSeverityCounts"], (counts, body["findingSeverityCounts"])

    findings = scanner_findings(server, "scan/debian", "bookworm")
    expected = expected_debian(STATUS.decode())
    assert len(expected) > 100, len(expected)
    assert_same_as_osv(findings, expected)
    # Debian's urgency decides severity: unimportant is INFORMATIONAL (CVE-2011-3374, apt).
    apt = [f for f in findings if f["id"] == "CVE-2011-3374"]
    assert apt and apt[0]["severity"] == "INFORMATIONAL", apt

    described = aws.call("describe-images", "--repository-name", "scan/debian", "--image-ids",
                         "imageTag=bookworm")["imageDetails"][0]
    assert described["imageScanStatus"]["status"] == "COMPLETE", described
    assert (described["imageScanFindingsSummary"]["findingSeverityCounts"]
            == body["findingSeverityCounts"])


@needs_data
def test_distroless_layout_gives_the_same_findings(server, aws, imported, tool_env, layouts):
    layer = debian_base()
    for p in paragraphs(STATUS.decode()):
        if field(p, "Status").split()[-1:] != ["installed"]:
            continue
        body = "\n".join(line for line in p.splitlines() if not line.startswith("Status:"))
        layer.file(f"var/lib/dpkg/status.d/{field(p, 'Package')}", (body + "\n").encode())
    publish(server, tool_env, layouts, "scan/distroless", "v1", [layer.build()])
    wait_complete(aws, "scan/distroless", "v1")
    ours = {(f["id"], f["package"]["name"]) for f in scanner_findings(server, "scan/distroless", "v1")}
    theirs = {(f["id"], f["package"]["name"])
              for f in scanner_findings(server, "scan/debian", "bookworm")}
    assert ours == theirs


@needs_data
def test_a_whiteout_of_the_status_file_leaves_no_os_findings(server, aws, imported, tool_env,
                                                             layouts):
    base = debian_base().file("var/lib/dpkg/status", STATUS).build()
    top = images.LayerBuilder().whiteout("var/lib/dpkg/status").build()
    publish(server, tool_env, layouts, "scan/slim", "v1", [base, top])
    out = wait_status(aws, "scan/slim", "v1")
    assert out["imageScanStatus"]["status"] == "UNSUPPORTED_IMAGE", out
    assert "debian 12" in out["imageScanStatus"]["description"], out


def pep440_affected(name: str, version: str) -> set[str]:
    """PyPA ids affecting name==version, by the OSV evaluation with pip's vendored packaging."""
    import yaml  # python3-yaml
    from pip._vendor.packaging.version import InvalidVersion, Version
    ids = set()
    d = PYPI / name.lower()
    if not d.is_dir():
        return ids
    v = Version(version)
    for f in sorted(d.glob("*.yaml")):
        rec = yaml.safe_load(f.read_text())
        if rec.get("withdrawn"):
            continue
        for aff in rec.get("affected", []):
            if aff["package"]["name"].lower().replace("_", "-") != name.lower():
                continue
            if version in [str(x) for x in aff.get("versions", [])]:
                ids.add(rec["id"])
                continue
            for rng in aff.get("ranges", []):
                if rng["type"] != "ECOSYSTEM":
                    continue
                vulnerable = False
                for ev in sorted(rng["events"], key=lambda e: Version(str(list(e.values())[0]))
                                 if str(list(e.values())[0]) != "0" else Version("0")):
                    (kind, at), = ev.items()
                    try:
                        at_v = Version(str(at))
                    except InvalidVersion:
                        continue
                    if kind == "introduced" and v >= at_v:
                        vulnerable = True
                    elif kind == "fixed" and v >= at_v:
                        vulnerable = False
                    elif kind == "last_affected" and v > at_v:
                        vulnerable = False
                if vulnerable:
                    ids.add(rec["id"])
    return ids


@needs_data
def test_python_site_packages_find_the_pypa_advisories(server, aws, imported, tool_env, layouts):
    layer = images.LayerBuilder()
    rows = [l.split("\t") for l in (FIXTURES / "python311-site-packages.tsv").read_text().splitlines()
            if l and not l.startswith("#") and not l.startswith("name\t")]
    site = "usr/local/lib/python3.11/site-packages"
    # Older releases of three packages the PyPA data covers, so the image has known findings.
    rows += [["requests", "2.19.0", "requests-2.19.0.dist-info"],
             ["jinja2", "2.10", "Jinja2-2.10.dist-info"],
             ["urllib3", "1.24.1", "urllib3-1.24.1.dist-info"]]
    for name, version, dist_info in rows:
        layer.file(f"{site}/{dist_info}/METADATA",
                   f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode())
    publish(server, tool_env, layouts, "scan/python", "v1", [layer.build()])
    wait_complete(aws, "scan/python", "v1")
    found = {(f["id"], f["package"]["name"].lower(), f["package"]["version"])
             for f in scanner_findings(server, "scan/python", "v1")}
    everything = set()
    for f in scanner_findings(server, "scan/python", "v1"):
        for rid in [f["id"], *f.get("related", [])]:
            everything.add((rid, f["package"]["name"].lower(), f["package"]["version"]))
    expected = set()
    for name, version, _ in rows:
        for rid in pep440_affected(name.lower().replace("_", "-"), version):
            expected.add((rid, name.lower(), version))
    assert any(e[1] == "requests" for e in expected), expected
    assert expected <= everything, sorted(expected - everything)[:5]
    assert {f for f in found if f[0].startswith("PYSEC")} <= expected


def go_semver_key(v: str):
    v = v.lstrip("v")
    main, _, pre = v.partition("-")
    nums = [int(x) for x in main.split(".")] + [0] * (3 - len(main.split(".")))
    return (nums, 0 if pre else 1, pre)


@needs_data
@pytest.mark.skipif(shutil.which("go") is None, reason="go not installed (golang-go)")
def test_a_go_binary_finds_the_go_stdlib_advisories(server, aws, imported, tool_env, layouts,
                                                    tmp_path):
    src = tmp_path / "hello"
    src.mkdir()
    (src / "go.mod").write_text("module example.com/hello\n\ngo 1.19\n")
    (src / "main.go").write_text('package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n')
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local",
           "GOCACHE": str(tmp_path / "cache"), "GOPATH": str(tmp_path / "gopath"), "CGO_ENABLED": "0"}
    subprocess.run(["go", "build", "-o", str(tmp_path / "hello-bin"), "."], cwd=src, env=env,
                   check=True, capture_output=True)
    goversion = subprocess.run(["go", "env", "GOVERSION"], env=env, capture_output=True,
                               check=True).stdout.decode().strip().removeprefix("go")
    layer = images.LayerBuilder().file("usr/local/bin/hello", (tmp_path / "hello-bin").read_bytes(),
                                       0o755)
    publish(server, tool_env, layouts, "scan/go", "v1", [layer.build()])
    wait_complete(aws, "scan/go", "v1")
    found = scanner_findings(server, "scan/go", "v1")
    stdlib = {f["id"] for f in found if f["package"]["name"] == "stdlib"}
    assert all(f["package"]["version"] == goversion for f in found if f["package"]["name"] == "stdlib")
    expected = set()
    mine = go_semver_key(goversion)
    for f in sorted(GO_OSV.rglob("*.json")):
        rec = json.loads(f.read_text())
        for aff in rec.get("affected", []):
            if aff["package"]["name"] != "stdlib":
                continue
            for rng in aff.get("ranges", []):
                state = False
                for ev in sorted(rng["events"], key=lambda e: go_semver_key(list(e.values())[0])):
                    (kind, at), = ev.items()
                    if kind == "introduced" and mine >= go_semver_key(at):
                        state = True
                    elif kind == "fixed" and mine >= go_semver_key(at):
                        state = False
                if state:
                    expected.add(rec["id"])
    assert expected, f"the data should know Go {goversion} advisories"
    everything = set()
    for f in found:
        if f["package"]["name"] == "stdlib":
            everything.update([f["id"], *f.get("related", [])])
    assert expected <= everything, sorted(expected - everything)[:5]
    for f in found:  # every stdlib finding is one of the expected records (by id or alias)
        if f["package"]["name"] == "stdlib":
            assert {f["id"], *f.get("related", [])} & expected, f["id"]
    assert stdlib


@needs_data
def test_start_image_scan_then_the_daily_limit(server, aws, imported, tool_env, layouts):
    status = "\n\n".join(p for p in paragraphs(STATUS.decode())
                         if field(p, "Package") in ("zlib1g", "libc6")) + "\n"
    layer = debian_base().file("var/lib/dpkg/status", status.encode()).build()
    publish(server, tool_env, layouts, "manual/app", "v1", [layer])  # not covered by "scan/*"
    aws.fails("ScanNotFoundException", "DescribeImageScanFindings", "describe-image-scan-findings",
              "--repository-name", "manual/app", "--image-id", "imageTag=v1")
    started = aws.call("start-image-scan", "--repository-name", "manual/app", "--image-id",
                       "imageTag=v1")
    assert started["imageScanStatus"]["status"] == "IN_PROGRESS", started
    assert wait_complete(aws, "manual/app", "v1")["imageScanStatus"]["status"] == "COMPLETE"
    # botocore retries LimitExceededException before it gives up, so its line says so.
    again = aws.call("start-image-scan", "--repository-name", "manual/app", "--image-id",
                     "imageTag=v1", check=False)
    assert again.returncode != 0
    assert re.search(r"An error occurred \(LimitExceededException\) when calling the StartImageScan "
                     r"operation( \(reached max retries: \d+\))?: The scan quota per image has been "
                     r"exceeded", again.stderr.decode()), again.stderr.decode()
    aws.fails("ImageNotFoundException", "StartImageScan", "start-image-scan", "--repository-name",
              "manual/app", "--image-id", "imageTag=nope")


@needs_data
def test_the_collector_removes_the_scan_and_the_sboms_of_a_deleted_image(server, aws, imported,
                                                                         tool_env, layouts,
                                                                         tmp_path):
    status = "\n\n".join(p for p in paragraphs(STATUS.decode()) if field(p, "Package") == "zlib1g")
    layer = debian_base().file("var/lib/dpkg/status", (status + "\n").encode()).build()
    img = publish(server, tool_env, layouts, "scan/deleted", "v1", [layer])
    first = wait_complete(aws, "scan/deleted", "v1")
    assert first["imageScanFindings"]["findings"], first
    r = registry_get(server, f"/v2/scan/deleted/referrers/{img.digest}")
    sboms = {m["digest"] for m in r.json()["manifests"]}
    assert len(sboms) == 2, r.json()
    aws.call("batch-delete-image", "--repository-name", "scan/deleted", "--image-ids",
             "imageTag=v1")
    listed = {i["imageDigest"] for i in aws.call("list-images", "--repository-name",
                                                 "scan/deleted")["imageIds"]}
    assert listed == sboms, listed  # the SBOMs outlive their image until the collector runs

    preview = admin_json(server, "gc", "--dry-run")
    assert preview["scansToRemove"] >= 1, preview
    done = admin_json(server, "gc")
    assert done["scansRemoved"] == preview["scansToRemove"], (preview, done)
    # Referrers pushed less than the grace (24 h) ago stay: OCI lets one come before its subject.
    assert done["referrersRemoved"] == 0, done
    assert admin_json(server, "gc")["scansRemoved"] == 0

    # A day later, as ECR expires a deleted image's referrers within 24 hours.
    lib = clock_shim(tmp_path)
    later = run([WHARF_BIN, "admin", "--data", str(server.data_dir), "gc"], timeout=60,
                env=dict(os.environ, LD_PRELOAD=str(lib), WHARF_E2E_CLOCK_OFFSET=str(25 * 3600)))
    assert json.loads(later.stdout)["referrersRemoved"] == 2, later.stdout
    assert aws.call("list-images", "--repository-name", "scan/deleted")["imageIds"] == []

    # Scans of images that are still held stay, and the same image pushed again scans again.
    assert wait_complete(aws, "scan/debian", "bookworm")["imageScanStatus"]["status"] == "COMPLETE"
    push(tool_env, img, f"{server.host}/scan/deleted:v2")  # the same image, by digest
    again = wait_complete(aws, "scan/deleted", "v2")
    assert ({f["name"] for f in again["imageScanFindings"]["findings"]}
            == {f["name"] for f in first["imageScanFindings"]["findings"]})
    assert again["imageScanStatus"]["description"] == "The scan was completed successfully.", again
    r = registry_get(server, f"/v2/scan/deleted/referrers/{img.digest}")
    # Stored again, as new documents: they carry the image's new push time.
    assert ({m["artifactType"] for m in r.json()["manifests"]}
            == {"application/spdx+json", "application/vnd.cyclonedx+json"}), r.json()


def test_registry_scanning_configuration_round_trips(server, aws):
    got = aws.call("get-registry-scanning-configuration")
    assert got["scanningConfiguration"]["scanType"] == "BASIC"
    assert got["scanningConfiguration"]["rules"][0]["repositoryFilters"] == [
        {"filter": "scan/*", "filterType": "WILDCARD"}]
    aws.fails("ValidationException", "PutRegistryScanningConfiguration",
              "put-registry-scanning-configuration", "--scan-type", "BASIC", "--rules",
              json.dumps([{"scanFrequency": "CONTINUOUS_SCAN",
                           "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]))


def registry_get(server, path: str, accept: str = "") -> requests.Response:
    c = server.client()
    return c.session.get(server.url + path, headers={"Accept": accept} if accept else {})


@needs_data
def test_sbom_referrers_are_fetchable_oci_artifacts(server, aws, imported, tool_env, layouts):
    img = publish(server, tool_env, layouts, "scan/sbom", "v1",
                  [debian_base().file("var/lib/dpkg/status", STATUS).build()])
    wait_complete(aws, "scan/sbom", "v1")
    r = registry_get(server, f"/v2/scan/sbom/referrers/{img.digest}")
    assert r.status_code == 200, r.text
    by_type = {m["artifactType"]: m for m in r.json()["manifests"]}
    assert set(by_type) == {"application/spdx+json", "application/vnd.cyclonedx+json"}, by_type
    m = registry_get(server, f"/v2/scan/sbom/manifests/{by_type['application/spdx+json']['digest']}",
                     "application/vnd.oci.image.manifest.v1+json").json()
    assert m["subject"]["digest"] == img.digest
    doc = registry_get(server, f"/v2/scan/sbom/blobs/{m['layers'][0]['digest']}").json()
    assert doc["spdxVersion"] == "SPDX-2.3"
    purls = {ref["referenceLocator"] for p in doc["packages"] for ref in p.get("externalRefs", [])}
    assert any(p.startswith("pkg:deb/debian/libc6@") and "upstream=glibc" in p for p in purls)
    assert len(doc["packages"]) == len(installed_debian(STATUS.decode())) + 2


# ----------------------------------------------------------------------------- rpm databases

needs_rpm = pytest.mark.skipif(shutil.which("rpmbuild") is None or shutil.which("db5.3_load") is None,
                               reason="needs rpm (rpmbuild) and db5.3-util")

RPM_SPEC = """Name: {name}
Version: {version}
Release: 3.el8
{epoch}Summary: a package built by the test
License: MIT
BuildArch: noarch
%description
A package built by the test.
%install
mkdir -p %{{buildroot}}/usr/share/{name}
for i in $(seq 1 {files}); do echo $i > %{{buildroot}}/usr/share/{name}/file-$i; done
%files
/usr/share/{name}
"""


@pytest.fixture(scope="module")
def rpm_installed(tmp_path_factory) -> tuple[list[bytes], set[tuple[str, str]]]:
    """Header blobs as rpm itself stores them: real packages built with rpmbuild, installed with
    `rpm --justdb` into an rpmdb.sqlite, read back from its Packages table."""
    import sqlite3
    top = tmp_path_factory.mktemp("rpmbuild")
    (top / "SPECS").mkdir()
    for name, version, epoch, files in (("alpha", "1.2", "", 3), ("beta", "2.0.1", "Epoch: 4\n", 250),
                                        ("gamma", "0.9", "", 40)):
        spec = top / "SPECS" / f"{name}.spec"
        spec.write_text(RPM_SPEC.format(name=name, version=version, epoch=epoch, files=files))
        subprocess.run(["rpmbuild", "--quiet", "--define", f"_topdir {top}", "-bb", str(spec)],
                       check=True, capture_output=True)
    db = top / "db"
    db.mkdir()
    subprocess.run(["rpm", "--dbpath", str(db), "--initdb"], check=True, capture_output=True)
    subprocess.run(["rpm", "--dbpath", str(db), "-i", "--justdb", "--nodeps", "--ignorearch",
                    *map(str, sorted((top / "RPMS" / "noarch").glob("*.rpm")))],
                   check=True, capture_output=True)
    con = sqlite3.connect(db / "rpmdb.sqlite")
    blobs = [row[0] for row in con.execute("SELECT blob FROM Packages ORDER BY hnum")]
    con.close()
    assert len(blobs) == 3
    return blobs, rpm_qa(db, "sqlite")


def rpm_qa(dbpath: Path, backend: str) -> set[tuple[str, str]]:
    """(name, [epoch:]version-release) as rpm lists the database."""
    out = subprocess.run(["rpm", "--dbpath", str(dbpath), "--define", f"_db_backend {backend}",
                          "-qa", "--qf", "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n"],
                         capture_output=True, check=True).stdout.decode()
    return {tuple(line.split(" ", 1)) for line in out.splitlines() if line}


def rpm_sqlite_file(blobs: list[bytes], where: Path) -> bytes:
    import sqlite3
    where.mkdir(parents=True)
    con = sqlite3.connect(where / "rpmdb.sqlite")
    con.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    con.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    con.commit()
    con.close()
    return (where / "rpmdb.sqlite").read_bytes()


def rpm_bdb_file(blobs: list[bytes], where: Path) -> bytes:
    """var/lib/rpm/Packages written by Berkeley DB itself (db5.3_load), as rpm < 4.16 keeps it:
    instance 0 holds the next instance, 1..n the headers; 1 KiB pages force overflow chains."""
    def esc(b: bytes) -> str:
        return "".join(f"\\{x:02x}" for x in b)
    where.mkdir(parents=True)
    lines = [esc((0).to_bytes(4, "little")), esc((len(blobs) + 1).to_bytes(4, "little"))]
    for i, b in enumerate(blobs, 1):
        lines += [esc(i.to_bytes(4, "little")), esc(b)]
    (where / "load.txt").write_text("\n".join(lines) + "\n")
    subprocess.run(["db5.3_load", "-T", "-t", "hash", "-c", "db_pagesize=1024", "-f",
                    str(where / "load.txt"), str(where / "Packages")], check=True)
    return (where / "Packages").read_bytes()


def rpm_ndb_file(blobs: list[bytes]) -> bytes:
    """Packages.db laid out as rpm's lib/backend/ndb/rpmpkg.c writes it (Debian's rpm has no
    ndb backend to write one): header, one slot page, blobs in 16-byte blocks with an Adler-32."""
    import struct
    import zlib
    db = bytearray(4096)
    struct.pack_into("<5I", db, 0, int.from_bytes(b"RpmP", "little"), 0, 1, 1, len(blobs) + 1)
    for at in range(32, 4096, 16):
        db[at:at + 4] = b"Slot"
    for i, b in enumerate(blobs, 1):
        blocks = (16 + len(b) + 12 + 15) // 16
        start = len(db)
        blob = bytearray(blocks * 16)
        struct.pack_into("<4sIII", blob, 0, b"BlbS", i, 1700000000, len(b))
        blob[16:16 + len(b)] = b
        struct.pack_into("<II4s", blob, blocks * 16 - 12, zlib.adler32(bytes(blob[:-12])), len(b),
                         b"BlbE")
        db += blob
        struct.pack_into("<III", db, 32 + 16 * (i - 1) + 4, i, start // 16, blocks)
    return bytes(db)


def cyclonedx_packages(server, repo: str, digest: str) -> set[tuple[str, str]]:
    r = registry_get(server, f"/v2/{repo}/referrers/{digest}")
    assert r.status_code == 200, r.text
    cdx = [m for m in r.json()["manifests"] if m["artifactType"] == "application/vnd.cyclonedx+json"]
    assert len(cdx) == 1, r.json()
    m = registry_get(server, f"/v2/{repo}/manifests/{cdx[0]['digest']}",
                     "application/vnd.oci.image.manifest.v1+json").json()
    doc = registry_get(server, f"/v2/{repo}/blobs/{m['layers'][0]['digest']}").json()
    return {(c["name"], c["version"]) for c in doc["components"] if c.get("purl", "").startswith("pkg:rpm/")}


@needs_rpm
@pytest.mark.parametrize("backend", ["sqlite", "bdb", "ndb"])
def test_every_rpm_database_backend_lists_what_rpm_installed(server, aws, tool_env, layouts,
                                                             rpm_installed, tmp_path, backend):
    """Fedora/RHEL 9 (rpmdb.sqlite), CentOS 7/RHEL 8 (Berkeley DB Packages) and SLES 15 (ndb
    Packages.db): the scan reads the same packages rpm lists."""
    rpm_headers, expected = rpm_installed
    assert len(expected) == 3 and ("beta", "4:2.0.1-3.el8") in expected, expected
    if backend == "sqlite":
        path, data = "usr/lib/sysimage/rpm/rpmdb.sqlite", rpm_sqlite_file(rpm_headers, tmp_path / "db")
        os_release = b'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.3"\n'
    elif backend == "bdb":
        data = rpm_bdb_file(rpm_headers, tmp_path / "bdb")
        # rpm's own read-only Berkeley DB backend agrees with the file db5.3_load wrote.
        assert rpm_qa(tmp_path / "bdb", "bdb_ro") == expected
        path, os_release = "var/lib/rpm/Packages", b'NAME="CentOS Linux"\nID="centos"\nVERSION_ID="7"\n'
    else:
        path, data = "usr/lib/sysimage/rpm/Packages.db", rpm_ndb_file(rpm_headers)
        os_release = b'NAME="SLES"\nID="sles"\nVERSION_ID="15.3"\n'
    layer = images.LayerBuilder().file("etc/os-release", os_release).file(path, data).build()
    repo = f"scan/rpm-{backend}"
    img = publish(server, tool_env, layouts, repo, "v1", [layer])
    out = wait_status(aws, repo, "v1")
    assert out["imageScanStatus"]["status"] == "COMPLETE", out["imageScanStatus"]
    ours = cyclonedx_packages(server, repo, img.digest)
    assert ours == expected


@needs_data
def test_pull_gate_blocks_and_the_allowlist_unblocks(server, aws, imported, tool_env, layouts,
                                                     tmp_path):
    status = "\n\n".join(p for p in paragraphs(STATUS.decode())
                         if field(p, "Package") in ("zlib1g",)) + "\n"
    publish(server, tool_env, layouts, "gated/app", "v1",
            [debian_base().file("var/lib/dpkg/status", status.encode()).build()])
    aws.call("start-image-scan", "--repository-name", "gated/app", "--image-id", "imageTag=v1")
    wait_complete(aws, "gated/app", "v1")
    findings = scanner_findings(server, "gated/app", "v1")
    worst = {f["id"] for f in findings if f["severity"] in ("CRITICAL", "HIGH", "MEDIUM", "LOW")}
    assert worst, findings

    admin(server, "scan", "gate-rule", "put", "--repo", "gated/", "--threshold", "LOW")
    time.sleep(2.2)  # the server reads gate rules at most every 2 s
    out = tmp_path / "pulled"
    p = skopeo(tool_env, "copy", "--src-tls-verify=false", f"docker://{server.host}/gated/app:v1",
               f"dir:{out}", check=False)
    assert p.returncode != 0
    err = p.stderr.decode()
    assert "denied" in err and "vulnerability gate" in err, err

    got = aws.call("batch-get-image", "--repository-name", "gated/app", "--image-ids",
                   "imageTag=v1")
    assert got["images"] == [] and got["failures"][0]["failureCode"] == "ImageInaccessible", got

    check = admin(server, "scan", "gate", "--repo", "gated/app", "--tag", "v1", "--max-severity",
                  "LOW", check=False)
    assert check.returncode == 1 and b"gate failed" in check.stdout, check.stdout

    for rid in sorted(worst):
        admin(server, "scan", "gate-rule", "allow", "--repo", "gated/", "--id", rid,
              "--expires", "2099-01-01T00:00:00Z", "--reason", "accepted in review")
    time.sleep(2.2)
    skopeo(tool_env, "copy", "--src-tls-verify=false", f"docker://{server.host}/gated/app:v1",
           f"dir:{out}")
    denied = [r for r in audit_records(server, "--action", "ecr:BatchGetImage")
              if r.get("outcome") == "failure" and r.get("errorCode") == "DENIED"]
    assert denied, "the denied pull is audited"
    admin(server, "scan", "gate-rule", "delete", "--repo", "gated/")


@needs_data
def test_a_new_database_rematches_without_reading_layers(server, aws, imported, tool_env, layouts):
    # An image whose only package the imported data knows nothing about yet (RustSec).
    lock = ('version = 3\n\n[[package]]\nname = "smallvec"\nversion = "1.6.0"\n'
            'source = "registry+https://github.com/rust-lang/crates.io-index"\n')
    publish(server, tool_env, layouts, "scan/rust", "v1",
            [images.LayerBuilder().file("app/Cargo.lock", lock.encode()).build()])
    before = wait_complete(aws, "scan/rust", "v1")
    assert before["imageScanFindings"]["findings"] == [], before
    admin(server, "vulndb", "import", str(SHARED / "rust" / "osv"))
    deadline = time.monotonic() + 30
    while True:
        after = aws.call("describe-image-scan-findings", "--repository-name", "scan/rust",
                         "--image-id", "imageTag=v1")
        if after["imageScanFindings"]["findings"]:
            break
        assert time.monotonic() < deadline, "no re-match within 30 s"
        time.sleep(0.5)
    ids = {f["name"] for f in after["imageScanFindings"]["findings"]}
    assert "RUSTSEC-2021-0003" in ids or any(i.startswith("CVE-2021-25900") for i in ids), ids
    assert any(r["action"] == "scan:NewFindings"
               for r in audit_records(server, "--action", "scan:NewFindings"))


def hostile_layer_tests():
    def traversal():
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tf:
            for name, data in [("../../etc/os-release", OS_RELEASE), ("/abs/var/lib/dpkg/status", b"x")]:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            link = tarfile.TarInfo("etc/os-release")
            link.type, link.linkname = tarfile.SYMTYPE, "../../../../etc/passwd"
            tf.addfile(link)
        return raw.getvalue()

    def zip_bomb_jar():
        import zipfile
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("META-INF/maven/a/b/pom.properties", "groupId=a\nartifactId=b\nversion=1\n")
            z.writestr("bomb.bin", b"\0" * (300 << 20))
        return images.LayerBuilder().file("app/lib/bomb.jar", out.getvalue()).tar()

    def truncated_gzip():
        full = gzip.compress(debian_base().file("var/lib/dpkg/status", STATUS).tar())
        return full[: len(full) // 2]

    return {"traversal": (traversal, images.MT_LAYER_TAR),
            "zipbomb": (zip_bomb_jar, images.MT_LAYER_TAR),
            "truncated": (truncated_gzip, images.MT_LAYER_GZIP)}


@needs_data
@pytest.mark.parametrize("kind", ["traversal", "zipbomb", "truncated"])
def test_hostile_layers_fail_or_skip_cleanly(server, aws, imported, tool_env, layouts, kind):
    make, media_type = hostile_layer_tests()[kind]
    raw = make()
    blob = images.Blob(media_type, raw)
    diff = images.sha256(raw if media_type == images.MT_LAYER_TAR else b"")
    publish(server, tool_env, layouts, "scan/hostile", kind, [(blob, diff)])
    out = wait_status(aws, "scan/hostile", kind, timeout=120)
    status = out["imageScanStatus"]
    if kind == "truncated":
        assert status["status"] == "FAILED" and "layer sha256:" in status["description"], status
    else:
        assert status["status"] in ("COMPLETE", "UNSUPPORTED_IMAGE"), status
    assert registry_get(server, "/v2/").status_code == 200
    # Nothing outside the layer was read: no OS was detected from a path that escaped.
    if kind == "traversal":
        assert "debian" not in status.get("description", ""), status
