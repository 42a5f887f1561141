#!/usr/bin/env python3
"""make_labelled_set.py - labelled requests for the personal-data evaluator.

Writes (deterministically, fixed seed):
  identities.yaml   the known values the engine is built with
  labelled_set.tsv  one message per line:
                    kind <TAB> name <TAB> expected <TAB> hex(payload)
    kind      http (a raw HTTP/1.1 request) or dns (a query name)
    expected  comma-separated category|identity ('-' = structural);
              empty for benign messages
Known values are sent in every supported encoding and place; structural
categories with random values in the places the detectors cover; benign
look-alikes (timestamps, versions, order IDs, UUIDs without identifier
keys, map tiles, prices, build numbers, hashes, IPv6, file names with @)
carry no label.  tests/unit/test_pii.c (labelled_set) scores the engine
on it and fails below the thresholds.

usage: make_labelled_set.py [OUTDIR]   (default: this script's directory)
"""
import base64
import hashlib
import json
import os
import random
import sys
import urllib.parse

R = random.Random(20250808)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

IDENTITIES = [
    dict(label="emma", phone="+1 202 555 0142", email="emma.lee@example.org",
         name="Emma Lee", imei="356938035643809",
         ad_id="38400000-8cf0-11bd-b23e-10b96e40000d",
         android_id="9774d56d682e549c", mac="3c:22:fb:12:34:56",
         home=(38.8977, -77.0365, 500), other="blue-otter-771"),
    dict(label="li", phone="+86 139 1099 8765", email="Li.Wei@Example.CN",
         name="Wei Li Zhang", imei="490154203237518",
         ad_id="6f1c2a3e-9b7d-4c55-8e21-0a4b3c2d1e0f",
         android_id="a1b2c3d4e5f60718", mac="a4-5e-60-c1-d2-e3",
         home=(39.9087, 116.3975, 300), other="jade-rabbit-42"),
    dict(label="omar", phone="+44 7700 900123", email="omar.haddad@mail.example.net",
         name="Omar Haddad", imei="353918059124327",
         ad_id="E2C1B0A9-8F7E-4D6C-9B5A-1C2D3E4F5A6B",
         android_id="0f1e2d3c4b5a6978", mac="001A2B3C4D5E",
         home=(51.5014, -0.1419, 400), other="quiet-harbour-9"),
]

CAT = dict(phone="phone", email="email", name="name", imei="device_id.imei",
           ad_id="ad_id", android_id="device_id.android_id", mac="mac",
           other="other")


def phone_parts(p):
    groups = p.lstrip("+").split()
    return groups[0], "".join(groups[1:])


def b64(b, url=False, pad=True):
    s = (base64.urlsafe_b64encode(b) if url else base64.b64encode(b)).decode()
    return s if pad else s.rstrip("=")


def digest(alg, s):
    return hashlib.new(alg, s.encode()).digest()


def variants(kind, v):
    """(encoding, value as sent, dns_ok) for one identity value."""
    if kind == "phone":
        cc, nat = phone_parts(v)
        e164, digits = "+" + cc + nat, cc + nat
        bases = [v, e164, digits, nat]
    elif kind == "mac":
        h = "".join(c for c in v if c.isalnum()).lower()
        colon = ":".join(h[i:i + 2] for i in range(0, 12, 2))
        bases = [colon, colon.upper(), h, h.upper(), colon.replace(":", "-")]
    elif kind in ("ad_id", "android_id"):
        bases = [v.lower(), v.upper()]
    elif kind == "email":
        bases = [v, v.lower()]
    else:
        bases = [v, v.lower()]
    out = []
    for i, b in enumerate(bases):
        out.append(("plain", b, kind != "name"))
    b0 = bases[1] if len(bases) > 1 else bases[0]
    if kind in ("email", "name", "other"):
        b0 = v.lower() if kind != "name" else v
    bl = bases[-1]
    out += [
        ("url", urllib.parse.quote(bases[0], safe=""), False),
        ("url", urllib.parse.quote_plus(bases[0]), False),
        ("base64", b64(bases[0].encode()), False),
        ("base64", b64(b0.encode(), url=True, pad=False), False),
        ("hex", bases[0].encode().hex(), True),
        ("hex", b0.encode().hex().upper(), True),
        ("base32", base64.b32encode(b0.encode()).decode().rstrip("=").lower(), True),
        ("md5", digest("md5", b0).hex(), True),
        ("md5", digest("md5", bl).hex().upper(), True),
        ("sha1", digest("sha1", b0).hex(), True),
        ("sha1", digest("sha1", bases[0]).hex(), True),
        ("sha256", digest("sha256", b0).hex(), False),
        ("sha256", digest("sha256", bl).hex().upper(), False),
        ("md5+base64", b64(digest("md5", b0)), False),
        ("sha256+base64", b64(digest("sha256", bl), url=True, pad=False), False),
        ("sha1+hex+base64", b64(digest("sha1", b0).hex().encode()), False),
        ("sha256+hex+base64", b64(digest("sha256", bases[0]).hex().encode()), False),
    ]
    return out


# ------------------------------------------------------------ requests

def http(method, target, headers=(), body=b"", ctype=None,
         host="api.example-tracker.com"):
    h = [f"{method} {target} HTTP/1.1", f"Host: {host}",
         "User-Agent: okhttp/4.9.3"]
    if ctype:
        h.append(f"Content-Type: {ctype}")
    h += list(headers)
    if body or method == "POST":
        h.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body


def multipart(parts):
    bnd = "----outflowBoundary%08x" % R.getrandbits(32)
    out = b""
    for name, ctype, data in parts:
        out += f"--{bnd}\r\n".encode()
        disp = f'Content-Disposition: form-data; name="{name}"'
        if ctype and ctype.startswith("image/"):
            disp += '; filename="photo.jpg"'
        out += (disp + "\r\n").encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{bnd}--\r\n".encode()
    return out, f"multipart/form-data; boundary={bnd}"


def place(where, key, value):
    """A request carrying value under key in one place."""
    q = urllib.parse.quote(value, safe="")
    if where == "query":
        return http("GET", f"/v1/collect?app=demo&{key}={q}&ts=1700000000")
    if where == "path":
        return http("GET", f"/v1/u/{q}/profile")
    if where == "header":
        return http("GET", "/v1/ping", [f"X-{key.capitalize()}: {value}"])
    if where == "cookie":
        return http("GET", "/v1/ping", [f"Cookie: sid=77aa; {key}={q}"])
    if where == "form":
        body = f"app=demo&{key}={urllib.parse.quote_plus(value)}&n=3".encode()
        return http("POST", "/v1/form", body=body,
                    ctype="application/x-www-form-urlencoded")
    if where == "json":
        body = json.dumps({"app": "demo", "payload": {"meta": {key: value}, "n": 3}}).encode()
        return http("POST", "/v1/json", body=body, ctype="application/json")
    if where == "multipart":
        body, ct = multipart([("app", None, b"demo"), (key, None, value.encode())])
        return http("POST", "/v1/upload", body=body, ctype=ct)
    if where == "text":
        body = f"event started; note {value} end\n".encode()
        return http("POST", "/v1/log", body=body, ctype="text/plain")
    raise ValueError(where)


