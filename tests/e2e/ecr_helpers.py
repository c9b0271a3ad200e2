"""Helpers of the ECR end-to-end tests (test_ecr_cli.py, test_ecr_boto3.py, test_audit.py):
`wharf admin`, principals with keys, the real aws CLI, raw SigV4-signed JSON 1.1 calls (for
what boto3 validates client-side or does not know), skopeo with explicit credentials, and an
LD_PRELOAD clock shim that moves the server's wall clock (to expire authorization tokens)."""
from __future__ import annotations

import base64
import datetime as _dt
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from unittest import mock

import pytest
import requests

from harness import WHARF_BIN, run

ACCOUNT = "000000000000"
REGION = "us-east-1"
TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
AWS = "/usr/bin/aws"

# What `docker push` needs on a repository, and what a node needs to pull (ECR's documented sets).
PUSH_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                "ecr:BatchCheckLayerAvailability"]


def repo_arn(name: str) -> str:
    return f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


TOKEN_ONLY = policy(allow("ecr:GetAuthorizationToken"))


def error_code(exc) -> str:
    return exc.response["Error"]["Code"]


def poll(check, timeout: float = 10.0, interval: float = 0.2, what: str = "condition"):
    """Calls check() until it returns a truthy value (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")
        time.sleep(interval)


# ----------------------------------------------------------------------------- wharf admin

def admin(server, *args, check: bool = True, input: bytes | None = None):
    return run([WHARF_BIN, "admin", "--data", str(server.data_dir), *args], check=check,
               input=input, timeout=30)


def admin_json(server, *args):
    return json.loads(admin(server, *args).stdout)


def make_principal(server, kind: str, name: str, policies: dict[str, str] | None = None
                   ) -> tuple[str, str]:
    """Creates a user or role with identity policies {name: json} and returns a new key
    (akid, secret) for it."""
    assert kind in ("user", "role")
    admin(server, kind, "create", name)
    for pname, text in (policies or {}).items():
        admin(server, kind, "policy", "put", name, pname, "-", input=text.encode())
    key = admin_json(server, "key", "create", f"--{kind}", name)["AccessKey"]
    assert key["Status"] == "Active", key
    return key["AccessKeyId"], key["SecretAccessKey"]


def audit_records(server, *filters: str) -> list[dict]:
    out = admin(server, "audit", *filters).stdout.decode()
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# ----------------------------------------------------------------------------- aws CLI

class AwsCli:
    """The real `aws` CLI against one server; nothing of the host's AWS config leaks in."""

    def __init__(self, server, tmp_dir: Path):
        self.server = server
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self.empty = tmp_dir / "aws-empty"
        self.empty.write_text("")

    def env(self, key: tuple[str, str] | None) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        akid, secret = key or self.server.auth
        env.update({"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
                    "AWS_CONFIG_FILE": str(self.empty),
                    "AWS_SHARED_CREDENTIALS_FILE": str(self.empty),
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""})
        return env

    def call(self, *args: str, key=None, check: bool = True, output: str = "json"):
        """Runs `aws ecr ARGS`; returns the parsed JSON (check=True) or the CompletedProcess."""
        cmd = [AWS, "ecr", *args, "--endpoint-url", self.server.url, "--region", REGION,
               "--output", output]
        p = run(cmd, env=self.env(key), check=check, timeout=60)
        if not check:
            return p
        out = p.stdout.decode().strip()
        if output != "json":
            return out
        return json.loads(out) if out else {}

    def fails(self, exception: str, operation: str, *args: str, key=None) -> str:
        """Runs a call that must fail; checks the CLI's exact error line, returns stderr."""
        p = self.call(*args, key=key, check=False)
        err = p.stderr.decode()
        assert p.returncode != 0, f"aws ecr {' '.join(args)} succeeded: {p.stdout!r}"
        line = f"An error occurred ({exception}) when calling the {operation} operation: "
        assert line in err, f"expected {line!r} in stderr:\n{err}"
        return err

    def login_password(self, key) -> str:
        return self.call("get-login-password", key=key, output="text")


# ----------------------------------------------------------------------------- raw SigV4 calls

class _FixedTime(_dt.datetime):
    fixed: _dt.datetime

    @classmethod
    def utcnow(cls):
        return cls.fixed


