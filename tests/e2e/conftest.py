"""Fixtures of the end-to-end suite: the server under test and the images pushed to it.

Target (env WHARF_E2E_TARGET):
  wharf      (default) `$WHARF_BIN serve --listen 127.0.0.1:0 --data DIR`
             (WHARF_BIN defaults to <repo>/build/wharf)
  reference  Debian's docker-registry (CNCF distribution 2.8), to validate the tests
Tests of what distribution 2.8 does not implement carry @pytest.mark.not_on_reference("why").
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import images
import harness
from harness import TARGET, WHARF_BIN, ConfiguredServer, Server, ServerError, live_servers
from regclient import RegistryClient

if TARGET not in ("wharf", "reference"):
    raise pytest.UsageError(f"WHARF_E2E_TARGET must be wharf or reference, not {TARGET!r}")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "not_on_reference(reason): distribution 2.8 lacks this; skipped there")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def pytest_report_header(config):
    if TARGET == "reference":
        return "wharf e2e target: reference (/usr/bin/docker-registry, distribution 2.8)"
    return f"wharf e2e target: wharf ({WHARF_BIN})"


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("not_on_reference")
    if marker and TARGET == "reference":
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
        pytest.skip(f"reference registry: {reason}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def pytest_sessionfinish(session, exitstatus):
    for server in list(live_servers):  # a fixture that could not clean up
        server.kill9()


def _server_fixture(request, base: Path, server: Server | None = None):
    if server is None:
        server = Server(base / "data", base / "logs")
    try:
        server.start()
    except ServerError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield server
    finally:
        died = None
        if server.proc is not None and server.proc.poll() is not None:
            died = server.proc.returncode
        server.stop()
        failed = any(getattr(request.node, f"rep_{w}", None) is not None
                     and getattr(request.node, f"rep_{w}").failed for w in ("setup", "call"))
        if failed or died is not None or server.problems:
            print(f"--- {server.kind} stderr ({server.stderr_path}) ---\n{server.stderr_tail()}")
        if died is not None:
            pytest.fail(f"the server died during the test with exit code {died}", pytrace=False)
        if server.problems:
            pytest.fail("server contract: " + "; ".join(server.problems), pytrace=False)


@pytest.fixture
def registry(request, tmp_path):
    """A fresh server in its own data dir for one test."""
    yield from _server_fixture(request, tmp_path)


@pytest.fixture(scope="module")
def shared_registry(request, tmp_path_factory):
    """One server for all tests of a module (tests must use their own repository names)."""
    yield from _server_fixture(request, tmp_path_factory.mktemp("shared-registry"))


@pytest.fixture
def start_registry(request, tmp_path):
    """Factory: start_registry(config_toml, ca_file=None, name="wharf") starts
    `wharf serve --config FILE` (a ConfiguredServer; https when the TOML enables [server.tls])
    and returns it; each is stopped and checked at teardown exactly like `registry`."""
    teardowns = []

    def start(config_toml: str = "", *, ca_file: Path | None = None, name: str = "wharf",
              extra_args=()) -> ConfiguredServer:
        base = tmp_path / name
        server = ConfiguredServer(base / "data", base / "logs", config_toml,
                                  extra_args=extra_args, ca_file=ca_file)
        gen = _server_fixture(request, base, server)
        started = next(gen)
        teardowns.append(gen)
        return started

    yield start
    errors = []
    for gen in reversed(teardowns):
        try:
            next(gen, None)
        except BaseException as e:  # pytest.fail: report after stopping the others
            errors.append(e)
    if errors:
        raise errors[0]


@pytest.fixture
def client(registry) -> RegistryClient:
    return registry.client()


# ----------------------------------------------------------------------------- images

@pytest.fixture(scope="session")
def session_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("wharf-e2e")


@pytest.fixture(scope="session")
def busybox_image(session_dir) -> images.Image:
    """(a) runnable single-layer image, as an OCI layout."""
    return images.write_layout(session_dir / "layout-busybox", images.busybox_image(), "v1")


@pytest.fixture(scope="session")
def multilayer_image(session_dir) -> images.Image:
    """(b) four layers with whiteouts."""
    return images.write_layout(session_dir / "layout-multilayer", images.multilayer_image(), "v2")


@pytest.fixture(scope="session")
def index_image(session_dir) -> images.Image:
    """(c) linux/amd64 + linux/arm64 index."""
    return images.write_layout(session_dir / "layout-index", images.platform_index(), "multi")


@pytest.fixture(scope="session")
def sbom_artifact(session_dir, busybox_image) -> images.Image:
    """(d) artifact whose subject is (a)."""
    return images.write_layout(session_dir / "layout-sbom", images.sbom_artifact(busybox_image),
                               "sbom")


# ----------------------------------------------------------------------------- client tools

@pytest.fixture(scope="session")
def tool_env(session_dir) -> dict:
    """Environment for skopeo/buildah/podman: no host auth file, no search registries, temp
    files in the session dir."""
    d = session_dir / "containers-conf"
    d.mkdir(exist_ok=True)
    (d / "auth.json").write_text('{"auths":{}}')
    harness.AUTH_FILE = d / "auth.json"
    for server in live_servers:  # started before this fixture: log them in too
        if server.auth:
            harness.register_login(server.host, *server.auth)
    (d / "registries.conf").write_text('unqualified-search-registries = []\n')
    (d / "policy.json").write_text(json.dumps(
        {"default": [{"type": "insecureAcceptAnything"}]}))
    tmp = d / "tmp"
    tmp.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update({
        "REGISTRY_AUTH_FILE": str(d / "auth.json"),
        "CONTAINERS_REGISTRIES_CONF": str(d / "registries.conf"),
        "TMPDIR": str(tmp),
    })
    env["WHARF_E2E_POLICY"] = str(d / "policy.json")
    return env


