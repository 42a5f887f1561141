#!/bin/sh
# Live capture: outflow listens on one end of a veth pair this test
# creates, the other end sits in a network namespace of its own, and
# traffic crosses between them (an HTTP request to a server in the root
# namespace, a DNS query).  Nothing leaves the pair.  Needs root (CI runs
# as root) and iproute2; otherwise skipped (exit 77).
#   live.sh OUTFLOW BUILDDIR
set -u
outflow=$1 dir=$2/live
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
command -v ip >/dev/null 2>&1 || { echo "no iproute2: skipped"; exit 77; }

ns="outflow-live-$$"
a=ofl$$a b=ofl$$b
cleanup() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	ip link del "$a" 2>/dev/null
}
trap cleanup EXIT INT TERM
ip netns add "$ns" 2>/dev/null || { echo "cannot create a namespace: skipped"; exit 77; }
# "ip netns exec" needs a mount namespace with / as a mount point (a plain
# chroot has none): without it nothing could enter the namespace.
ip netns exec "$ns" true 2>/dev/null ||
	{ echo "cannot enter a namespace (ip netns exec): skipped"; exit 77; }
ip link add "$a" type veth peer name "$b" || exit 1
ip link set "$b" netns "$ns"
ip addr add 10.231.0.1/30 dev "$a"
ip link set "$a" up
ip netns exec "$ns" ip addr add 10.231.0.2/30 dev "$b"
ip netns exec "$ns" ip link set "$b" up
ip netns exec "$ns" ip link set lo up

python3 -c '
import http.server, socketserver
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
socketserver.TCPServer.allow_reuse_address = True
socketserver.TCPServer(("10.231.0.1", 8080), H).serve_forever()' &
srv=$!

"$outflow" audit -i "$a" --duration 4 --no-geoip --json \
    --eve "$dir/events.json" >"$dir/summary.json" 2>"$dir/log.txt" &
cap=$!
sleep 1.5
ip netns exec "$ns" python3 -c '
import socket, struct, urllib.request
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + \
    b"\x04live\x07outflow\x04test\x00" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(q, ("10.231.0.1", 53))
req = urllib.request.Request("http://10.231.0.1:8080/hello?x=1",
                             headers={"Host": "live.outflow.test",
                                      "User-Agent": "outflow-live-test"})
print(urllib.request.urlopen(req, timeout=3).read())' >"$dir/client.txt" 2>&1
wait "$cap"
rc=$?

fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: outflow exited $rc"; cat "$dir/log.txt"; fail=1; }
python3 - "$dir/summary.json" "$dir/events.json" <<'PY' || fail=1
import json, sys
summary = json.load(open(sys.argv[1]))
events = [json.loads(l) for l in open(sys.argv[2])]
ok = True
if summary["packets"] < 6:
    print("FAIL: only", summary["packets"], "packets captured"); ok = False
hosts = [e.get("destination", {}).get("domain") for e in events
         if e["event"]["dataset"] == "outflow.flow"]
if "live.outflow.test" not in hosts:
    print("FAIL: no flow to live.outflow.test in", hosts); ok = False
if not any(e["event"]["dataset"] == "outflow.http" and
           e.get("user_agent", {}).get("original") == "outflow-live-test"
           for e in events):
    print("FAIL: no HTTP event with the test's User-Agent"); ok = False
if ok:
    print("ok: %d packets, %d events" % (summary["packets"], len(events)))
sys.exit(0 if ok else 1)
PY
exit $fail
