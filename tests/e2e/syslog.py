#!/usr/bin/env python3
"""Events to a syslog collector on loopback, checked against the event file.

    syslog.py OUTFLOW GEN SRCDIR

- UDP: every event of a generated capture arrives as one RFC 5424
  message whose MSG is the very line the event file has, with PRI from
  the facility and the event's severity, MSGID its dataset.
- TCP (octet counting): the same, for `outflow run -r`, final statistics
  included.
- The collector goes away mid-run and comes back: the capture is fed
  through a FIFO in three parts; what the collector did not get is what
  the statistics count as lost, and events after its return arrive.
- The collector is away and SIGTERM comes: exit 0 within seconds, every
  syslog event counted lost.
- A collector that accepts and never reads: the run does not hang.
"""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

OUTFLOW, GEN, SRC = sys.argv[1:4]
SCN = os.path.join(SRC, "tests", "e2e", "scenarios")
HEADER = re.compile(rb"<(\d+)>1 (\S+) (\S+) (\S+) (\d+) (\S+) - (.*)\Z",
                    re.DOTALL)
FAILED = []
# Started as root, run becomes a user: nobody here.
AS = ["--user", "nobody"] if os.getuid() == 0 else []


def fail(msg):
    FAILED.append(msg)
    print("FAIL:", msg)


class Collector:
    """A syslog collector on 127.0.0.1: UDP datagrams or TCP frames."""

    def __init__(self, proto, port=0):
        self.proto, self.msgs, self.stopping = proto, [], False
        kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.conns = []
        if proto == "tcp":
            self.sock.listen(4)
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            try:
                if self.proto == "udp":
                    self.msgs.append(self.sock.recv(70000))
                    continue
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(0.1)
            self.conns.append(conn)
            threading.Thread(target=self.read, args=(conn,),
                             daemon=True).start()

    def read(self, conn):
        buf = b""
        idle = 0
        while True:
            try:
                data = conn.recv(65536)
            except socket.timeout:
                idle += 1
                if self.stopping and idle >= 3:
                    break
                continue
            except OSError:
                break
            if not data:
                break
            idle = 0
            buf += data
            # RFC 6587 octet counting: "LEN SP MSG".
            while True:
                sp = buf.find(b" ")
                if sp < 0:
                    break
                n = int(buf[:sp])
                if len(buf) < sp + 1 + n:
                    break
                self.msgs.append(buf[sp + 1:sp + 1 + n])
                buf = buf[sp + 1 + n:]
        conn.close()

    def stop(self):
        """Read what is on its way, then close everything."""
        self.stopping = True
        self.thread.join()
        time.sleep(0.5)
        self.sock.close()


def gen(name, path):
    subprocess.run([sys.executable, GEN, os.path.join(SCN, name + ".scn"),
                    "-o", path], check=True)


def events(path):
    with open(path, "rb") as f:
        return [line.rstrip(b"\n") for line in f]


def wait_for(coll, n, secs=5.0):
    end = time.time() + secs
    while len(coll.msgs) < n and time.time() < end:
        time.sleep(0.05)


def parse(msg):
    m = HEADER.match(msg)
    if m is None:
        raise ValueError("not RFC 5424: %r" % msg[:120])
    return m.groups()


def final_stats(lines):
    ev = [json.loads(l) for l in lines]
    st = [e["outflow"]["stats"] for e in ev
          if e["event"]["dataset"] == "outflow.stats" and
          e["outflow"]["stats"]["final"]]
    return st[-1] if st else None


