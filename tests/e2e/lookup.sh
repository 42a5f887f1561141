#!/bin/sh
# `outflow lookup` answers as flow events do: through enrich_flow(), so a
# country code "ZZ" (unknown) is printed as GeoIP has it but is no
# jurisdiction and has no groups, while a real one has both, and the
# operator's pack entry is named.
#   lookup.sh OUTFLOW BUILDDIR
set -u
outflow=$1 dir=$2/lookup
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$dir"
fail=0

# 192.0.2/24 is US, 198.51.100/24 is ZZ, both announced by AS45102.
printf '198.51.100.0,198.51.100.255,ZZ\n192.0.2.0,192.0.2.255,US\n' >"$dir/cc.csv"
printf '192.0.2.0,198.51.100.255,45102,"Alibaba (US) Technology Co., Ltd."\n' >"$dir/asn.csv"
python3 "$top/tools/mmdb-write" --columns start,end,country_code \
    --database-type "country ipv4" --build-epoch 1 -o "$dir/cc.mmdb" \
    "$dir/cc.csv" >/dev/null || exit 1
python3 "$top/tools/mmdb-write" --columns \
    start,end,autonomous_system_number:uint32,autonomous_system_organization \
    --database-type GeoLite2-ASN --build-epoch 1 -o "$dir/asn.mmdb" \
    "$dir/asn.csv" >/dev/null || exit 1
jur="$top/rules/jurisdictions.yaml"
"$outflow" lookup --json --geoip-country "$dir/cc.mmdb" \
    --geoip-asn "$dir/asn.mmdb" --jurisdictions "$jur" \
    198.51.100.7 192.0.2.1 10.1.2.3 >"$dir/out.json" || fail=1

python3 - "$dir/out.json" "$jur" <<'PY' || fail=1
import json, sys
zz, us, local = [json.loads(l) for l in open(sys.argv[1])]
jur = sys.argv[2]
ok = True
def want(cond, what):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok &= cond
want(zz["destination"]["geo"]["country_iso_code"] == "ZZ", "ZZ kept as GeoIP has it")
want(zz["outflow"]["jurisdiction"] == {"operator": "CN"}, "ZZ is no location jurisdiction")
want("country_groups" not in zz["outflow"], "ZZ has no country groups")
want(us["outflow"]["jurisdiction"] == {"location": "US", "operator": "CN"}, "US location, CN operator")
want("five_eyes" in us["outflow"].get("country_groups", []), "US groups")
op = us["outflow"].get("operator", {})
want(op.get("name") == "Alibaba" and op.get("rule", {}).get("file") == jur
     and op["rule"].get("line", 0) > 0, "operator and its pack entry")
want(local == {"destination": {"ip": "10.1.2.3"}, "outflow": {"destination_local": True}}, "local address")
sys.exit(0 if ok else 1)
PY
exit $fail
