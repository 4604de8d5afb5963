"""The browser verifier (verify.js) in Debian's chromium: same verdicts as Python, with the network cut."""

from __future__ import annotations

import functools
import json
import shutil
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import base45
import cbor2
import pytest
from codes_support import ISSUER, NOW, make_code
from test_codes_keys import SameKidSigner

from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key
from pingan.codes.levels import Level
from pingan.codes.revocation import Reason, Revocation, RevocationList, RevocationSet
from pingan.codes.token import PREFIX, decode, encode, issue, sig_structure, verify

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
HARNESS = Path(__file__).parent / "browser" / "harness.html"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def world() -> dict[str, object]:
    es256 = KeySigner(generate_private_key(Alg.ES256), issuer=ISSUER)
    eddsa = KeySigner(generate_private_key(Alg.EDDSA), issuer=ISSUER)
    other = KeySigner(generate_private_key(Alg.ES256), issuer="350206-JT")
    twin = SameKidSigner(es256.kid)  # a second key under es256's key id (issue 12 item 21)
    trust = KeyStore([es256.trusted_key(), eddsa.trusted_key(), other.trusted_key(), twin.trusted_key()])
    revoked = make_code()
    rl = RevocationList.build(issuer=ISSUER, serial=3, issued_at=NOW, next_update=NOW + timedelta(hours=6),
                              revocations=[Revocation(revoked.code_id, Reason.RESCREENED, revoked.expires_at)])
    return {"es256": es256, "eddsa": eddsa, "other": other, "twin": twin, "trust": trust, "revoked": revoked,
            "rl": rl.sign(eddsa)}


def _signed(signer: KeySigner, claims: dict[object, object]) -> str:
    protected = cbor2.dumps({1: int(signer.alg), 4: signer.kid})
    payload = cbor2.dumps(claims)
    return encode(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signer.sign(sig_structure(protected,
                                                                                                   payload))])))


def _cases(world: dict[str, object]) -> dict[str, tuple[str, int]]:
    es256, eddsa, other = world["es256"], world["eddsa"], world["other"]
    assert isinstance(es256, KeySigner) and isinstance(eddsa, KeySigner) and isinstance(other, KeySigner)
    now = int(NOW.timestamp())
    good = issue(make_code(level=Level.RED), es256)
    parts = list(cbor2.loads(decode(good)).value)
    claims = cbor2.loads(parts[2])
    claims[-65537][2] = 1
    tampered = encode(cbor2.dumps(cbor2.CBORTag(18, [parts[0], {}, cbor2.dumps(claims), parts[3]])))
    no_exp = make_code().to_claims()
    del no_exp[4]
    compressed = zlib.compress(decode(good), 9)
    stranger = KeySigner(generate_private_key(Alg.EDDSA), issuer=ISSUER)
    return {
        "valid_es256": (good, now),
        "valid_eddsa": (issue(make_code(premises_name="江头公寓", level=Level.YELLOW), eddsa), now),
        "expired": (issue(make_code(), eddsa), now + 8 * 86400),
        "not_yet_valid": (issue(make_code(issued_at=NOW + timedelta(hours=2)), es256), now),
        "revoked": (issue(world["revoked"], eddsa), now),  # type: ignore[arg-type]
        "unknown_key": (issue(make_code(), stranger), now),
        "bad_signature": (tampered, now),
        "valid_zlib": (encode(decode(good), compress=True), now),
        # GB 18030 two- and four-byte sequences (U+20000 is outside the BMP), Latin, a euro sign
        "valid_rare_name": (issue(make_code(premises_name="𠀀㐀鿿 Café €5 出租屋"), es256), now),
        "valid_other_issuer": (issue(make_code(issuer="350206-JT"), other), now),
        # issue 12 item 21: two keys under one kid (try each), and a revocation entry past its own expiry
        "valid_second_key_of_a_kid": (issue(make_code(), world["twin"]), now),  # type: ignore[arg-type]
        "bad_signature:third_key_of_a_kid": (issue(make_code(), SameKidSigner(es256.kid)), now),
        "expired:revocation_entry_lapsed": (issue(world["revoked"], eddsa), now + 8 * 86400),  # type: ignore[arg-type]
        "prefix": ("HC1:" + good[4:], now),
        "base45": (good[:20] + "a" + good[21:], now),
        "zlib": (PREFIX + base45.b45encode(compressed[:-6]).decode(), now),
        "cbor": (encode(decode(good) + b"\x00"), now),
        "cose": (encode(cbor2.dumps(cbor2.CBORTag(98, parts))), now),
        "cwt": (_signed(eddsa, no_exp), now),
    }


