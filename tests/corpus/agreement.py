#!/usr/bin/env python3
"""Compare outflow's view of real third-party captures with tshark's.

For every capture in the corpus (../shared/corpus/ndpi by default) this
runs `outflow audit --eve` and checks, against tshark's per-packet view in
gt/<capture>.tshark.tsv:
  - TLS server names: for every TCP 4-tuple where tshark saw a ClientHello
    SNI, outflow's flow event must carry the same tls.client.server_name;
  - QUIC server names: the same over UDP 4-tuples (tshark decrypts
    QUIC Initials);
  - DNS: every response tshark decoded must appear as an outflow.dns event
    with the same 4-tuple and question name.
Exit 0 when each agreement rate reaches --min (default 0.99), 1 otherwise,
77 (meson's "skipped") when the corpus is absent.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile


def tuple_key(src, sport, dst, dport):
    return (src, int(sport), dst, int(dport))


def read_tshark(path):
    tls, quic, dns = {}, {}, collections.Counter()
    with open(path, newline='') as f:
        for row in csv.DictReader(f, delimiter='\t'):
            src = row['ip_src'] or row['ip6_src']
            dst = row['ip_dst'] or row['ip6_dst']
            if not src or not dst:
                continue
            # tshark joins tunnelled (outer,inner) values with commas: skip
            if ',' in src or ',' in dst:
                continue
            if row['tls_sni'] and row['tcp_sport']:
                tls.setdefault(tuple_key(src, row['tcp_sport'], dst,
                                         row['tcp_dport']), row['tls_sni'])
            elif row['tls_sni'] and row['udp_sport'] and row['quic_version']:
                quic.setdefault(tuple_key(src, row['udp_sport'], dst,
                                          row['udp_dport']), row['tls_sni'])
            if row['dns_qname'] and row['dns_is_response'] == '1':
                sport = row['udp_sport'] or row['tcp_sport']
                dport = row['udp_dport'] or row['tcp_dport']
                if not sport or ',' in row['dns_qname']:
                    continue
                # the response goes server -> client; key on the client side
                dns[(dst, int(dport), src, int(sport),
                     row['dns_qname'].lower())] += 1
    return tls, quic, dns


def run_outflow(outflow, pcap):
    with tempfile.NamedTemporaryFile(suffix='.json') as tmp:
        subprocess.run([outflow, 'audit', '-q', '--eve', tmp.name, pcap],
                       check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(tmp.name) as f:
            events = [json.loads(line) for line in f]
    names, dns = {}, collections.Counter()
    for e in events:
        ds = e['event']['dataset']
        s, d = e['source'], e['destination']
        k = tuple_key(s['ip'], s['port'], d['ip'], d['port'])
        if ds == 'outflow.flow':
            sni = e.get('tls', {}).get('client', {}).get('server_name')
            if sni is not None:
                names[k] = sni
                # captures that start mid-flow: tshark may see either side
                names[tuple_key(d['ip'], d['port'], s['ip'], s['port'])] = sni
        elif ds == 'outflow.dns':
            q = e.get('dns', {}).get('question', {}).get('name')
            if q is not None:
                dns[k + (q.lower(),)] += 1
                dns[tuple_key(d['ip'], d['port'], s['ip'], s['port'])
                    + (q.lower(),)] += 1
    return names, dns


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--outflow', required=True)
    ap.add_argument('--corpus', default=None)
    ap.add_argument('--min', type=float, default=0.99)
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    corpus = a.corpus or os.path.join(os.path.dirname(__file__), '..', '..',
                                      '..', 'shared', 'corpus', 'ndpi')
    pdir, gdir = os.path.join(corpus, 'pcap'), os.path.join(corpus, 'gt')
    if not os.path.isdir(pdir) or not os.path.isdir(gdir):
        print('corpus not found: skipped')
        return 77
    tot = collections.Counter()
    for name in sorted(os.listdir(pdir)):
        gt = os.path.join(gdir, name + '.tshark.tsv')
        if not os.path.exists(gt):
            continue
        tls, quic, tdns = read_tshark(gt)
        names, odns = run_outflow(a.outflow, os.path.join(pdir, name))
        for kind, table in (('tls', tls), ('quic', quic)):
            for k, sni in table.items():
                tot[kind] += 1
                if names.get(k) == sni:
                    tot[kind + '_ok'] += 1
                elif a.verbose:
                    print(f'{name}: {kind} {k}: tshark {sni!r} outflow '
                          f'{names.get(k)!r}')
        for k, n in tdns.items():
            tot['dns'] += n
            got = min(n, odns.get(k, 0))
            tot['dns_ok'] += got
            if got < n and a.verbose:
                print(f'{name}: dns {k}: tshark {n} outflow {got}')
    ok = True
    print(f'{"what":<22}{"agree":>8}{"total":>8}{"rate":>9}')
    for kind, label in (('tls', 'TLS server names'),
                        ('quic', 'QUIC server names'),
                        ('dns', 'DNS answers')):
        n, good = tot[kind], tot[kind + '_ok']
        rate = good / n if n else 1.0
        print(f'{label:<22}{good:>8}{n:>8}{rate:>9.2%}')
        if rate < a.min:
            ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
