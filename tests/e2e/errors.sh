#!/bin/sh
# Bad inputs get a clear message and the right exit code:
#   - a file that is not a capture, an empty file, a missing file: exit 1;
#   - a link type outflow cannot decode: exit 1, message names it;
#   - a capture cut off mid-packet: the packets before the cut are used,
#     the message says how many, exit 0;
#   - packets cut short by snaplen or malformed: counted by reason, exit 0;
#   - records with caplen > len: counted as an anomaly, used, exit 0;
#   - an output that cannot be written in full (disk full): exit 1;
#   - a rule pack that cannot be found: exit 1, message names it and
#     the option turning its stage off;
#   - a number outside its option's range: exit 2, message names both;
#   - `outflow lookup` shows a bad argument escaped and cut short.
#   errors.sh OUTFLOW GEN BUILDDIR
set -u
outflow=$1 gen=$2 dir=$3/errors
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
fail=0

# expect NAME EXIT PATTERN -- command...: run, check exit code and stderr.
expect() {
	name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$dir/$name.out" 2>"$dir/$name.err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL $name: exit $got, expected $want"; cat "$dir/$name.err"; fail=1
	elif ! grep -qE -e "$pattern" "$dir/$name.err" "$dir/$name.out"; then
		echo "FAIL $name: output lacks /$pattern/"; cat "$dir/$name.err"; fail=1
	else
		echo "ok   $name"
	fi
}

head -c 4096 /dev/urandom >"$dir/garbage.bin"
printf 'not a capture at all\n' >"$dir/text.pcap"
: >"$dir/empty.pcap"
python3 "$gen" "$here/scenarios/framing_ethernet.scn" -o "$dir/good.pcap"
size=$(wc -c <"$dir/good.pcap")
head -c $((size - 7)) "$dir/good.pcap" >"$dir/cut.pcap"
# A classic pcap header with link type 147 (USER0), then one packet.
python3 - "$dir/user0.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
    f.write(struct.pack("<IIII", 1, 0, 4, 4) + b"abcd")
PY

# Records claiming more bytes captured than were on the wire (caplen >
# len): the first two of good.pcap, their original length cut to 20.
python3 - "$dir/good.pcap" "$dir/caplen.pcap" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
e = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off = 24
for _ in range(2):
    incl, = struct.unpack_from(e + "I", b, off + 8)
    struct.pack_into(e + "I", b, off + 12, 20)
    off += 16 + incl
open(sys.argv[2], "wb").write(b)
PY

expect garbage 1 "cannot read capture" -- "$outflow" audit "$dir/garbage.bin"
expect text 1 "cannot read capture" -- "$outflow" audit "$dir/text.pcap"
expect empty 1 "cannot read capture" -- "$outflow" audit "$dir/empty.pcap"
expect missing 1 "No such file" -- "$outflow" audit "$dir/does-not-exist.pcap"
expect linktype 1 "unsupported link type 147" -- "$outflow" audit "$dir/user0.pcap"
expect truncated_file 0 "packets read before the error" -- "$outflow" audit "$dir/cut.pcap"
expect one_bad_of_two 1 "cannot read capture" -- "$outflow" audit "$dir/good.pcap" "$dir/garbage.bin"
expect usage 2 "usage" -- "$outflow" audit
expect bad_number 2 '--max-flows: invalid number "x" \(1-16777216\)' -- "$outflow" audit --max-flows x "$dir/good.pcap"
# Numbers outside an option's stated range are errors, never clamped.
expect range_flows 2 '--max-flows: 67108864 is out of range \(1-16777216\)' -- \
    "$outflow" audit --max-flows 67108864 "$dir/good.pcap"
expect range_zero 2 '--max-flows: 0 is out of range' -- \
    "$outflow" audit --max-flows 0 "$dir/good.pcap"
expect range_window 2 '--stream-window: 16777217 is out of range \(1-16777216\)' -- \
    "$outflow" audit --stream-window 16777217 "$dir/good.pcap"
expect range_body 2 '--max-body: 99999999 is out of range' -- \
    "$outflow" audit --max-body 99999999 "$dir/good.pcap"
