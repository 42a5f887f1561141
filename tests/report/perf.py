#!/usr/bin/env python3
"""The report's performance target: a store holding a generated week of
household traffic (and the week before, which the report also reads)
gives the HTML report in under 2 s, and the store stays under 50 MiB.

  perf.py OUTFLOW GEN OUTDIR [--devices N] [--apps N] [--destinations N]
          [--flows N] [--limit SECONDS]

The schema comes from outflow itself (outflow audit --store over a small
generated capture); the rows a week of traffic aggregates to are then
written straight into its tables with Python's sqlite3, as the store's
writer would have summed them: per day x device x app x destination.
Writing a million flows through a capture would take the generator
minutes and measure the capture path, not the report.  Prints the
figures as one JSON line; fails over the limits.
"""
import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report_test as rt  # noqa: E402
TOP = os.path.dirname(os.path.dirname(HERE))
CATS = [("location.precise", "ACCESS_FINE_LOCATION"),
        ("location.coarse", "ACCESS_COARSE_LOCATION"),
        ("device_id.android_id", ""), ("ad_id", ""),
        ("email", "GET_ACCOUNTS"), ("phone", "READ_PHONE_NUMBERS")]
COUNTRIES = [("US", 15169, "Google LLC", "US"), ("CN", 45090, "Tencent", "CN"),
             ("SG", 138699, "ByteDance", "CN"), ("DE", 24940, "Hetzner", "DE"),
             ("IE", 32934, "Meta Platforms", "US"), ("NL", 16509, "Amazon", "US"),
             ("JP", 2497, "IIJ", "JP"), ("FR", 16276, "OVH", "FR")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outflow")
    ap.add_argument("gen")
    ap.add_argument("out")
    ap.add_argument("--devices", type=int, default=8)
    ap.add_argument("--apps", type=int, default=30)
    ap.add_argument("--destinations", type=int, default=15)
    ap.add_argument("--flows", type=int, default=1_200_000)
    ap.add_argument("--limit", type=float, default=2.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    db = os.path.join(a.out, f"perf-{a.destinations}.db")
    for s in ("", "-wal", "-shm"):
        if os.path.exists(db + s):
            os.unlink(db + s)
    pcap = os.path.join(a.out, "perf-schema.pcap")
    subprocess.run([sys.executable, a.gen, os.path.join(HERE, "week48.scn"),
                    "-o", pcap], check=True)
    subprocess.run([a.outflow, "audit", "-q", "--rules-dir",
                    os.path.join(TOP, "rules"), "--no-geoip", "--secret",
                    rt.fixed_key(a.out), "--store", db, pcap], check=True)
    rng = random.Random(1)
    c = sqlite3.connect(db)
    for t in ("traffic_day", "data_day", "finding_day", "coverage_day"):
        c.execute(f"DELETE FROM {t}")
    days = [f"2026-11-{d:02d}" for d in range(23, 31)] + \
        [f"2026-12-{d:02d}" for d in range(1, 7)]
    apps = [(f"app{i}", f"App number {i}") for i in range(a.apps)]
    devices = [f"device-{i}" for i in range(a.devices)]
    # Each device uses two thirds of the apps; each app has its servers.
    uses = {d: rng.sample(apps, max(1, a.apps * 2 // 3)) for d in devices}
    keys = [(d, app) for d in devices for app in uses[d]]
    per_row = max(1, a.flows // (len(keys) * a.destinations * 7))
    traffic, data, findings, week_flows = [], [], [], 0
    for day in days:
        day_flows = day_bytes = 0
        for d, (app, name) in keys:
            for k in range(a.destinations):
                cc, asn, op, jur = COUNTRIES[(int(app[3:]) * 3 + k) % len(COUNTRIES)]
                dest = f"api{k}.{app}.example.com"
                f = per_row + rng.randrange(per_row // 2 + 1)
                sent, recv = f * rng.randrange(800, 4000), f * rng.randrange(2000, 40000)
                traffic.append((day, d, app, name, dest, cc, asn, op, jur, "CN"
                                if int(app[3:]) % 5 == 0 else "US", f, f, f * 12,
                                sent, recv, sent + recv))
                day_flows += f
                day_bytes += sent + recv
                if k % 5 == 0:
                    cat, perm = CATS[(int(app[3:]) + k) % len(CATS)]
                    data.append(traffic[-1][:10] + (cat, perm) + traffic[-1][10:])
                    if jur == "CN":
                        findings.append((day, "default.location-to-concern", d,
                                         app, dest, "default",
                                         f"{name} on {d} sent {cat} to {op} (CN)",
                                         3, "operator", "CN", cat, 0, 0, f, cat,
                                         "body", "$.lat", "38.9*****", "00" * 16))
        c.execute("INSERT INTO coverage_day VALUES (?,?,?,?,?,?,?,?,?)",
                  (day, day_flows * 12, day_bytes, day_flows, day_flows,
                   day_bytes, 0, 0, 0))
        if day >= "2026-11-30":
            week_flows += day_flows
    c.executemany("INSERT INTO traffic_day VALUES (%s)" % ",".join("?" * 16), traffic)
    c.executemany("INSERT INTO data_day VALUES (%s)" % ",".join("?" * 18), data)
    c.executemany("INSERT INTO finding_day VALUES (%s)" % ",".join("?" * 19), findings)
    c.commit()
    c.execute("VACUUM")
    c.close()
    size = sum(os.path.getsize(db + s) for s in ("", "-wal")
               if os.path.exists(db + s))
    html = os.path.join(a.out, f"perf-{a.destinations}.html")
    times = []
    for _ in range(3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run([a.outflow, "report", "--store", db, "--week",
                        "2026-W49", "-o", html], check=True)
        times.append(time.monotonic() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    fig = {"devices": a.devices, "apps": a.apps,
           "destinations_per_app": a.destinations, "week_flows": week_flows,
           "traffic_rows": len(traffic), "data_rows": len(data),
           "finding_rows": len(findings), "store_bytes": size,
           "html_bytes": os.path.getsize(html),
           "report_seconds_median": sorted(times)[1],
           "report_cpu_seconds_last": round(r1.ru_utime + r1.ru_stime -
                                            r0.ru_utime - r0.ru_stime, 3),
           "report_max_rss_kib": r1.ru_maxrss}
    print(json.dumps(fig))
    bad = []
    if week_flows < 1_000_000:
        bad.append("fewer than a million flows in the week")
    if size >= 50 * 1024 * 1024:
        bad.append(f"store {size} bytes, over 50 MiB")
    if fig["report_seconds_median"] >= a.limit:
        bad.append(f"report took {fig['report_seconds_median']:.2f} s")
    for b in bad:
        print("FAIL:", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
