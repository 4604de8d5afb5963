"""QR size of the URL form of a safety code (issue 10): which encoding of the code in a link keeps the door QR
smallest, for typical Chinese premises names.

Run: ``.venv/bin/python bench/qr_url_bench.py [--names 1000] [--url https://gaj.xm.gov.cn/verify/]``.
Each code is a real ES256 code (64-byte signature, as EdDSA) with a Faker zh_CN company name (and a few
typical rental names); for each encoding the QR version segno chooses at levels M and Q is counted.

Encodings compared (the page URL ``U``, its upper-case form ``UU`` for alphanumeric mode):
* ``PA1 text`` — the raw ``PA1:`` base45 text, alphanumeric mode (not a link; what phones cannot open);
* ``base64url, byte`` — ``U#`` + base64url of the bytes, one byte-mode segment (the plain link);
* ``base45 path, alnum`` — ``UU`` + base45 in the path, all alphanumeric (the EU DCC trick; its space and ``%``
  are not valid in a URL and the code would reach the server);
* ``base41 fragment, mixed`` — ``U#`` byte segment + base45's scheme over the 41 URL-safe alphanumeric
  characters (``0-9A-Z*-./:``) in an alphanumeric segment;
* ``digits fragment, mixed`` (chosen) — ``U#`` byte segment + the digits of ``pingan.codes.urlform`` in a
  numeric segment;
* ``digits, upper-case URL`` — ``UU`` alphanumeric + ``#`` byte + digits numeric (relies on scanners taking
  an upper-case ``HTTPS://`` link, which not all do).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
from collections import Counter
from datetime import UTC, datetime

import segno
from faker import Faker
from segno import encoder

from pingan.codes.keys import Alg, KeySigner, generate_private_key
from pingan.codes.levels import Level
from pingan.codes.token import PREFIX, SafetyCode, b45decode, issue
from pingan.codes.urlform import b10encode, qr_segments, to_url

B41 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*-./:"
TYPICAL = ["莲前出租屋", "思明区莲前街道前埔南区出租屋", "厦门市湖里区江头北路2号公寓", "金山小区12号楼3单元",
           "瑞景新村出租房"]


def b41encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [B41[n % 41], B41[n // 41 % 41], B41[n // 1681]]
    if len(data) % 2:
        n = data[-1]
        out += [B41[n % 41], B41[n // 41]]
    return "".join(out)


MODES = {"byte": segno.consts.MODE_BYTE, "alphanumeric": segno.consts.MODE_ALPHANUMERIC,
         "numeric": segno.consts.MODE_NUMERIC}


def version(content, level: str) -> int:
    """The smallest QR version holding ``content`` at ``level`` (what ``segno.make_qr`` picks, without
    drawing the symbol: ``tests/codes/test_codes_urlform.py`` checks the two agree)."""
    if isinstance(content, list):
        content = [(c, MODES[m]) for c, m in content]
    segments = encoder.prepare_data(content, None, None)
    return int(encoder.find_version(segments, encoder.normalize_errorlevel(level), eci=False, micro=False))


def encodings(token: str, url: str) -> dict[str, object]:
    body = b45decode(token[len(PREFIX):])
    upper = url.upper()
    b45 = token[len(PREFIX):]
    return {
        "PA1 text": token,
        "base64url, byte": [(url + "#" + base64.urlsafe_b64encode(body).rstrip(b"=").decode(), "byte")],
        "base45 path, alnum": [(upper + b45, "alphanumeric")],
        "base41 fragment, mixed": [(url + "#", "byte"), (b41encode(body), "alphanumeric")],
        "digits fragment, mixed": qr_segments(to_url(body, url)),
        "digits, upper-case URL": [(upper, "alphanumeric"), ("#", "byte"), ("1" + b10encode(body), "numeric")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=1000)
    parser.add_argument("--url", default="https://gaj.xm.gov.cn/verify/")
    args = parser.parse_args()
    fake = Faker("zh_CN")
    Faker.seed(5)
    names = TYPICAL + [fake.company()[:40] for _ in range(args.names)]
    signer = KeySigner(generate_private_key(Alg.ES256), issuer="350203-LQ")
    now = datetime(2026, 12, 6, tzinfo=UTC)
    table: dict[str, dict[str, Counter]] = {}
    typical: dict[str, dict[str, int]] = {}
    lengths = []
    for i, name in enumerate(names):
        token = issue(SafetyCode.new(issuer="350203-LQ", premises_id=10_000 + i, premises_name=name,
                                     level=Level.GREEN, people=18, issued_at=now), signer)
        lengths.append(len(b45decode(token[len(PREFIX):])))
        for label, content in encodings(token, args.url).items():
            for level in ("m", "q"):
                v = version(content, level)
                table.setdefault(label, {}).setdefault(level, Counter())[v] += 1
                if name == TYPICAL[0]:
                    typical.setdefault(label, {})[level] = v
    load = os.getloadavg()[0]
    print(f"URL {args.url}; {len(names)} names (median {statistics.median(len(n) for n in names)} characters), "
          f"code bytes median {statistics.median(lengths)}; load average {load:.2f}")
    print(f"{'encoding':26} {'莲前出租屋 M/Q':>14}  versions at M            versions at Q")
    for label, levels in table.items():
        m = ", ".join(f"{v}: {c}" for v, c in sorted(levels["m"].items()))
        q = ", ".join(f"{v}: {c}" for v, c in sorted(levels["q"].items()))
        print(f"{label:26} {typical[label]['m']:>6}/{typical[label]['q']:<7}  {m:24} {q}")
    print(json.dumps({"url": args.url, "names": len(names), "load_average_1min": round(load, 2),
                      "typical": typical,
                      "versions": {k: {lv: dict(sorted(c.items())) for lv, c in v.items()} for k, v in table.items()}},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