expect range_dns 2 '--dns-cache: 16777217 is out of range' -- \
    "$outflow" audit --dns-cache 16777217 "$dir/good.pcap"
expect range_memory 2 '--stream-memory: 65537 is out of range' -- \
    "$outflow" audit --stream-memory 65537 "$dir/good.pcap"
expect range_top 2 '--top: 0 is out of range' -- "$outflow" audit --top 0 "$dir/good.pcap"
expect range_max_ok 0 'Busiest' -- "$outflow" audit --max-flows 16777216 \
    --dns-cache 16777216 "$dir/good.pcap"
expect caplen_over_len 0 'capture.caplen_over_len +2 \(tolerated' -- \
    "$outflow" audit "$dir/caplen.pcap"
expect caplen_over_len_json 0 '"anomalies":\{"capture.caplen_over_len":2\}' -- \
    "$outflow" audit --json "$dir/caplen.pcap"

# An output that loses data (a full disk) fails the run, naming it.
if [ -w /dev/full ]; then
	expect eve_full 1 '--eve /dev/full: events were lost: No space left' -- \
	    "$outflow" audit -q --eve /dev/full "$dir/good.pcap"
	expect summary_full 1 'summary: output was lost: No space left' -- \
	    sh -c '"$0" audit "$1" >/dev/full' "$outflow" "$dir/good.pcap"
	expect summary_json_full 1 'summary: output was lost' -- \
	    sh -c '"$0" audit --json "$1" >/dev/full' "$outflow" "$dir/good.pcap"
	expect eve_stdout_full 1 '--eve -: events were lost' -- \
	    sh -c '"$0" audit -q --eve - "$1" >/dev/full' "$outflow" "$dir/good.pcap"
fi

# A rule pack a stage needs and cannot find is an error naming the file
# and the option that turns the stage off, not a stage silently off.
top=$(cd "$here/../.." && pwd)
mkdir -p "$dir/norules"
expect rules_dir_missing 1 '--rules-dir /nonexistent: no readable jurisdictions.yaml' -- \
    "$outflow" audit --rules-dir /nonexistent "$dir/good.pcap"
expect rules_dir_apps 1 '--rules-dir .*norules: no readable apps.yaml .*--no-apps' -- \
    "$outflow" audit --rules-dir "$dir/norules" \
    --jurisdictions "$top/rules/jurisdictions.yaml" "$dir/good.pcap"
expect rules_dir_pii 1 'no readable personal_data.yaml .*--no-personal-data' -- \
    "$outflow" audit --rules-dir "$dir/norules" --no-apps \
    --identities "$dir/none.yaml" --jurisdictions "$top/rules/jurisdictions.yaml" \
    "$dir/good.pcap"
expect rules_dir_policy 1 'no readable policy/ folder \(--no-policy' -- \
    "$outflow" audit --rules-dir "$dir/norules" --no-apps --no-personal-data \
    --jurisdictions "$top/rules/jurisdictions.yaml" "$dir/good.pcap"
expect rules_dir_off 0 'Busiest' -- "$outflow" audit --rules-dir "$dir/norules" \
    --no-apps --no-personal-data --no-policy \
    --jurisdictions "$top/rules/jurisdictions.yaml" "$dir/good.pcap"

# lookup names a bad argument escaped and cut: no ESC reaches the
# terminal, and 70 KB of it make one short line.
esc=$(printf '\033')
expect lookup_escaped 1 'lookup: "a\\x1b\[31mb\\\\" is not an IPv4' -- \
    "$outflow" lookup "a${esc}[31mb\\"
long=$(head -c 70000 /dev/zero | tr '\0' '\033')
expect lookup_long 1 '"(\\x1b){64}"\.\.\. \(70000 bytes\) is not an IPv4' -- \
    "$outflow" lookup "$long"
for f in lookup_escaped lookup_long; do
	if grep -q "$esc" "$dir/$f.err" || [ "$(wc -c <"$dir/$f.err")" -gt 600 ]; then
		echo "FAIL $f: raw ESC or a long message"; fail=1
	fi
done
exit $fail
