#!/usr/bin/env python3
"""Hold outflow's events to the Elastic Common Schema, field by field.

The schema is ECS's generated ecs_flat.yml (../shared/ecs/ecs_flat.yml
beside the tree by default).  Every event is flattened to dotted names
(arrays of objects such as dns.answers are walked element by element) and
each field outside outflow.* must
  - exist in ECS;
  - hold the JSON type its ECS type implies: a string for keyword, ip
    (a valid address), date (RFC 3339 UTC) and the other text types; an
    integer for long and integer; a number for float, double and
    scaled_float; true/false for boolean; an object for object;
  - be an array exactly when ECS normalizes it to one;
  - take one of ECS's allowed values where ECS lists them (event.kind,
    event.category, event.type, event.outcome, network.direction, ...);
and every event.type must be one that each of the event's categories
expects (ECS's expected_event_types).  Fields ECS marks required
(@timestamp, ecs.version) must be present, ecs.version the schema's.

Checked: the expected events of the end-to-end tests (tests/e2e/expected)
and the events of `outflow audit` over the corpus captures.  --selftest
plants wrong events and checks that each is caught.

Exit 0 when all conform, 1 otherwise, 77 (meson's "skipped") when the
schema file or python3-yaml is absent.
"""
import argparse
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
DATE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$')
STRING_TYPES = {'keyword', 'constant_keyword', 'wildcard', 'match_only_text',
                'text', 'ip', 'date'}


def load_schema(path):
    import yaml
    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    with open(path) as f:
        return yaml.load(f, Loader=loader)


def flatten(obj, prefix, out):
    """(name, value) pairs; arrays of objects are walked element-wise."""
    for k, v in obj.items():
        name = prefix + k
        if name.startswith('outflow.') or name == 'outflow':
            continue
        if isinstance(v, dict):
            # Objects are the dotted path to their leaves, not fields.
            flatten(v, name + '.', out)
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            out.append((name, v))
            for x in v:
                flatten(x, name + '.', out)
        else:
            out.append((name, v))


def type_error(ftype, v):
    if ftype in STRING_TYPES:
        if not isinstance(v, str):
            return f'{ftype} wants a string, got {json.dumps(v)}'
        if ftype == 'ip':
            try:
                ipaddress.ip_address(v)
            except ValueError:
                return f'not an IP address: {v!r}'
        if ftype == 'date' and not DATE.match(v):
            return f'not an RFC 3339 UTC time: {v!r}'
    elif ftype in ('long', 'integer', 'short', 'byte', 'unsigned_long'):
        if isinstance(v, bool) or not isinstance(v, int):
            return f'{ftype} wants an integer, got {json.dumps(v)}'
    elif ftype in ('float', 'double', 'scaled_float', 'half_float'):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return f'{ftype} wants a number, got {json.dumps(v)}'
    elif ftype == 'boolean':
        if not isinstance(v, bool):
            return f'boolean wants true/false, got {json.dumps(v)}'
    elif ftype in ('object', 'nested', 'flattened'):
        if not isinstance(v, dict):
            return f'{ftype} wants an object, got {json.dumps(v)}'
    elif ftype == 'geo_point':
        if not (isinstance(v, dict) and set(v) == {'lat', 'lon'}):
            return f'geo_point wants {{"lat","lon"}}, got {json.dumps(v)}'
    return None


class Checker:
    def __init__(self, schema):
        self.schema = schema
        self.version = None
        self.required = [k for k, f in schema.items() if f.get('required')]
        self.allowed = {k: {a['name'] for a in f['allowed_values']}
                        for k, f in schema.items() if f.get('allowed_values')}
        self.expected_types = {
            a['name']: set(a.get('expected_event_types') or [])
            for a in schema['event.category']['allowed_values']}

    def check(self, ev):
        """A list of problems with one event (empty: it conforms)."""
        errs = []
        pairs = []
        flatten(ev, '', pairs)
        names = {n for n, _ in pairs}
        for req in self.required:
            if req not in names:
                errs.append(f'{req}: required by ECS, missing')
        if self.version is not None and ev.get('ecs', {}).get('version') \
                not in (None, self.version):
            errs.append(f'ecs.version: {ev["ecs"]["version"]!r}, schema '
                        f'is {self.version}')
        for name, v in pairs:
            f = self.schema.get(name)
            if f is None:
                errs.append(f'{name}: not an ECS field')
                continue
            is_array = 'array' in (f.get('normalize') or [])
            if isinstance(v, list):
                if not is_array:
                    errs.append(f'{name}: an array, ECS wants one value')
                    continue
                values = v
            else:
                if is_array and f['type'] != 'object':
                    errs.append(f'{name}: ECS normalizes it to an array')
                values = [v]
            for x in values:
                e = type_error(f['type'], x)
                if e:
                    errs.append(f'{name}: {e}')
                elif name in self.allowed and x not in self.allowed[name]:
                    errs.append(f'{name}: {x!r} is not an allowed value')
        cats = ev.get('event', {}).get('category', [])
        types = ev.get('event', {}).get('type', [])
        if isinstance(cats, list) and isinstance(types, list):
            for c in cats:
                for t in types:
                    if c in self.expected_types and \
                            t not in self.expected_types[c]:
                        errs.append(f'event.type {t!r} is not expected with '
                                    f'event.category {c!r}')
        return errs


def ecs_version_from_tree():
    """EVE_ECS_VERSION from include/eve.h: what the events carry."""
    with open(os.path.join(TOP, 'include', 'eve.h')) as f:
        m = re.search(r'#define EVE_ECS_VERSION "([^"]+)"', f.read())
    return m.group(1) if m else None


