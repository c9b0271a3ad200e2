#!/usr/bin/env python3
"""Wharf vs. CNCF distribution (Debian's docker-registry), side by side in one run.

Started by bench/run.sh, which compiles the small C++ tools first and passes
their directory in BENCH_TOOLS. See bench/README.md for what each workload
measures and how to read the table. Everything this script starts is killed on
exit, on error and on Ctrl-C.
"""

import base64
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

# ---------------------------------------------------------------- configuration


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def env_float(name, default):
    v = os.environ.get(name, "")
    return float(v) if v.strip() else default


QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ROUNDS = env_int("BENCH_ROUNDS", 1 if QUICK else 3)
BLOB_MB = env_int("BENCH_BLOB_MB", 64 if QUICK else 1024)  # MiB
BLOB_SIZE = BLOB_MB << 20
WRK_SECONDS = env_float("BENCH_WRK_SECONDS", 2 if QUICK else 8)  # at 64 and 256 connections
WRK_SECONDS_C1 = env_float("BENCH_WRK_SECONDS_C1", 2 if QUICK else 4)  # at 1 connection
PUT_SECONDS = env_float("BENCH_PUT_SECONDS", 3 if QUICK else 10)
PUT_CLIENTS = env_int("BENCH_PUT_CLIENTS", 16)
NTAGS = env_int("BENCH_TAGS", 2000 if QUICK else 10000)
PAGE_N = env_int("BENCH_PAGE_N", 1000)
CONNS = [int(x) for x in os.environ.get("BENCH_CONNS", "1,64,256").split(",")]
CHUNK_MB = env_int("BENCH_CHUNK_MB", 10)
STREAM_FRAME = env_int("BENCH_STREAM_FRAME_KB", 64) << 10  # chunked transfer-encoding frame size
DEADLINE_S = env_float("BENCH_DEADLINE_S", 240 if QUICK else 1500)
TOOLS = os.environ.get("BENCH_TOOLS", "")
REF_BIN = os.environ.get("REFERENCE_BIN", "docker-registry")
WHARF_BIN_SET = "WHARF_BIN" in os.environ and os.environ["WHARF_BIN"] != ""
WHARF_BIN = os.environ.get("WHARF_BIN") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "wharf"))
# Development aid: run the reference registry in both slots to validate the harness.
SELFTEST = os.environ.get("BENCH_SELFTEST", "") not in ("", "0")
KEEP = os.environ.get("BENCH_KEEP", "") not in ("", "0")
# Both servers log errors only and no access log by default; 1: both write access logs (to a file).
ACCESS_LOG = os.environ.get("BENCH_ACCESS_LOG", "") not in ("", "0")
RESULTS = os.environ.get("BENCH_RESULTS") or "/tmp/wharf-bench-%s.json" % time.strftime("%Y%m%d-%H%M%S")

SERVER_CORE = "0"
CLIENT_CORE = 1

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])

T_START = time.monotonic()

# ---------------------------------------------------------------- process bookkeeping

CHILDREN = []  # every Popen this script starts; all are killed on exit
CHILDREN_LOCK = threading.Lock()


def spawn(args, **kw):
    kw.setdefault("start_new_session", True)
    p = subprocess.Popen(args, **kw)
    with CHILDREN_LOCK:
        CHILDREN.append(p)
    return p


def kill(p, grace=3.0):
    if p is None or p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)  # its own group (start_new_session): only what it started
    except ProcessLookupError:
        return
    try:
        p.wait(grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(5)


def kill_all():
    with CHILDREN_LOCK:
        procs = list(CHILDREN)
    for p in procs:
        try:
            kill(p, 2.0)
        except Exception:
            pass


class Interrupted(Exception):
    pass


def on_signal(signum, _frame):
    raise Interrupted("signal %d" % signum)


def run_tool(args, timeout, stdin=None):
    """Runs a load generator to completion; returns its stdout (text)."""
    p = spawn(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(p)
        raise RuntimeError("%s timed out after %ss" % (os.path.basename(args[0]), timeout))
    if p.returncode != 0:
        raise RuntimeError("%s exited %s: %s" % (args[0], p.returncode, (err or "").strip()[-500:]))
    return out


def log(msg=""):
    print(msg, flush=True)


def elapsed():
    return time.monotonic() - T_START


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tool(name):
    return os.path.join(TOOLS, name)


def pin_self():
    try:
        if os.cpu_count() and os.cpu_count() >= 2:
            os.sched_setaffinity(0, {CLIENT_CORE})
    except OSError:
        pass


def taskset_server(args):
    return ["taskset", "-c", SERVER_CORE] + args


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---------------------------------------------------------------- servers


def proc_status(pid, key):
    """VmRSS / VmHWM in MiB, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of a process (all its threads), in seconds."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def core_busy(core):
    """Busy seconds of one core since boot, from /proc/stat (everything but idle and iowait)."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%s " % core):
                v = [int(x) for x in line.split()[1:]]
                return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK
    return None


def tree_rss(pid, key):
    """Sums key over pid and its descendants (a server might fork helpers)."""
    total = proc_status(pid, key)
    if total is None:
        return None
    try:
        kids = open("/proc/%d/task/%d/children" % (pid, pid)).read().split()
    except OSError:
        kids = []
    for k in kids:
        v = tree_rss(int(k), key)
        if v:
            total += v
    return total


class Server:
    def __init__(self, label, kind, binary, workdir):
        self.label = label  # "wharf" or "reference"
        self.auth = {}  # Authorization header of the administrator (wharf only)
        self.kind = kind  # "wharf" or "distribution"
        self.binary = binary
        self.workdir = workdir
        self.data = os.path.join(workdir, "data")
        os.makedirs(self.data, exist_ok=True)
        self.proc = None
        self.port = None
        self.logpath = None
        self.nstarts = 0

    def command(self, datadir, port):
        if self.kind == "wharf":
            args = [self.binary, "serve", "--listen", "127.0.0.1:%d" % port, "--data", datadir]
            # The bench pushes to fresh repository names (as the reference allows), and, unless
            # BENCH_ACCESS_LOG=1, is as quiet as the reference: no access log, log level error.
            cfg = os.path.join(self.workdir, "wharf.toml")
            with open(cfg, "w") as f:
                f.write("[registry]\ncreate_on_push = true\n\n")
                if not ACCESS_LOG:
                    f.write("[server]\naccess_log = false\n\n[log]\nlevel = \"error\"\n")
            args += ["--config", cfg]
            return args
        cfg = os.path.join(self.workdir, "config-%d.yml" % port)
        with open(cfg, "w") as f:
            f.write(
                "version: 0.1\n"
                "log:\n  level: error\n  accesslog:\n    disabled: %s\n"
                "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
                "  cache:\n    blobdescriptor: inmemory\n"
                "http:\n  addr: 127.0.0.1:%d\n" % ("false" if ACCESS_LOG else "true", datadir, port)
            )
        return [self.binary, "serve", cfg]

    def start(self, datadir=None, timeout=30.0):
        """Starts the server pinned to the server core; returns seconds from exec to first 200 on GET /v2/."""
        datadir = datadir or self.data
        os.makedirs(datadir, exist_ok=True)
        self.port = free_port()
        self.nstarts += 1
        self.logpath = os.path.join(self.workdir, "server-%d.log" % self.nstarts)
        logf = open(self.logpath, "wb")
        args = taskset_server(self.command(datadir, self.port))
        t0 = time.perf_counter()
        self.proc = spawn(args, stdout=logf, stderr=logf, stdin=subprocess.DEVNULL)
        logf.close()
        req = b"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s at start-up; log:\n%s" % (self.label, self.proc.returncode, self.log_tail()))
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError("%s not ready after %ss; log:\n%s" % (self.label, timeout, self.log_tail()))
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                try:
                    s.sendall(req)
                    head = s.recv(64)
                finally:
                    s.close()
                # Wharf answers 401 to an anonymous GET /v2/: it is up, and the credentials
                # it wrote on first start are then on disk.
                if head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200", b"HTTP/1.1 401")):
                    took = time.perf_counter() - t0
                    self.load_credentials(datadir)
                    return took
            except OSError:
                pass
            time.sleep(0.0005)

    def pid(self):
        return self.proc.pid if self.proc is not None else -1

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        kill(self.proc, 5.0)
        self.proc = None

    def log_tail(self, n=2000):
        try:
            with open(self.logpath, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def load_credentials(self, datadir):
        """Wharf authenticates every request: the bench acts as the administrator, sending its
        access key as Basic credentials (the reference runs without authentication)."""
        self.auth = {}
        path = os.path.join(datadir, "admin-credentials.json")
        if self.kind == "wharf" and os.path.exists(path):
            with open(path) as f:
                key = json.load(f)["AccessKey"]
            token = base64.b64encode(("%s:%s" % (key["AccessKeyId"], key["SecretAccessKey"])).encode())
            self.auth = {"Authorization": "Basic " + token.decode()}

    def conn(self, timeout=120):
        return AuthConnection(self.auth, "127.0.0.1", self.port, timeout=timeout)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)


