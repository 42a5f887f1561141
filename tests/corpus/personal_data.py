#!/usr/bin/env python3
"""Personal-data detectors on real third-party captures.

- 1kxun.pcap: an Android video app whose ad SDKs send an Android ID and a
  Google advertising ID in plain HTTP query strings.  Both must be observed,
  on flows to the SDKs' domains.
- every other capture: ordinary traffic with nothing planted; at most one
  flow in 1,000 may get a structural observation.  Each one found is
  printed so it can be explained.
Exit 0 on success, 1 on failure, 77 (skipped) without the corpus.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def audit(outflow, pcap):
    with tempfile.NamedTemporaryFile(suffix='.json') as tmp:
        subprocess.run([outflow, 'audit', '-q', '--eve', tmp.name,
                        '--no-dns-events', '--no-http-events', pcap],
                       check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(tmp.name) as f:
            return [json.loads(line) for line in f]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--outflow', required=True)
    ap.add_argument('--corpus', default=os.path.join(
        os.path.dirname(__file__), '..', '..', '..', 'shared', 'corpus',
        'ndpi', 'pcap'))
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print('corpus not found: skipped')
        return 77
    ok = True

    ev = audit(a.outflow, os.path.join(a.corpus, '1kxun.pcap'))
    obs = [e for e in ev if e['event']['dataset'] == 'outflow.observation']
    cats = collections.defaultdict(set)
    for e in obs:
        o = e['outflow']['observation']
        cats[o['category']].add(e['destination'].get('domain', '?'))
    print('1kxun.pcap observations:')
    for c, doms in sorted(cats.items()):
        print(f'  {c:<24} {", ".join(sorted(doms))}')
    for need in ('device_id.android_id', 'ad_id'):
        if need not in cats:
            print(f'FAIL: 1kxun.pcap: no {need} observation')
            ok = False

    flows = with_obs = 0
    for name in sorted(os.listdir(a.corpus)):
        if name == '1kxun.pcap':
            continue
        for e in audit(a.outflow, os.path.join(a.corpus, name)):
            ds = e['event']['dataset']
            if ds == 'outflow.flow':
                flows += 1
                if e.get('outflow', {}).get('data', {}).get('observations'):
                    with_obs += 1
            elif ds == 'outflow.observation':
                o = e['outflow']['observation']
                print(f'  {name}: {o["category"]} in {o["where"]} '
                      f'{o["location"]} ({o["encoding"]}) to '
                      f'{e["destination"].get("domain", e["destination"]["ip"])}'
                      f' masked {o["masked"]}')
    rate = with_obs / flows if flows else 0
    print(f'other captures: {with_obs} of {flows} flows with an observation '
          f'({rate:.3%}; limit 0.1%)')
    if rate > 0.001:
        ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
