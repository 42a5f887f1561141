#!/usr/bin/env python3
"""Hold outflow's reading of generated link types and tunnels to tshark's.

For each scenario given, the generator writes a capture; tshark and
`outflow audit` read it, and this checks, on the innermost headers:
  - the flows: every TCP/UDP 5-tuple tshark sees inside the encapsulation
    is one outflow flow, and outflow reports no other (the outer GRE,
    VXLAN or Geneve datagrams are not flows);
  - the TLS and QUIC server names and HTTP Host headers tshark reads on a
    5-tuple are the ones outflow's flow event carries (TLS inside an HTTP
    CONNECT or SOCKS tunnel included);
  - the name a proxy was asked for (the CONNECT target, the SOCKS4a or
    SOCKS5 domain) is outflow's outflow.proxy.target; a CONNECT's Host
    header is the proxy's business, not an HTTP Host;
  - no packet fails to decode (no parse error counter is non-zero), and
    the 802.11 frames tshark sees as protected are those outflow counts
    as other.wlan_protected.
Exit 0 when all agree, 1 otherwise, 77 (meson's "skipped") without tshark.

  tshark_agreement.py OUTFLOW GEN WORKDIR SCENARIO...
"""
import json
import os
import shutil
import subprocess
import sys

FIELDS = ['frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
          'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport',
          'tls.handshake.extensions_server_name', 'http.host',
          'wlan.fc.protected', 'http.request.method', 'http.request.uri',
          'socks.remote_name', 'socks.v4a_dns_name', 'gquic.tag.sni']


def connect_name(uri):
    """The host of a CONNECT authority when it is a name, else None."""
    host = uri.rsplit(':', 1)[0]
    if host.startswith('[') or all(c.isdigit() or c == '.' for c in host):
        return None
    return host


def innermost(protocols, names):
    """The last of names in the frame's protocol stack, or None."""
    layers = protocols.split(':')
    for name in reversed(layers):
        if name in names:
            return name
    return None


def flow_key(proto, a, ap, b, bp):
    ends = sorted([(a, int(ap)), (b, int(bp))])
    return (proto,) + tuple(ends)


def read_tshark(pcap):
    cmd = ['tshark', '-n', '-r', pcap, '-T', 'fields', '-E', 'separator=/t',
           '-E', 'occurrence=l', '-o', 'tcp.desegment_tcp_streams:TRUE',
           '-o', 'tls.desegment_ssl_records:TRUE']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    flows, names, hosts, targets, protected = set(), {}, {}, {}, 0
    for line in out.splitlines():
        row = dict(zip(FIELDS, line.split('\t')))
        if row.get('wlan.fc.protected') in ('1', 'True'):
            protected += 1
        net = innermost(row['frame.protocols'], ('ip', 'ipv6'))
        l4 = innermost(row['frame.protocols'], ('tcp', 'udp'))
        if net is None or l4 is None:
            continue
        src, dst = row[net + '.src'], row[net + '.dst']
        sport, dport = row[l4 + '.srcport'], row[l4 + '.dstport']
        if not (src and dst and sport and dport):
            continue
        k = flow_key(l4, src, sport, dst, dport)
        flows.add(k)
        # A TLS SNI, or the SNI tag of a gQUIC CHLO (Q043, Q046, Q050).
        for f in ('tls.handshake.extensions_server_name', 'gquic.tag.sni'):
            if row[f]:
                names[k] = row[f]
        if row['http.request.method'] == 'CONNECT':
            name = connect_name(row['http.request.uri'])
            if name:
                targets[k] = name
        elif row['http.host']:
            hosts[k] = row['http.host']
        for f in ('socks.remote_name', 'socks.v4a_dns_name'):
            if row.get(f):
                targets.setdefault(k, row[f])
    return flows, names, hosts, targets, protected


def read_outflow(outflow, pcap, eve):
    summary = subprocess.run(
        [outflow, 'audit', '--json', '--no-geoip', '--eve', eve, pcap],
        check=True, capture_output=True, text=True).stdout
    flows, names, hosts, targets = set(), {}, {}, {}
    with open(eve) as f:
        for line in f:
            e = json.loads(line)
            if e['event']['dataset'] != 'outflow.flow':
                continue
            s, d = e['source'], e['destination']
            k = flow_key(e['network']['transport'], s['ip'], s['port'],
                         d['ip'], d['port'])
            flows.add(k)
            sni = e.get('tls', {}).get('client', {}).get('server_name')
            if sni is not None:
                names[k] = sni
            host = e.get('outflow', {}).get('http', {}).get('host')
            if host is not None:
                hosts[k] = host
            target = e.get('outflow', {}).get('proxy', {}).get('target')
            if target is not None:
                targets[k] = target
    return flows, names, hosts, targets, json.loads(summary)


def check(outflow, gen, workdir, scenario):
    name = os.path.basename(scenario).rsplit('.', 1)[0]
    pcap = os.path.join(workdir, name + '.tshark.pcap')
    subprocess.run([sys.executable, gen, scenario, '-o', pcap], check=True)
    t_flows, t_names, t_hosts, t_targets, t_protected = read_tshark(pcap)
    o_flows, o_names, o_hosts, o_targets, summary = read_outflow(
        outflow, pcap, os.path.join(workdir, name + '.tshark.json'))
    problems = []
    if not t_flows:
        problems.append('tshark found no flow')
    for k in sorted(t_flows - o_flows):
        problems.append('flow %s seen by tshark, not by outflow' % (k,))
    for k in sorted(o_flows - t_flows):
        problems.append('flow %s reported by outflow, not seen by tshark'
                        % (k,))
    for what, t, o in (('server name', t_names, o_names),
                       ('HTTP Host', t_hosts, o_hosts),
                       ('proxy target', t_targets, o_targets)):
        for k in sorted(set(t) | set(o)):
            if t.get(k) != o.get(k):
                problems.append('%s on %s: tshark %r, outflow %r'
                                % (what, k, t.get(k), o.get(k)))
    decode = summary['decode']
    errors = {k: v for k, v in decode.items()
              if v and k != 'ok' and not k.startswith('other.')}
    if errors:
        problems.append('decode errors: %s' % errors)
    if decode.get('other.wlan_protected', 0) != t_protected:
        problems.append('protected 802.11 frames: tshark %d, outflow %d'
                        % (t_protected, decode.get('other.wlan_protected', 0)))
    for p in problems:
        print('%s: %s' % (name, p))
    print('%s: %d flows, %d server names, %d hosts, %d proxy targets: %s'
          % (name, len(t_flows), len(t_names), len(t_hosts), len(t_targets),
             'FAIL' if problems else 'agree'))
    return not problems


def main(argv):
    if len(argv) < 5:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    if shutil.which('tshark') is None:
        print('tshark not installed: skipped')
        return 77
    outflow, gen, workdir = argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    ok = all([check(outflow, gen, workdir, s) for s in argv[4:]])
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