# ---------------------------------------------------------------- HTTP helpers


class AuthConnection(http.client.HTTPConnection):
    """An HTTPConnection that sends the server's credentials with every request."""

    def __init__(self, auth, *args, **kw):
        super().__init__(*args, **kw)
        self.auth = auth

    def putrequest(self, method, url, *args, **kw):
        super().putrequest(method, url, *args, **kw)
        for k, v in self.auth.items():
            self.putheader(k, v)


class HTTPError(RuntimeError):
    pass


def request(conn, method, path, body=None, headers=None, expect=(200,)):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    if r.status not in expect:
        raise HTTPError("%s %s -> %d %s" % (method, path, r.status, data[:300].decode(errors="replace")))
    return r, data


def loc_path(location):
    if not location:
        raise HTTPError("response has no Location header")
    u = urllib.parse.urlsplit(location)
    return u.path + ("?" + u.query if u.query else "")


def with_digest(path, digest):
    return path + ("&" if "?" in path else "?") + "digest=" + urllib.parse.quote(digest, safe=":")


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_small_blob(conn, repo, data):
    d = sha256(data)
    r, _ = request(conn, "POST", "/v2/%s/blobs/uploads/" % repo, expect=(202,))
    path = with_digest(loc_path(r.getheader("Location")), d)
    request(conn, "PUT", path, body=data, headers={"Content-Type": "application/octet-stream"}, expect=(201,))
    return d


def manifest_bytes(cfg_d, cfg_n, layer_d, layer_n, note=None):
    m = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_d, "size": cfg_n},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_d, "size": layer_n}],
    }
    if note is not None:
        m["annotations"] = {"org.wharf.bench": note}
    return json.dumps(m, separators=(",", ":")).encode()


# ---------------------------------------------------------------- the big blob


class BigBlob:
    """A file of random bytes whose last 16 bytes change before every push, so
    every push is a blob the server has never seen; its digest comes from a
    SHA-256 state saved after the unchanging prefix."""

    TAIL = 16

    def __init__(self, path, size):
        self.path = path
        self.size = size
        # 8 MiB of random bytes, repeated: nothing in a registry compresses or
        # deduplicates below the blob level, and the kernel's generator is slow.
        pattern = os.urandom(8 << 20)
        h = hashlib.sha256()
        with open(path, "wb") as f:
            left = size - self.TAIL
            while left > 0:
                b = pattern[:min(len(pattern), left)]
                f.write(b)
                h.update(b)
                left -= len(b)
            f.write(b"\0" * self.TAIL)
        self.prefix_hash = h
        self.fd = os.open(path, os.O_RDWR)
        self.tail = b"\0" * self.TAIL
        self.digest = None

    def renew(self):
        self.tail = os.urandom(self.TAIL)
        os.pwrite(self.fd, self.tail, self.size - self.TAIL)
        h = self.prefix_hash.copy()
        h.update(self.tail)
        self.digest = "sha256:" + h.hexdigest()
        return self.digest

    def close(self):
        os.close(self.fd)