PLACES = ["query", "path", "header", "cookie", "form", "json", "multipart", "text"]
lines = []


def add(kind, name, expected, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    lines.append(f"{kind}\t{name}\t{','.join(expected)}\t{payload.hex()}")


# Known values: every encoding in every place.
for ident in IDENTITIES:
    lab = ident["label"]
    for kind in CAT:
        for enc, val, dns_ok in variants(kind, ident[kind]):
            for where in PLACES:
                add("http", f"known/{lab}/{kind}/{enc}/{where}",
                    [f"{CAT[kind]}|{lab}"], place(where, "v", val))
            if dns_ok and len(val) <= 63:
                add("dns", f"known/{lab}/{kind}/{enc}/dns",
                    [f"{CAT[kind]}|{lab}"], f"{val[:63]}.t.example-tracker.com")

# Home coordinates: both orders, GCJ-02 / BD-09 offsets, several places.
def gcj(lat, lon):
    import math
    a, ee = 6378245.0, 0.00669342162296594323
    if not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271):
        return lat, lon
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (a / sq * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


def bd(lat, lon):
    import math
    xpi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * xpi)
    t = math.atan2(lat, lon) + 0.000003 * math.cos(lon * xpi)
    return z * math.sin(t) + 0.006, z * math.cos(t) + 0.0065


for ident in IDENTITIES:
    lab = ident["label"]
    hlat, hlon, rad = ident["home"]
    for shift in ("wgs", "gcj", "bd"):
        lat, lon = hlat, hlon
        if shift in ("gcj", "bd"):
            lat, lon = gcj(lat, lon)
        if shift == "bd":
            lat, lon = bd(lat, lon)
        # jitter well inside the radius (about rad/5 metres)
        j = rad / 5 / 111000
        lat += R.uniform(-j, j)
        lon += R.uniform(-j, j)
        la, lo = f"{lat:.6f}", f"{lon:.6f}"
        exp = [f"location.precise|{lab}"]
        add("http", f"home/{lab}/{shift}/query", exp,
            http("GET", f"/v1/geo?lat={la}&lng={lo}&acc=20"))
        add("http", f"home/{lab}/{shift}/query-pair-lnglat", exp,
            http("GET", f"/v1/geo?location={lo},{la}"))
        add("http", f"home/{lab}/{shift}/json", exp,
            http("POST", "/v1/geo", body=json.dumps({"device": {"geo": {"lat": float(la), "lon": float(lo)}}}).encode(),
                 ctype="application/json"))
        add("http", f"home/{lab}/{shift}/json-array", exp,
            http("POST", "/v1/geo", body=json.dumps({"loc": [float(lo), float(la)]}).encode(),
                 ctype="application/json"))
        add("http", f"home/{lab}/{shift}/form", exp,
            http("POST", "/v1/geo", body=f"latitude={la}&longitude={lo}".encode(),
                 ctype="application/x-www-form-urlencoded"))
        add("http", f"home/{lab}/{shift}/text", exp,
            http("POST", "/v1/log", body=f"pos {la},{lo} fix\n".encode(), ctype="text/plain"))
        add("http", f"home/{lab}/{shift}/header", exp,
            http("GET", "/v1/ping", [f"X-Geo: {lo};{la}"]))


# ---------------------------------------------------------- structural

