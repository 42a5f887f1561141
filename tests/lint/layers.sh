#!/bin/sh
# Layering lint: data flows one way through daemon/'s stage folders
# (docs/architecture.md, "Rules the lint enforces").
#
#   - A file in daemon/S/, and a header of stage S in include/, may include
#     only headers of stages ranked at or below S.
#   - include/X.h belongs to the stage whose folder holds X.c (or, for the
#     app-layer parsers, proto_X.c).  A header with no .c anywhere is a
#     shared type header (pkt.h, record.h, addr.h, ...): any stage may
#     include it, and it may include only shared or util headers.
#   - A stage-private header daemon/S/X.h may be included only by files in
#     daemon/S/ (tests/ and bench/ are not checked and may reach it).
#
# Known violations being removed are listed in layers-allow.txt, one
# "FILE HEADER  # reason" per line; they are printed as allowed.  An entry
# that no longer matches a violation is an error, so the list stays exact.
#
# Usage: layers.sh [-a ALLOWLIST] [TOP]
# Prints each violation as "layers: FILE:LINE: includes X.h (...)" and
# exits 1 if there is any.
set -u

# The stages, lowest first: a stage may include the headers of the stages
# before it, never of those after.  This is the one place the order lives;
# stages not yet written (policy, store, report) are ranked
# already so that their folders take their place when they appear.
STAGES="util core proto enrich detect policy pipeline output store report service cmd"

allow=$(dirname "$0")/layers-allow.txt
while getopts a: opt; do
	case $opt in
	a) allow=$OPTARG ;;
	*) echo "usage: layers.sh [-a ALLOWLIST] [TOP]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $allow in
/*) ;;
*) allow=$(pwd)/$allow ;;
esac
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2
[ -r "$allow" ] || allow=/dev/null

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

fail=0
# The files to look at.  Folders end in "/"; a glob that matches nothing
# stays a pattern with a "*" in it and is dropped by awk.
printf '%s\n' daemon/*/ daemon/*/*.c daemon/*/*.h include/*.h >"$tmp/files"

# Every include, as "FILE LINE NAME".  Quoted names are reduced to their
# last component; angle-bracket names are kept whole so that <sys/log.h>
# is not taken for log.h.
grep -vF '*' "$tmp/files" | grep -v '/$' | tr '\n' '\0' |
    xargs -0 grep -nHE \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">]+[">]' /dev/null |
    sed -E 's|^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*/)?([^"]+)".*|\1 \2 \4|;
	    s|^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*<([^>]+)>.*|\1 \2 \3|' \
    >"$tmp/includes"

awk -v stages="$STAGES" -v allowfile="$allow" '
BEGIN {
	n = split(stages, st, " ")
	for (i = 1; i <= n; i++)
		rank[st[i]] = i
	while ((getline line < allowfile) > 0) {
		reason = ""
		if ((c = index(line, "#")) > 0) {
			reason = substr(line, c)
			line = substr(line, 1, c - 1)
		}
		if (split(line, f, " ") < 2)
			continue
		key = f[1] " " f[2]
		allowed[key] = reason
		order[++nallow] = key
	}
}

# First input: the file list.  Build the header table: kind[NAME] is
# "pub" (include/, owned by the stage owner[NAME]), "shared" (include/,
# no .c anywhere) or "priv" (daemon/owner[NAME]/).
NR == FNR {
	if ($0 ~ /\*/)
		next
	np = split($0, p, "/")
	if ($0 ~ /^daemon\/[^\/]+\/$/) {
		if (!(p[2] in rank)) {
			print "layers: " $0 ": stage folder not ranked in" \
			    " STAGES (tests/lint/layers.sh)"
			bad = 1
		}
	} else if ($0 ~ /^daemon\/.*\.c$/) {
		x = p[np]; sub(/\.c$/, "", x)
		if (x in cstage && cstage[x] != p[2])
			dup[x] = dup[x] " " p[2]
		else
			cstage[x] = p[2]
		if (x ~ /^proto_/) {
			sub(/^proto_/, "", x)
			pstage[x] = p[2]
		}
	} else if ($0 ~ /^daemon\/.*\.h$/) {
		kind[p[np]] = "priv"
		owner[p[np]] = p[2]
	} else if ($0 ~ /^include\//) {
		pub[p[np]] = 1
	}
	next
}

FNR == 1 {
	for (h in pub) {
		x = h; sub(/\.h$/, "", x)
		if (x in dup) {
			print "layers: include/" h ": " x ".c is in more than" \
			    " one stage: " cstage[x] dup[x]
			bad = 1
		}
		if (x in cstage) {
			kind[h] = "pub"; owner[h] = cstage[x]
		} else if (x in pstage) {
			kind[h] = "pub"; owner[h] = pstage[x]
		} else {
			kind[h] = "shared"; owner[h] = "shared"
		}
	}
}

# Second input: the includes.
{
	file = $1; line = $2; hdr = $3
	if (!(hdr in kind))
		next	# system, third-party or generated header
	# The including file: its stage, and the highest rank it may include.
	# Shared type headers rank with util.
	if (file ~ /^daemon\//) {
		split(file, p, "/")
		s = p[2]
	} else {
		b = file; sub(/^include\//, "", b)
		s = owner[b]
	}
	max = (s == "shared") ? rank["util"] : rank[s]
	why = ""
	if (kind[hdr] == "priv") {
		if (s != owner[hdr] || file !~ /^daemon\//)
			why = "private to daemon/" owner[hdr] "/"
	} else if (kind[hdr] == "pub" && rank[owner[hdr]] > max) {
		why = "stage " owner[hdr] ", above " s
	}
	if (why == "")
		next
	msg = file ":" line ": includes " hdr " (" why ")"
	key = file " " hdr
	if (key in allowed) {
		print "layers: allowed: " msg "  " allowed[key]
		used[key] = 1
	} else {
		print "layers: " msg
		bad = 1
	}
}

END {
	for (i = 1; i <= nallow; i++)
		if (!(order[i] in used)) {
			print "layers: stale allowlist entry \"" order[i] \
			    "\": no such violation any more; remove the line"
			bad = 1
		}
	exit bad
}
' "$tmp/files" "$tmp/includes" || fail=1

if [ "$fail" -ne 0 ]; then
	echo "layers: FAILED"
	exit 1
fi
echo "layers: $(grep -cv -e '/$' -e '\*' "$tmp/files") files follow the stage order"
