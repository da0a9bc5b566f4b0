"""The embedded Redis of `xpost local`: real redis-server, data kept, nothing left running."""

from __future__ import annotations

from pathlib import Path

import psutil
import redis

from adapters.embedded_redis import EmbeddedRedis


def test_keeps_data_across_a_restart_and_leaves_no_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = EmbeddedRedis(data).start()
    pid = server.pid
    assert pid is not None
    client = redis.Redis.from_url(server.url)
    client.set("xpost:test", "狛江")
    client.close()
    server.stop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE

    again = EmbeddedRedis(data).start()
    try:
        client = redis.Redis.from_url(again.url)
        assert client.get("xpost:test") == "狛江".encode()
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        client.close()
    finally:
        again.stop()
    assert (data / "xpost.aof").exists() or (data / "appendonlydir").exists()