def send_headers(conn, method, path, headers):
    conn.putrequest(method, path, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()


def read_response(conn, expect):
    r = conn.getresponse()
    data = r.read()
    if r.status not in expect:
        raise HTTPError("-> %d %s" % (r.status, data[:300].decode(errors="replace")))
    return r


def push_big(srv, blob, mode, repo="bench/big"):
    """Pushes the blob (renewed) in one of three ways; returns MB/s (10^6 bytes) for the whole exchange."""
    digest = blob.renew()
    size = blob.size
    conn = srv.conn(timeout=300)
    f = open(blob.path, "rb")
    try:
        t0 = time.perf_counter()
        r, _ = request(conn, "POST", "/v2/%s/blobs/uploads/" % repo, expect=(202,))
        path = loc_path(r.getheader("Location"))
        if mode == "monolithic":
            send_headers(conn, "PUT", with_digest(path, digest),
                         {"Content-Type": "application/octet-stream", "Content-Length": str(size)})
            conn.sock.sendfile(f, 0, size)
            r = read_response(conn, (201,))
        elif mode == "streamed":
            send_headers(conn, "PATCH", path,
                         {"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"})
            off = 0
            while off < size:
                n = min(STREAM_FRAME, size - off)
                conn.sock.sendall(b"%x\r\n" % n)
                conn.sock.sendfile(f, off, n)
                conn.sock.sendall(b"\r\n")
                off += n
            conn.sock.sendall(b"0\r\n\r\n")
            r = read_response(conn, (202,))
            path = loc_path(r.getheader("Location"))
            send_headers(conn, "PUT", with_digest(path, digest), {"Content-Length": "0"})
            r = read_response(conn, (201,))
        elif mode == "chunked":
            step = CHUNK_MB << 20
            off = 0
            while off < size:
                n = min(step, size - off)
                send_headers(conn, "PATCH", path, {
                    "Content-Type": "application/octet-stream",
                    "Content-Range": "%d-%d" % (off, off + n - 1),
                    "Content-Length": str(n),
                })
                conn.sock.sendfile(f, off, n)
                r = read_response(conn, (202,))
                path = loc_path(r.getheader("Location"))
                off += n
            send_headers(conn, "PUT", with_digest(path, digest), {"Content-Length": "0"})
            r = read_response(conn, (201,))
        else:
            raise ValueError(mode)
        dt = time.perf_counter() - t0
        got = r.getheader("Docker-Content-Digest")
        if got and got != digest:
            raise HTTPError("pushed %s but server says %s" % (digest, got))
    finally:
        f.close()
        conn.close()
    return size / dt / 1e6


def pull_big(srv, blob, repo="bench/big"):
    return pull(srv.conn(timeout=300), "/v2/%s/blobs/%s" % (repo, blob.digest), blob)


def pull(conn, path, blob):
    """GETs path into a 1 MiB buffer; checks the length and the last bytes; returns MB/s."""
    buf = bytearray(1 << 20)
    mv = memoryview(buf)
    try:
        t0 = time.perf_counter()
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        if r.status != 200:
            raise HTTPError("GET blob -> %d %s" % (r.status, r.read()[:300]))
        total = 0
        tail = b""
        while True:
            n = r.readinto(mv)
            if not n:
                break
            total += n
            tail = (tail + bytes(mv[max(0, n - BigBlob.TAIL):n]))[-BigBlob.TAIL:]
        dt = time.perf_counter() - t0
    finally:
        conn.close()
    if total != blob.size:
        raise HTTPError("pulled %d bytes, expected %d" % (total, blob.size))
    if tail != blob.tail:
        raise HTTPError("pulled blob's last bytes differ from what was pushed")
    return total / dt / 1e6


# ---------------------------------------------------------------- load generators

WRK_DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "seconds": %.6f, "p50_us": %.1f, "p90_us": %.1f, "p99_us": %.1f, '
    .. '"p999_us": %.1f, "max_us": %.1f, "err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, '
    .. '"timeouts": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def lua_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_script(workdir, name, method="GET", headers=None, extra=""):
    path = os.path.join(workdir, name + ".lua")
    lines = ["wrk.method = %s" % lua_str(method)]
    for k, v in (headers or {}).items():
        lines.append("wrk.headers[%s] = %s" % (lua_str(k), lua_str(v)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + extra + WRK_DONE)
    return path


def run_wrk(url, conns, seconds, script):
    out = run_tool(["wrk", "-t1", "-c%d" % conns, "-d%ds" % max(1, round(seconds)), "--timeout", "5s",
                    "-s", script, url], timeout=seconds + 60)
    m = re.search(r"^WRKJSON (.*)$", out, re.M)
    if not m:
        raise RuntimeError("wrk printed no result: " + out[-500:])
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / r["seconds"] if r["seconds"] else 0.0
    r["errors"] = r["err_connect"] + r["err_read"] + r["err_write"] + r["err_status"] + r["timeouts"]
    r["tool"] = "wrk"
    return r


def run_loadgen(url, conns, seconds, method="GET", headers=None):
    args = [tool("loadgen"), "-c", str(conns), "-d", str(seconds), "-m", method, "-t", "5"]
    for k, v in (headers or {}).items():
        args += ["-H", "%s: %s" % (k, v)]
    out = run_tool(args + [url], timeout=seconds + 60)
    r = json.loads(out.strip().splitlines()[-1])
    r["err_status"] = r["s1xx"] + r["s3xx"] + r["s4xx"] + r["s5xx"] + r["sother"]
    r["errors"] = r["err_status"] + r["err_connect"] + r["err_read"] + r["err_write"] + r["timeouts"]
    return r


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            v = tree_rss(self.pid, "VmRSS")
            if v:
                self.peak = max(self.peak, v)
            self.stop_ev.wait(0.1)

    def finish(self):
        self.stop_ev.set()
        self.join()
        return self.peak


# ---------------------------------------------------------------- results

SAMPLES = {}  # (server_label, key) -> list of values
ERRORS = []  # (server_label, key, message)
NOTES = {}  # (server_label, key) -> set of strings
CEIL = {}  # ceiling key -> list of values


def record(label, key, value):
    SAMPLES.setdefault((label, key), []).append(value)


def error(label, key, msg):
    ERRORS.append((label, key, msg))
    log("    !! %s %s: %s" % (label, key, msg))


def note(label, key, msg):
    NOTES.setdefault((label, key), set()).add(msg)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def check_deadline(what):
    if elapsed() > DEADLINE_S:
        raise TimeoutError("run deadline of %ds reached before %s" % (DEADLINE_S, what))


# ---------------------------------------------------------------- ceilings


def evict_cache(directory):
    """Drops the (synced, so clean) page cache of the big files under directory.

    Blobs pushed earlier would otherwise stay cached and make the page cache grow into
    memory the guest has never touched, which on a VM costs a host page fault per page:
    later pushes then measure the hypervisor (CPU per GB doubles or triples from one
    push to the next). Recycling pages keeps every push in the same conditions as the
    first, and as the ideal push, whose file is deleted after each run."""
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            try:
                if os.path.getsize(path) >= (1 << 20):
                    fd = os.open(path, os.O_RDONLY)
                    try:
                        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                    finally:
                        os.close(fd)
            except OSError:
                pass


def wait_port(port):
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError("nothing listens on port %d" % port)


def ceilings(work, blob):
    log("== ceilings of this machine (server side pinned to core %s, senders/load on core %d)" % (SERVER_CORE, CLIENT_CORE))
    secs = "1" if QUICK else "3"
    out = run_tool(taskset_server(["openssl", "speed", "-evp", "sha256", "-bytes", "16384", "-seconds", secs]), timeout=60)
    m = re.search(r"^sha256\s+([\d.]+)k", out, re.M)
    if m:
        CEIL.setdefault("sha256", []).append(float(m.group(1)) * 1000 / 1e6)
        log("   openssl speed -evp sha256 (16384-byte blocks): %.0f MB/s" % CEIL["sha256"][-1])
    else:
        log("   openssl speed: could not parse: " + out[-300:])

    for rep in range(max(1, ROUNDS)):
        for kind, extra in (("loopback", ["--nohash", "--nowrite"]), ("ideal_push_nosync", ["--nosync"]),
                            ("ideal_push", [])):
            outfile = os.path.join(work, "ideal-push.out")
            os.sync()
            recv = spawn(taskset_server([tool("ideal_push"), "recv", "0", outfile] + extra),
                         stdout=subprocess.PIPE, text=True)
            line = recv.stdout.readline()
            port = int(line.split()[1])
            run_tool([tool("ideal_push"), "send", "127.0.0.1", str(port), blob.path], timeout=300)
            res = json.loads(recv.stdout.readline())
            recv.wait(30)
            if res["bytes"] != blob.size:
                raise RuntimeError("ideal_push received %d bytes of %d" % (res["bytes"], blob.size))
            CEIL.setdefault(kind, []).append(res["mbps"])
            CEIL.setdefault(kind + "_cpu", []).append(res["cpu_seconds"] / (res["bytes"] / 1e9))
            if os.path.exists(outfile):
                os.unlink(outfile)
        log("   loopback TCP %.0f MB/s; ideal push without fsync %.0f MB/s; ideal push (recv + SHA-256 + write + fsync)"
            " %.0f MB/s" % (CEIL["loopback"][-1], CEIL["ideal_push_nosync"][-1], CEIL["ideal_push"][-1]))

    # Pull ceiling: a sendfile(2) server and the very client the pull workload uses.
    zp = free_port()
    z = spawn(taskset_server([tool("zero_http"), str(zp), blob.path]), stderr=subprocess.DEVNULL)
    try:
        wait_port(zp)
        for rep in range(max(1, ROUNDS)):
            CEIL.setdefault("ideal_pull", []).append(
                pull(http.client.HTTPConnection("127.0.0.1", zp, timeout=300), "/blob", blob))
        log("   ideal pull (sendfile server, the bench's own pull client) %.0f MB/s" % med(CEIL["ideal_pull"]))
    finally:
        kill(z)

    zp = free_port()
    z = spawn(taskset_server([tool("zero_http"), str(zp)]), stderr=subprocess.DEVNULL)
    try:
        url = "http://127.0.0.1:%d/" % zp
        wait_port(zp)
        script = wrk_script(work, "zero", "GET")
        for c in (1, 64, 256):
            cpu0 = cpu_seconds(z.pid)
            r = run_wrk(url, c, WRK_SECONDS_C1 if c == 1 else WRK_SECONDS, script)
            cpu1 = cpu_seconds(z.pid)
            if cpu0 is not None and cpu1 is not None and r["requests"]:
                r["cpu_us_per_req"] = (cpu1 - cpu0) / r["requests"] * 1e6
            CEIL.setdefault("zero_wrk_c%d" % c, []).append(r)
            log("   zero-work HTTP server, wrk c=%d: %.0f req/s, p50 %.0f us, p99 %.0f us, server CPU %.1f us/req"
                % (c, r["rps"], r["p50_us"], r["p99_us"], r.get("cpu_us_per_req", 0)))
        r = run_loadgen(url, 64, WRK_SECONDS_C1, "GET")
        CEIL.setdefault("zero_loadgen_c64", []).append(r)
        log("   zero-work HTTP server, loadgen c=64 (HEAD tool calibration): %.0f req/s, p99 %.0f us"
            % (r["rps"], r["p99_us"]))
    finally:
        kill(z)


# ---------------------------------------------------------------- one server's session


class Fixture:
    """What the setup pushed into a server: digests and the PUT template."""


def setup(srv, fx):
    conn = srv.conn(timeout=60)
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}}).encode()
    layer = random.Random(42).randbytes(4096)
    for repo in ("bench/app", "bench/puts", "bench/tags"):
        fx.cfg_d = push_small_blob(conn, repo, cfg)
        fx.layer_d = push_small_blob(conn, repo, layer)
    fx.cfg_n, fx.layer_n = len(cfg), len(layer)
    fx.manifest = manifest_bytes(fx.cfg_d, fx.cfg_n, fx.layer_d, fx.layer_n)
    fx.manifest_d = sha256(fx.manifest)
    hdr = {"Content-Type": MANIFEST_TYPE}
    r, _ = request(conn, "PUT", "/v2/bench/app/manifests/latest", body=fx.manifest, headers=hdr, expect=(201,))
    got = r.getheader("Docker-Content-Digest")
    if got and got != fx.manifest_d:
        raise HTTPError("manifest digest: server says %s, expected %s" % (got, fx.manifest_d))
    conn.close()

    # bench/tags: NTAGS tags on one manifest, PUT by 8 keep-alive clients.
    names = ["tag-%05d" % i for i in range(NTAGS)]
    failures = []

    def worker(part):
        c = srv.conn(timeout=60)
        try:
            for name in part:
                request(c, "PUT", "/v2/bench/tags/manifests/" + name, body=fx.manifest, headers=hdr, expect=(201,))
        except Exception as e:  # noqa: BLE001
            failures.append(str(e))
        finally:
            c.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(names[i::8],), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    if failures:
        raise HTTPError("seeding %d tags: %s" % (NTAGS, failures[0]))
    log("    setup: %d tags seeded in %.1fs (%.0f tag PUT/s with 8 Python clients)" % (NTAGS, dt, NTAGS / dt))


