"""Drives `optimist serve` with Square's own Python SDK (`squareup`), as an application would.

Run by Tests/Scripts/sdk-tests.sh (from `make test`) against each engine:
  OPTIMIST_BIN            the `optimist` binary (optimist-serve beside it)
  OPTIMIST_TEST_ENGINE    sqlite (default) or postgresql
  OPTIMIST_TEST_PG        for postgresql: the throwaway server's URL (Tests/Scripts/pg-server.sh);
                          missing, every test fails (never skips)
"""

import glob
import json
import os
import secrets
import signal
import subprocess
import tempfile
import threading
import uuid

import pytest
from square import Square
from square.core.api_error import ApiError

ENGINE = os.environ.get("OPTIMIST_TEST_ENGINE", "sqlite")
OPTIMIST = os.environ.get("OPTIMIST_BIN", "")


def psql(sql):
    """Runs SQL on the PostgreSQL test server (its `postgres` database, as superuser)."""
    url = os.environ.get("OPTIMIST_TEST_PG", "")
    if not url:
        pytest.fail("No PostgreSQL test server: OPTIMIST_TEST_PG is not set (run `make test`).")
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"]
    done = subprocess.run(
        [binaries[-1], "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


class Store:
    """A store no one has used: a SQLite file in a new folder, or a new PostgreSQL schema."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="optimist-sdk-")
        if ENGINE == "postgresql":
            self.schema = "sdk_" + uuid.uuid4().hex
            psql(f"CREATE SCHEMA {self.schema}")
            self.location = os.environ["OPTIMIST_TEST_PG"] + f"&options=-csearch_path%3D{self.schema}"
        else:
            assert ENGINE == "sqlite", ENGINE
            self.schema = None
            self.location = os.path.join(self.folder, "optimist.db")

    def drop(self):
        if self.schema:
            psql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        subprocess.run(["rm", "-rf", self.folder], check=True)

    def cli(self, *args, expect=0):
        """Runs `optimist ARGS --db STORE`; returns (exit code, stdout JSON or None, stderr)."""
        done = subprocess.run(
            [OPTIMIST, *args, "--db", self.location], capture_output=True, text=True, timeout=120,
            env={**os.environ, "HOME": self.folder})
        if expect is not None:
            assert done.returncode == expect, (args, done.returncode, done.stdout, done.stderr)
        out = json.loads(done.stdout) if done.stdout.strip() else None
        return done.returncode, out, done.stderr

    def snapshot(self):
        """Every object in the store, as `optimist list --all` prints them."""
        return self.cli("list", "--all")[1]


class Server:
    """`optimist serve` on a free loopback port, its token from $OPTIMIST_TOKEN."""

    def __init__(self, store, token=None, extra_env=None, options=()):
        self.store = store
        self.token = token or secrets.token_hex(16)
        env = {**os.environ, "HOME": store.folder, **(extra_env or {})}
        if token is not False:
            env["OPTIMIST_TOKEN"] = self.token
        else:
            env.pop("OPTIMIST_TOKEN", None)
        self.stderr_path = os.path.join(store.folder, f"serve-{uuid.uuid4().hex}.log")
        self.stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(
            [OPTIMIST, "serve", "--listen", "127.0.0.1:0", "--db", store.location, *options],
            stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        line = self._first_line(timeout=60)
        assert line, f"optimist serve printed nothing; stderr: {self.log()}"
        self.ready = json.loads(line)
        self.url = self.ready["url"]
        if token is False:
            self.token = self.ready["token"]

    def _first_line(self, timeout):
        result = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()))
        reader.start()
        reader.join(timeout)
        return result[0].decode() if result else ""

    def client(self, token=None):
        return Square(token=token or self.token, base_url=self.url, timeout=60)

    def log(self):
        self.stderr.flush()
        with open(self.stderr_path, "rb") as log:
            return log.read().decode(errors="replace")

    def stop(self):
        """SIGTERM; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.stderr.close()
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)
        self.stderr.close()


@pytest.fixture(scope="session", autouse=True)
def _requirements():
    if not OPTIMIST or not os.access(OPTIMIST, os.X_OK):
        pytest.fail(f"OPTIMIST_BIN must name the built optimist binary, not {OPTIMIST!r}.")
    if ENGINE == "postgresql":
        psql("SELECT 1")


@pytest.fixture
def store():
    made = Store()
    yield made
    made.drop()


@pytest.fixture
def server(store):
    started = Server(store)
    yield started
    code = started.stop()
    assert code == 0, f"the server exited {code} on SIGTERM; stderr: {started.log()}"


@pytest.fixture
def client(server):
    return server.client()


def api_error(call):
    """The ApiError that `call` raises (failing the test when it raises none)."""
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value


def codes(error):
    return [e["code"] for e in error.body["errors"]]
