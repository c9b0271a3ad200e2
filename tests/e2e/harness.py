"""Process plumbing shared by the end-to-end tests: the server under test and client tools.

Target (env WHARF_E2E_TARGET):
  wharf      (default) `$WHARF_BIN serve --listen 127.0.0.1:0 --data DIR`
             (WHARF_BIN defaults to <repo>/build/wharf)
  reference  Debian's docker-registry (CNCF distribution 2.8), to validate the tests
"""
from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from regclient import RegistryClient

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("WHARF_E2E_TARGET", "wharf").strip().lower()
WHARF_BIN = os.environ.get("WHARF_BIN", str(REPO_ROOT / "build" / "wharf"))
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
LISTENING = re.compile(r"listening on (https?)://127\.0\.0\.1:(\d+)")

# Servers started and not yet stopped; conftest kills leftovers at session end.
live_servers: list["Server"] = []

# The containers-auth.json (REGISTRY_AUTH_FILE) that skopeo, buildah and podman read: every
# server started adds its administrator's key for its host:port, as `skopeo login` would.
AUTH_FILE: Path | None = None

# Unless a test says otherwise, a push creates a missing repository (the quick-start mode):
# the protocol tests push to fresh names all the time. ECR's own rule is tested by turning it off.
DEFAULT_TOML = "[registry]\ncreate_on_push = true\n"


def register_login(host: str, user: str, password: str):
    if AUTH_FILE is None:
        return
    doc = json.loads(AUTH_FILE.read_text()) if AUTH_FILE.exists() else {"auths": {}}
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    doc.setdefault("auths", {})[host] = {"auth": token}
    AUTH_FILE.write_text(json.dumps(doc))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerError(RuntimeError):
    pass