def check_endpoint(srv, method, path, headers, expect_digest):
    """One request by hand before a load run: status 200 and the right digest."""
    c = srv.conn(timeout=30)
    try:
        r, body = request(c, method, path, headers=headers, expect=(200,))
        d = r.getheader("Docker-Content-Digest")
        if d is not None and d != expect_digest:
            raise HTTPError("%s %s: Docker-Content-Digest %s, expected %s" % (method, path, d, expect_digest))
        if method == "GET" and sha256(body) != expect_digest:
            raise HTTPError("GET %s: body digest %s, expected %s" % (path, sha256(body), expect_digest))
        if method == "HEAD" and r.getheader("Content-Length") is None:
            raise HTTPError("HEAD %s: no Content-Length" % path)
    finally:
        c.close()


def put_script(work, label, nonce, fx, auth):
    tmpl = manifest_bytes(fx.cfg_d, fx.cfg_n, fx.layer_d, fx.layer_n, "NOTE").decode()
    pre, post = tmpl.split("NOTE")
    extra = r"""
nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end
local n = 0
local pre = %s
local post = %s
local hdrs = { ["Content-Type"] = %s%s }
function request()
  n = n + 1
  local name = "p%s-" .. tid .. "-" .. n
  return wrk.format("PUT", "/v2/bench/puts/manifests/" .. name, hdrs, pre .. name .. post)
end
""" % (lua_str(pre), lua_str(post), lua_str(MANIFEST_TYPE),
       "".join(", [%s] = %s" % (lua_str(k), lua_str(v)) for k, v in auth.items()), nonce)
    return wrk_script(work, "put-%s-%s" % (label, nonce), "PUT", None, extra)


