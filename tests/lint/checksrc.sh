#!/bin/sh
# Mechanical checks on the C sources (STYLE.md, convention 24):
#   - banned libc calls: sprintf vsprintf strcpy strcat gets strtok alloca
#   - C++ comments
#   - <pcap.h>, <maxminddb.h>, <yaml.h>, <zlib.h>, <libpsl.h>, <sqlite3.h>,
#     <openssl/*.h>, <systemd/sd-daemon.h> outside
#     their one file, and OpenSSL types in public headers
#   - raw packet indexing helpers outside cursor.h (ntohs/ntohl on packet
#     memory and casts to wire structs such as struct ip / tcphdr)
# Prints every offending line; exits 1 if there is any.
set -u
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top"
fail=0
files=$(ls daemon/*/*.c daemon/*/*.h include/*.h tests/unit/*.c tests/fuzz/*.c \
    tests/support/*.c tests/support/*.h 2>/dev/null)

report() {
	echo "$1" | sed '/^$/d' | while IFS= read -r l; do
		echo "checksrc: $2: $l"
	done
	[ -n "$1" ] && fail=1
}

# String literals are stripped before looking, so messages may name
# things.  Each file is stripped once, into a mirror tree, and each check
# is one grep over the mirror: a loaded machine still runs this quickly.
stripped=$(mktemp -d)
trap 'rm -rf "$stripped"' EXIT
for f in $files; do
	mkdir -p "$stripped/$(dirname "$f")"
	sed 's/"\([^"\\]\|\\.\)*"/""/g' "$f" >"$stripped/$f"
done

check() {
	pattern=$1 why=$2
	shift 2
	out=$(cd "$stripped" && grep -nE "$pattern" /dev/null "$@")
	if [ -n "$out" ]; then
		echo "$out" | sed "s|^|checksrc: $why: |"
		fail=1
	fi
}

# shellcheck disable=SC2086
check '(^|[^_a-z])(sprintf|vsprintf|strcpy|strcat|gets|strtok|alloca)[[:space:]]*\(' \
    "banned function" $files
# shellcheck disable=SC2086
check '(^|[^:"])//' "C++ comment" $files
# shellcheck disable=SC2086
check 'struct (ip|ip6_hdr|tcphdr|udphdr|ether_header)[[:space:]]*\*' \
    "wire struct cast" $(ls daemon/*/*.c)
# shellcheck disable=SC2086
check '(ntohs|ntohl)[[:space:]]*\(' "use cursor.h getters" $(ls daemon/*/*.c)

one_file() {
	hdr=$1 owner=$2
	out=$(grep -l "#include <$hdr>" daemon/*/*.c daemon/*/*.h include/*.h 2>/dev/null | grep -v "^$owner$")
	if [ -n "$out" ]; then
		echo "checksrc: <$hdr> belongs in $owner only: $out"
		fail=1
	fi
}
one_file 'pcap/pcap.h' daemon/core/capture.c
one_file 'pcap.h' daemon/core/capture.c
one_file 'maxminddb.h' daemon/enrich/geoip.c
one_file 'yaml.h' daemon/util/yaml_doc.c
one_file 'zlib.h' daemon/proto/proto_http.c
one_file 'libpsl.h' daemon/util/domain.c
one_file 'sqlite3.h' daemon/store/store_sql.c
one_file 'systemd/sd-daemon.h' daemon/service/notify.c

# Every OpenSSL header, whatever its name, belongs to crypto.c.  Tests may
# use OpenSSL to compute reference values.
out=$(grep -l '#include <openssl/' daemon/*/*.c daemon/*/*.h include/*.h 2>/dev/null |
    grep -v '^daemon/util/crypto.c$')
if [ -n "$out" ]; then
	echo "checksrc: <openssl/*.h> belongs in daemon/util/crypto.c only: $out"
	fail=1
fi
# No OpenSSL type in a public header, even without its include (comment
# lines may name them).
out=$(grep -nE '(^|[^_A-Za-z0-9])(EVP_[A-Z0-9_]+|OSSL_[A-Z0-9_]+|(SHA|SHA256|SHA512|MD5|HMAC)_CTX|X509[A-Z0-9_]*|BIO|ASN1_[A-Z0-9_]+)([^_A-Za-z0-9]|$)' \
    include/*.h | grep -vE '^[^:]*:[0-9]+:[[:space:]]*/?\*')
if [ -n "$out" ]; then
	echo "$out" | sed 's|^|checksrc: OpenSSL type in a public header: |'
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	echo "checksrc: FAILED"
	exit 1
fi
echo "checksrc: $(echo "$files" | wc -w) files clean"
