#!/usr/bin/env python3
"""extract.py - regenerate the real-traffic HTTP fixtures.

For each flow listed below, tshark's "follow,tcp,raw" gives the client's
bytes (the lines not indented), which are written to <name>.bin; the
expected host, user agent and url come from nDPI's ground truth
(/work/shared/corpus/ndpi/gt/<capture>.flows.tsv) and go to expected.tsv:
  name  capture  flow  host  user_agent  url
Usage: extract.py [corpus_dir]   (run from this directory)
"""
import csv, subprocess, sys

corpus = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/ndpi"
# name, capture, flow number in the gt file
FLOWS = [
    ("1kxun_webview", "1kxun.pcap", "1"),
    ("1kxun_okhttp", "1kxun.pcap", "2"),
    ("curl_google", "http.pcapng", "1"),
    ("lines_split", "http-lines-split.pcap", "1"),
    ("proxy_absolute", "http-proxy.pcapng", "1"),
]
# Extra flows without a gt row of their own (POST bodies): name, capture, tcp stream
STREAMS = [
    ("1kxun_post_pipelined", "1kxun.pcap", "13"),
    ("1kxun_post_rc4gzip", "1kxun.pcap", "38"),
    ("1kxun_post_rayjump", "1kxun.pcap", "96"),
]


def client_bytes(pcap, spec):
    out = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw," + spec],
                         capture_output=True, text=True, check=True).stdout
    data = bytearray()
    started = False
    for line in out.splitlines():
        if line.startswith("Node 1:"):
            started = True
            continue
        if not started or line.startswith("=") or not line or line[0] == "\t":
            continue
        data += bytes.fromhex(line.strip())
    return bytes(data)


rows = []
for name, cap, flow in FLOWS:
    with open(f"{corpus}/gt/{cap}.flows.tsv") as f:
        r = [x for x in csv.DictReader(f, delimiter="\t") if x["flow"] == flow][0]
    spec = f"{r['ip_a']}:{r['port_a']},{r['ip_b']}:{r['port_b']}"
    data = client_bytes(f"{corpus}/pcap/{cap}", spec)
    open(name + ".bin", "wb").write(data)
    rows.append([name, cap, flow, r["hostname_sni"], r["user_agent"], r["url"]])
for name, cap, stream in STREAMS:
    open(name + ".bin", "wb").write(client_bytes(f"{corpus}/pcap/{cap}", stream))
with open("expected.tsv", "w") as f:
    for row in rows:
        f.write("\t".join(row) + "\n")
