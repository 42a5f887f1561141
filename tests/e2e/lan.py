#!/usr/bin/env python3
"""`lan:` and --lan decide network.direction, the device and what is local.

    lan.py OUTFLOW GEN SRCDIR GEOIP_DIR

The generated capture (scenarios/lan_public.scn) has public addresses on
both sides.  Without a LAN every flow is external and the outside peer
that speaks first on UDP is the client; with 203.0.113.0/24 and
2001:db8:1::/48 as the LAN the flows are outbound, internal and inbound,
the laptop is the UDP flow's client, and LAN destinations count as local.
Policy rules on `destination: {local: true}` fire for LAN servers only with
`lan:`.  The same through outflow.yaml; bad prefixes are errors with their
place.
(A reload that adds `lan:` is tested in test_conf_swap.)
"""
import json
import os
import subprocess
import sys
import tempfile

OUTFLOW, GEN, SRC, GEO = sys.argv[1:5]
FAILED = []
LAN = ["--lan", "203.0.113.0/24", "--lan", "2001:db8:1::/48"]
# (source ip, destination ip, destination port) -> direction
WITHOUT = {
    ("203.0.113.10", "198.51.100.7", 443): "external",
    ("2001:db8:1::10", "2001:db8:ffff::7", 443): "external",
    ("198.51.100.20", "203.0.113.10", 40001): "external",
    ("203.0.113.10", "203.0.113.11", 9100): "external",
    ("192.0.2.50", "203.0.113.10", 2222): "external",
}
WITH = {
    ("203.0.113.10", "198.51.100.7", 443): "outbound",
    ("2001:db8:1::10", "2001:db8:ffff::7", 443): "outbound",
    # The laptop is the device: the client, though the peer spoke first.
    ("203.0.113.10", "198.51.100.20", 49154): "outbound",
    ("203.0.113.10", "203.0.113.11", 9100): "internal",
    # The scanner's SYN says who opened the connection.
    ("192.0.2.50", "203.0.113.10", 2222): "inbound",
}


def fail(msg):
    FAILED.append(msg)
    print("FAIL:", msg)


def flows(lines):
    out = {}
    for line in lines:
        e = json.loads(line)
        if e["event"]["dataset"] != "outflow.flow":
            continue
        k = (e["source"]["ip"], e["destination"]["ip"],
             e["destination"]["port"])
        out[k] = e["network"]["direction"]
    return out


def audit(pcap, *extra):
    r = subprocess.run([OUTFLOW, "audit", pcap, "--no-geoip", "-q",
                        "--eve", "-"] + list(extra),
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("audit %s exited %d: %s" % (extra, r.returncode, r.stderr))
        return {}
    return flows(r.stdout.splitlines())


def local_flows(pcap, *extra):
    """Flows the summary counts under the country "local" (GeoIP on)."""
    r = subprocess.run([OUTFLOW, "audit", pcap, "--json", "--geoip-country",
                        os.path.join(GEO, "geoip-test-country.mmdb")]
                       + list(extra), capture_output=True, text=True)
    if r.returncode != 0:
        fail("audit --json exited %d: %s" % (r.returncode, r.stderr))
        return -1
    return sum(c["flows"] for c in json.loads(r.stdout)["countries"]
               if c["name"] == "local")


RULE = """version: 1
ruleset: lan-test
rules:
  - id: lan-test.local
    title: "a flow to a server on the LAN"
    severity: info
    when:
      destination: {local: true}
"""


def local_findings(d, pcap, *extra):
    """Servers of the findings of a rule on `destination: {local: true}`."""
    rule = os.path.join(d, "local-rule.yaml")
    with open(rule, "w") as f:
        f.write(RULE)
    r = subprocess.run([OUTFLOW, "audit", pcap, "--no-geoip", "-q",
                        "--no-policy", "--rules", rule, "--eve", "-"]
                       + list(extra), capture_output=True, text=True)
    if r.returncode != 0:
        fail("audit --rules exited %d: %s" % (r.returncode, r.stderr))
        return []
    return sorted(e["destination"]["ip"] for e in map(json.loads,
                                                       r.stdout.splitlines())
                  if e["event"]["dataset"] == "outflow.finding")


def check(name, got, want):
    if got != want:
        fail("%s: %r, expected %r" % (name, got, want))
    else:
        print("ok: %s" % name)


def main():
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        pcap = os.path.join(d, "lan.pcap")
        subprocess.run([sys.executable, GEN, os.path.join(
            SRC, "tests", "e2e", "scenarios", "lan_public.scn"), "-o", pcap],
            check=True)
        check("no lan: every flow external", audit(pcap), WITHOUT)
        check("--lan: outbound, internal, inbound", audit(pcap, *LAN), WITH)
        conf = os.path.join(d, "outflow.yaml")
        with open(conf, "w") as f:
            f.write("lan: [203.0.113.0/24, \"2001:db8:1::/48\"]\n")
        check("lan: in outflow.yaml", audit(pcap, "--config", conf), WITH)
        # The command line's prefixes replace the file's.
        check("--lan over the file's", audit(pcap, "--config", conf, "--lan",
                                             "10.0.0.0/8"), WITHOUT)
        check("local destinations without lan",
              local_flows(pcap), 0)
        # The printer, and the laptop the scanner reached.
        check("local destinations with lan",
              local_flows(pcap, *LAN), 2)
        # Policy rules see the same: without GeoIP nothing is local but
        # what a configured LAN says.
        check("destination: {local: true} without lan",
              local_findings(d, pcap), [])
        check("destination: {local: true} with lan",
              local_findings(d, pcap, *LAN), ["203.0.113.10", "203.0.113.11"])
        bad = os.path.join(d, "bad.yaml")
        with open(bad, "w") as f:
            f.write("lan:\n  - 203.0.113.1/24\n  - 10.0.0.0/33\n"
                    "  - fe80::/10\n  - lan.example\n")
        r = subprocess.run([OUTFLOW, "check", "--config", bad],
                           capture_output=True, text=True)
        want = [bad + ":2:5: host bits set in 203.0.113.1/24",
                bad + ":3:5: expected a prefix length of 0-32",
                bad + ":5:5: 'lan.example' is not an IPv4 or IPv6 address"]
        missing = [w for w in want if w not in r.stdout]
        if r.returncode == 0 or missing:
            fail("check: exit %d, missing %r in %r" % (r.returncode, missing,
                                                        r.stdout))
        else:
            print("ok: check reports every bad prefix with its place")
        r = subprocess.run([OUTFLOW, "audit", pcap, "--lan", "10.0.0.0/"],
                           capture_output=True, text=True)
        if r.returncode != 2 or "--lan 10.0.0.0/:" not in r.stderr:
            fail("--lan 10.0.0.0/: exit %d: %s" % (r.returncode, r.stderr))
        else:
            print("ok: a bad --lan is a usage error")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