def tags_paging(srv):
    """Pages through bench/tags with n=PAGE_N following Link; returns (seconds, pages, tags)."""
    c = srv.conn(timeout=60)
    try:
        path = "/v2/bench/tags/tags/list?n=%d" % PAGE_N
        pages = 0
        tags = []
        t0 = time.perf_counter()
        while path:
            r, body = request(c, "GET", path)
            pages += 1
            tags += json.loads(body).get("tags") or []
            link = r.getheader("Link")
            path = None
            if link:
                m = re.search(r"<([^>]+)>", link)
                if m:
                    path = loc_path(m.group(1))
            if pages > NTAGS + 10:
                raise HTTPError("tags/list paging does not end")
        dt = time.perf_counter() - t0
        return dt, pages, tags
    finally:
        c.close()


def tags_single(srv, n):
    c = srv.conn(timeout=60)
    try:
        t0 = time.perf_counter()
        r, body = request(c, "GET", "/v2/bench/tags/tags/list?n=%d" % n)
        dt = time.perf_counter() - t0
        return dt, json.loads(body).get("tags") or [], r.getheader("Link")
    finally:
        c.close()


LOAD_KEYS = [
    ("manifest GET by tag", "GET", "/v2/bench/app/manifests/latest", "manifest"),
    ("manifest GET by digest", "GET", "/v2/bench/app/manifests/{manifest}", "manifest"),
    ("manifest HEAD by tag", "HEAD", "/v2/bench/app/manifests/latest", "manifest"),
    ("blob HEAD", "HEAD", "/v2/bench/app/blobs/{layer}", "layer"),
]


def step(srv, key, fn):
    """Runs one workload; an exception is recorded as an error, and a dead server is restarted."""
    check_deadline(key)
    if not srv.alive():
        error(srv.label, key, "server was not running (died earlier); restarting it")
        srv.start()
    try:
        return fn()
    except (Interrupted, TimeoutError):
        raise
    except Exception as e:  # noqa: BLE001
        msg = "%s: %s" % (type(e).__name__, e)
        if not srv.alive():
            msg += " — the server process DIED (exit %s); log tail:\n%s" % (srv.proc.returncode, srv.log_tail())
        error(srv.label, key, msg)
        return None


