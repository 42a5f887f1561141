#!/usr/bin/env python3
"""outflow report end to end, from stores that outflow audit --store built
over generated captures of two ISO weeks (week48.scn, week49.scn).

  report_test.py golden OUTFLOW GEN OUTDIR TESTGEO   compare with expected/
  report_test.py update OUTFLOW GEN OUTDIR TESTGEO   rewrite expected/
  report_test.py render OUTFLOW GEN OUTDIR TESTGEO   headless Chromium
  report_test.py mail OUTFLOW GEN OUTDIR TESTGEO     --mail, fake commands

golden: Markdown, JSON and both CSVs byte-compared with expected/ (the
GeoIP file paths, which name the build directory, read @TESTGEO@); the
HTML parsed with html.parser and checked for scripts, external resources,
event handlers and the hostile server names as text; two stores merged.
render: screenshots at 390 and 1280 px kept in OUTDIR, checked non-blank,
and the headline found in the DOM; skipped (77) without Chromium.
mail: --mail with report.mail naming fake mail commands that record their
arguments, environment and standard input: the Markdown arrives whole,
the report file is written whether the command succeeds, fails, is killed
or cannot be started, and each failure is said and exits 1.
"""
import csv
import html.parser
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
WEEK = "2026-W49"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>',
           "=cmd|calc!A0"]
FORMATS = {"md": "report.md", "json": "report.json", "csv": "findings.csv",
           "csv-aggregates": "aggregates.csv"}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors="replace"))
        raise SystemExit(f"{cmd[0]} {cmd[1]} exited {r.returncode}")
    return r


def fixed_key(out):
    """A fixed evidence key, so the stored hashes match on every machine."""
    key = os.path.join(out, "test-hmac.key")
    if not os.path.exists(key):
        tmp = f"{key}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, b"outflow-report-test-key-32bytes!")
        os.close(fd)
        os.replace(tmp, key)
    return key