def udp_audit(d):
    pcap = os.path.join(d, "pt.pcap")
    gen("proxy_tunnels", pcap)
    coll = Collector("udp")
    eve = os.path.join(d, "udp.json")
    r = subprocess.run([OUTFLOW, "audit", pcap, "--no-geoip", "-q",
                        "--eve", eve, "--hostname", "sensor-1",
                        "--syslog", "udp://127.0.0.1:%d" % coll.port,
                        "--syslog-facility", "local3"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("udp: audit exited %d: %s" % (r.returncode, r.stderr))
        return
    want = events(eve)
    wait_for(coll, len(want))
    coll.stop()
    got = [parse(m) for m in coll.msgs]
    if [g[6] for g in got] != want:
        fail("udp: %d messages, %d events; or their JSON differs"
             % (len(got), len(want)))
        return
    sev = {"info": 6, "low": 5, "medium": 4, "high": 3, "critical": 2}
    findings = 0
    for pri, ts, host, app, procid, msgid, msg in got:
        e = json.loads(msg)
        s = 6
        if e["event"]["dataset"] == "outflow.finding":
            s = sev[e["outflow"]["finding"]["severity"]]
            findings += 1
        if int(pri) != 19 * 8 + s:
            fail("udp: PRI %s for a %s event" % (pri, e["event"]["dataset"]))
            return
        if (host, app, msgid.decode()) != (b"sensor-1", b"outflow",
                                           e["event"]["dataset"]):
            fail("udp: header %r %r %r" % (host, app, msgid))
            return
        if ts.decode() != e["@timestamp"]:
            fail("udp: TIMESTAMP %s, @timestamp %s" % (ts, e["@timestamp"]))
            return
    if findings == 0 or not any(int(g[0]) == 19 * 8 + 5 for g in got):
        fail("udp: no finding of severity low to check PRI against")
        return
    print("ok: udp: %d events as RFC 5424 messages, %d findings"
          % (len(got), findings))


def tcp_run(d, pcap):
    coll = Collector("tcp")
    eve = os.path.join(d, "tcp.json")
    r = subprocess.run([OUTFLOW, "run", "-r", pcap, "--no-geoip",
                        "--secret", os.path.join(d, "key"), "--eve", eve,
                        "--syslog", "tcp://127.0.0.1:%d" % coll.port] + AS,
                       capture_output=True, text=True)
    want = events(eve)
    wait_for(coll, len(want))
    coll.stop()
    if r.returncode != 0:
        fail("tcp: run exited %d: %s" % (r.returncode, r.stderr))
        return
    got = [parse(m)[6] for m in coll.msgs]
    if got != want:
        fail("tcp: %d messages, %d events; or their JSON differs"
             % (len(got), len(want)))
        return
    st = final_stats(want)
    if st is None or st["events"]["lost"] != 0:
        fail("tcp: final statistics %r" % (st,))
        return
    print("ok: tcp: %d events framed by octet counting" % len(got))


def pcap_parts(pcap):
    """The capture cut in three at packet boundaries."""
    with open(pcap, "rb") as f:
        data = f.read()
    off, cuts = 24, []
    while off < len(data):
        cuts.append(off)
        off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
    a, b = cuts[len(cuts) // 3], cuts[2 * len(cuts) // 3]
    return data[:a], data[a:b], data[b:]


def start_fifo_run(d, name, target, extra=()):
    fifo = os.path.join(d, name + ".fifo")
    os.mkfifo(fifo)
    eve = os.path.join(d, name + ".json")
    log = open(os.path.join(d, name + ".log"), "w")
    p = subprocess.Popen([OUTFLOW, "run", "-r", fifo, "--no-geoip",
                          "--secret", os.path.join(d, "key"), "--eve", eve,
                          "--syslog", target, "--syslog-queue", "64"]
                         + AS + list(extra), stderr=log)
    return p, open(fifo, "wb"), eve, log


def away_and_back(d, pcap):
    parts = pcap_parts(pcap)
    c1 = Collector("tcp")
    port = c1.port
    p, w, eve, log = start_fifo_run(d, "away", "tcp://127.0.0.1:%d" % port)
    w.write(parts[0])
    w.flush()
    time.sleep(1.5)
    c1.stop()
    # Away: what comes now waits in 64 KiB of queue, the rest is lost.
    w.write(parts[1])
    w.flush()
    time.sleep(1.0)
    c2 = Collector("tcp", port)
    time.sleep(1.0)
    w.write(parts[2])
    w.close()
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("away: run did not end")
        return
    want = events(eve)
    wait_for(c2, 1)
    time.sleep(0.5)
    c2.stop()
    log.close()
    if rc != 0:
        fail("away: run exited %d" % rc)
        return
    st = final_stats(want)
    got = [parse(m)[6] for m in c1.msgs + c2.msgs]
    # The final statistics event went out after they were counted.
    n_events = len(want) - 1
    n_got = len([g for g in got if g != want[-1]])
    lost = st["events"]["lost"]
    if lost == 0 or n_got + lost != n_events:
        fail("away: %d events, %d received, %d counted lost"
             % (n_events, n_got, lost))
        return
    if not c1.msgs or not c2.msgs or want[-1] not in got:
        fail("away: %d before, %d after the collector came back"
             % (len(c1.msgs), len(c2.msgs)))
        return
    # What arrives is what the file has, in its order.
    it = iter(want)
    if not all(any(g == x for x in it) for g in got):
        fail("away: messages out of order or not in the event file")
        return
    with open(os.path.join(d, "away.log")) as f:
        text = f.read()
    if ("%d lost" % lost) not in text:
        fail("away: the log does not say %d lost: %s" % (lost, text))
        return
    print("ok: away and back: %d events, %d received (%d before, %d after), "
          "%d counted lost" % (n_events, n_got, len(c1.msgs), len(c2.msgs),
                               lost))


def sigterm_while_away(d, pcap):
    parts = pcap_parts(pcap)
    # A port nobody listens on: bound, then closed.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p, w, eve, log = start_fifo_run(d, "term", "tcp://127.0.0.1:%d" % port)
    w.write(parts[0])
    w.flush()
    time.sleep(1.5)
    t0 = time.time()
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("term: SIGTERM did not end the run within 10 s")
        return
    took = time.time() - t0
    w.close()
    log.close()
    want = events(eve)
    st = final_stats(want)
    if rc != 0 or took > 5:
        fail("term: exit %d after %.1f s" % (rc, took))
        return
    if st is None or st["events"]["lost"] != len(want) - 1:
        fail("term: %d events, %r" % (len(want) - 1, st and st["events"]))
        return
    print("ok: SIGTERM with the collector away: exit 0 in %.1f s, all %d "
          "syslog events counted lost" % (took, len(want) - 1))


def stalled(d, pcap):
    """Accepts and never reads: the queue and the socket fill."""
    s = socket.socket()
    # A small window, so the kernel's buffers fill soon too.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    eve = os.path.join(d, "stalled.json")
    t0 = time.time()
    try:
        r = subprocess.run([OUTFLOW, "run", "-r", pcap, "--no-geoip",
                            "--secret", os.path.join(d, "key"),
                            "--eve", eve, "--syslog-queue", "64",
                            "--syslog", "tcp://127.0.0.1:%d" % port] + AS,
                           capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        fail("stalled: run hung")
        return
    took = time.time() - t0
    s.close()
    st = final_stats(events(eve))
    if r.returncode != 0 or took > 10 or st is None or \
            st["events"]["lost"] == 0:
        fail("stalled: exit %d after %.1f s, %r" % (r.returncode, took,
                                                    st and st["events"]))
        return
    print("ok: stalled collector: exit 0 in %.1f s, %d lost"
          % (took, st["events"]["lost"]))


def main():
    with tempfile.TemporaryDirectory() as d:
        # The user run becomes must reach the files.
        os.chmod(d, 0o755)
        mf = os.path.join(d, "mf.pcap")
        gen("many_flows", mf)
        udp_audit(d)
        tcp_run(d, mf)
        away_and_back(d, mf)
        sigterm_while_away(d, mf)
        stalled(d, mf)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