def session(srv, rnd, blob, work, fx, seeded):
    label = srv.label
    log("-- round %d: %s (%s) [%.0fs elapsed, load %s]" % (rnd + 1, label, srv.binary, elapsed(), loadavg()))
    record(label, "startup_data", srv.start() * 1000)
    pid = srv.proc.pid
    time.sleep(0.5)
    record(label, "rss_idle", tree_rss(pid, "VmRSS"))
    busy0, own0, wall0 = core_busy(SERVER_CORE), cpu_seconds(pid), time.monotonic()

    if not seeded.get(label):
        step(srv, "setup", lambda: setup(srv, fx))
        seeded[label] = True

    # Blob push, three ways, then pull.
    for mode, key in (("monolithic", "push monolithic PUT"), ("streamed", "push POST+streamed PATCH+PUT"),
                      ("chunked", "push %d MiB Content-Range chunks" % CHUNK_MB)):
        os.sync()
        evict_cache(srv.data)
        cpu0 = cpu_seconds(srv.pid())
        v = step(srv, key, lambda: push_big(srv, blob, mode))
        cpu1 = cpu_seconds(srv.pid())
        if v is not None:
            record(label, key, v)
            if cpu0 is not None and cpu1 is not None:
                record(label, key + " cpu", (cpu1 - cpu0) / (blob.size / 1e9))
            log("    %-40s %8.0f MB/s  (server CPU %.2f s/GB)" % (key, v, (cpu1 - cpu0) / (blob.size / 1e9)))
    os.sync()
    for _ in range(2):
        v = step(srv, "pull", lambda: pull_big(srv, blob))
        if v is not None:
            record(label, "pull", v)
            log("    %-40s %8.0f MB/s" % ("pull", v))

    # Small requests at 1, 64 and 256 connections.
    subst = {"manifest": getattr(fx, "manifest_d", ""), "layer": getattr(fx, "layer_d", "")}
    for name, method, path_t, what in LOAD_KEYS:
        path = path_t.format(**subst)
        headers = {"Accept": ACCEPT} if "manifest" in path else {}
        load_headers = dict(headers, **srv.auth)  # the load tools send the credentials themselves
        ok = step(srv, name + " check", lambda: check_endpoint(srv, method, path, headers, subst[what]) or True)
        for c in CONNS:
            key = "%s c=%d" % (name, c)
            seconds = WRK_SECONDS_C1 if c == 1 else WRK_SECONDS
            sampler = RssSampler(srv.pid()) if c == max(CONNS) and name == LOAD_KEYS[0][0] else None
            if sampler:
                sampler.start()
            if method == "HEAD":
                fn = lambda: run_loadgen(srv.url(path), c, seconds, "HEAD", load_headers)  # noqa: E731
            else:
                script = wrk_script(work, "get", method, load_headers)
                fn = lambda: run_wrk(srv.url(path), c, seconds, script)  # noqa: E731
            cpu0 = cpu_seconds(srv.pid())
            r = step(srv, key, fn)
            cpu1 = cpu_seconds(srv.pid())
            if r is not None and cpu0 is not None and cpu1 is not None and r["requests"]:
                r["cpu_us_per_req"] = (cpu1 - cpu0) / r["requests"] * 1e6
            if sampler:
                record(label, "rss_load", sampler.finish())
            if r is None:
                continue
            record(label, key, r)
            if r["errors"]:
                error(label, key, "%d errors (status %d, connect %d, read %d, write %d, timeout %d) of %d requests"
                      % (r["errors"], r["err_status"], r["err_connect"], r["err_read"], r["err_write"],
                         r["timeouts"], r["requests"]))
            if not ok:
                note(label, key, "pre-check failed")
            log("    %-40s %8.0f req/s  p50 %7.0f us  p99 %7.0f us  errors %d (%s)"
                % (key, r["rps"], r["p50_us"], r["p99_us"], r["errors"], r["tool"]))

    # Durable manifest PUTs, PUT_CLIENTS concurrent clients, every manifest distinct.
    if getattr(fx, "manifest_d", None):
        nonce = "%d%s%04x" % (rnd, label[0], random.randrange(1 << 16))
        script = put_script(work, label, nonce, fx, srv.auth)
        key = "manifest PUT c=%d" % PUT_CLIENTS
        cpu0 = cpu_seconds(srv.pid())
        r = step(srv, key, lambda: run_wrk(srv.url("/v2/bench/puts/manifests/x"), PUT_CLIENTS, PUT_SECONDS, script))
        cpu1 = cpu_seconds(srv.pid())
        if r is not None:
            if cpu0 is not None and cpu1 is not None and r["requests"]:
                r["cpu_us_per_req"] = (cpu1 - cpu0) / r["requests"] * 1e6
            record(label, key, r)
            if r["errors"]:
                error(label, key, "%d errors (status %d, connect %d, read %d, timeout %d) of %d requests"
                      % (r["errors"], r["err_status"], r["err_connect"], r["err_read"], r["timeouts"], r["requests"]))
            # an early manifest must be there, byte for byte (wrk calls request() once
            # before sending anything, so the first one sent is number 2)
            def probe():
                last = None
                for name in ("p%s-1-2" % nonce, "p%s-1-1" % nonce):
                    body = manifest_bytes(fx.cfg_d, fx.cfg_n, fx.layer_d, fx.layer_n, name)
                    try:
                        return check_endpoint(srv, "GET", "/v2/bench/puts/manifests/" + name, {"Accept": ACCEPT},
                                              sha256(body))
                    except HTTPError as e:
                        last = e
                raise last

            if r["requests"] > 0:
                step(srv, key + " check", probe)
            log("    %-40s %8.0f PUT/s  p50 %7.0f us  p99 %7.0f us  errors %d"
                % (key, r["rps"], r["p50_us"], r["p99_us"], r["errors"]))

    # tags/list over NTAGS tags.
    def tags():
        for _ in range(3):
            dt, pages, got = tags_paging(srv)
            record(label, "tags paging", dt * 1000)
            record(label, "tags paging pages", pages)
            if len(got) != NTAGS or len(set(got)) != NTAGS:
                error(label, "tags paging", "paging returned %d tags (%d distinct) in %d pages, expected %d"
                      % (len(got), len(set(got)), pages, NTAGS))
                break
            if pages == 1 and NTAGS > PAGE_N:
                note(label, "tags paging", "ignores n=%d: returned all %d tags in one page" % (PAGE_N, NTAGS))
        for _ in range(3):
            dt, got, link = tags_single(srv, NTAGS)
            record(label, "tags single", dt * 1000)
            if len(got) != NTAGS:
                note(label, "tags single", "n=%d returned %d tags%s" % (NTAGS, len(got), " and a Link" if link else ""))
        log("    %-40s %8.1f ms (%d pages); single n=%d: %.1f ms"
            % ("tags/list paging n=%d" % PAGE_N, med(SAMPLES[(label, "tags paging")][-3:]),
               SAMPLES[(label, "tags paging pages")][-1], NTAGS, med(SAMPLES[(label, "tags single")][-3:])))
        return True

    step(srv, "tags paging", tags)

    busy1, own1, wall1 = core_busy(SERVER_CORE), cpu_seconds(pid), time.monotonic()
    if None not in (busy0, busy1, own0, own1) and srv.proc and srv.proc.pid == pid:
        others = max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall1 - wall0) * 100
        record(label, "core0_others", others)
        log("    other processes used %.0f%% of core %s during this session" % (others, SERVER_CORE))
    hwm = tree_rss(srv.pid(), "VmHWM")
    record(label, "rss_hwm", hwm)
    record(label, "rss_end", tree_rss(srv.pid(), "VmRSS"))
    if not srv.alive():
        error(label, "session", "server died; log tail:\n" + srv.log_tail())
    srv.stop()
    log("    RSS idle %.1f MiB, peak at c=%d %.1f MiB, VmHWM over the session %.1f MiB"
        % (SAMPLES[(label, "rss_idle")][-1] or 0, max(CONNS), (SAMPLES.get((label, "rss_load")) or [0])[-1],
           hwm or 0))

    # Start-up time on an empty data directory.
    def startups():
        for i in range(3):
            d = tempfile.mkdtemp(prefix="startup-", dir=srv.workdir)
            try:
                record(label, "startup", srv.start(d) * 1000)
            finally:
                srv.stop()
                shutil.rmtree(d, ignore_errors=True)
        log("    %-40s %8.1f ms" % ("start-up (exec to GET /v2/ 200)", med(SAMPLES[(label, "startup")][-3:])))
        return True

    check_deadline("start-up")
    try:
        startups()
    except (Interrupted, TimeoutError):
        raise
    except Exception as e:  # noqa: BLE001
        error(label, "startup", str(e))


# ---------------------------------------------------------------- report


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if digits == 0:
        return "{:,.0f}".format(v)
    return "{:,.{}f}".format(v, digits)


