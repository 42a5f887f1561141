#!/usr/bin/env python3
"""The store's cost for two or more builds, measured as run.py measures
it: the "personal data, 50 identities" configuration of run.py without
and with --store (a new file each run), CPU time (user + system, the
writer thread included) and wall time, every build and both
configurations in turn in every round, medians.

  python3 bench/store_ab.py --capture synthetic-2000000.pcap \\
      --rounds 11 before/outflow after/outflow

The capture is one run.py made (its work directory keeps it).  On a
shared machine these times move by more than the store costs; the
instruction counts of README.md ("The store's cost") are the steadier
figure.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import run as bench


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--capture', required=True)
    ap.add_argument('--rounds', type=int, default=11)
    ap.add_argument('--geoip-dir', default=os.environ.get(
        'OUTFLOW_GEOIP_DIR', '/usr/local/share/outflow'))
    ap.add_argument('outflow', nargs='+')
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix='outflow-store-ab-')
    bench.RUSAGE = os.path.join(work, 'rusage')
    subprocess.run(['cc', '-O2', '-o', bench.RUSAGE,
                    os.path.join(bench.HERE, 'rusage.c')], check=True)
    geo = ['--no-geoip']
    if os.path.exists(os.path.join(a.geoip_dir, 'asn.mmdb')):
        geo = ['--geoip-country', os.path.join(a.geoip_dir,
                                               'dbip-country.mmdb'),
               '--geoip-asn', os.path.join(a.geoip_dir, 'asn.mmdb')]
    ids = os.path.join(work, 'identities-50.yaml')
    with open(ids, 'w') as f:
        f.write('identities:\n')
        for i in range(50):
            f.write(f'  - label: person{i}\n'
                    f'    phone: ["+1 202 555 {1000 + i:04d}"]\n'
                    f'    email: ["person{i}@example.org"]\n'
                    f'    name: ["Person Number{i}"]\n'
                    f'    imei: ["3569380356{i:05d}"]\n'
                    f'    ad_id: ["38400000-8cf0-11bd-b23e-{i:012x}"]\n'
                    f'    android_id: ["{0x9774d56d682e5400 + i:016x}"]\n'
                    f'    mac: ["3c:22:fb:12:{i // 256:02x}:{i % 256:02x}"]\n'
                    f'    home: {{lat: {38.0 + i / 100:.4f}, lon: -77.0365, '
                    f'radius_m: 500}}\n')
    secret = os.path.join(work, 'hmac.key')
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, os.urandom(32))
    os.close(fd)
    store = os.path.join(work, 'ab.db')
    runs = {}
    for r in range(a.rounds):
        for b in a.outflow:
            for with_store in (False, True):
                for sfx in ('', '-wal', '-shm'):
                    if os.path.exists(store + sfx):
                        os.unlink(store + sfx)
                cmd = [b, 'audit', '-q', '--max-flows', '262144',
                       '--identities', ids, '--secret', secret] + \
                    (['--store', store] if with_store else []) + geo + \
                    [a.capture]
                bench.warm(a.capture)
                runs.setdefault((b, with_store), []).append(bench.run(cmd))
        print(f'round {r + 1} of {a.rounds}', file=sys.stderr, flush=True)
    print('| build | without --store, CPU s | with, CPU s | keeps (CPU) '
          '| without, wall s | with, wall s | keeps (wall) |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for b in a.outflow:
        m = {(w, s): bench.median([x[w] for x in runs[(b, s)]])
             for w in ('cpu', 'wall') for s in (False, True)}
        print(f'| {b} | {m["cpu", False]:.2f} | {m["cpu", True]:.2f} | '
              f'{m["cpu", False] / m["cpu", True]:.1%} | '
              f'{m["wall", False]:.2f} | {m["wall", True]:.2f} | '
              f'{m["wall", False] / m["wall", True]:.1%} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
