#!/usr/bin/env python3
"""Real captures replayed live: the server names `outflow run` sees on a
veth must be those `outflow audit` finds offline in the same files.

Every capture of the corpus (../shared/corpus/ndpi/pcap) is replayed with
tcpreplay at --pps (20,000 by default) into one end of a veth pair whose
other end `outflow run -i` captures on, each end in a network namespace
of its own.  tcpreplay sends the bytes as they are, so captures of other
link types (raw IP, Linux cooked v1/v2, BSD loopback) are first given an
Ethernet header here (the IP packet unchanged); frames that carry no IP
in such files are left out, and a file whose frames cannot be given one
is skipped and said.  Checked:
  - the TLS and QUIC server names of the live flow events, keyed by
    5-tuple, are at least --min (0.95) of those `outflow audit` finds in
    the original files;
  - SIGTERM ends the daemon with exit 0 within 10 s.
Prints the figures.  Exit 77 (meson's "skipped") when not root, or when
iproute2, tcpreplay or the corpus is missing.
"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

ETH_HEADER = bytes.fromhex('020000000002' '020000000001')
RAW_LINKTYPES = {12, 14, 101, 228, 229}
ETHERTYPE_IPV4, ETHERTYPE_IPV6 = 0x0800, 0x86dd


def read_pcap(path):
    """(link type, [(ts_sec, ts_usec, frame, orig_len)]) of a classic pcap
    or a pcapng file with one link type; None if it is neither."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1',
                 b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if magic[0] in (0xd4, 0x4d) else '>'
        nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
        link = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
        out, off = [], 24
        while off + 16 <= len(data):
            sec, frac, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
            out.append((sec, frac // 1000 if nano else frac,
                        data[off + 16:off + 16 + incl], orig))
            off += 16 + incl
        return link, out
    if magic != b'\x0a\x0d\x0d\x0a':
        return None
    e = '<' if data[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
    links, resol, out, off = [], [], [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(e + 'II', data[off:off + 8])
        if blen < 12:
            return None
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            links.append(struct.unpack(e + 'H', body[:2])[0])
            resol.append(_if_tsresol(body[8:], e))
        elif btype == 6:
            ifid, hi, lo, incl, orig = struct.unpack(e + 'IIIII', body[:20])
            units = resol[ifid] if ifid < len(resol) else 10 ** 6
            ts = (hi << 32 | lo) * 10 ** 6 // units
            out.append((ts // 10 ** 6, ts % 10 ** 6, body[20:20 + incl], orig))
        elif btype == 3:
            orig = struct.unpack(e + 'I', body[:4])[0]
            out.append((0, 0, body[4:4 + orig], orig))
        off += blen
    if len(set(links)) != 1:
        return None
    return links[0], out


def _if_tsresol(opts, e):
    off = 0
    while off + 4 <= len(opts):
        code, olen = struct.unpack(e + 'HH', opts[off:off + 4])
        if code == 0:
            break
        if code == 9 and olen >= 1:
            v = opts[off + 4]
            return 2 ** (v & 0x7f) if v & 0x80 else 10 ** v
        off += 4 + (olen + 3) // 4 * 4
    return 10 ** 6


def ip_ethertype(packet):
    if packet and packet[0] >> 4 == 4:
        return ETHERTYPE_IPV4
    if packet and packet[0] >> 4 == 6:
        return ETHERTYPE_IPV6
    return None


def to_ethernet(link, frame):
    """The frame as Ethernet, the IP packet as it was; None if no IP."""
    if link in RAW_LINKTYPES:
        payload, etype = frame, ip_ethertype(frame)
    elif link == 0:   # BSD loopback: the address family, host order
        payload = frame[4:]
        etype = ip_ethertype(payload)
    elif link == 113 and len(frame) >= 16:   # Linux cooked v1
        payload, etype = frame[16:], struct.unpack('>H', frame[14:16])[0]
    elif link == 276 and len(frame) >= 20:   # Linux cooked v2
        payload, etype = frame[20:], struct.unpack('>H', frame[0:2])[0]
    else:
        return None
    if etype not in (ETHERTYPE_IPV4, ETHERTYPE_IPV6, 0x8100):
        return None
    return ETH_HEADER + struct.pack('>H', etype) + payload


def write_ethernet(path, link, packets):
    kept = 0
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for sec, usec, frame, orig in packets:
            eth = to_ethernet(link, frame)
            if eth is None:
                continue
            grown = len(eth) - len(frame)
            f.write(struct.pack('<IIII', sec, usec, len(eth), orig + grown))
            f.write(eth)
            kept += 1
    return kept


def names(path):
    """{(client, port, server, port, transport): server name} of the flow
    events of an event file (final and interim alike)."""
    out = {}
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if e['event']['dataset'] != 'outflow.flow':
                continue
            sni = e.get('tls', {}).get('client', {}).get('server_name')
            if sni is None:
                continue
            s, d = e['source'], e['destination']
            out[(s['ip'], s.get('port'), d['ip'], d.get('port'),
                 e['network']['transport'])] = sni
    return out


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--outflow', required=True)
    ap.add_argument('--corpus', default=None)
    ap.add_argument('--pps', type=int, default=20000)
    ap.add_argument('--min', type=float, default=0.95)
    a = ap.parse_args()
    corpus = a.corpus or os.path.join(os.path.dirname(__file__), '..', '..',
                                      '..', 'shared', 'corpus', 'ndpi')
    pdir = os.path.join(corpus, 'pcap')
    if not os.path.isdir(pdir):
        print('corpus not found: skipped')
        return 77
    if os.getuid() != 0:
        print('not root: skipped')
        return 77
    for tool in ('ip', 'tcpreplay'):
        if shutil.which(tool) is None:
            print('no %s: skipped' % tool)
            return 77
    try:
        import pwd
        pwd.getpwnam('nobody')
    except KeyError:
        print('no user nobody: skipped')
        return 77
    outflow = os.path.abspath(a.outflow)
    tmp = tempfile.mkdtemp()
    os.chmod(tmp, 0o755)
    cap, tx = 'olr-cap-%d' % os.getpid(), 'olr-tx-%d' % os.getpid()
    va, vb = 'olr%da' % os.getpid(), 'olr%db' % os.getpid()
    daemon = None
    try:
        if subprocess.run(['ip', 'netns', 'add', cap],
                          stderr=subprocess.DEVNULL).returncode != 0:
            print('cannot create a namespace: skipped')
            return 77
        sh('ip', 'netns', 'add', tx)
        if subprocess.run(['ip', 'netns', 'exec', cap, 'true'],
                          stderr=subprocess.DEVNULL).returncode != 0:
            print('cannot enter a namespace: skipped')
            return 77
        sh('ip', 'netns', 'exec', cap, 'ip', 'link', 'add', va, 'type',
           'veth', 'peer', 'name', vb, 'netns', tx)
        for ns, dev in ((cap, va), (tx, vb)):
            sh('ip', 'netns', 'exec', ns, 'sysctl', '-qw',
               'net.ipv6.conf.%s.disable_ipv6=1' % dev)
            # Captures taken on hosts hold frames the NIC coalesced (TSO,
            # GRO) well above 1500 bytes: the veth takes what it can.
            sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', dev, 'mtu',
               '65535')
            sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', dev, 'up')

        originals, replayed, skipped, converted = [], [], [], []
        packets = 0
        for name in sorted(os.listdir(pdir)):
            path = os.path.join(pdir, name)
            parsed = read_pcap(path)
            if parsed is None:
                skipped.append((name, 'not one link type'))
                continue
            link, pk = parsed
            if link == 1:
                originals.append(path)
                replayed.append(path)
                packets += len(pk)
                continue
            out = os.path.join(tmp, name + '.eth.pcap')
            kept = write_ethernet(out, link, pk)
            if kept == 0:
                skipped.append((name, 'link type %d: no IP frame' % link))
                continue
            originals.append(path)
            replayed.append(out)
            converted.append('%s (link type %d, %d of %d frames)'
                             % (name, link, kept, len(pk)))
            packets += kept

        offline = os.path.join(tmp, 'offline.json')
        subprocess.run([outflow, 'audit', '-q', '--no-geoip', '--eve',
                        offline] + originals, check=True)

        conf = os.path.join(tmp, 'outflow.yaml')
        live = os.path.join(tmp, 'log', 'events.json')
        os.mkdir(os.path.join(tmp, 'log'))
        shutil.chown(os.path.join(tmp, 'log'), 'nobody')
        with open(conf, 'w') as f:
            f.write('user: nobody\nsecret: %s/log/hmac.key\n'
                    'capture:\n  interfaces: [%s]\n  buffer_size_mib: 64\n'
                    'geoip:\n  enabled: false\n'
                    'events:\n  file: %s\n  stats_interval: 0\n'
                    % (tmp, va, live))
        os.chmod(conf, 0o644)
        log = open(os.path.join(tmp, 'log.txt'), 'w+')
        daemon = subprocess.Popen(['ip', 'netns', 'exec', cap, outflow, 'run',
                                   '--config', conf], stderr=log)
        # Ready once it says it dropped privileges (captures open by then).
        ready = False
        for _ in range(100):
            if daemon.poll() is not None:
                break
            log.seek(0)
            if 'running as nobody' in log.read():
                ready = True
                break
            time.sleep(0.1)
        if not ready:
            log.seek(0)
            print('FAIL: outflow did not start\n' + log.read())
            return 1

        # One tcpreplay a file: a file it cannot read to the end (a
        # fuzzed frame length) stops there and is said, not the others.
        t0 = time.monotonic()
        sent = failed = 0
        cut = []
        for path in replayed:
            rp = subprocess.run(['ip', 'netns', 'exec', tx, 'tcpreplay',
                                 '-q', '-K', '-i', vb, '--pps=%d' % a.pps,
                                 path], capture_output=True, text=True)
            for line in rp.stdout.splitlines():
                w = line.split()
                if line.startswith('Actual:'):
                    sent += int(w[1])
                elif 'Failed packets:' in line:
                    failed += int(w[-1])
            if rp.returncode != 0 or 'ERROR' in rp.stderr:
                cut.append('%s (%s)' % (os.path.basename(path),
                                        rp.stderr.strip().splitlines()[-1]
                                        if rp.stderr.strip() else
                                        'exit %d' % rp.returncode))
        replay_s = time.monotonic() - t0
        time.sleep(0.5)
        t0 = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        try:
            rc = daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print('FAIL: still running 10 s after SIGTERM')
            return 1
        stop_ms = (time.monotonic() - t0) * 1000
        daemon = None

        log.seek(0)
        drops = [l for l in log.read().splitlines() if 'statistics (final)' in l]
        off, got = names(offline), names(live)
        hit = sum(1 for k, v in off.items() if got.get(k) == v)
        kinds = {}
        for k, v in off.items():
            t = kinds.setdefault(k[4], [0, 0])
            t[0] += 1
            t[1] += got.get(k) == v
        share = hit / len(off) if off else 0
        print('replayed %d files (%d packets, %d sent, %d failed) at %d '
              'packets/s in %.1f s' % (len(replayed), packets, sent, failed,
                                       a.pps, replay_s))
        for c in converted:
            print('  given an Ethernet header: ' + c)
        for c in cut:
            print('  tcpreplay stopped early: ' + c)
        for n, why in skipped:
            print('  skipped: %s (%s)' % (n, why))
        print('server names: %d of %d found offline are live (%.1f%%); '
              'by transport %s; %d live in all; distinct names %d of %d'
              % (hit, len(off), 100 * share,
                 {t: '%d/%d' % (v[1], v[0]) for t, v in kinds.items()},
                 len(got), len(set(got.values()) & set(off.values())),
                 len(set(off.values()))))
        missing = sorted(set(off.items()) - set(got.items()))
        for k, v in missing[:20]:
            print('  missing live: %s %s' % (v, k))
        print('SIGTERM: exit %d after %.0f ms' % (rc, stop_ms))
        for l in drops:
            print(l)
        ok = rc == 0 and off and share >= a.min
        if not ok:
            print('FAIL: exit %d, %.1f%% of the server names (at least '
                  '%.0f%% wanted)' % (rc, 100 * share, 100 * a.min))
        return 0 if ok else 1
    finally:
        if daemon is not None:
            daemon.kill()
            daemon.wait()
        subprocess.run(['ip', 'netns', 'del', cap], stderr=subprocess.DEVNULL)
        subprocess.run(['ip', 'netns', 'del', tx], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