def rows():
    """(section, name, unit, key, field, digits, higher_is_better, target(fn: value -> (ok, text)) or None)"""
    ideal = med(CEIL.get("ideal_push", []))
    out = []
    push_keys = ["push monolithic PUT", "push POST+streamed PATCH+PUT", "push %d MiB Content-Range chunks" % CHUNK_MB]
    for i, k in enumerate(push_keys):
        if i == 0:
            tgt = ((lambda v, ideal=ideal: (v >= 0.9 * ideal, ">= 0.9 x ideal = %s" % fmt(0.9 * ideal)))
                   if ideal else None)
        else:
            mono = med(SAMPLES.get(("wharf", push_keys[0]), []))
            tgt = ((lambda v, mono=mono: (v >= 0.85 * mono, ">= 0.85 x mono = %s" % fmt(0.85 * mono)))
                   if mono else None)
        out.append(("blobs (%d MiB)" % BLOB_MB, k, "MB/s", k, None, 0, True, tgt))
        out.append(("blobs (%d MiB)" % BLOB_MB, "  server CPU", "s/GB", k + " cpu", None, 2, False, None))
    out.append(("blobs (%d MiB)" % BLOB_MB, "pull", "MB/s", "pull", None, 0, True,
                lambda v: (v >= 2000, ">= 2,000")))
    for name, method, _, _ in LOAD_KEYS:
        for c in CONNS:
            key = "%s c=%d" % (name, c)
            sec = "%s" % name
            is_get = method == "GET" and name.startswith("manifest")
            t_rps = t_p50 = t_p99 = None
            if is_get and c == 64:
                t_rps = lambda v: (v >= 30000, ">= 30,000")  # noqa: E731
                t_p99 = lambda v: (v <= 5000, "<= 5,000")  # noqa: E731
            if is_get and c == 256:
                t_p99 = lambda v: (v <= 20000, "<= 20,000, no errors")  # noqa: E731
            if is_get and c == 1:
                t_p50 = lambda v: (v <= 200, "<= 200")  # noqa: E731
            out.append((sec, "c=%d req/s" % c, "req/s", key, "rps", 0, True, t_rps))
            out.append((sec, "c=%d p50" % c, "us", key, "p50_us", 0, False, t_p50))
            out.append((sec, "c=%d p99" % c, "us", key, "p99_us", 0, False, t_p99))
            out.append((sec, "c=%d server CPU/req" % c, "us", key, "cpu_us_per_req", 1, False, None))
            out.append((sec, "c=%d errors" % c, "count", key, "errors", 0, False,
                        (lambda v: (v == 0, "0")) if is_get else None))
    k = "manifest PUT c=%d" % PUT_CLIENTS
    out.append(("durable manifest PUT", "%d clients PUT/s" % PUT_CLIENTS, "PUT/s", k, "rps", 0, True,
                lambda v: (v >= 1000, ">= 1,000")))
    out.append(("durable manifest PUT", "p50", "us", k, "p50_us", 0, False, None))
    out.append(("durable manifest PUT", "p99", "us", k, "p99_us", 0, False, None))
    out.append(("durable manifest PUT", "server CPU/PUT", "us", k, "cpu_us_per_req", 1, False, None))
    out.append(("durable manifest PUT", "errors", "count", k, "errors", 0, False, lambda v: (v == 0, "0")))
    out.append(("tags/list (%d tags)" % NTAGS, "page through, n=%d" % PAGE_N, "ms", "tags paging", None, 1, False, None))
    out.append(("tags/list (%d tags)" % NTAGS, "pages", "count", "tags paging pages", None, 0, None, None))
    out.append(("tags/list (%d tags)" % NTAGS, "single request n=%d" % NTAGS, "ms", "tags single", None, 1, False, None))
    out.append(("memory and start-up", "RSS idle", "MiB", "rss_idle", None, 1, False, lambda v: (v < 10, "< 10")))
    out.append(("memory and start-up", "RSS peak at c=%d" % max(CONNS), "MiB", "rss_load", None, 1, False,
                lambda v: (v < 50, "< 50")))
    out.append(("memory and start-up", "VmHWM over a session", "MiB", "rss_hwm", None, 1, False, None))
    out.append(("memory and start-up", "start-up to GET /v2/ 200", "ms", "startup", None, 1, False,
                lambda v: (v < 100, "< 100")))
    out.append(("memory and start-up", "start-up, data dir seeded", "ms", "startup_data", None, 1, False, None))
    out.append(("noise", "others' use of core %s" % SERVER_CORE, "%", "core0_others", None, 0, False, None))
    return out


def value(label, key, field):
    vals = SAMPLES.get((label, key))
    if not vals:
        return None
    if field is None:
        return med(vals)
    if field == "errors":
        return sum(v["errors"] for v in vals)  # a total, not a median: any error counts
    return med([v.get(field) for v in vals])


def report(have_wharf):
    log("")
    log("=" * 110)
    log("Wharf vs CNCF distribution %s — %d round(s), medians; blob %d MiB; MB = 10^6 bytes; started at load %s"
        % (REF_VERSION, ROUNDS, BLOB_MB, LOAD_AT_START))
    log("=" * 110)
    log("Ceilings of this machine (server side on core %s, client side on core %d):" % (SERVER_CORE, CLIENT_CORE))
    if "sha256" in CEIL:
        log("  %-58s %10s MB/s" % ("openssl speed -evp sha256, 16384-byte blocks, one core", fmt(med(CEIL["sha256"]))))
    if "loopback" in CEIL:
        log("  %-58s %10s MB/s" % ("loopback TCP, 1 MiB reads (ideal_push --nohash --nowrite)", fmt(med(CEIL["loopback"]))))
    if "ideal_push_nosync" in CEIL:
        log("  %-58s %10s MB/s  (receiver CPU %.2f s/GB)" % ("ideal push without the fsync",
            fmt(med(CEIL["ideal_push_nosync"])), med(CEIL["ideal_push_nosync_cpu"])))
    if "ideal_push" in CEIL:
        log("  %-58s %10s MB/s  (receiver CPU %.2f s/GB)" % ("ideal push: recv + SHA-256 + write + fsync, no HTTP",
            fmt(med(CEIL["ideal_push"])), med(CEIL["ideal_push_cpu"])))
    if "ideal_pull" in CEIL:
        log("  %-58s %10s MB/s" % ("ideal pull: sendfile server, the bench's pull client", fmt(med(CEIL["ideal_pull"]))))
    for c in (1, 64, 256):
        rs = CEIL.get("zero_wrk_c%d" % c)
        if rs:
            log("  %-58s %10s req/s  p50 %s us  p99 %s us  CPU %s us/req"
                % ("zero-work HTTP server (one core), wrk c=%d" % c, fmt(med([r["rps"] for r in rs])),
                   fmt(med([r["p50_us"] for r in rs])), fmt(med([r["p99_us"] for r in rs])),
                   fmt(med([r.get("cpu_us_per_req") for r in rs]), 1)))
    rs = CEIL.get("zero_loadgen_c64")
    if rs:
        log("  %-58s %10s req/s  (HEAD rows use loadgen)" % ("zero-work HTTP server, loadgen c=64", fmt(med([r["rps"] for r in rs]))))
    log("")
    head = "%-22s %-32s %6s %12s %12s %6s  %-30s" % ("workload", "", "unit", "wharf", "reference", "ratio", "target (wharf)")
    log(head)
    log("-" * len(head))
    misses = []
    last_sec = None
    for sec, name, unit, key, field, digits, higher, target in rows():
        w = value("wharf", key, field) if have_wharf else None
        r = value("reference", key, field)
        ratio = "n/a"
        if w is not None and r not in (None, 0):
            ratio = "%.2f" % (w / r)
        elif w is not None and r == 0 and w == 0:
            ratio = "="
        tgt = ""
        if target is not None and w is not None:
            ok, text = target(w)
            tgt = ("ok   " if ok else "MISS ") + text
            if not ok:
                misses.append("%s %s: %s, target %s" % (sec, name, fmt(w, digits), text))
        arrow = {True: "+", False: "-", None: " "}[higher]
        notes = sorted(NOTES.get(("wharf", key), set())) + ["ref: " + n for n in sorted(NOTES.get(("reference", key), set()))]
        log("%-22s %-32s %5s%s %12s %12s %6s  %-30s%s"
            % (sec if sec != last_sec else "", name, unit, arrow, fmt(w, digits), fmt(r, digits), ratio, tgt,
               ("  [" + "; ".join(notes) + "]") if notes else ""))
        last_sec = sec
    log("-" * len(head))
    log("unit+ : more is better; unit- : less is better. ratio = wharf / reference. Errors are totals over rounds.")
    # How close to the machine's own HTTP ceiling.
    zc = CEIL.get("zero_wrk_c64")
    wg = value("wharf", "manifest GET by tag c=64", "rps") if have_wharf else None
    if zc and wg:
        log("manifest GET by tag at c=64 is %.0f%% of the zero-work server's req/s on this machine."
            % (100 * wg / med([r["rps"] for r in zc])))
    ip = med(CEIL.get("ideal_push", []))
    wp = value("wharf", "push monolithic PUT", None) if have_wharf else None
    if ip and wp:
        log("monolithic push is %.0f%% of the ideal push loop." % (100 * wp / ip))
    ipl = med(CEIL.get("ideal_pull", []))
    wpl = value("wharf", "pull", None) if have_wharf else None
    if ipl and wpl:
        log("pull is %.0f%% of the ideal pull (sendfile server, same client)%s." % (
            100 * wpl / ipl, "; the 2 GB/s target needs a machine whose ideal pull exceeds it" if ipl < 2000 else ""))
    if not have_wharf:
        log("")
        log("wharf: n/a — %s is not there (build it, or set WHARF_BIN)" % WHARF_BIN)
    if misses:
        log("")
        log("targets missed by wharf:")
        for m in misses:
            log("  - " + m)
    if ERRORS:
        log("")
        log("!" * 110)
        log("!!! THIS RUN HAD ERRORS — figures of the affected workloads are not trustworthy:")
        for label, key, msg in ERRORS:
            first = msg.splitlines()[0] if msg else ""
            log("!!!   %-9s %-36s %s" % (label, key, first[:150]))
        log("!" * 110)
    log("load average at end: %s (other processes on these 2 cores make figures noisy)" % loadavg())


