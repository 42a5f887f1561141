#!/usr/bin/env python3
"""Write N policy rules for the benchmark (bench/run.py --rules N).

The rules look like an admin's: each narrows to something (apps, data
categories, networks or services, sometimes two alternatives) and says
where or how (a vendor's or a server's jurisdiction, countries and
groups, traffic thresholds, a confidence), one in five with a "but not"
exception; one in fifty adds an alternative naming a device vendor's MAC
prefix ("... or any device of this vendor"; the index holds it under the
prefix, as it does device names).  The names come from the shipped
packs, so every rule is valid and many match the benchmark's traffic.

usage: gen_rules.py N OUT.yaml
"""
import os
import random
import sys

import yaml

# Vendor prefixes (Apple, Samsung, Xiaomi, Huawei, Google).
OUIS = ['f0:18:98', '8c:f5:a3', '64:09:80', '00:e0:fc', '3c:5a:b4']
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(1000)
    with open(os.path.join(TOP, 'rules', 'apps.yaml')) as f:
        apps = yaml.safe_load(f)['apps']
    with open(os.path.join(TOP, 'rules', 'jurisdictions.yaml')) as f:
        # BaseLoader: NO is Norway, not false.
        jur = yaml.load(f, Loader=yaml.BaseLoader)
    with open(os.path.join(TOP, 'rules', 'permissions.yaml')) as f:
        cats = list(yaml.safe_load(f)['permissions'])
    ids = [a['id'] for a in apps]
    domains = [d for a in apps for d in a.get('domains', [])]
    groups = list(jur['groups'])
    countries = sorted({c for g in jur['groups'].values()
                        for c in g['countries']})
    asns = [a for o in jur['operators'] for a in o['asns']]

    # What narrows a rule to some flows: an app, a category, a network,
    # a service.
    def specific():
        k = rnd.randrange(4)
        if k == 0:
            return {'app': rnd.sample(ids, rnd.randint(1, 4))}
        if k == 1:
            return {'data': rnd.sample(cats, rnd.randint(1, 3))}
        if k == 2:
            return {'destination': {'asn': rnd.sample(asns, rnd.randint(1, 5))}}
        return {'destination': {'domain': rnd.sample(domains,
                                                     rnd.randint(1, 3))}}

    # What says where or how: true of many flows.
    def broad():
        k = rnd.randrange(5)
        if k == 0:
            return {'app': {'jurisdiction': rnd.choice(groups + countries),
                            'kind': rnd.choice(['app', 'sdk', 'os'])}}
        if k == 1:
            return {'jurisdiction': {'group': rnd.choice(groups),
                                     'by': rnd.sample(['location', 'operator',
                                                       'vendor'],
                                                      rnd.randint(1, 3))}}
        if k == 2:
            return {'destination': {'country': rnd.sample(countries,
                                                          rnd.randint(1, 4))}}
        if k == 3:
            return {'traffic': {'encrypted': rnd.choice([True, False]),
                                'sent_at_least': rnd.choice(['1KB', '100KB',
                                                             '10MB'])}}
        return {'data': {'category': rnd.choice(cats),
                         'min_confidence': rnd.choice([50, 80, 90])}}

    def cond():
        kids = [specific()] + [broad() for _ in range(rnd.randint(1, 2))]
        r = rnd.random()
        if r < 0.2:
            # Two alternatives for the specific part.
            kids[0] = {'any': [specific(), specific()]}
        elif r < 0.4:
            # An exception, as admins write them: "... but not X".
            kids.append({'not': rnd.choice([specific(), broad()])})
        return {'all': kids}

    rules = []
    for i in range(n):
        when = cond()
        if i % 50 == 0:
            # An alternative on the device: "or any device of this
            # vendor" (real OUIs the benchmark's generated devices do
            # not carry).
            when = {'any': [when, {'device': {'mac': [OUIS[i // 50 % len(OUIS)]]}}]}
        rules.append({'id': f'bench.r{i}',
                      'title': '{app} on {device} sent {data} to {operator} '
                               '({jurisdiction})',
                      'severity': rnd.choice(['info', 'low', 'medium', 'high']),
                      'when': when})
    with open(out, 'w') as f:
        yaml.safe_dump({'version': 1, 'ruleset': 'bench', 'rules': rules}, f,
                       default_flow_style=None, sort_keys=False, width=1000)


if __name__ == '__main__':
    main()
