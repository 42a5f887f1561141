#!/usr/bin/env python3
"""Crash safety of the store: kill -9 `outflow audit --store` at random
moments, 50 times, into one store.  After every kill the store must pass
PRAGMA integrity_check, every table must read and `outflow report` must
read it (its JSON counting the same flows); the next run must open it
again.  At the end one whole run must add exactly one run's flows.

    store_crash.py OUTFLOW GEN BUILDDIR [KILLS]

The seed is printed (and taken from STORE_CRASH_SEED) for reproduction.
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

outflow, gen, build = sys.argv[1:4]
kills = int(sys.argv[4]) if len(sys.argv) > 4 else 50
here = os.path.dirname(os.path.abspath(__file__))
top = os.path.dirname(os.path.dirname(here))
d = os.path.join(build, "store_crash")
os.makedirs(d, exist_ok=True)
pcap = os.path.join(d, "days.pcap")
db = os.path.join(d, "crash.db")
for sfx in ("", "-wal", "-shm"):
    if os.path.exists(db + sfx):
        os.unlink(db + sfx)
subprocess.run([sys.executable, gen, os.path.join(here, "scenarios",
               "store_days.scn"), "-o", pcap], check=True)
seed = int(os.environ.get("STORE_CRASH_SEED", time.time_ns() % 1000000))
print(f"seed {seed}")
rng = random.Random(seed)
cmd = [outflow, "audit", "-q", "--no-geoip", "--rules-dir",
       os.path.join(top, "rules"), "--store", db, pcap]
TABLES = ("traffic_day", "data_day", "finding_day", "coverage_day", "geoip",
          "meta")


def check_store():
    """integrity_check passes and every table reads; total flows."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        ok = c.execute("PRAGMA integrity_check").fetchall()
        if ok != [("ok",)]:
            sys.exit(f"FAIL: integrity_check: {ok[:5]}")
        for t in TABLES:
            c.execute(f"SELECT * FROM {t}").fetchall()
        flows = c.execute("SELECT COALESCE(SUM(flows), 0) FROM traffic_day"
                          ).fetchone()[0]
    finally:
        c.close()
    # The report reads what a kill left, too (store_days.scn's two days).
    r = subprocess.run([outflow, "report", "--store", db, "--from",
                        "2026-12-06", "--to", "2026-12-07", "--format", "json"],
                       capture_output=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: outflow report: {r.stderr.decode()}")
    if json.loads(r.stdout)["totals"]["flows"] != flows:
        sys.exit("FAIL: the report does not count the store's flows")
    return flows


# How long a whole run takes here, to aim the kills inside it.
t = time.monotonic()
subprocess.run(cmd, check=True)
full = time.monotonic() - t
one_run = check_store()
print(f"a whole run: {full:.2f} s, {one_run} flows")

grew = 0
before = one_run
for i in range(kills):
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    time.sleep(rng.uniform(0, full * 1.1))
    p.send_signal(signal.SIGKILL)
    _, err = p.communicate()
    if p.returncode not in (0, -signal.SIGKILL):
        sys.exit(f"FAIL: run {i} exited {p.returncode}: {err.decode()}")
    if b"store" in err and b"another outflow" in err:
        sys.exit(f"FAIL: run {i}: the store stayed locked: {err.decode()}")
    now = check_store()
    if now < before:
        sys.exit(f"FAIL: run {i}: flows went from {before} to {now}")
    if now > before:
        grew += 1
    before = now

# The killed runs wrote whole batches only; a whole run adds one run.
subprocess.run(cmd, check=True)
after = check_store()
if after - before != one_run:
    sys.exit(f"FAIL: a whole run after the kills added {after - before} "
             f"flows, expected {one_run}")
print(f"ok: {kills} kills, {grew} of them after some batches were "
      "written; integrity_check passed and the report read the store "
      "every time")
if grew == 0:
    sys.exit("FAIL: no kill landed while batches were being written")