def schema_release(schema_path):
    """The release the schema file says it is (README.md beside it)."""
    readme = os.path.join(os.path.dirname(schema_path), 'README.md')
    if not os.path.exists(readme):
        return None
    with open(readme) as f:
        m = re.search(r'release v(\d+\.\d+\.\d+)', f.read())
    return m.group(1) if m else None


def run_outflow(outflow, pcap):
    with tempfile.NamedTemporaryFile(suffix='.json') as tmp:
        subprocess.run([outflow, 'audit', '-q', '--eve', tmp.name, pcap],
                       check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(tmp.name) as f:
            return [json.loads(line) for line in f]


def report(checker, source, events, counts, limit=20):
    bad = 0
    for i, ev in enumerate(events):
        errs = checker.check(ev)
        counts['events'] += 1
        if errs:
            bad += 1
            counts['bad'] += 1
            for e in errs:
                counts.setdefault('problems', {}).setdefault(e.split(':')[0],
                                                             0)
                counts['problems'][e.split(':')[0]] += 1
                if counts.get('printed', 0) < limit:
                    counts['printed'] = counts.get('printed', 0) + 1
                    print(f'{source}:{i + 1}: {e}')
    return bad


PLANTED = [
    ('dns.id as a number', {'dns': {'id': 7}}),
    ('a field ECS does not have', {'source': {'colour': 'red'}}),
    ('vlan id as a number', {'network': {'vlan': {'id': 12}}}),
    ('a bad address', {'source': {'ip': '300.1.1.1'}}),
    ('a port as a string', {'destination': {'port': '443'}}),
    ('event.category not an array', {'event': {'category': 'network'}}),
    ('a type the category does not expect',
     {'event': {'category': ['web'], 'type': ['protocol']}}),
    ('an event.kind ECS does not allow', {'event': {'kind': 'flow'}}),
    ('a boolean as a string', {'tls': {'established': 'true'}}),
    ('a date ECS would not parse', {'event': {'end': '2024-05-06 09:00'}}),
    ('ecs.version missing', None),
    ('an ecs.version other than the schema\'s', {'ecs': {'version': '0.0.1'}}),
    ('an array where ECS wants one value', {'url': {'domain': ['a', 'b']}}),
]


def merge(base, extra):
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            merge(base[k], v)
        else:
            base[k] = v
    return base


def selftest(checker):
    good = {'@timestamp': '2024-05-06T09:00:00.000200Z',
            'ecs': {'version': checker.version or '1.0.0'},
            'event': {'kind': 'event', 'category': ['network'],
                      'type': ['connection', 'end']},
            'source': {'ip': '192.0.2.1', 'port': 1},
            'destination': {'ip': '2001:db8::1', 'port': 443},
            'network': {'transport': 'tcp'},
            'outflow': {'anything': [1, 'two', {'x': None}]}}
    errs = checker.check(good)
    if errs:
        print('selftest: a good event was rejected:', errs)
        return 1
    failed = 0
    for what, extra in PLANTED:
        ev = json.loads(json.dumps(good))
        if extra is None:
            del ev['ecs']
        else:
            merge(ev, extra)
        errs = checker.check(ev)
        print(f'selftest: {what}: ' + ('; '.join(errs) if errs else 'MISSED'))
        failed += not errs
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--outflow')
    ap.add_argument('--schema',
                    default=os.path.join(TOP, '..', 'shared', 'ecs',
                                         'ecs_flat.yml'))
    ap.add_argument('--expected', default=os.path.join(TOP, 'tests', 'e2e',
                                                       'expected'))
    ap.add_argument('--corpus', action='append', default=None)
    ap.add_argument('--events', action='append', default=[],
                    help='a JSON-lines file of events to check (repeatable)')
    ap.add_argument('--ecs-version', default=None,
                    help='the ecs.version events must carry (default: '
                    'EVE_ECS_VERSION in include/eve.h)')
    ap.add_argument('--selftest', action='store_true')
    a = ap.parse_args()
    if not os.path.exists(a.schema):
        print(f'{a.schema} not found: skipped')
        return 77
    try:
        checker = Checker(load_schema(a.schema))
    except ImportError:
        print('python3-yaml not installed: skipped')
        return 77
    checker.version = a.ecs_version or ecs_version_from_tree()
    schema_version = schema_release(a.schema)
    if checker.version is None or (schema_version and
                                   schema_version != checker.version):
        print(f'events say ecs.version {checker.version}, the schema is '
              f'release {schema_version}: update EVE_ECS_VERSION and the '
              f'fields with the schema')
        return 1
    if a.selftest:
        return selftest(checker)

    counts = {'events': 0, 'bad': 0}
    files = list(a.events) + sorted(glob.glob(os.path.join(a.expected,
                                                           '*.json')))
    for path in files:
        with open(path) as f:
            events = [json.loads(line) for line in f if line.strip()]
        report(checker, os.path.relpath(path), events, counts)
    n_files = counts['events']
    pcaps = []
    if a.outflow:
        dirs = a.corpus or [os.path.join(TOP, '..', 'shared', 'corpus',
                                         'ndpi', 'pcap'),
                            os.path.join(TOP, '..', 'cmp', 'pcap')]
        pcaps = sorted(p for d in dirs for p in glob.glob(os.path.join(d, '*'))
                       if p.endswith(('.pcap', '.pcapng', '.cap')))
        for pcap in pcaps:
            report(checker, os.path.basename(pcap),
                   run_outflow(a.outflow, pcap), counts)
    print(f'{n_files} events from {len(files)} files, '
          f'{counts["events"] - n_files} from {len(pcaps)} captures; '
          f'{counts["bad"]} do not conform')
    for what, n in sorted(counts.get('problems', {}).items()):
        print(f'  {n:6d}  {what}')
    return 1 if counts['bad'] else 0


if __name__ == '__main__':
    sys.exit(main())