# ---------------------------------------------------------------- main

REF_VERSION = ""
LOAD_AT_START = ""


def version_of(binary):
    try:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except Exception:  # noqa: BLE001
        return "version unknown"


def main():
    global REF_VERSION, LOAD_AT_START
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    pin_self()
    LOAD_AT_START = loadavg()
    if not TOOLS or not os.path.exists(tool("ideal_push")):
        log("BENCH_TOOLS must name the directory where run.sh compiled the tools")
        return 2
    have_wharf = os.access(WHARF_BIN, os.X_OK) or SELFTEST
    if WHARF_BIN_SET and not have_wharf:
        log("WHARF_BIN=%s is not an executable" % WHARF_BIN)
        return 2
    try:
        REF_VERSION = subprocess.run([REF_BIN, "--version"], capture_output=True, text=True, timeout=10).stdout.split()[-1]
    except Exception:  # noqa: BLE001
        REF_VERSION = "?"

    work = tempfile.mkdtemp(prefix="wharf-bench-", dir=os.environ.get("BENCH_TMPDIR") or None)
    servers = []
    blob = None
    code = 0
    try:
        log("wharf bench: %s mode, %d round(s), blob %d MiB, wrk %gs (c=1: %gs), %d tags, work dir %s, load %s"
            % ("QUICK" if QUICK else "full", ROUNDS, BLOB_MB, WRK_SECONDS, WRK_SECONDS_C1, NTAGS, work, LOAD_AT_START))
        t0 = time.perf_counter()
        blob = BigBlob(os.path.join(work, "blob.bin"), BLOB_SIZE)
        log("   %d MiB random blob written in %.1fs" % (BLOB_MB, time.perf_counter() - t0))
        try:
            ceilings(work, blob)
        except (Interrupted, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001
            error("machine", "ceilings", "%s: %s" % (type(e).__name__, e))

        if have_wharf:
            wbin = REF_BIN
            if not SELFTEST:
                # A private copy: every round runs the same binary even if it is rebuilt meanwhile.
                wbin = os.path.join(work, "wharf-under-test")
                shutil.copy2(WHARF_BIN, wbin)
                log("   wharf: %s (copied to the work dir; %s)" % (WHARF_BIN, version_of(wbin)))
            servers.append(Server("wharf", "distribution" if SELFTEST else "wharf", wbin, os.path.join(work, "wharf")))
            if SELFTEST:
                log("   BENCH_SELFTEST: the 'wharf' slot runs the reference registry too")
        else:
            log("   wharf: %s not found — reference only, wharf figures n/a" % WHARF_BIN)
        servers.append(Server("reference", "distribution", REF_BIN, os.path.join(work, "reference")))
        fixtures = {s.label: Fixture() for s in servers}
        seeded = {}
        for rnd in range(ROUNDS):
            for srv in servers:  # A B, A B, ...
                try:
                    session(srv, rnd, blob, work, fixtures[srv.label], seeded)
                except TimeoutError as e:
                    error(srv.label, "deadline", str(e))
                    raise
                except (Interrupted, KeyboardInterrupt):
                    raise
                except Exception as e:  # noqa: BLE001
                    error(srv.label, "session", "%s: %s" % (type(e).__name__, e))
                    traceback.print_exc()
                finally:
                    srv.stop()
    except TimeoutError:
        log("!!! deadline of %ds reached; reporting what was measured" % DEADLINE_S)
    except (Interrupted, KeyboardInterrupt) as e:
        log("\ninterrupted (%s); stopping everything" % e)
        code = 130
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        kill_all()
        if blob:
            blob.close()
        if code != 130:
            report(bool(have_wharf))
            try:
                with open(RESULTS, "w") as f:
                    json.dump({"config": {"quick": QUICK, "rounds": ROUNDS, "blob_mb": BLOB_MB, "tags": NTAGS,
                                          "wrk_seconds": WRK_SECONDS, "reference": REF_VERSION,
                                          "wharf_bin": WHARF_BIN if have_wharf else None},
                               "ceilings": CEIL,
                               "samples": {"%s|%s" % k: v for k, v in SAMPLES.items()},
                               "errors": ERRORS,
                               "notes": {"%s|%s" % k: sorted(v) for k, v in NOTES.items()}}, f, indent=1)
                log("raw samples: %s   (total %.0fs)" % (RESULTS, elapsed()))
            except OSError as e:
                log("could not write %s: %s" % (RESULTS, e))
        if KEEP:
            log("kept work dir %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if code:
        return code
    # Errors of the reference are printed as loudly, but only Wharf's (or the harness's) fail the run.
    return 1 if any(label != "reference" for label, _, _ in ERRORS) else 0


if __name__ == "__main__":
    sys.exit(main())
