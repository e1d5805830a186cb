"""client-output-buffer-limit: a subscriber that stops reading is cut off at
the configured limit, the server's memory stays bounded, and everyone else
keeps being served.  Also the omem/obl fields that show it."""
import os
import socket
import threading
import time

import pytest

from kvtest import RawConn, encode_command, to_py


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def stalled_subscriber(port, channel):
    """A subscriber with a tiny receive buffer that never reads after the
    subscription is confirmed."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(encode_command("SUBSCRIBE", channel))
    got = b""
    while got.count(b"\r\n") < 6:
        got += s.recv(4096)
    return s


def is_closed(sock, timeout=10.0):
    """Drain what is buffered; True once the server closed the connection."""
    sock.settimeout(0.5)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = sock.recv(1 << 20)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
        if not data:
            return True
    return False


@pytest.mark.fastkv_only
def test_stalled_subscriber_is_disconnected_and_memory_bounded(start_server):
    limit = 8 * 1024 * 1024
    srv = start_server("--client-output-buffer-limit", "pubsub %d %d 60" % (limit, limit // 2))
    sub = stalled_subscriber(srv.port, "flood")
    other = RawConn(port=srv.port)
    other.call("SET", "k", "v")
    rss0 = rss_bytes(srv.proc.pid)
    peak = [rss0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_bytes(srv.proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    payload = b"x" * (100 * 1024)
    pub = RawConn(port=srv.port, timeout=30)
    receivers = []
    try:
        # 100 MB in batches of 10 pipelined PUBLISHes; each reply counts receivers
        batch = encode_command("PUBLISH", "flood", payload) * 10
        for _ in range(100):
            pub.send(batch)
            receivers.extend(to_py(pub.read_reply()[1]) for _ in range(10))
            # other clients are served all along
            assert other.call("GET", "k") == b"v"
    finally:
        stop.set()
        sampler.join()
    # the subscriber got messages until it was cut off, then none
    assert receivers[0] == 1 and receivers[-1] == 0
    assert is_closed(sub)
    sub.close()
    # the backlog never grew past the limit (plus a few MB of slack); not
    # measurable under AddressSanitizer, whose quarantine keeps freed memory
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):
        assert peak[0] - rss0 < limit + 6 * 1024 * 1024, (rss0, peak[0])
    assert other.call("PUBSUB", "NUMSUB", "flood") == [b"flood", 0]
    log = srv.log_text()
    assert "scheduled to be closed ASAP for overcoming of output buffer limits" in log
    other.close()
    pub.close()


def test_soft_limit_needs_its_seconds(compat_pair):
    """Over the soft limit for less than soft-seconds: still connected."""
    pair = compat_pair("--client-output-buffer-limit", "pubsub 0 1mb 3600")
    for srv in (pair.fk_server, pair.rd_server):
        sub = stalled_subscriber(srv.port, "ch")
        pub = RawConn(port=srv.port, timeout=30)
        big = b"y" * (256 * 1024)
        for _ in range(20):      # 5 MB, five times the soft limit
            assert pub.call("PUBLISH", "ch", big) == 1
        time.sleep(0.3)
        assert pub.call("PUBSUB", "NUMSUB", "ch") == [b"ch", 1]
        sub.close()
        pub.close()


def test_client_list_shows_subscriptions_and_output(r, fastkv_server):
    sub = stalled_subscriber(fastkv_server.port, "cl-ch")
    try:
        pub = RawConn(port=fastkv_server.port)
        for _ in range(200):       # 12.5 MB: more than the kernel buffers hold
            pub.call("PUBLISH", "cl-ch", b"z" * 65536)
        line = [x for x in r.execute_command("CLIENT", "LIST").decode().splitlines()
                if " sub=1 " in x]
        assert len(line) == 1
        fields = dict(kv.split("=", 1) for kv in line[0].split(" "))
        assert "P" in fields["flags"]
        assert int(fields["omem"]) > 0
        assert fields["psub"] == "0" and fields["multi"] == "-1"
        pub.close()
    finally:
        sub.close()