@pytest.fixture(scope="module")
def site(world: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    shutil.copy(resources.files("pingan.codes").joinpath("static/codes/verify.js"), root / "verify.js")  # type: ignore[arg-type]
    shutil.copy(HARNESS, root / "index.html")
    trust = world["trust"]
    assert isinstance(trust, KeyStore)
    (root / "keys.jwks.json").write_text(json.dumps(trust.to_jwks()))
    (root / "revocations").mkdir()
    (root / "revocations" / "index.json").write_text(json.dumps([f"{ISSUER}.cose"]))
    (root / "revocations" / f"{ISSUER}.cose").write_bytes(world["rl"])  # type: ignore[arg-type]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(site: str) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context()
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(site)
        # The module script may still be running when "load" fires on a busy machine: wait for it.
        tab.wait_for_function("window.pinganReady !== undefined", timeout=30_000)
        assert tab.evaluate("window.pinganReady") is True, errors
        assert "已加载 4 把公钥" in (tab.text_content("#trust") or ""), errors
        context.set_offline(True)
        yield tab
        browser.close()


def test_the_page_has_no_network_once_loaded(page: object) -> None:
    # no-store: the browser's HTTP cache (heuristic freshness of the file just served) must not answer for the
    # network; it did, now and then, when the fetch came within a fraction of a second of the page's own
    outcome = page.evaluate(  # type: ignore[attr-defined]
        "fetch('keys.jwks.json', {cache: 'no-store'}).then(() => 'online', () => 'offline')")
    assert outcome == "offline"


@pytest.mark.parametrize("from_cache", [False, True], ids=["memory", "localStorage"])
def test_the_browser_and_python_give_the_same_verdict_for_every_case(page: object, world: dict[str, object],
                                                                     from_cache: bool) -> None:
    trust = world["trust"]
    assert isinstance(trust, KeyStore)
    revocations = RevocationSet([RevocationList.verify(world["rl"], trust)])  # type: ignore[arg-type]
    for name, (token, now) in _cases(world).items():
        ours = verify(token, trust, revocations, now=datetime.fromtimestamp(now, UTC))
        theirs = page.evaluate("([t, n, c]) => window.pinganVerify(t, n, c)", [token, now, from_cache])  # type: ignore[attr-defined]
        assert (theirs["status"], theirs["layer"]) == (ours.status.value, ours.layer and ours.layer.value), name
        statuses = {s.value for s in type(ours.status)}
        kind = name.split(":")[0]
        expected = "valid" if kind.startswith("valid") else kind if kind in statuses else "malformed"
        assert ours.status.value == expected, (name, ours.reason)
        if expected == "malformed":
            assert ours.layer is not None and ours.layer.value == kind
        if ours.code is not None:
            assert theirs["level"] == ours.code.level.value
            assert theirs["premisesName"] == ours.code.premises_name
            assert theirs["codeId"] == ours.code.code_id.hex()


def test_a_person_can_check_a_code_on_the_offline_page(page: object, world: dict[str, object]) -> None:
    eddsa = world["eddsa"]
    assert isinstance(eddsa, KeySigner)
    token = issue(make_code(issued_at=datetime.now(UTC) - timedelta(minutes=1), premises_name="莲前出租屋"), eddsa)
    page.fill("#code", token)  # type: ignore[attr-defined]
    page.click("#check")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('result').textContent.length > 0")  # type: ignore[attr-defined]
    assert "绿码" in page.text_content("#result")  # type: ignore[attr-defined]
    assert "莲前出租屋" in page.text_content("#result")  # type: ignore[attr-defined]
    assert page.get_attribute("#result", "class") == "green"  # type: ignore[attr-defined]


def test_the_browser_keeps_trailing_spaces_which_are_base45_digits(page: object, world: dict[str, object]) -> None:
    eddsa = world["eddsa"]
    assert isinstance(eddsa, KeySigner)
    cuts = []
    for _ in range(50):
        token = issue(make_code(), eddsa)
        cuts += [token[: i + 1] for i, c in enumerate(token) if c == " " and (i + 1 - len(PREFIX)) % 3 == 1]
    assert cuts
    for cut in cuts[:5]:
        result = page.evaluate("([t, n]) => window.pinganVerify(t, n)", [cut, int(NOW.timestamp())])  # type: ignore[attr-defined]
        assert (result["status"], result["layer"]) == ("malformed", "base45"), result


def test_the_browser_rejects_zlib_trailing_bytes_and_bombs_like_python(page: object,
                                                                       world: dict[str, object]) -> None:
    es256 = world["es256"]
    assert isinstance(es256, KeySigner)
    compressed = zlib.compress(decode(issue(make_code(), es256)), 9)
    for blob in (compressed + b"junk", zlib.compress(b"\x00" * 100_000)):
        token = PREFIX + base45.b45encode(blob).decode()
        result = page.evaluate("([t, n]) => window.pinganVerify(t, n)", [token, int(NOW.timestamp())])  # type: ignore[attr-defined]
        assert (result["status"], result["layer"]) == ("malformed", "zlib"), result


def test_the_browser_reads_the_cose_key_set_as_well_as_the_jwks(page: object, world: dict[str, object]) -> None:
    trust, eddsa = world["trust"], world["eddsa"]
    assert isinstance(trust, KeyStore) and isinstance(eddsa, KeySigner)
    token = issue(make_code(), eddsa)
    script = """async ([keySet, token, now]) => {
        const m = await import("./verify.js");  // already in the module map: no network needed
        const store = await m.keyStoreFromCoseKeySet(Uint8Array.from(keySet));
        return [store.size, (await m.verify(token, store, null, now)).status];
    }"""
    size, status = page.evaluate(script, [list(trust.to_cose_key_set()), token, int(NOW.timestamp())])  # type: ignore[attr-defined]
    assert (size, status) == (3, "valid")
