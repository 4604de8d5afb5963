"""The RPZ export loaded into a real resolver: Unbound (Debian's ``unbound``, installed by .ci/run) serves
the zone as a Response Policy Zone; a blocked name and its subdomains answer NXDOMAIN, other names do not.

Nothing leaves the machine: Unbound listens on 127.0.0.1 and forwards anything else to a closed loopback
port; the names asked that are not blocked are answered from local data."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import socket
import struct
import subprocess
import time

import pytest

from pingan.antifraud.blocklists import ZoneEntry, rpz_zone, serial_for

UNBOUND = shutil.which("unbound") or ("/usr/sbin/unbound" if os.path.exists("/usr/sbin/unbound") else None)


def query(port: int, name: str, timeout: float = 3) -> tuple[int, int]:
    """(rcode, answer count) of an A query for ``name``."""
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\x00"
    q += struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(q, ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
    rid, flags, _qd, an, _ns, _ar = struct.unpack(">HHHHHH", data[:12])
    assert rid == qid
    return flags & 0x0F, an


def free_port() -> int:
    """A loopback port free for both UDP and TCP: Unbound binds both, and exits if either is taken."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def start_unbound(conf_text: str, conf_path, attempts: int = 3) -> tuple[subprocess.Popen, int]:
    """Unbound serving ``conf_text`` (with ``{port}`` filled in) and answering queries, with its port.

    A port taken between choosing it and Unbound binding it (other tests start servers) makes Unbound exit at
    once: that start is retried on another port. Raises AssertionError with Unbound's own output when it never
    answers within 15 s."""
    for _ in range(attempts):
        port = free_port()
        conf_path.write_text(conf_text.format(port=port))
        check = subprocess.run([shutil.which("unbound-checkconf") or "/usr/sbin/unbound-checkconf",
                                str(conf_path)], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stdout + check.stderr
        proc = subprocess.Popen([UNBOUND, "-d", "-c", str(conf_path)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                query(port, "good.example", timeout=1)
                return proc, port
            except OSError:
                time.sleep(0.2)
        if proc.poll() is None:
            proc.terminate()
        out, _ = proc.communicate(timeout=10)
        if "bind" not in out.lower():
            raise AssertionError(f"unbound did not answer on 127.0.0.1:{port} within 15 s:\n{out}")
    raise AssertionError(f"unbound could not bind a port in {attempts} attempts:\n{out}")


@pytest.mark.skipif(UNBOUND is None and not os.environ.get("CI"),
                    reason="unbound is not installed (.ci/run installs it)")
def test_unbound_loads_the_rpz_export_and_blocks_the_names(tmp_path):
    assert UNBOUND, "unbound must be installed (apt-get install unbound)"
    zone = rpz_zone([ZoneEntry("bad.example", "block 1"), ZoneEntry("xn--fiq228c.example", "block 2")],
                    serial=serial_for(dt.datetime(2026, 3, 2)))
    (tmp_path / "rpz.zone").write_text(zone)
    conf = tmp_path / "unbound.conf"
    proc, port = start_unbound(f"""server:
    interface: 127.0.0.1
    port: {{port}}
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{tmp_path}"
    pidfile: "{tmp_path}/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    do-ip6: no
    module-config: "respip iterator"
    access-control: 127.0.0.0/8 allow
    local-zone: "good.example." static
    local-data: "good.example. 300 IN A 192.0.2.1"
rpz:
    name: rpz.pingan.invalid
    zonefile: "{tmp_path}/rpz.zone"
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@9
""", conf)
    try:
        got = query(port, "bad.example")
        assert got[0] == 3  # NXDOMAIN
        assert query(port, "www.pay.bad.example")[0] == 3  # the wildcard entry
        assert query(port, "xn--fiq228c.example")[0] == 3
        assert query(port, "good.example") == (0, 1)  # NOERROR with its local answer: not blocked
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "error" not in out.lower() or "rpz" not in out.lower(), out
