"""Safety-code benchmark: issue and verify throughput per core, and the QR version of typical codes.

Run: ``.venv/bin/python bench/codes_bench.py [--n 5000]``. Throughput is measured in CPU time of this
process (``time.process_time``), i.e. codes per second per core, so other load on a shared machine
inflates it less than wall-clock timing would. Each verification gets a distinct code (no caching).
Verification is measured one call per code (``verify``) and in batches of 1,000 (``verify_batch``: the
same verdicts, each stage over the whole batch).
Targets (issue 5): ≥ 10,000 verifications/s/core; QR version ≤ 10 at error-correction level Q.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from faker import Faker

from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key
from pingan.codes.levels import Level
from pingan.codes.render import make_qr
from pingan.codes.token import PREFIX, SafetyCode, b45decode, decode, issue, parse_sign1, verify, verify_batch

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


def _code(name: str, premises_id: int, issued: datetime) -> SafetyCode:
    return SafetyCode.new(issuer=ISSUER, premises_id=premises_id, premises_name=name, level=Level.GREEN,
                          people=37, issued_at=issued)


def main() -> None:
    """Print the figures as text and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="codes per measurement (default 5000)")
    n = parser.parse_args().n
    now = datetime.now(UTC)
    fake = Faker("zh_CN")
    Faker.seed(5)
    names = [fake.company()[:40] for _ in range(max(n, 1000))]
    results: dict[str, object] = {"n": n, "load_average_1min": round(os.getloadavg()[0], 2)}

    for alg in (Alg.ES256, Alg.EDDSA):
        signer = KeySigner(generate_private_key(alg), issuer=ISSUER)
        trust = KeyStore([signer.trusted_key()])
        codes = [_code(name, 1000 + i, now - timedelta(hours=1)) for i, name in enumerate(names)]
        issue_rate = _rate_each(lambda c, s=signer: issue(c, s), codes)  # type: ignore[misc]
        tokens = [issue(c, signer) for c in codes]
        verify_rate = _rate_each(lambda t, k=trust: verify(t, k, now=now), tokens)  # type: ignore[misc]
        assert all(verify(t, trust, now=now).ok for t in tokens[:100])
        chunks = [tokens[i:i + 1000] for i in range(0, len(tokens), 1000)]
        start = time.process_time()
        batch_ok = sum(v.ok for chunk in chunks for v in verify_batch(chunk, trust, now=now))
        batch_rate = len(tokens) / (time.process_time() - start)
        assert batch_ok == len(tokens)
        decode_rate = _rate_each(lambda t: parse_sign1(decode(t)), tokens)  # type: ignore[arg-type]
        results[alg.jose_name] = {"issue_per_s": round(issue_rate), "verify_per_s": round(verify_rate),
                                  "verify_batch_per_s": round(batch_rate),
                                  "decode_only_per_s": round(decode_rate)}

    # What the signature check alone costs through the same libraries, for reference.
    ec_pub = ec.generate_private_key(ec.SECP256R1())
    der = ec_pub.sign(b"x" * 200, ec.ECDSA(hashes.SHA256()))
    ecdsa, ec_pub = ec.ECDSA(hashes.SHA256()), ec_pub.public_key()
    results["raw_p256_verify_per_s"] = round(_rate(lambda: ec_pub.verify(der, b"x" * 200, ecdsa), n))
    from cryptography.hazmat.primitives.asymmetric import ed25519

    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_sig = ed_key.sign(b"x" * 200)
    ed_pub = ed_key.public_key()
    results["raw_ed25519_verify_per_s"] = round(_rate(lambda: ed_pub.verify(ed_sig, b"x" * 200), n))
    import nacl.signing

    sodium = nacl.signing.VerifyKey(ed_pub.public_bytes_raw())
    results["raw_ed25519_libsodium_verify_per_s"] = round(_rate(lambda: sodium.verify(b"x" * 200, ed_sig), n))

    # QR size of typical codes: Faker zh_CN company names as premises display names.
    import segno

    signer = KeySigner(generate_private_key(Alg.ES256), issuer=ISSUER)
    sample = names[:1000]
    for level in ("q", "m"):
        versions: Counter[int] = Counter()
        for i, name in enumerate(sample):
            token = issue(_code(name, 1000 + i, now), signer)
            versions[int(segno.make_qr(token, error=level, boost_error=False).version)] += 1
        results[f"qr_versions_{level}"] = dict(sorted(versions.items()))
    tokens = [issue(_code(name, 1000 + i, now), signer) for i, name in enumerate(sample)]
    cose = [decode(t) for t in tokens]
    zlib_extra = [len(zlib.compress(c, 9)) - len(c) for c in cose]
    results["zlib_extra_bytes_min_max"] = [min(zlib_extra), max(zlib_extra)]
    results["compressed_share"] = sum(b45decode(t[len(PREFIX):])[0] == 0x78 for t in tokens) / len(tokens)
    results["median_name_chars"] = statistics.median(len(x) for x in sample)
    results["median_code_chars"] = statistics.median(len(t) for t in tokens)
    results["longest_name_at_v10q"] = max(len(x) for x, t in zip(sample, tokens, strict=True)
                                          if segno.make_qr(t, error="q", boost_error=False).version <= 10)
    typical = issue(_code("莲前出租屋", 1001, now), signer)
    results["typical_code_chars"] = len(typical)
    results["typical_qr_version_q"] = int(make_qr(typical).version)

    for alg in ("ES256", "EdDSA"):
        r = results[alg]
        print(f"{alg:6} issue {r['issue_per_s']:>7,}/s/core   verify {r['verify_per_s']:>7,}/s/core one by one, "  # type: ignore[index]
              f"{r['verify_batch_per_s']:>7,}/s/core in batches of 1,000   "  # type: ignore[index]
              f"(decode layers only {r['decode_only_per_s']:,}/s)")  # type: ignore[index]
    print(f"raw signature verify: P-256 {results['raw_p256_verify_per_s']:,}/s (OpenSSL via cryptography), "
          f"Ed25519 {results['raw_ed25519_libsodium_verify_per_s']:,}/s (libsodium via PyNaCl, used) and "
          f"{results['raw_ed25519_verify_per_s']:,}/s (OpenSSL)")
    print(f"load average while measuring: {results['load_average_1min']}")
    print(f"typical code (莲前出租屋): {results['typical_code_chars']} chars, QR version "
          f"{results['typical_qr_version_q']}-Q")
    print(f"{len(sample)} Faker company names (median {results['median_name_chars']} chars, code median "
          f"{results['median_code_chars']} chars): versions at Q {results['qr_versions_q']}, "
          f"at M {results['qr_versions_m']}; longest name within 10-Q: {results['longest_name_at_v10q']} chars")
    print(f"zlib would add {results['zlib_extra_bytes_min_max'][0]}–{results['zlib_extra_bytes_min_max'][1]} "  # type: ignore[index]
          f"bytes to these codes; share sent compressed: {results['compressed_share']:.0%}")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
