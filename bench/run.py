#!/usr/bin/env python3
"""outflow benchmark: packets/s, Gbit/s, CPU seconds and peak RSS of
`outflow audit` side by side with a bare libpcap read loop (the floor),
tcpdump and ndpiReader, on the same files, in one run.

Captures:
  synthetic  outflow-gen --bench: TLS, QUIC-looking UDP, DNS, HTTP and bulk
             TCP over --flows concurrent flows (default 100,000)
  real       the captures in ../shared/corpus/ndpi/pcap merged and replicated
             with distinct addresses (skipped when the corpus is absent)

Each tool runs --repeat times per capture; the best (least CPU) run is
reported.  CPU and peak RSS come from the kernel (wait4 rusage), read by
bench/rusage.c, a small launcher that keeps Python's memory out of them.
Usage: bench/run.py --outflow build/daemon/outflow [--packets 2000000]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


RUSAGE = None


def run(cmd):
    """CPU seconds and peak RSS of cmd, measured by bench/rusage.c."""
    t0 = time.monotonic()
    out = subprocess.run([RUSAGE] + cmd, capture_output=True, text=True,
                         check=True).stdout.split()
    wall = time.monotonic() - t0
    if int(out[3]) != 0:
        raise RuntimeError(f'{cmd[0]} exited {out[3]}')
    return {'wall': wall, 'cpu': float(out[0]) + float(out[1]),
            'rss_mib': int(out[2]) / 1024.0}


def capture_size(path, floor):
    out = subprocess.run([floor, path], capture_output=True, text=True,
                         check=True).stdout
    packets = int(out.split()[0])
    return packets, os.path.getsize(path)


def linktype(path):
    """Link type of a pcap or pcapng file (first interface), or None."""
    import struct
    with open(path, 'rb') as f:
        head = f.read(64)
    if len(head) < 24:
        return None
    magic = head[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        return struct.unpack('<I', head[20:24])[0]
    if magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        return struct.unpack('>I', head[20:24])[0]
    if magic == b'\x0a\x0d\x0d\x0a':
        bo = '<' if head[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
        shb_len = struct.unpack(bo + 'I', head[4:8])[0]
        with open(path, 'rb') as f:
            f.seek(shb_len)
            idb = f.read(10)
        if len(idb) == 10 and struct.unpack(bo + 'I', idb[:4])[0] == 1:
            return struct.unpack(bo + 'H', idb[8:10])[0]
    return None


def warm(path):
    """Read the capture once, so every run finds it in the page cache (a
    machine that reclaims cold pages would otherwise time the disk)."""
    buf = bytearray(1 << 20)
    with open(path, 'rb', buffering=0) as f:
        while f.readinto(buf):
            pass


def best_of_rounds(tools, path, repeat):
    """Each tool's best run.  Rounds take every tool in turn, so a slow
    spell of a shared machine falls on all of them rather than on one."""
    runs = {name: [] for name, _ in tools}
    failed = {}
    for _ in range(repeat):
        for name, cmd in tools:
            if name in failed:
                continue
            warm(path)
            try:
                runs[name].append(run(cmd(path)))
            except (RuntimeError, OSError) as e:
                failed[name] = e
    return {name: min(runs[name], key=lambda r: r['cpu'])
            for name, _ in tools if name not in failed}, failed, runs


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return (xs[n // 2] + xs[(n - 1) // 2]) / 2 if n else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--outflow', required=True)
    ap.add_argument('--packets', type=int, default=2_000_000)
    ap.add_argument('--flows', type=int, default=100_000)
    ap.add_argument('--real-copies', type=int, default=0,
                    help='replications of the corpus (0: enough for ~3M packets)')
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--workdir', default=None)
    ap.add_argument('--corpus', default=os.path.join(TOP, '..', 'shared',
                                                      'corpus', 'ndpi', 'pcap'))
    ap.add_argument('--geoip-dir', default=None,
                    help='directory with dbip-country.mmdb and asn.mmdb')
    ap.add_argument('--skip-peers', action='store_true')
    a = ap.parse_args()

    work = a.workdir or tempfile.mkdtemp(prefix='outflow-bench-')
    os.makedirs(work, exist_ok=True)
    floor = os.path.join(work, 'pcap_floor')
    subprocess.run(['cc', '-O2', '-o', floor, os.path.join(HERE, 'pcap_floor.c'),
                    '-lpcap'], check=True)
    global RUSAGE
    RUSAGE = os.path.join(work, 'rusage')
    subprocess.run(['cc', '-O2', '-o', RUSAGE, os.path.join(HERE, 'rusage.c')],
                   check=True)
    gen = os.path.join(TOP, 'tests', 'gen', 'outflow-gen')

    captures = []
    synth = os.path.join(work, f'synthetic-{a.packets}.pcap')
    if not os.path.exists(synth):
        print(f'generating {a.packets} packets over {a.flows} flows ...',
              file=sys.stderr)
        subprocess.run([sys.executable, gen, '--bench', str(a.packets),
                        '--flows', str(a.flows), '-o', synth], check=True)
    captures.append(('synthetic', synth))
    if os.path.isdir(a.corpus):
        # One output file holds one link type: the Ethernet captures (most).
        ins = sorted(os.path.join(a.corpus, f) for f in os.listdir(a.corpus)
                     if linktype(os.path.join(a.corpus, f)) == 1)
        copies = a.real_copies
        if copies == 0:
            n = sum(capture_size(f, floor)[0] for f in ins)
            copies = max(1, 3_000_000 // max(n, 1) + 1)
        real = os.path.join(work, f'real-x{copies}.pcap')
        if not os.path.exists(real):
            print(f'replicating the corpus {copies} times ...', file=sys.stderr)
            subprocess.run([sys.executable, gen, '--replicate', str(copies)]
                           + ins + ['-o', real], check=True)
        captures.append(('real', real))

    geo = []
    gdir = a.geoip_dir or os.environ.get('OUTFLOW_GEOIP_DIR') or \
        '/usr/local/share/outflow'
    if os.path.exists(os.path.join(gdir, 'asn.mmdb')):
        geo = ['--geoip-country', os.path.join(gdir, 'dbip-country.mmdb'),
               '--geoip-asn', os.path.join(gdir, 'asn.mmdb')]

    # 50 households' worth of known values for the detector row.
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
    if not os.path.exists(secret):
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(32))
        os.close(fd)

    tools = [
        ('libpcap floor', lambda f: [floor, f]),
        ('outflow audit (core)', lambda f: [a.outflow, 'audit', '-q',
                                            '--no-geoip', '--no-apps',
                                            '--no-personal-data',
                                            '--max-flows', '262144', f]),
    ]
    nogeo = geo if geo else ['--no-geoip']
    tools.append(('outflow audit (+geoip+apps)' if geo else
                  'outflow audit (+apps)',
                  lambda f: [a.outflow, 'audit', '-q', '--no-personal-data',
                             '--max-flows', '262144'] + nogeo + [f]))
    tools.append(('outflow audit (+personal data, 50 identities)',
                  lambda f: [a.outflow, 'audit', '-q', '--max-flows', '262144',
                             '--identities', ids, '--secret', secret]
                  + nogeo + [f]))
    # Policy rules: none, the shipped packs (on in every run above), and
    # the shipped packs plus 1,000 generated ones (bench/gen_rules.py).
    rules = os.path.join(work, 'rules-1000.yaml')
    subprocess.run([sys.executable, os.path.join(TOP, 'bench', 'gen_rules.py'),
                    '1000', rules], check=True)
    tools.append(('outflow audit (+personal data, no policy)',
                  lambda f: [a.outflow, 'audit', '-q', '--max-flows', '262144',
                             '--identities', ids, '--secret', secret,
                             '--no-policy'] + nogeo + [f]))
    tools.append(('outflow audit (+personal data, +1000 rules)',
                  lambda f: [a.outflow, 'audit', '-q', '--max-flows', '262144',
                             '--identities', ids, '--secret', secret,
                             '--rules', rules] + nogeo + [f]))
    tools.append(('outflow audit (all) --eve',
                  lambda f: [a.outflow, 'audit', '-q', '--max-flows', '262144',
                             '--identities', ids, '--secret', secret,
                             '--eve', '/dev/null'] + nogeo + [f]))
    # The full pipeline, events written, with the 1,000 rules on top.
    tools.append(('outflow audit (all) --eve, +1000 rules',
                  lambda f: [a.outflow, 'audit', '-q', '--max-flows', '262144',
                             '--identities', ids, '--secret', secret,
                             '--rules', rules, '--eve', '/dev/null'] + nogeo
                  + [f]))
    # The same run writing the SQLite store, each time into a new file.
    store = os.path.join(work, 'bench-store.db')

    def fresh_store():
        for sfx in ('', '-wal', '-shm'):
            if os.path.exists(store + sfx):
                os.unlink(store + sfx)
        return store
    tools.append(('outflow audit (+personal data) --store',
                  lambda f: [a.outflow, 'audit', '-q', '--max-flows', '262144',
                             '--identities', ids, '--secret', secret,
                             '--store', fresh_store()] + nogeo + [f]))
    tools.append(('outflow audit (core), 131072 flows: RSS',
                  lambda f: [a.outflow, 'audit', '-q', '--no-geoip',
                             '--no-apps', '--no-personal-data', f]))
    if not a.skip_peers:
        if shutil.which('tcpdump'):
            tools.append(('tcpdump -w /dev/null',
                          lambda f: ['tcpdump', '-nr', f, '-w', '/dev/null']))
        if shutil.which('ndpiReader'):
            tools.append(('ndpiReader', lambda f: ['ndpiReader', '-q', '-i', f]))

    for label, path in captures:
        packets, size = capture_size(path, floor)
        print(f'\n### {label}: {packets:,} packets, {size / 1e6:.1f} MB '
              f'({os.path.basename(path)})\n')
        print('| tool | Mpkt/s | Gbit/s | CPU s | peak RSS MiB | vs floor | vs ndpiReader |')
        print('|---|---:|---:|---:|---:|---:|---:|')
        bests, failed, runs = best_of_rounds(tools, path, a.repeat)
        for name, e in failed.items():
            print(f'| {name} | failed: {e} | | | | | |')
        results = [(name, bests[name]) for name, _ in tools if name in bests]
        rate = {n: packets / r['cpu'] if r['cpu'] > 0 else 0 for n, r in results}
        floor_rate = rate.get('libpcap floor', 0)
        ndpi_rate = rate.get('ndpiReader', 0)
        for name, r in results:
            pps = rate[name]
            gbps = size * 8 / r['cpu'] / 1e9 if r['cpu'] > 0 else 0
            vf = f'{pps / floor_rate:.0%}' if floor_rate else '-'
            vn = f'{pps / ndpi_rate:.1f}x' if ndpi_rate else '-'
            print(f'| {name} | {pps / 1e6:.2f} | {gbps:.2f} | {r["cpu"]:.2f} | '
                  f'{r["rss_mib"]:.1f} | {vf} | {vn} |')
        core = rate.get('outflow audit (core)', 0)
        if core:
            print()
            for name in rate:
                if name.startswith('outflow audit (+'):
                    print(f'- {name[len("outflow audit "):]} keeps '
                          f'{rate[name] / core:.0%} of the core rate')
        # The rules' cost: medians of the rounds against the same run
        # with no policy at all.
        base = 'outflow audit (+personal data, no policy)'
        for name in ('outflow audit (+personal data, 50 identities)',
                     'outflow audit (+personal data, +1000 rules)'):
            if runs.get(base) and runs.get(name) and name not in failed:
                b = median([r['cpu'] for r in runs[base]])
                w = median([r['cpu'] for r in runs[name]])
                what = ('the shipped policy' if '50 identities' in name else
                        'the shipped policy and 1,000 more rules')
                print(f'- with {what}, the pipeline keeps {b / w:.0%} of its '
                      f'rate without policy rules (CPU time, median of '
                      f'{len(runs[name])}: {packets / w / 1e6:.2f} vs '
                      f'{packets / b / 1e6:.2f} Mpkt/s)')
        # The 1,000 rules against the pipeline they are added to: the
        # shipped policy, then everything with events written.
        for base, name, what in (
                ('outflow audit (+personal data, 50 identities)',
                 'outflow audit (+personal data, +1000 rules)',
                 'the pipeline with the shipped policy'),
                ('outflow audit (all) --eve',
                 'outflow audit (all) --eve, +1000 rules',
                 'the full pipeline (events written)')):
            if runs.get(base) and runs.get(name) and name not in failed:
                b = median([r['cpu'] for r in runs[base]])
                w = median([r['cpu'] for r in runs[name]])
                print(f'- 1,000 more rules: {what} keeps {b / w:.0%} of its '
                      f'rate (CPU time, median of {len(runs[name])}: '
                      f'{packets / w / 1e6:.2f} vs {packets / b / 1e6:.2f} '
                      f'Mpkt/s)')
        # The store's cost: medians of the rounds, against the same run
        # without it; wall time too, since the writer has its own thread.
        base, st = ('outflow audit (+personal data, 50 identities)',
                    'outflow audit (+personal data) --store')
        if runs.get(base) and runs.get(st) and st not in failed:
            for what in ('cpu', 'wall'):
                b = median([r[what] for r in runs[base]])
                w = median([r[what] for r in runs[st]])
                print(f'- --store keeps {b / w:.0%} of the packet rate of '
                      f'the same run without it ({what} time, median of '
                      f'{len(runs[st])}: {packets / w / 1e6:.2f} vs '
                      f'{packets / b / 1e6:.2f} Mpkt/s)')
            print(f'- the store after one run: '
                  f'{os.path.getsize(store) / 1e6:.1f} MB')
        sys.stdout.flush()
    print('\nRates are packets / CPU seconds (user + system) of one process,'
          ' single thread; best of', a.repeat, 'rounds, each running every'
          ' tool in turn.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
