"""Safety-code benchmark: issue and verify throughput per core, and the QR version of typical codes.

Run: ``.venv/bin/python bench/codes_bench.py [--n 3000]``. Throughput is measured in CPU time of this
process (``time.process_time``), i.e. codes per second per core, so other load on a shared machine
inflates it less than wall-clock timing would. Each verification gets a distinct code (no caching).
Targets (issue 5): ≥ 10,000 verifications/s/core; QR version ≤ 10 at error-correction level Q.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from faker import Faker

from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key
from pingan.codes.levels import Level
from pingan.codes.render import make_qr
from pingan.codes.token import SafetyCode, decode, issue, parse_sign1, verify

ISSUER = "350203-LQ"


def _rate(func: Callable[[], object], n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        func()
    return n / (time.process_time() - start)


def _rate_each(func: Callable[[object], object], items: list[object]) -> float:
    start = time.process_time()
    for item in items:
        func(item)
    return len(items) / (time.process_time() - start)


def _code(name: str, premises_id: str, issued: datetime) -> SafetyCode:
    return SafetyCode.new(issuer=ISSUER, premises_id=premises_id, premises_name=name, level=Level.GREEN,
                          people=37, issued_at=issued)


def main() -> None:
    """Print the figures as text and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="codes per measurement (default 3000)")
    n = parser.parse_args().n
    now = datetime.now(UTC)
    fake = Faker("zh_CN")
    Faker.seed(5)
    names = [fake.company()[:40] for _ in range(n)]
    results: dict[str, object] = {"n": n}

    for alg in (Alg.ES256, Alg.EDDSA):
        signer = KeySigner(generate_private_key(alg), issuer=ISSUER)
        trust = KeyStore([signer.trusted_key()])
        codes = [_code(name, f"350203010-{i:04d}", now - timedelta(hours=1)) for i, name in enumerate(names)]
        issue_rate = _rate_each(lambda c, s=signer: issue(c, s), codes)  # type: ignore[misc]
        tokens = [issue(c, signer) for c in codes]
        verify_rate = _rate_each(lambda t, k=trust: verify(t, k, now=now), tokens)  # type: ignore[misc]
        assert all(verify(t, trust, now=now).ok for t in tokens[:100])
        decode_rate = _rate_each(lambda t: parse_sign1(decode(t)), tokens)  # type: ignore[arg-type]
        results[alg.jose_name] = {"issue_per_s": round(issue_rate), "verify_per_s": round(verify_rate),
                                  "decode_only_per_s": round(decode_rate)}

    # What the signature check alone costs through the same library (OpenSSL), for reference.
    ec_key = ec.generate_private_key(ec.SECP256R1())
    der = ec_key.sign(b"x" * 200, ec.ECDSA(hashes.SHA256()))
    results["raw_p256_verify_per_s"] = round(_rate(
        lambda: ec_key.public_key().verify(der, b"x" * 200, ec.ECDSA(hashes.SHA256())), n))
    from cryptography.hazmat.primitives.asymmetric import ed25519

    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_sig = ed_key.sign(b"x" * 200)
    ed_pub = ed_key.public_key()
    results["raw_ed25519_verify_per_s"] = round(_rate(lambda: ed_pub.verify(ed_sig, b"x" * 200), n))

    # QR size of typical codes: Faker zh_CN company names as premises display names.
    signer = KeySigner(generate_private_key(Alg.ES256), issuer=ISSUER)
    sizes = []
    for level in ("q", "m"):
        versions = Counter()
        lengths = []
        for i, name in enumerate(names[:300]):
            token = issue(_code(name, f"350203010-{i:04d}", now), signer)
            lengths.append(len(token))
            import segno

            versions[int(segno.make_qr(token, error=level, boost_error=False).version)] += 1
        sizes.append((level, versions, lengths))
        results[f"qr_versions_{level}"] = dict(sorted(versions.items()))
    typical = issue(_code("莲前出租屋", "350203010-0001", now), signer)
    results["typical_code_chars"] = len(typical)
    results["typical_qr_version_q"] = int(make_qr(typical).version)
    results["median_name_chars"] = statistics.median(len(x) for x in names[:300])
    results["median_code_chars"] = statistics.median(sizes[0][2])

    for alg in ("ES256", "EdDSA"):
        r = results[alg]
        print(f"{alg:6} issue {r['issue_per_s']:>7,}/s/core   verify {r['verify_per_s']:>7,}/s/core   "  # type: ignore[index]
              f"(decode layers only {r['decode_only_per_s']:,}/s)")  # type: ignore[index]
    print(f"raw OpenSSL verify via cryptography: P-256 {results['raw_p256_verify_per_s']:,}/s, "
          f"Ed25519 {results['raw_ed25519_verify_per_s']:,}/s")
    print(f"typical code (莲前出租屋): {results['typical_code_chars']} chars, QR version "
          f"{results['typical_qr_version_q']}-Q")
    print(f"Faker company names (median {results['median_name_chars']} chars, code median "
          f"{results['median_code_chars']} chars): versions at Q {results['qr_versions_q']}, "
          f"at M {results['qr_versions_m']}")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