def signed_headers(server, body: bytes, action: str, key=None, *, when: _dt.datetime | None = None,
                   extra: dict | None = None) -> dict:
    """Headers of a JSON 1.1 call signed with SigV4 by botocore, optionally at `when` (UTC)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    akid, secret = key or server.auth
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": TARGET_PREFIX + action, **(extra or {})}
    req = AWSRequest("POST", server.url + "/", data=body, headers=headers)
    signer = SigV4Auth(Credentials(akid, secret), "ecr", REGION)
    if when is None:
        signer.add_auth(req)
    else:
        fake = type("FixedTime", (_FixedTime,), {"fixed": when})
        with mock.patch("botocore.auth.datetime", mock.Mock(datetime=fake)):
            signer.add_auth(req)
    return dict(req.headers.items())


def raw_call(server, action: str, body, key=None, *, when=None, extra_headers=None
             ) -> requests.Response:
    """POST / with `body` (a dict is JSON-encoded; bytes go as they are), signed."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = signed_headers(server, data, action, key, when=when, extra=extra_headers)
    return requests.post(server.url + "/", data=data, headers=headers, timeout=30)


def raw_ok(server, action: str, body, key=None) -> dict:
    r = raw_call(server, action, body, key)
    assert r.status_code == 200, f"{action}: {r.status_code} {r.text}"
    return r.json()


def assert_raw_error(r: requests.Response, exception: str, *fragments: str) -> dict:
    """An ECR error: HTTP 400 and {"__type": exception, "message": ...}."""
    assert r.status_code == 400, f"{r.status_code} {r.text}"
    doc = r.json()
    assert doc.get("__type") == exception, doc
    for f in fragments:
        assert f in doc.get("message", ""), doc
    return doc


# ----------------------------------------------------------------------------- data plane

def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def skopeo(tool_env, *args, check: bool = True, timeout: float = 120):
    return run(["skopeo", "--policy", tool_env["WHARF_E2E_POLICY"], *args], env=tool_env,
               timeout=timeout, check=check)


def push(tool_env, image, dest: str, *creds, check: bool = True):
    """skopeo copy of a local OCI layout to docker://dest; creds e.g. ("--dest-creds", "AWS:pw")."""
    return skopeo(tool_env, "copy", "--dest-tls-verify=false", "--preserve-digests", *creds,
                  image.oci_ref, f"docker://{dest}", check=check)


needs_skopeo = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")
needs_aws = pytest.mark.skipif(not os.access(AWS, os.X_OK), reason="aws CLI not installed")


# ----------------------------------------------------------------------------- clock shim

_SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <sys/time.h>
static long shift(void) { const char *s = getenv("WHARF_E2E_CLOCK_OFFSET"); return s ? atol(s) : 0; }
int clock_gettime(clockid_t id, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *);
    if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int r = real(id, ts);
    if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += shift();
    return r;
}
int gettimeofday(struct timeval *tv, void *tz) {
    static int (*real)(struct timeval *, void *);
    if (!real) real = (int (*)(struct timeval *, void *))dlsym(RTLD_NEXT, "gettimeofday");
    int r = real(tv, tz);
    if (r == 0 && tv) tv->tv_sec += shift();
    return r;
}
time_t time(time_t *t) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (t) *t = ts.tv_sec;
    return ts.tv_sec;
}
"""


def clock_shim(directory: Path) -> Path:
    """Builds the LD_PRELOAD library that adds $WHARF_E2E_CLOCK_OFFSET seconds to the wall
    clock of a process (skips the test when there is no C compiler)."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler for the clock shim")
    src = directory / "clock_shift.c"
    lib = directory / "clock_shift.so"
    src.write_text(_SHIM)
    p = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(lib), str(src), "-ldl"],
                       capture_output=True)
    if p.returncode != 0:
        pytest.skip(f"cannot build the clock shim: {p.stderr.decode()[-500:]}")
    return lib


def restart_with_clock_offset(server, monkeypatch, lib: Path, seconds: int):
    """Restarts `server` (same port, same data) with its wall clock `seconds` ahead."""
    server.stop()
    with monkeypatch.context() as m:
        m.setenv("LD_PRELOAD", str(lib))
        m.setenv("WHARF_E2E_CLOCK_OFFSET", str(seconds))
        server.start(server.port)