def build_store(outflow, gen, out, geo, name, weeks):
    db = os.path.join(out, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    for w in weeks:
        pcap = os.path.join(out, f"week{w}.pcap")
        if not os.path.exists(pcap):
            run([sys.executable, gen, os.path.join(HERE, f"week{w}.scn"),
                 "-o", pcap])
        run([outflow, "audit", "-q", "--rules-dir", os.path.join(TOP, "rules"),
             "--secret", fixed_key(out),
             "--geoip-country", os.path.join(geo, "geoip-test-country.mmdb"),
             "--geoip-asn", os.path.join(geo, "geoip-test-asn.mmdb"),
             "--store", db, pcap], env=dict(os.environ, TZ="UTC"))
    return db


def report(outflow, stores, fmt, path=None):
    cmd = [outflow, "report", "--week", WEEK, "--format", fmt]
    for s in stores:
        cmd += ["--store", s]
    if path:
        run(cmd + ["-o", path])
        with open(path, "rb") as f:
            return f.read()
    return run(cmd).stdout


class Page(html.parser.HTMLParser):
    """Collects tags, attributes and text; checks nesting."""
    VOID = {"meta", "br", "rect", "path", "img", "link", "input", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.attrs, self.text = [], set(), [], []
        self.errors, self.headline, self._in_h1 = [], "", False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag == "h1":
            self._in_h1 = True
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self._in_h1:
            self.headline += data


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main",
                "header", "p", "h1", "h2", "h3", "div", "b", "span", "section",
                "table", "thead", "tbody", "tr", "th", "td", "small", "article",
                "ul", "li", "br", "svg", "text", "rect", "path", "footer"}


def check_html(raw, where, require=True):
    text = raw.decode("utf-8")
    low = text.lower()
    for bad in ("<script", "src=http", "url(", "<link", "<iframe", "<img",
                "@import", "javascript:", "href="):
        if bad in low:
            fail(f"{where}: contains {bad!r}")
    p = Page()
    p.feed(text)
    p.close()
    if p.errors:
        fail(f"{where}: not well-formed: {p.errors[:3]}")
    if p.stack:
        fail(f"{where}: unclosed {p.stack}")
    if not low.startswith("<!doctype html>"):
        fail(f"{where}: no doctype")
    extra = p.tags - ALLOWED_TAGS
    if extra:
        fail(f"{where}: unexpected tags {sorted(extra)}")
    for tag, k, v in p.attrs:
        if k.startswith("on") or k in ("src", "href", "srcset", "action"):
            fail(f"{where}: attribute {k} on <{tag}>")
    body = "".join(p.text)
    for h in HOSTILE if require else []:
        if h not in body:
            fail(f"{where}: hostile name {h!r} not shown as text")
    return p


def check_escaped(data, where, require=True):
    """Markdown: the hostile strings only backslash-escaped."""
    text = data.decode("utf-8")
    if re.search(r"(?<!\\)<", text):
        fail(f"{where}: a < that is not escaped")
    for want in ("\\<script\\>alert(1)\\</script\\>",
                 '"\\>\\<img src=x onerror=alert(2)\\>') if require else ():
        if want not in text:
            fail(f"{where}: {want!r} missing")


def check_csv(data, where, column, hostile):
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    values = {r[column] for r in rows}
    for h in hostile:
        want = "'" + h if h[0] in "=+-@" else h
        if want not in values:
            fail(f"{where}: {want!r} not a {column} cell")
    for r in rows:
        for k, v in r.items():
            if v and v[0] in "=+-@\t\r":
                fail(f"{where}: cell {k}={v!r} starts a formula")
    if not data.endswith(b"\r\n") or b"\n" in data.replace(b"\r\n", b""):
        fail(f"{where}: lines do not end in CRLF")


def normalise(data, geo):
    return data.replace(geo.encode(), b"@TESTGEO@")


def golden(outflow, gen, out, geo, update):
    db = build_store(outflow, gen, out, geo, "two-weeks.db", (48, 49))
    got = {}
    for fmt, name in FORMATS.items():
        got[name] = normalise(report(outflow, [db], fmt,
                                     os.path.join(out, name)), geo)
    exp_dir = os.path.join(HERE, "expected")
    for name, data in got.items():
        path = os.path.join(exp_dir, name)
        if update:
            with open(path, "wb") as f:
                f.write(data)
            continue
        with open(path, "rb") as f:
            want = f.read()
        if data != want:
            fail(f"{name} differs from expected/{name} (see {out}/{name}; "
                 f"update with report_test.py update)")
    page = check_html(report(outflow, [db], "html",
                             os.path.join(out, "report.html")), "html")
    if "WeChat" not in "".join(page.text):
        fail("html: WeChat not named")
    check_escaped(got["report.md"], "md")
    # Only the location post to a hostile name is a finding.
    check_csv(got["findings.csv"], "findings.csv", "destination", HOSTILE[1:2])
    check_csv(got["aggregates.csv"], "aggregates.csv", "destination", HOSTILE)
    doc = json.loads(got["report.json"])
    dests = {d["destination"] for a in doc["apps"] for d in a["destinations"]}
    for h in HOSTILE:
        if h not in dests:
            fail(f"json: {h!r} not a destination")
    if doc["period"]["from"] != "2026-11-30" or doc["previous_period"]["flows"] == 0:
        fail("json: period or previous period wrong")
    if doc["headline"] != page.headline:
        fail(f"html headline {page.headline!r} is not the JSON's")
    if "WeChat" not in doc["new"]["apps"]:
        fail("json: WeChat not new this week")
    # Two sensors: a second store with week 49 again adds up.
    db2 = build_store(outflow, gen, out, geo, "week49.db", (49,))
    both = json.loads(report(outflow, [db, db2], "json"))
    one = json.loads(report(outflow, [db2], "json"))
    if both["stores"] != 2 or both["totals"]["flows"] != \
            doc["totals"]["flows"] + one["totals"]["flows"]:
        fail("two stores do not add up")
    if both["coverage"]["packets"] != 2 * one["coverage"]["packets"]:
        fail("two stores: coverage not summed")
    # A week with no traffic says so rather than looking safe.
    empty = report(outflow, [db], "md").decode()
    r = run([outflow, "report", "--store", db, "--week", "2026-W40",
             "--format", "md"]).stdout.decode()
    if "No traffic was recorded" not in r:
        fail("empty week: headline does not say nothing was seen")
    del empty
    # Bad arguments are usage errors.
    for args in (["--week", "2026-W54"], ["--from", "2026-12-01"],
                 ["--format", "pdf"], []):
        cmd = [outflow, "report"] + (["--store", db] if args else []) + args
        if subprocess.run(cmd, capture_output=True).returncode != 2:
            fail(f"{args}: not a usage error")
    if subprocess.run([outflow, "report", "--store",
                       os.path.join(out, "missing.db")],
                      capture_output=True).returncode != 1:
        fail("a missing store is not an error")


def png_pixels(path):
    """Distinct RGB(A) values of an 8-bit, non-interlaced PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0, "unsupported PNG"
            bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype]
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else
                                      b if pb <= pc else c)) & 255
        if y % 4 == 0:
            for x in range(0, stride, bpp * 2):
                colours.add(bytes(line[x:x + bpp]))
        prev = line
    return w, h, colours


def render(outflow, gen, out, geo):
    browser = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if browser is None:
        print("SKIP: neither chromium-headless-shell nor chromium installed")
        return 77
    db = build_store(outflow, gen, out, geo, "render.db", (48, 49))
    page = os.path.join(out, "render.html")
    doc = json.loads(report(outflow, [db], "json"))
    report(outflow, [db], "html", page)
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={out}/chromium-profile"]
    for width in (390, 1280):
        shot = os.path.join(out, f"report-{width}.png")
        if os.path.exists(shot):
            os.unlink(shot)
        subprocess.run(base + [f"--window-size={width},2000",
                               f"--screenshot={shot}", "file://" + page],
                       capture_output=True, timeout=120)
        if not os.path.exists(shot):
            fail(f"no screenshot at {width} px")
            continue
        w, h, colours = png_pixels(shot)
        print(f"{shot}: {w}x{h}, {len(colours)} distinct colours sampled")
        if w != width:
            fail(f"screenshot {width} px is {w} wide")
        if len(colours) < 20:
            fail(f"screenshot at {width} px looks blank ({len(colours)} colours)")
    dom = subprocess.run(base + ["--dump-dom", "file://" + page],
                         capture_output=True, timeout=120).stdout.decode()
    p = Page()
    p.feed(dom)
    if p.headline.strip() != doc["headline"]:
        fail(f"headline not in the DOM: {p.headline!r}")
    if "<script" in dom.lower():
        fail("the DOM holds a script")
    return 0


FAKE_MAIL = """#!/usr/bin/env python3
import json, os, signal, sys
out = os.environ["FAKE_MAIL_OUT"]
body = sys.stdin.buffer.read()
with open(os.path.join(out, "mail-body.md"), "wb") as f:
    f.write(body)
with open(os.path.join(out, "mail-call.json"), "w") as f:
    json.dump({"argv": sys.argv[1:], "period": os.environ.get("OUTFLOW_REPORT_PERIOD"),
               "file": os.environ.get("OUTFLOW_REPORT_FILE")}, f)
print("fake mail: queued")
how = os.path.basename(sys.argv[0])
if how == "fake-mail-fail":
    sys.exit(3)
if how == "fake-mail-killed":
    os.kill(os.getpid(), signal.SIGKILL)
"""


def mail(outflow, gen, out, geo):
    db = build_store(outflow, gen, out, geo, "mail.db", (49,))
    want = report(outflow, [db], "md")
    for name in ("fake-mail", "fake-mail-fail", "fake-mail-killed"):
        path = os.path.join(out, name)
        with open(path, "w") as f:
            f.write(FAKE_MAIL)
        os.chmod(path, 0o755)
    env = dict(os.environ, FAKE_MAIL_OUT=out, TZ="UTC")
    html = os.path.join(out, f"outflow-report-{WEEK}.html")

    def mail_run(command, extra=()):
        """outflow report -o OUT --mail with report.mail = command."""
        cfg = os.path.join(out, "outflow.yaml")
        with open(cfg, "w") as f:
            if command is not None:
                f.write("report:\n  mail: " + json.dumps(command) + "\n")
        for p in (html, os.path.join(out, "mail-body.md"),
                  os.path.join(out, "mail-call.json")):
            if os.path.exists(p):
                os.unlink(p)
        return subprocess.run([outflow, "report", "--store", db, "--week",
                               WEEK, "-o", out, "--mail", "--config", cfg]
                              + list(extra), capture_output=True, env=env)

    # It works: the Markdown whole on standard input, {period} replaced,
    # the period and file in the environment, the command's own output
    # kept off outflow's standard output (which names the file only).
    r = mail_run([os.path.join(out, "fake-mail"), "-s",
                  "outflow report {period}", "root@example.org"])
    if r.returncode != 0:
        fail(f"mail: exit {r.returncode}: {r.stderr.decode()}")
    if r.stdout.decode() != html + "\n":
        fail(f"mail: standard output is {r.stdout!r}, not the path")
    if b"fake mail: queued" not in r.stderr:
        fail("mail: the command's output is not on standard error")
    try:
        with open(os.path.join(out, "mail-body.md"), "rb") as f:
            body = f.read()
        with open(os.path.join(out, "mail-call.json")) as f:
            call = json.load(f)
    except OSError as e:
        fail(f"mail: the command did not run: {e}")
    else:
        if body != want:
            fail("mail: the body is not the Markdown report")
        if call["argv"] != ["-s", f"outflow report {WEEK}", "root@example.org"]:
            fail(f"mail: arguments {call['argv']}")
        if call["period"] != WEEK or call["file"] != html:
            fail(f"mail: environment {call}")
    if not os.path.exists(html):
        fail("mail: the HTML report was not written")

    # Failures: said, exit 1, and the report file is written all the same.
    for command, said in (
            ([os.path.join(out, "fake-mail-fail")], "exited with status 3"),
            ([os.path.join(out, "fake-mail-killed")], "killed by signal 9"),
            ([os.path.join(out, "no-such-mailer")], "could not be started"),
            ("mail -s subject root", "expected a list")):
        r = mail_run(command)
        err = r.stderr.decode()
        if r.returncode != 1:
            fail(f"mail {command}: exit {r.returncode}, not 1")
        if said not in err or ("not mailed" not in err and
                               isinstance(command, list)):
            fail(f"mail {command}: {said!r} not said: {err!r}")
        if not os.path.exists(html):
            fail(f"mail {command}: the report file was not written")
    # No mail command configured: said, and the report is still a success.
    r = mail_run(None)
    if r.returncode != 0 or b"sets no mail command" not in r.stderr:
        fail(f"mail: without report.mail: exit {r.returncode}, {r.stderr!r}")
    if subprocess.run([outflow, "report", "--store", db, "--config", "x"],
                      capture_output=True).returncode != 2:
        fail("--config without --mail is not a usage error")


def main():
    if len(sys.argv) != 6:
        print(__doc__)
        return 2
    mode, outflow, gen, out, geo = sys.argv[1:]
    out = os.path.join(out, mode)
    os.makedirs(out, exist_ok=True)
    if mode == "render":
        rc = render(outflow, gen, out, geo)
        if rc:
            return rc
    elif mode == "mail":
        mail(outflow, gen, out, geo)
    else:
        golden(outflow, gen, out, geo, mode == "update")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
