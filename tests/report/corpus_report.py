#!/usr/bin/env python3
"""The report over real traffic: a store from the corpus's Chinese-app
captures (../shared/corpus/ndpi: Weibo, 1kxun, Tencent games, OICQ, iQIYI,
DNS names of WeChat and others) plus the generated capture with WeChat and
hostile server names (week49.scn).  Every format must carry no script and
no external resource, escape every hostile string, and the HTML, Markdown
and JSON must name WeChat.  Skipped (77) when the corpus is absent.

  corpus_report.py OUTFLOW GEN OUTDIR TESTGEO
"""
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_test as rt  # noqa: E402

CAPTURES = ["weibo.pcap", "1kxun.pcap", "tencent_games.pcap", "oicq.pcap",
            "iqiyi.pcap", "dns_ambiguous_names.pcap"]


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    outflow, gen, out, geo = sys.argv[1:]
    corpus = os.path.join(rt.TOP, "..", "shared", "corpus", "ndpi", "pcap")
    caps = [os.path.join(corpus, c) for c in CAPTURES
            if os.path.exists(os.path.join(corpus, c))]
    if not caps:
        print("corpus not found: skipped")
        return 77
    out = os.path.join(out, "corpus")
    os.makedirs(out, exist_ok=True)
    db = os.path.join(out, "corpus.db")
    for s in ("", "-wal", "-shm"):
        if os.path.exists(db + s):
            os.unlink(db + s)
    hostile = os.path.join(out, "week49.pcap")
    rt.run([sys.executable, gen, os.path.join(rt.HERE, "week49.scn"), "-o",
            hostile])
    for cap in caps + [hostile]:
        rt.run([outflow, "audit", "-q", "--rules-dir",
                os.path.join(rt.TOP, "rules"), "--store-retention", "36500",
                "--secret", rt.fixed_key(out),
                "--geoip-country", os.path.join(geo, "geoip-test-country.mmdb"),
                "--geoip-asn", os.path.join(geo, "geoip-test-asn.mmdb"),
                "--store", db, cap])
    c = sqlite3.connect(db)
    first, last = c.execute("SELECT MIN(day), MAX(day) FROM traffic_day"
                            ).fetchone()
    c.close()
    rng = ["--from", first, "--to", last]
    print(f"{len(caps)} corpus captures and week49: {first} to {last}")
    got = {}
    for fmt in ("html", "md", "json", "csv", "csv-aggregates"):
        path = os.path.join(out, "report." + fmt)
        rt.run([outflow, "report", "--store", db, "--format", fmt, "-o",
                path] + rng)
        with open(path, "rb") as f:
            got[fmt] = f.read()
    # The pages show the busiest destinations only: wherever a hostile
    # name is shown it must be escaped; JSON and CSV must carry each.
    page = rt.check_html(got["html"], "html", require=False)
    if "WeChat" not in "".join(page.text):
        rt.fail("html: WeChat not named")
    rt.check_escaped(got["md"], "md", require=False)
    if b"WeChat" not in got["md"]:
        rt.fail("md: WeChat not named")
    doc = json.loads(got["json"])
    if "WeChat" not in [a["app"] for a in doc["apps"]]:
        rt.fail("json: WeChat not an app")
    dests = {d["destination"] for a in doc["apps"] for d in a["destinations"]}
    for h in rt.HOSTILE:
        if h not in dests:
            rt.fail(f"json: {h!r} not a destination")
    rt.check_csv(got["csv"], "findings.csv", "destination", rt.HOSTILE[1:2])
    rt.check_csv(got["csv-aggregates"], "aggregates.csv", "destination",
                 rt.HOSTILE)
    for fmt in ("md", "json", "csv", "csv-aggregates"):
        low = got[fmt].lower()
        if b"src=http" in low or b"url(" in low:
            rt.fail(f"{fmt}: an external resource")
    print(f"{len(doc['apps'])} apps, {doc['totals']['flows']} flows; "
          f"{len(rt.failures)} failure(s)")
    return 1 if rt.failures else 0


if __name__ == "__main__":
    sys.exit(main())
