#!/usr/bin/env python3
"""The report's performance target over a store filled through the
store's own writer: a household fortnight of generated flow records
(store_fill.c) handed to the store output one by one, summed in memory
and written in batches by the writer thread, as `outflow audit --store`
would over a long capture.  Then: the store under 50 MiB, and the HTML
report of the second week under 2 s (median of three), that week holding
at least a million flows of at least 5 devices and 20 apps (read back
from the JSON report).

  perf_writer.py OUTFLOW STORE_FILL OUTDIR [--flows N] [--devices N]
                 [--apps N] [--destinations N] [--limit SECONDS]

--flows counts the fortnight's flows before the quieter nights thin
them (about 15%).  Prints the figures as one JSON line; fails over the
limits.
"""
import argparse
import datetime
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time

WEEK = "2026-W49"
FIRST_DAY = datetime.date(2026, 11, 23)    # Monday of 2026-W48


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outflow")
    ap.add_argument("store_fill")
    ap.add_argument("out")
    ap.add_argument("--flows", type=int, default=2_500_000)
    ap.add_argument("--devices", type=int, default=8)
    ap.add_argument("--apps", type=int, default=30)
    ap.add_argument("--destinations", type=int, default=15)
    ap.add_argument("--limit", type=float, default=2.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    db = os.path.join(a.out, "perf-writer.db")
    for s in ("", "-wal", "-shm"):
        if os.path.exists(db + s):
            os.unlink(db + s)
    day = (FIRST_DAY - datetime.date(1970, 1, 1)).days
    f0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    fill = subprocess.run([a.store_fill, db, str(day), "14", str(a.flows),
                           str(a.devices), str(a.apps), str(a.destinations),
                           "1"], capture_output=True, check=True)
    fill_s = time.monotonic() - t0
    f1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    counters = json.loads(fill.stdout)
    size = sum(os.path.getsize(db + s) for s in ("", "-wal")
               if os.path.exists(db + s))

    html = os.path.join(a.out, "perf-writer.html")
    times, cpu = [], []
    for _ in range(3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run([a.outflow, "report", "--store", db, "--week", WEEK,
                        "-o", html], check=True)
        times.append(time.monotonic() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    doc = json.loads(subprocess.run(
        [a.outflow, "report", "--store", db, "--week", WEEK, "--format",
         "json"], capture_output=True, check=True).stdout)
    rows = {}
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for t in ("traffic_day", "data_day", "finding_day"):
        rows[t] = c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
    c.close()
    fig = {"week": WEEK, "week_flows": doc["totals"]["flows"],
           "devices": doc["totals"]["devices"], "apps": doc["totals"]["apps"],
           "findings": sum(f["count"] for f in doc["findings"]),
           "fill_flows_offered": a.flows, "fill_seconds": round(fill_s, 2),
           "fill_cpu_seconds": round(f1.ru_utime + f1.ru_stime -
                                     f0.ru_utime - f0.ru_stime, 2),
           "batches": counters["batches"], "rows": rows,
           "store_bytes": size, "html_bytes": os.path.getsize(html),
           "report_seconds_median": round(sorted(times)[1], 3),
           "report_cpu_seconds_median": round(sorted(cpu)[1], 3)}
    print(json.dumps(fig))
    bad = []
    if fig["week_flows"] < 1_000_000:
        bad.append(f"{fig['week_flows']} flows in {WEEK}, under a million")
    if fig["devices"] < 5 or fig["apps"] < 20:
        bad.append(f"{fig['devices']} devices, {fig['apps']} apps")
    if fig["findings"] == 0:
        bad.append("no finding reached the store")
    if size >= 50 * 1024 * 1024:
        bad.append(f"store {size} bytes, over 50 MiB")
    if fig["report_seconds_median"] >= a.limit:
        bad.append(f"report took {fig['report_seconds_median']:.2f} s")
    for b in bad:
        print("FAIL:", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
