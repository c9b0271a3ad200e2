"""The process contract of `wharf serve`: the readiness line, JSON access log on stdout,
clean exit on SIGTERM, `wharf version`."""
from __future__ import annotations

import json
import subprocess

import pytest

import images
from harness import WHARF_BIN

pytestmark = pytest.mark.not_on_reference("checks the wharf process itself")


def test_version():
    p = subprocess.run([WHARF_BIN, "version"], capture_output=True, timeout=10)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.strip(), "wharf version printed nothing"


def test_ready_line_and_json_access_log(registry):
    c = registry.client()
    assert c.get("/v2/").status_code == 200
    assert c.get("/v2/no/such/repo/tags/list").status_code == 404
    registry.stop()
    lines = [line for line in registry.stdout_path.read_text().splitlines()
             if line.strip() and not line.startswith("=====")]
    assert lines, "no access-log line on stdout"
    docs = []
    for line in lines:
        try:
            docs.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"stdout line is not JSON: {line!r}")
    assert all(isinstance(d, dict) for d in docs)
    text = "\n".join(lines)
    assert "/v2/no/such/repo/tags/list" in text and "404" in text, \
        f"the 404 request is not in the access log:\n{text[-2000:]}"
    assert "listening on http://127.0.0.1:" in registry.stderr_tail()


def test_sigterm_exits_zero_and_keeps_data(registry):
    c = registry.client()
    c.push_blob("process/app", b"something to keep")
    code = registry.stop()
    assert code == 0, f"wharf should exit 0 on SIGTERM, exited {code}; stderr:\n" + \
        registry.stderr_tail(2000)
    registry.start()
    assert registry.client().blob_exists("process/app", images.sha256(b"something to keep"))