def luhn_digit(s):
    tot = 0
    for i, c in enumerate(reversed(s)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return str((10 - tot % 10) % 10)


def rnd_digits(n):
    return "".join(R.choice("0123456789") for _ in range(n))


def rnd_hex(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def rnd_uuid():
    h = rnd_hex(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def rnd_phone():
    k = R.randrange(4)
    if k == 0:
        return "+1" + R.choice("2345678") + rnd_digits(2) + R.choice("2345678") + rnd_digits(6)
    if k == 1:
        return "+86 1" + R.choice("3589") + rnd_digits(1) + " " + rnd_digits(4) + " " + rnd_digits(4)
    if k == 2:
        return "+44 7" + rnd_digits(3) + " " + rnd_digits(6)
    return "(" + R.choice("2345678") + rnd_digits(2) + ") " + rnd_digits(3) + "-" + rnd_digits(4)


FIRST = ["anna", "ben", "chen", "dana", "eli", "fatima", "george", "hana", "ivan", "jun"]
DOMS = ["gmail.com", "qq.com", "yahoo.co.jp", "outlook.fr", "mail.ru", "example.edu"]


def rnd_email():
    return f"{R.choice(FIRST)}.{R.choice(FIRST)}{R.randrange(100)}@{R.choice(DOMS)}"


def rnd_mac():
    while True:
        b = [R.randrange(256) for _ in range(6)]
        if b != [2, 0, 0, 0, 0, 0]:
            return ":".join("%02x" % x for x in b)


def rnd_coord(dec):
    lat = R.uniform(-60, 70)
    lon = R.uniform(-170, 170)
    return f"{lat:.{dec}f}", f"{lon:.{dec}f}"


def rnd_imei():
    s = R.choice(["35", "86", "49", "01"]) + rnd_digits(12)
    return s + luhn_digit(s)


def rnd_iccid():
    s = "89" + R.choice(["86", "01", "44"]) + rnd_digits(14)
    return s + luhn_digit(s)


N = 40
for i in range(N):
    for dec, cat in ((R.choice([3, 4, 5, 6]), "location.precise"), (R.choice([1, 2]), "location.coarse")):
        la, lo = rnd_coord(dec)
        exp = [f"{cat}|-"]
        k = i % 6
        if k == 0:
            m = http("GET", f"/ad?lat={la}&lng={lo}&z=3")
        elif k == 1:
            m = http("POST", "/rtb", body=('{"device":{"geo":{"lat":%s,"lon":%s,"type":1}}}' % (la, lo)).encode(), ctype="application/json")
        elif k == 2:
            m = http("POST", "/f", body=f"latitude={la}&longitude={lo}".encode(), ctype="application/x-www-form-urlencoded")
        elif k == 3:
            m = http("GET", f"/amap?location={lo},{la}")
        elif k == 4:
            m = http("POST", "/g", body=('{"geo":{"x":%s,"y":%s}}' % (lo, la)).encode(), ctype="application/json")
        else:
            m = http("POST", "/g", body=('{"coordinates":[%s,%s]}' % (lo, la)).encode(), ctype="application/json")
        add("http", f"struct/{cat}/{k}/{i}", exp, m)

    ph = rnd_phone()
    k = i % 5
    key = ["phone", "mobile", "msisdn", "phone_number", "userPhone"][k]
    where = ["query", "json", "form", "header", "multipart"][k]
    add("http", f"struct/phone/{where}/{i}", ["phone|-"], place(where, key, ph))

    em = rnd_email()
    where = ["query", "json", "form", "text", "header"][i % 5]
    add("http", f"struct/email/{where}/{i}", ["email|-"], place(where, ["email", "u", "contact", "x", "account"][i % 5], em))

    where = ["query", "json", "form", "header"][i % 4]
    add("http", f"struct/imei/{where}/{i}", ["device_id.imei|-"],
        place(where, ["imei", "device_imei", "imei1", "deviceId"][i % 4], rnd_imei()))
    add("http", f"struct/imsi/{where}/{i}", ["device_id.imsi|-"],
        place(where, ["imsi", "subscriber_id", "imsi", "IMSI"][i % 4],
              R.choice(["310", "460", "234", "262"]) + rnd_digits(12)))
    add("http", f"struct/iccid/{where}/{i}", ["device_id.iccid|-"],
        place(where, ["iccid", "sim_serial", "simSerialNumber", "iccid"][i % 4], rnd_iccid()))
    add("http", f"struct/meid/{where}/{i}", ["device_id.meid|-"],
        place(where, ["meid", "meid", "meid1", "MEID"][i % 4], R.choice("abcdef") + rnd_hex(13)))
    add("http", f"struct/android_id/{where}/{i}", ["device_id.android_id|-"],
        place(where, ["android_id", "androidId", "ssaid", "aid"][i % 4], R.choice("123456789abcdef") + rnd_hex(15)))
    add("http", f"struct/ad_id/{where}/{i}", ["ad_id|-"],
        place(where, ["gaid", "idfa", "advertising_id", "oaid"][i % 4],
              rnd_uuid().upper() if i % 3 == 0 else rnd_uuid()))
    mac = rnd_mac()
    if i % 2:
        mac = mac.replace(":", "").upper() if i % 4 == 1 else mac.replace(":", "-")
    add("http", f"struct/mac/{where}/{i}", ["mac|-"],
        place(where, ["mac", "wifi_mac", "bssid", "mc"][i % 4], mac))
    add("http", f"struct/mac-anywhere/{i}", ["mac|-"],
        http("POST", "/log", body=f"scan result ap {rnd_mac()} rssi -61\n".encode(), ctype="text/plain"))

    # contacts: a synced address book, or a vCard
    if i % 2 == 0:
        book = [{"name": f"{R.choice(FIRST)} {R.choice(FIRST)}", "phone": rnd_phone(), "email": rnd_email()} for _ in range(R.randrange(3, 7))]
        exp = ["contacts|-", "phone|-", "email|-"]
        add("http", f"struct/contacts/json/{i}", exp,
            http("POST", "/sync", body=json.dumps({"contacts": book}).encode(), ctype="application/json"))
    else:
        vc = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{R.choice(FIRST)}\r\nEND:VCARD\r\n".encode()
        add("http", f"struct/contacts/vcard/{i}", ["contacts|-"],
            http("POST", "/vcf", body=vc, ctype="text/vcard"))

    # images
    k = i % 4
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(R.randrange(256) for _ in range(200))
    png = b"\x89PNG\r\n\x1a\n" + bytes(R.randrange(256) for _ in range(200))
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + bytes(R.randrange(256) for _ in range(200))
    if k == 0:
        body, ct = multipart([("meta", None, b"{}"), ("photo", "image/jpeg", jpeg)])
    elif k == 1:
        body, ct = png, "application/octet-stream"
    elif k == 2:
        body, ct = multipart([("file", "application/octet-stream", heic)])
    else:
        body, ct = bytes(R.randrange(256) for _ in range(100)), "image/webp"
    add("http", f"struct/image/{k}/{i}", ["media.image|-"], http("POST", "/up", body=body, ctype=ct))

# ------------------------------------------- faces, friends, home

def rnd_jpeg(n=300):
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(R.randrange(256) for _ in range(n))


def jpeg_b64(url=False):
    return b64(rnd_jpeg(R.randrange(200, 600)), url=url)


def png_b64():
    return b64(b"\x89PNG\r\n\x1a\n" + bytes(R.randrange(256) for _ in range(300)))


def jbody(obj):
    return json.dumps(obj).encode()


FACE = ["biometric.face|-"]
FACE_IMG = ["biometric.face|-", "media.image|-"]
TEMPLATE = ["biometric.face_template|-"]
SOCIAL = ["contacts.social_graph|-"]
HOME = ["location.home|-"]


def face_service_request(k):
    """A request to a real face service, as its API documentation shows."""
    img = jpeg_b64() if R.random() < 0.7 else png_b64()
    if k == 0:   # Face++ detect, multipart image_file
        body, ct = multipart([("api_key", None, rnd_hex(32).encode()), ("api_secret", None, rnd_hex(32).encode()),
                              ("return_landmark", None, R.choice([b"1", b"2"])), ("image_file", "image/jpeg", rnd_jpeg())])
        return FACE_IMG, http("POST", "/facepp/v3/detect", body=body, ctype=ct, host=R.choice(["api-us.faceplusplus.com", "api-cn.faceplusplus.com"]))
    if k == 1:   # Face++ search with image_base64, form
        body = urllib.parse.urlencode({"api_key": rnd_hex(32), "api_secret": rnd_hex(32), "image_base64": img,
                                       "faceset_token": rnd_hex(32)}).encode()
        return FACE, http("POST", R.choice(["/facepp/v3/search", "/facepp/v3/compare"]), body=body,
                          ctype="application/x-www-form-urlencoded", host="api-cn.faceplusplus.com")
    if k == 2:   # Baidu face v3
        body = jbody({"image": img, "image_type": "BASE64", "face_field": R.choice(["age,beauty", "landmark", "quality"]),
                      "max_face_num": R.randrange(1, 10)})
        return FACE, http("POST", f"/rest/2.0/face/v3/{R.choice(['detect', 'search', 'match'])}?access_token=24.{rnd_hex(32)}",
                          body=body, ctype="application/json", host="aip.baidubce.com")
    if k == 3:   # Tencent Cloud IAI, action in a header
        body = jbody({"Image": img, "MaxFaceNum": 1, "NeedFaceAttributes": R.randrange(2)})
        return FACE, http("POST", "/", [f"X-TC-Action: {R.choice(['DetectFace', 'AnalyzeDenseLandmarks', 'SearchFaces'])}",
                                        "X-TC-Version: 2020-03-03", "X-TC-Region: ap-guangzhou"],
                          body=body, ctype="application/json; charset=utf-8", host="iai.tencentcloudapi.com")
    if k == 4:   # Alibaba facebody, RPC style, Action in the query or the form
        region = R.choice(["cn-shanghai", "cn-beijing"])
        if R.random() < 0.5:
            return FACE, http("GET", f"/?Action={R.choice(['DetectFace', 'RecognizeFace'])}&ImageURL=https%3A%2F%2Fexample.com%2F{rnd_hex(8)}.jpg&Version=2019-12-30",
                              host=f"facebody.{region}.aliyuncs.com")
        body = f"Action=CompareFace&Version=2019-12-30&ImageDataA={urllib.parse.quote(img)}".encode()
        return FACE, http("POST", "/", body=body, ctype="application/x-www-form-urlencoded", host=f"facebody.{region}.aliyuncs.com")
    if k == 5:   # Amazon Rekognition
        body = jbody({"Image": {"Bytes": img}, "Attributes": ["ALL"]})
        return FACE, http("POST", "/", [f"X-Amz-Target: RekognitionService.{R.choice(['DetectFaces', 'SearchFacesByImage', 'IndexFaces'])}"],
                          body=body, ctype="application/x-amz-json-1.1", host=f"rekognition.{R.choice(['us-east-1', 'eu-west-1'])}.amazonaws.com")
    if k == 6:   # Azure Face, octet-stream
        return FACE_IMG, http("POST", "/face/v1.0/detect?returnFaceId=true&returnFaceLandmarks=false", body=rnd_jpeg(),
                              ctype="application/octet-stream", host=f"{R.choice(['contoso', 'myface', 'westus'])}.cognitiveservices.azure.com")
    if k == 7:   # Google Vision with a FACE_DETECTION feature
        body = jbody({"requests": [{"image": {"content": img}, "features": [{"type": "FACE_DETECTION", "maxResults": 10}]}]})
        return FACE, http("POST", f"/v1/images:annotate?key=AIza{rnd_hex(20)}", body=body, ctype="application/json",
                          host="vision.googleapis.com")
    # Volcano Engine
    body = jbody({"image_base64": img})
    return FACE, http("POST", f"/?Action={R.choice(['FaceDetect', 'FaceCompare'])}&Version=2020-08-26", body=body,
                      ctype="application/json", host="visual.volcengineapi.com")


def face_words_request(k):
    """An image with keys only face APIs use, to a host of no known service."""
    host = R.choice(["api.example-tracker.com", "face.example-app.cn", "sdk.example.net"])
    if k == 0:
        body, ct = multipart([(R.choice(["face_token", "faceset_token"]), None, rnd_hex(32).encode()),
                              ("image", "image/jpeg", rnd_jpeg())])
        return FACE_IMG, http("POST", "/v1/face/compare", body=body, ctype=ct, host=host)
    if k == 1:
        return FACE, http("POST", "/api/verify", body=jbody({"data": {R.choice(["face_field", "return_landmark"]): "1",
                                                                     R.choice(["image", "img", "photo"]): jpeg_b64()}}),
                          ctype="application/json", host=host)
    body = urllib.parse.urlencode({"person_id": f"p{rnd_digits(8)}", "face_image": "data:image/jpeg;base64," + jpeg_b64()}).encode()
    return FACE, http("POST", "/person/add", body=body, ctype="application/x-www-form-urlencoded", host=host)


def embedding(dims):
    v = [R.gauss(0, 0.08) for _ in range(dims)]
    return [round(x, R.choice([4, 6, 7])) for x in v]


def template_request(k):
    dims = R.choice([128, 256, 512])
    key = R.choice(["feature", "embedding", "face_vector", "faceFeature", "descriptor", "face_embedding"])
    if k == 0:
        return http("POST", "/v2/face/register", body=jbody({"user": {"id": rnd_digits(8)}, key: embedding(dims)}),
                    ctype="application/json")
    if k == 1:
        return http("POST", "/match", body=jbody({"faces": [{"score": 0.99, "data": {key: embedding(dims)}}]}),
                    ctype="application/json")
    if k == 2:
        vec = ",".join(str(x) for x in embedding(dims))
        return http("POST", "/f", body=f"uid={rnd_digits(6)}&{key}={urllib.parse.quote(vec)}".encode(),
                    ctype="application/x-www-form-urlencoded")
    if k == 3:
        import struct as st
        raw = st.pack(f"<{dims}f", *embedding(dims))
        body = jbody({key: b64(raw)}) if R.random() < 0.5 else f"{key}={urllib.parse.quote(b64(raw))}&v=2".encode()
        return http("POST", "/f", body=body, ctype="application/json" if body[:1] == b"{" else "application/x-www-form-urlencoded")
    if k == 4:   # Baidu-style landmark72 list of points
        n = R.choice([72, 150])
        pts = [{"x": round(R.uniform(50, 400), 2), "y": round(R.uniform(50, 400), 2)} for _ in range(n)]
        return http("POST", "/face/report", body=jbody({"result": {"face_list": [{f"landmark{n}": pts}]}}), ctype="application/json")
    if k == 5:   # Face++-style named landmarks
        names = [f"{part}_{i}" for part in ("contour", "left_eye", "right_eye", "nose", "mouth", "left_eyebrow") for i in range(14)]
        lm = {nm: {"x": R.randrange(400), "y": R.randrange(400)} for nm in names[:R.choice([83, 84])]}
        return http("POST", "/upload", body=jbody({"faces": [{"face_token": rnd_hex(32), "landmark": lm}]}), ctype="application/json")
    if k == 6:   # dlib 68 points, flat or pairs
        pts = [[round(R.uniform(0, 1), 5), round(R.uniform(0, 1), 5)] for _ in range(68)]
        obj = {R.choice(["landmarks", "face_landmarks", "keypoints"]): pts if R.random() < 0.5 else [c for p in pts for c in p]}
        return http("POST", "/track", body=jbody({"frame": R.randrange(999), "face": obj}), ctype="application/json")
    pts = ";".join(f"{R.randrange(400)},{R.randrange(400)}" for _ in range(106))
    return http("POST", "/lm", body=f"landmark106={urllib.parse.quote(pts)}".encode(), ctype="application/x-www-form-urlencoded")


def social_request(k, n):
    key = R.choice(["friends", "followers", "following", "friend_ids", "uids", "buddy_list", "fans"])
    if k == 0:
        return SOCIAL, http("POST", "/v1/graph/sync", body=jbody({key: [int(rnd_digits(R.choice([8, 10, 12])).lstrip("0") or 7) for _ in range(n)]}),
                            ctype="application/json")
    if k == 1:
        return SOCIAL, http("POST", "/v1/graph", body=jbody({"data": {key: [f"MS4wLjAB{rnd_hex(12)}" for _ in range(n)]}}),
                            ctype="application/json")
    if k == 2:
        people = [{"uid": rnd_digits(9), "nickname": R.choice(FIRST), "avatar": f"https://cdn.example.com/{rnd_hex(8)}.jpg"} for _ in range(n)]
        return SOCIAL, http("POST", "/relation/list", body=jbody({"result": {key: people}}), ctype="application/json")
    if k == 3:
        ids = ",".join(rnd_digits(10) for _ in range(n))
        return SOCIAL, http("POST", "/rel", body=f"{key}={urllib.parse.quote(ids)}&cursor=0".encode(),
                            ctype="application/x-www-form-urlencoded")
    if k == 4:
        q = "&".join(f"uids={rnd_digits(9)}" for _ in range(n))
        return SOCIAL, http("GET", f"/users/batch?{q}")
    if k == 5:   # hashed address book (contact discovery)
        alg = R.choice(["sha256", "md5"])
        hk = R.choice(["contacts", "phone_hashes", "hashed_phones", "address_book"])
        hs = [hashlib.new(alg, rnd_phone().encode()).hexdigest() for _ in range(n)]
        return SOCIAL + ["contacts|-"], http("POST", "/contacts/match", body=jbody({hk: hs}), ctype="application/json")
    # friends by e-mail: e-mails and an address book as well
    m = min(n, 20)
    return SOCIAL + ["email|-", "contacts|-"], http("POST", "/invite", body=jbody({"friends": [rnd_email() for _ in range(m)]}),
                                                     ctype="application/json")


STREETS = ["12 Oak Street", "221B Baker Street", "5 Rue de Rivoli", "Chaoyang Road 88", "Hauptstrasse 7", "742 Evergreen Terrace"]
CITIES = ["Springfield", "London", "Paris", "Beijing", "Berlin", "Shelbyville"]
CODES = ["62704", "NW1 6XE", "75001", "100020", "10115", "97403"]


def address_request(k):
    i = R.randrange(len(STREETS))
    street, city, code = STREETS[i], CITIES[i], CODES[i]
    sk, ck, zk = R.choice(["street", "address1", "street_address", "line1"]), R.choice(["city", "town"]), \
        R.choice(["postcode", "zip", "postal_code", "zipCode"])
    if k == 0:
        outer = R.choice(["address", "home_address", "shipping_address", "residence"])
        return http("POST", "/v1/profile", body=jbody({"user": {"name": R.choice(FIRST), outer: {sk: street, ck: city, zk: code}}}),
                    ctype="application/json")
    if k == 1:
        return http("POST", "/checkout", body=jbody({"order": {"billingAddress": {zk: code, sk: street, ck: city, "country": "US"}}}),
                    ctype="application/json")
    if k == 2:
        body = urllib.parse.urlencode({f"address[{sk}]": street, f"address[{ck}]": city, f"address[{zk}]": code}).encode()
        return http("POST", "/account", body=body, ctype="application/x-www-form-urlencoded")
    if k == 3:
        q = urllib.parse.urlencode({f"home_address_{sk}": street, f"home_address_{ck}": city, f"home_address_{zk}": code})
        return http("GET", f"/v1/register?{q}")
    body = urllib.parse.urlencode({"addr_" + sk: street, "addr_" + ck: city, "addr_" + zk: code, "v": "2"}).encode()
    return http("POST", "/s", body=body, ctype="application/x-www-form-urlencoded")


for i in range(48):
    exp, m = face_service_request(i % 9)
    add("http", f"seeds/face/service/{i % 9}/{i}", exp, m)
for i in range(24):
    exp, m = face_words_request(i % 3)
    add("http", f"seeds/face/words/{i % 3}/{i}", exp, m)
for i in range(48):
    add("http", f"seeds/face_template/{i % 8}/{i}", TEMPLATE, template_request(i % 8))
for i in range(49):
    exp, m = social_request(i % 7, R.randrange(10, 40))
    add("http", f"seeds/social/{i % 7}/{i}", exp, m)
for i in range(40):
    add("http", f"seeds/home_address/{i % 5}/{i}", HOME, address_request(i % 5))


# Look-alikes of the seeds' kinds: what they must not be taken for.
def seeds_benign(k):
    if k == 0:   # a thumbnail upload to a CDN
        body, ct = multipart([("file", "image/jpeg", rnd_jpeg()), ("w", None, b"320")])
        return ["media.image|-"], http("POST", "/upload/thumb", body=body, ctype=ct, host="upload.cdn.example.com")
    if k == 1:   # an image to a face vendor's own app hosts: a hint only
        return ["media.image|-"], http("POST", "/aweme/v1/upload/image/", body=rnd_jpeg(), ctype="image/jpeg",
                                       host=R.choice(["api16-normal-c-useast1a.tiktokv.com", "upload.qq.com", "pic.baidu.com"]))
    if k == 2:   # Vision for labels, not faces
        return [], http("POST", "/v1/images:annotate", body=jbody({"requests": [{"image": {"content": jpeg_b64()},
                        "features": [{"type": R.choice(["LABEL_DETECTION", "TEXT_DETECTION"])}]}]}), ctype="application/json",
                        host="vision.googleapis.com")
    if k == 3:   # other operations of the same clouds
        if R.random() < 0.5:
            return [], http("POST", "/", ["X-TC-Action: DescribeInstances"], body=b'{"Limit":20}', ctype="application/json",
                            host="cvm.tencentcloudapi.com")
        return [], http("POST", "/", ["X-Amz-Target: RekognitionService.DetectLabels"],
                        body=jbody({"Image": {"S3Object": {"Bucket": "b", "Name": "cat.jpg"}}}), ctype="application/x-amz-json-1.1",
                        host="rekognition.us-east-1.amazonaws.com")
    if k == 4:   # a list of product ids, and scores under no face key
        return [], http("POST", "/cart", body=jbody({"product_ids": [int(rnd_digits(9)) for _ in range(30)],
                                                    "items": [{"sku": f"SKU{rnd_digits(6)}", "qty": R.randrange(1, 4)} for _ in range(12)]}),
                        ctype="application/json")
    if k == 5:   # model outputs and features that are not faces
        return [], http("POST", "/ml", body=jbody({"scores": [round(R.random(), 5) for _ in range(128)],
                                                  "features": ["dark_mode", "beta_feed"], "feature": 3, "embedding_model": "v2"}),
                        ctype="application/json")
    if k == 6:   # a polyline and map tiles under no landmark key
        return [], http("POST", "/route", body=jbody({"points": [[R.randrange(9999), R.randrange(9999)] for _ in range(60)],
                                                     "font_face": "Arial", "typeface": "serif"}), ctype="application/json")
    if k == 7:   # a shop's address in a map request
        i = R.randrange(len(STREETS))
        if R.random() < 0.5:
            return [], http("GET", "/maps/search?" + urllib.parse.urlencode({"street": STREETS[i], "city": CITIES[i], "postcode": CODES[i]}))
        return [], http("POST", "/directions", body=jbody({"destination": {"name": "Corner Shop", "street": STREETS[i],
                        "city": CITIES[i], "postcode": CODES[i]}}), ctype="application/json")
    if k == 8:   # one address line, or a city alone
        return [], http("POST", "/store", body=jbody({"store": {"address": f"{STREETS[0]}, {CITIES[0]}"}, "address": {"city": CITIES[1]}}),
                        ctype="application/json")
    if k == 9:   # counters and flags under friend keys
        return [], http("GET", f"/profile?friends_count={R.randrange(9999)}&followers={R.randrange(99999)}&following=true")
    if k == 10:  # a few friends only (under the threshold)
        return [], http("POST", "/g", body=jbody({"friends": [rnd_digits(9) for _ in range(R.randrange(2, 9))]}), ctype="application/json")
    # file digests (not contacts) under no contact key
    return [], http("POST", "/sync/files", body=jbody({"files": [hashlib.sha256(rnd_hex(8).encode()).hexdigest() for _ in range(20)]}),
                    ctype="application/json")


for i in range(96):
    exp, m = seeds_benign(i % 12)
    add("http", f"seeds/benign/{i % 12}/{i}", exp, m)

# ------------------------------------------------------------- benign

def benign(i):
    k = i % 16
    if k == 0:
        return http("GET", f"/v2/events?ts={1700000000000 + R.randrange(10**9)}&seq={R.randrange(10**6)}")
    if k == 1:
        return http("GET", f"/update?version={R.randrange(20)}.{R.randrange(20)}.{R.randrange(100)}&build={R.randrange(20200101, 20251231)}")
    if k == 2:
        return http("POST", "/order", body=json.dumps({"order_id": rnd_digits(15), "price": round(R.uniform(1, 500), 2), "total": "1234.56", "qty": 3}).encode(), ctype="application/json")
    if k == 3:
        return http("GET", f"/trace?request_id={rnd_uuid()}&session={rnd_uuid()}")
    if k == 4:
        return http("GET", f"/tiles/{R.randrange(3, 18)}/{R.randrange(1, 60000)}/{R.randrange(1, 60000)}.png?x={R.randrange(1, 9999)}&y={R.randrange(1, 9999)}&z=12")
    if k == 5:
        return http("GET", f"/api?platform=android&plat=1&template=3&ratio=0.{rnd_digits(4)},0.{rnd_digits(4)}")
    if k == 6:
        return http("POST", "/cfg", body=json.dumps({"sig": hashlib.sha256(rnd_hex(8).encode()).hexdigest(), "etag": rnd_hex(16), "trace_id": rnd_hex(16)}).encode(), ctype="application/json")
    if k == 7:
        return http("POST", "/log", body=f"loaded icon@2x.png and logo@3x.webp from cdn, addr fe80::1:2:3:4 at 12:34:56\n".encode(), ctype="text/plain")
    if k == 8:
        return http("GET", f"/q?count={rnd_digits(10)}&id={rnd_digits(16)}&n={rnd_digits(19)}")
    if k == 9:
        return http("GET", f"/a?trace=ab{IDENTITIES[0]['android_id']}ff&uid=1{rnd_digits(2)}2025550142{rnd_digits(2)}")
    if k == 10:
        return http("POST", "/m", body=json.dumps({"screen": {"w": 1080, "h": 2400, "density": 2.75}, "battery": 0.87, "temp": 31.5, "zoom": 12.25}).encode(), ctype="application/json")
    if k == 11:
        return http("GET", "/v1/ping", [f"X-Request-Id: {rnd_uuid()}", f"If-None-Match: \"{rnd_hex(32)}\"", "Accept-Language: en-US,en;q=0.9"])
    if k == 12:
        return http("GET", f"/sdk?sdk_ver=4.{R.randrange(9)}.{R.randrange(99)}&os=13&model=Pixel%207&locale=en_US&tz=-05:00")
    if k == 13:
        body, ct = multipart([("meta", "application/json", b'{"v":1,"items":[1,2,3]}'), ("log", "text/plain", b"ok 200 12ms")])
        return http("POST", "/up", body=body, ctype=ct)
    if k == 14:
        return http("GET", f"/map/static?center_zoom=12&size=640x480&scale=2&bbox=0.5,0.25,0.75,0.5")
    return http("GET", f"/c?color=%23{rnd_hex(6)}&md5={hashlib.md5(rnd_hex(6).encode()).hexdigest()}&exp={R.randrange(10**9)}")


for i in range(480):
    add("http", f"benign/{i % 16}/{i}", [], benign(i))
for i in range(40):
    add("dns", f"benign/dns/{i}", [], f"{rnd_hex(8)}.cdn{R.randrange(99)}.example.com")

# ------------------------------------------------- shapes (issue 10)
# Places the sets above do not reach, written from how SDKs send them
# (not from the detector): key=value lists inside custom headers, cookies,
# coarse places (city/region/country), national-format phones deep in
# JSON, chunked (and gzip'd chunked) bodies, and requests whose bytes
# arrive in segments cut inside a value (the fifth column: offsets).
# Names start with "shape/<shape>/" so the evaluator scores each shape.
import gzip as _gzip

HDR_NAMES = ["X-Device-Info", "X-Client-Meta", "x-sdk-params", "X-CTX",
             "X-Dev", "X-Tt-Device", "X-Umeng-Meta"]
KV_SEPS = ["; ", ";", ", ", "&", " | ", ","]
KV_ASSIGN = ["=", "=", ":", "="]
KEY_SPELL = dict(
    imei=["imei", "IMEI", "device_imei", "Imei1", "IMEI_1"],
    mac=["mac", "Mac", "wifiMac", "WIFI_MAC", "mac_addr"],
    android_id=["android_id", "androidId", "ANDROID-ID", "ssaid"],
    ad_id=["gaid", "GAID", "adid", "advertising_id", "Idfa"],
    phone=["phone", "msisdn", "Mobile", "tel", "phone_num"],
    email=["email", "mail", "E-Mail", "acct"],
    imsi=["imsi", "IMSI", "subscriberId"],
)
FILLER = [("model", "Pixel%207"), ("os", "13"), ("ver", "4.2.1"),
          ("dpi", "420"), ("net", "wifi"), ("lang", "en-US"),
          ("tz", "-0500"), ("build", "TQ3A.230805.001"), ("ch", "gp")]


def spell(kind):
    ks = KEY_SPELL[kind]
    k = R.choice(ks)
    return k


def kv_list(pairs):
    sep, eq = R.choice(KV_SEPS), R.choice(KV_ASSIGN)
    items = pairs + R.sample(FILLER, R.randrange(1, 4))
    R.shuffle(items)
    return sep.join(f"{k}{eq}{v}" for k, v in items)


def rnd_value(kind):
    return dict(imei=rnd_imei, mac=rnd_mac, android_id=lambda: R.choice("123456789abcdef") + rnd_hex(15),
                ad_id=rnd_uuid, phone=rnd_phone, email=rnd_email,
                imsi=lambda: R.choice(["310", "460", "234"]) + rnd_digits(12))[kind]()


SCAT = dict(imei="device_id.imei", mac="mac", android_id="device_id.android_id",
            ad_id="ad_id", phone="phone", email="email", imsi="device_id.imsi")

# A: key=value lists inside custom headers
for i in range(60):
    kinds = R.sample(["imei", "mac", "android_id", "ad_id", "imsi"], R.randrange(1, 3))
    if i % 3 == 0:
        ident = IDENTITIES[i % 3]
        kinds = [k for k in kinds if k in ident] or ["imei"]
        pairs = [(spell(k), ident[k] if k != "mac" else ident[k]) for k in kinds]
        exp = [f"{CAT[k]}|{ident['label']}" for k in kinds]
    else:
        pairs = [(spell(k), rnd_value(k)) for k in kinds]
        exp = [f"{SCAT[k]}|-" for k in kinds]
    add("http", f"shape/header-kv/{i}", exp,
        http("GET", "/v1/cfg", [f"{R.choice(HDR_NAMES)}: {kv_list(pairs)}"]))
for i in range(40):   # look-alikes: ids that are not identifiers
    pairs = R.choice([
        [("imei", "unknown"), ("mac", "02:00:00:00:00:00")],
        [("sid", rnd_hex(16)), ("ts", str(1700000000000 + R.randrange(10**9)))],
        [("trace", rnd_uuid()), ("span", rnd_hex(16))],
        [("imei", "000000000000000"[:R.choice([3, 8])]), ("v", "2")],
        [("build", str(R.randrange(20200101, 20251231))), ("mcc", "310")],
        [("phone", "android"), ("mail", "off")],
    ])
    add("http", f"shape/header-kv-benign/{i}", [],
        http("GET", "/v1/cfg", [f"{R.choice(HDR_NAMES)}: {kv_list(pairs)}"]))

# B: cookies
for i in range(60):
    kind = R.choice(["imei", "android_id", "ad_id", "phone", "email", "mac"])
    if i % 3 == 0:
        ident = IDENTITIES[i % 3]
        val, exp = ident[kind], [f"{CAT[kind]}|{ident['label']}"]
    else:
        val, exp = rnd_value(kind), [f"{SCAT[kind]}|-"]
    k = i % 5
    key = spell(kind)
    if k == 0:
        ck = f"_ga=GA1.2.{rnd_digits(10)}.{rnd_digits(10)}; {key}={urllib.parse.quote(val, safe='@')}"
    elif k == 1:
        ck = f"{key}=\"{val}\";sid={rnd_hex(24)}"
    elif k == 2:   # a sub-list inside one cookie
        ck = f"lang=en; dev={R.choice(['', 'v=1|'])}{key}:{urllib.parse.quote(val, safe='')}|os:13"
    elif k == 3:   # URL-encoded JSON in a cookie
        ck = "ctx=" + urllib.parse.quote(json.dumps({"d": {key: val}, "v": 3}), safe="") + "; path_seen=1"
    else:
        ck = f"{key.upper()}={urllib.parse.quote(val, safe='')}"
    add("http", f"shape/cookie/{i}", exp, http("GET", "/v1/feed", [f"{R.choice(['Cookie', 'cookie', 'COOKIE'])}: {ck}"]))
for i in range(40):
    ck = R.choice([
        f"_ga=GA1.2.{rnd_digits(10)}.{rnd_digits(10)}; _gid=GA1.2.{rnd_digits(9)}.{rnd_digits(10)}",
        f"csrftoken={rnd_hex(32)}; sessionid={rnd_hex(32)}",
        f"sid={rnd_uuid()}; theme=dark; consent=1",
        f"ctx=" + urllib.parse.quote(json.dumps({"ab": [rnd_digits(6)], "v": 3}), safe=""),
        f"lang=en_US; tz=America%2FNew_York; region=us-east-1",
    ])
    add("http", f"shape/cookie-benign/{i}", [], http("GET", "/v1/feed", [f"Cookie: {ck}"]))

# C: coarse location: a city, region and/or country of the user or device
PLACES_C = [("Arlington", "VA", "US", "USA"), ("Shenzhen", "Guangdong", "CN", "CHN"),
            ("Manchester", "England", "GB", "GBR"), ("Lyon", "Auvergne-Rhone-Alpes", "FR", "FRA"),
            ("Sao Paulo", "SP", "BR", "BRA"), ("Osaka", "Osaka", "JP", "JPN"),
            ("\u6df1\u5733", "\u5e7f\u4e1c", "CN", "CHN")]
COARSE = ["location.coarse|-"]
for i in range(70):
    city, reg, cc2, cc3 = R.choice(PLACES_C)
    k = i % 7
    if k == 0:   # OpenRTB device.geo without coordinates
        m = http("POST", "/openrtb2/auction", body=jbody({"id": rnd_hex(8), "device": {"ua": "x", "geo": {
            "country": cc3, "region": reg, "city": city, "type": 2}}}), ctype="application/json")
    elif k == 1:
        q = urllib.parse.urlencode({R.choice(["city", "City", "user_city"]): city,
                                    R.choice(["province", "region", "state"]): reg,
                                    R.choice(["country", "cc", "countryCode"]): cc2, "v": "7"})
        m = http("GET", f"/sdk/init?{q}")
    elif k == 2:
        body = urllib.parse.urlencode({"uid": rnd_digits(8), R.choice(["geo_city", "userCity", "ip_city", "locCity"]): city,
                                       R.choice(["geo_region", "userProvince", "ip_region"]): reg}).encode()
        m = http("POST", "/report", body=body, ctype="application/x-www-form-urlencoded")
    elif k == 3:
        m = http("POST", "/ev", body=jbody({"ctx": {R.choice(["ipInfo", "ip_geo", "location", "loc"]): {
            R.choice(["City", "city", "cityName"]): city, R.choice(["Region", "regionName", "province"]): reg,
            R.choice(["Country", "countryCode"]): cc2}}}), ctype="application/json")
    elif k == 4:
        m = http("POST", "/ev", body=jbody({"user": {"id": rnd_digits(7), "geo": {"city": city}}}), ctype="application/json")
    elif k == 5:
        m = http("GET", f"/track?e=open&{urllib.parse.urlencode({'location': f'{city}, {reg}, {cc2}'})}")
    else:
        m = http("GET", "/v2/ad", [f"X-Geo-Info: city={urllib.parse.quote(city)}; region={urllib.parse.quote(reg)}; country={cc2}"])
    add("http", f"shape/coarse/{k}/{i}", COARSE, m)
for i in range(50):
    city, reg, cc2, cc3 = R.choice(PLACES_C)
    k = i % 7
    if k == 0:   # a locale or a storefront country alone
        m = http("GET", f"/cfg?country={cc2}&lang=en&currency=USD")
    elif k == 1:   # a cloud region, an availability zone
        m = http("POST", "/s3", body=jbody({"region": "us-east-1", "zone": "us-east-1a", "bucket": "logs"}), ctype="application/json")
    elif k == 2:   # a shop's address the user looked up (street present)
        m = http("GET", "/maps/search?" + urllib.parse.urlencode({"street": STREETS[0], "city": city}))
    elif k == 3:   # a hotel search: a destination, not where the user is
        m = http("POST", "/hotels", body=jbody({"destination": {"city": city, "country": cc2}, "nights": 2}), ctype="application/json")
    elif k == 4:   # a time zone and a region code of an app store
        m = http("GET", f"/store?tz=Europe%2FParis&store_region={cc2}&region=eu")
    elif k == 5:   # ids and counts under place keys
        m = http("GET", f"/list?city_id={R.randrange(1, 400)}&region_count=3&country=0")
    else:   # a weather lookup for a city the user typed
        m = http("GET", "/weather?" + urllib.parse.urlencode({"q": city, "units": "metric"}))
    add("http", f"shape/coarse-benign/{k}/{i}", [], m)

# D: a national-format phone number deep inside JSON
NATIONAL = [lambda: f"({R.choice('2345678')}{rnd_digits(2)}) {rnd_digits(3)}-{rnd_digits(4)}",
            lambda: f"0{R.choice('67')}{rnd_digits(8)}",                          # FR mobile
            lambda: f"07{rnd_digits(3)} {rnd_digits(6)}",                         # UK mobile
            lambda: f"1{R.choice('3589')}{rnd_digits(9)}",                        # CN mobile
            lambda: f"0{R.choice('9')}0-{rnd_digits(4)}-{rnd_digits(4)}",         # JP mobile
            lambda: f"0{R.choice('1')}{R.choice('5678')}{rnd_digits(1)} {rnd_digits(7)}"]  # DE mobile


def nest(depth, leaf):
    obj = leaf
    for _ in range(depth):
        obj = {R.choice(["data", "user", "profile", "payload", "account", "info", "attrs"]): obj,
               R.choice(["v", "n", "seq"]): R.randrange(9)}
    return obj


def national(ident):
    cc, nat = phone_parts(ident["phone"])
    if cc == "1":
        return f"({nat[:3]}) {nat[3:6]}-{nat[6:]}"
    if cc == "44":
        return "0" + nat[:4] + " " + nat[4:]
    return nat[:3] + " " + nat[3:7] + " " + nat[7:]


for i in range(60):
    key = R.choice(["phone", "mobile", "tel", "phoneNumber", "contact_phone", "Mobile_No", "cellphone"])
    if i % 3 == 0:
        ident = IDENTITIES[i % 3]
        val, exp = national(ident), [f"phone|{ident['label']}"]
    else:
        val, exp = R.choice(NATIONAL)(), ["phone|-"]
    leaf = {key: val} if i % 4 else {"contact": [{"kind": "home"}, {key: val}]}
    add("http", f"shape/national-phone/{i}", exp,
        http("POST", "/v1/profile", body=jbody(nest(R.randrange(2, 7), leaf)), ctype="application/json"))
for i in range(40):
    key = R.choice(["order_no", "tracking", "ref", "sku", "build", "serial"])
    val = R.choice([f"0{rnd_digits(9)}", f"({rnd_digits(3)}) {rnd_digits(3)}", f"1{rnd_digits(10)}", f"{rnd_digits(3)}-{rnd_digits(4)}-{rnd_digits(4)}"])
    add("http", f"shape/national-phone-benign/{i}", [],
        http("POST", "/v1/order", body=jbody(nest(R.randrange(2, 7), {key: val})), ctype="application/json"))


# E: chunked bodies, and gzip'd then chunked
def chunked(body, size):
    out = b""
    for j in range(0, len(body), size):
        part = body[j:j + size]
        ext = R.choice(["", "", ";x=1"])
        out += f"{len(part):{R.choice(['x', 'X'])}}{ext}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def http_chunked(body, ctype, gz):
    h = ["POST /v1/batch HTTP/1.1", "Host: api.example-tracker.com", "User-Agent: okhttp/4.9.3",
         f"Content-Type: {ctype}", "Transfer-Encoding: chunked"]
    if gz:
        body = _gzip.compress(body, mtime=0)
        h.append("Content-Encoding: gzip")
    return ("\r\n".join(h) + "\r\n\r\n").encode() + chunked(body, R.choice([3, 7, 16, 64]))


for i in range(80):
    kind = R.choice(["imei", "android_id", "ad_id", "phone", "email", "mac"])
    if i % 2 == 0:
        ident = IDENTITIES[i % 3]
        val, exp = ident[kind], [f"{CAT[kind]}|{ident['label']}"]
    else:
        val, exp = rnd_value(kind), [f"{SCAT[kind]}|-"]
    key = spell(kind)
    if i % 4 < 2:
        body, ct = jbody({"events": [{"t": 1}, {"props": {key: val}}]}), "application/json"
    else:
        body, ct = f"a=1&{key}={urllib.parse.quote_plus(val)}&b=2".encode(), "application/x-www-form-urlencoded"
    gz = (i // 2) % 2 == 1
    add("http", f"shape/chunked{'-gzip' if gz else ''}/{i}", exp, http_chunked(body, ct, gz))
for i in range(30):
    body = jbody({"events": [{"t": 1700000000000 + R.randrange(10**9), "id": rnd_uuid(), "seq": rnd_digits(12)}]})
    add("http", f"shape/chunked-benign/{i}", [], http_chunked(body, "application/json", i % 2 == 1))


# F: the request arrives in segments cut inside the value
def add_split(name, exp, payload, val):
    at = payload.find(val.encode()) if isinstance(val, str) else -1
    if at < 0:
        at = payload.find(urllib.parse.quote(val, safe="").encode())
    cuts = sorted({at + R.randrange(1, max(2, len(val) - 1)), R.randrange(1, len(payload) - 1)}) if at > 0 else [len(payload) // 2]
    lines.append(f"http\t{name}\t{','.join(exp)}\t{payload.hex()}\t{','.join(map(str, cuts))}")


for i in range(60):
    kind = R.choice(["imei", "android_id", "ad_id", "phone", "email", "mac"])
    if i % 2 == 0:
        ident = IDENTITIES[i % 3]
        val, exp = ident[kind], [f"{CAT[kind]}|{ident['label']}"]
    else:
        val, exp = rnd_value(kind), [f"{SCAT[kind]}|-"]
    where = ["query", "json", "form", "header", "multipart"][i % 5]
    add_split(f"shape/split/{where}/{i}", exp, place(where, spell(kind), val), val)


# -------------------------------------------------------------- write
with open(os.path.join(OUT, "identities.yaml"), "w") as f:
    f.write("# Generated by make_labelled_set.py; the labelled set's identities.\nidentities:\n")
    for ident in IDENTITIES:
        f.write(f"  - label: {ident['label']}\n")
        for kind in CAT:
            f.write(f"    {kind}: [{json.dumps(ident[kind])}]\n")
        lat, lon, rad = ident["home"]
        f.write(f"    home: {{lat: {lat}, lon: {lon}, radius_m: {rad}}}\n")
with open(os.path.join(OUT, "labelled_set.tsv"), "w") as f:
    f.write("# kind\tname\texpected\thex(payload) - generated by make_labelled_set.py\n")
    for ln in lines:
        f.write(ln + "\n")
print(f"{len(lines)} messages written to {OUT}")