class Server:
    """A registry process on 127.0.0.1 over a data directory that outlives restarts."""

    def __init__(self, data_dir: Path, log_dir: Path, kind: str = TARGET):
        self.kind = kind
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stderr_path = self.log_dir / "server.stderr.log"
        self.stdout_path = self.log_dir / "server.stdout.log"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.scheme = "http"  # https when the server's config enables TLS
        self.starts = 0
        self.problems: list[str] = []  # contract breaches seen by the fixture itself
        self.exit_codes: list[int] = []
        self.access_key: str | None = None  # the administrator's key (wharf writes it on start)
        self.secret_key: str | None = None

    # ---- credentials
    @property
    def auth(self) -> tuple[str, str] | None:
        """(access key id, secret) of the administrator, for requests' auth=; None on the
        reference registry, which runs without authentication."""
        return (self.access_key, self.secret_key) if self.access_key else None

    def auth_header(self) -> dict[str, str]:
        """The Authorization header of the administrator, for raw requests."""
        if not self.auth:
            return {}
        token = base64.b64encode(f"{self.access_key}:{self.secret_key}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def ecr(self, key: tuple[str, str] | None = None):
        """A boto3 ECR client for this server, signed with `key` (default: the admin's)."""
        import boto3
        akid, secret = key or self.auth
        return boto3.client("ecr", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=akid, aws_secret_access_key=secret,
                            verify=self.verify)

    def login_password(self, key: tuple[str, str] | None = None) -> str:
        """`aws ecr get-login-password`: the password that goes with user AWS."""
        data = self.ecr(key).get_authorization_token()["authorizationData"][0]
        user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
        assert user == "AWS", data
        return password

    def _load_credentials(self):
        path = self.data_dir / "admin-credentials.json"
        key = json.loads(path.read_text())["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        register_login(self.host, self.access_key, self.secret_key)

    # ---- addresses
    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def verify(self):
        """What requests verifies TLS with (the default trust store unless overridden)."""
        return True

    def client(self, timeout: float = 30.0) -> RegistryClient:
        c = RegistryClient(self.url, timeout)
        c.session.auth = self.auth
        return c

    # ---- lifecycle
    def start(self, port: int | None = None):
        """Starts the server; on a restart it listens on the same port again, so the
        Location URLs a client holds stay valid."""
        assert self.proc is None, "already running"
        if port is None:
            port = self.port or 0
        self.starts += 1
        if self.kind == "reference":
            self._start_reference(port or free_port())
        else:
            self._start_wharf(port)
        live_servers.append(self)

    def _open_logs(self):
        banner = f"\n===== start #{self.starts} at {time.strftime('%H:%M:%S')} =====\n".encode()
        out = open(self.stdout_path, "ab")
        err = open(self.stderr_path, "ab")
        out.write(banner)
        err.write(banner)
        out.flush()
        err.flush()
        return out, err, err.tell()

    def _wharf_command(self, port: int) -> list[str]:
        config = self.log_dir / "default.toml"
        config.write_text(DEFAULT_TOML)
        return [WHARF_BIN, "serve", "--config", str(config), "--listen", f"127.0.0.1:{port}",
                "--data", str(self.data_dir)]

    def _start_wharf(self, port: int):
        if not (os.path.isfile(WHARF_BIN) and os.access(WHARF_BIN, os.X_OK)):
            raise ServerError(f"wharf binary not found at {WHARF_BIN} (build it, set WHARF_BIN, "
                              "or run against the reference: WHARF_E2E_TARGET=reference)")
        out, err, offset = self._open_logs()
        cmd = self._wharf_command(port)
        # Own session: kill9() and stop() signal the whole group, helpers included.
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        out.close()
        err.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            text = self._read_from(self.stderr_path, offset)
            m = LISTENING.search(text)
            if m:
                self.scheme, self.port = m.group(1), int(m.group(2))
                break
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise ServerError(f"{' '.join(cmd)} exited with {code} before listening; "
                                  f"stderr:\n{text[-3000:]}")
            if time.monotonic() > deadline:
                self.kill9()
                raise ServerError(f"no 'listening on http(s)://127.0.0.1:<port>' line on stderr "
                                  f"within {START_TIMEOUT}s; stderr:\n{text[-3000:]}")
            time.sleep(0.02)
        if port and self.port != port:
            self.problems.append(f"asked to listen on {port}, listens on {self.port}")
        self._load_credentials()
        self._wait_v2()

    def _start_reference(self, port: int):
        config = self.log_dir / "config.yml"
        # A fixed http.secret: upload state tokens must survive restarts.
        config.write_text(f"""version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {self.data_dir}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{port}
  secret: wharf-e2e-fixed-secret
""")
        out, err, offset = self._open_logs()
        self.proc = subprocess.Popen(["docker-registry", "serve", str(config)],
                                     stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        out.close()
        err.close()
        self.port = port
        self._wait_v2()

    def _wait_v2(self):
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise ServerError(f"server exited with {code} while starting; stderr:\n"
                                  f"{self.stderr_tail()}")
            try:
                r = requests.get(self.url + "/v2/", timeout=2, verify=self.verify,
                                 auth=self.auth)
                if r.status_code == 200:
                    return
                last = f"GET /v2/ -> {r.status_code}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.05)
        self.kill9()
        raise ServerError(f"/v2/ did not answer 200 within {START_TIMEOUT}s ({last})")

    def stop(self) -> int | None:
        """SIGTERM and wait; a server that ignores it is killed and the breach recorded."""
        if self.proc is None:
            return None
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.problems.append(f"did not exit within {STOP_TIMEOUT}s of SIGTERM")
                proc.kill()
                proc.wait()
        self._kill_group(proc)
        self._forget(proc)
        return proc.returncode

    def kill9(self):
        if self.proc is None:
            return
        proc = self.proc
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self._kill_group(proc)
        self._forget(proc)

    @staticmethod
    def _kill_group(proc):
        """Whatever the server left in its process group (its pid is the group id)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def _forget(self, proc):
        self.exit_codes.append(proc.returncode)
        self.proc = None
        if self in live_servers:
            live_servers.remove(self)

    def restart(self, kill: bool = False):
        """Stops (SIGTERM, or SIGKILL with kill=True) and starts on the same port."""
        if kill:
            self.kill9()
        else:
            self.stop()
        self.start(self.port)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # ---- logs
    @staticmethod
    def _read_from(path: Path, offset: int) -> str:
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_tail(self, n: int = 4000) -> str:
        return self._read_from(self.stderr_path, 0)[-n:]

    def stdout_tail(self, n: int = 2000) -> str:
        return self._read_from(self.stdout_path, 0)[-n:]


def run(cmd: list[str], *, env: dict | None = None, timeout: float = 120, check: bool = True,
        input: bytes | None = None) -> subprocess.CompletedProcess:
    """Runs a client command; a failure shows the command, exit code and both outputs."""
    try:
        p = subprocess.run(cmd, env=env, timeout=timeout, capture_output=True, input=input,
                           stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"timed out after {timeout}s: {' '.join(cmd)}\n"
                             f"stdout: {(e.stdout or b'')[-2000:]!r}\n"
                             f"stderr: {(e.stderr or b'')[-2000:]!r}")
    if check and p.returncode != 0:
        raise AssertionError(
            f"exit {p.returncode}: {' '.join(cmd)}\n"
            f"stdout: {p.stdout.decode('utf-8', 'replace')[-3000:]}\n"
            f"stderr: {p.stderr.decode('utf-8', 'replace')[-3000:]}")
    return p


def short_tempdir(prefix: str) -> Path:
    """A short path under /tmp (unix socket paths are limited to 108 bytes)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


# ----------------------------------------------------------------------------- configured wharf

class ConfiguredServer(Server):
    """`wharf serve --config FILE --listen 127.0.0.1:0 --data DIR` with the TOML text given
    (flags override the file), plus `extra_args`. When the config enables [server.tls] the
    ready line says https; `ca_file` is then what requests verifies the server with."""

    def __init__(self, data_dir: Path, log_dir: Path, config_toml: str = "", *,
                 extra_args: tuple[str, ...] | list[str] = (), ca_file: Path | None = None):
        super().__init__(data_dir, log_dir, kind="wharf")
        self.config_path = self.log_dir / "wharf.toml"
        if "[registry]" not in config_toml:
            config_toml = DEFAULT_TOML + config_toml
        self.config_path.write_text(config_toml)
        self.extra_args = list(extra_args)
        self.ca_file = ca_file

    @property
    def verify(self):
        return str(self.ca_file) if self.ca_file else True

    def client(self, timeout: float = 30.0) -> RegistryClient:
        c = RegistryClient(self.url, timeout)
        c.session.auth = self.auth
        c.session.verify = self.verify
        # REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE in the environment would override session.verify.
        c.session.trust_env = False
        return c

    def _wharf_command(self, port: int) -> list[str]:
        return [WHARF_BIN, "serve", "--config", str(self.config_path),
                "--listen", f"127.0.0.1:{port}", "--data", str(self.data_dir), *self.extra_args]

    def access_log(self) -> list[dict]:
        """The JSON access-log lines on stdout so far (start banners skipped)."""
        import json
        docs = []
        for line in self._read_from(self.stdout_path, 0).splitlines():
            if line.strip() and not line.startswith("====="):
                docs.append(json.loads(line))
        return docs


class RawHttp:
    """One TCP connection spoken to byte by byte, for what `requests` cannot do: partial heads,
    stalled bodies, pipelining, waiting for `100 Continue`. Responses are parsed by
    Content-Length (what wharf sends); `read_response` keeps bytes past one response for the
    next."""

    def __init__(self, port: int, timeout: float = 10.0, auth: dict[str, str] | None = None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        # With auth (a server's auth_header()), every request line sent gets the credential
        # added as the next header line, so tests write requests as the protocol shows them.
        self.auth_line = b"".join(f"{k}: {v}\r\n".encode() for k, v in (auth or {}).items())

    def send(self, data: bytes):
        if self.auth_line:
            data = data.replace(b" HTTP/1.1\r\n", b" HTTP/1.1\r\n" + self.auth_line)
        self.sock.sendall(data)

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def read_head(self) -> tuple[int, str, dict[str, str]]:
        """(status, status line, lower-cased headers) of the next response head."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                raise ConnectionError(f"closed before a complete response head: {self.buf!r}")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), lines[0], headers

    def read_response(self, head_request: bool = False) -> tuple[int, dict[str, str], bytes]:
        status, _, headers = self.read_head()
        while 100 <= status < 200:  # interim responses
            status, _, headers = self.read_head()
        n = 0 if head_request or status in (204, 304) else int(headers.get("content-length", 0))
        while len(self.buf) < n:
            if not self._fill():
                raise ConnectionError(f"closed after {len(self.buf)} of {n} body bytes")
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body

    def wait_closed(self, limit: float) -> tuple[bool, bytes]:
        """Reads until the peer closes (True) or `limit` seconds pass (False); returns what
        arrived meanwhile. A reset counts as closed."""
        deadline = time.monotonic() + limit
        got = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False, got
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return False, got
            except (ConnectionResetError, BrokenPipeError):
                return True, got
            if not data:
                return True, got
            got += data

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
