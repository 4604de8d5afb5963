"""The URL form of a safety code (docs/codes.md §12): digits in the fragment of a link to the verification
page. Round trips (hypothesis), damaged links, the same verdict as the PA1: text, and the QR it makes."""

from __future__ import annotations

import pytest
from codes_support import NOW, make_code
from hypothesis import given
from hypothesis import strategies as st

from pingan.codes import render, urlform
from pingan.codes.keys import KeySigner, KeyStore
from pingan.codes.token import Layer, Status, issue, url_form, verify

URL = "https://gaj.xm.gov.cn/verify/"


@given(st.binary(max_size=400))
def test_digits_round_trip_and_are_digits_only(data: bytes) -> None:
    text = urlform.b10encode(data)
    assert text == "" or text.isdigit()
    assert urlform.b10decode(text) == data
    # 7 bytes per 17 digits: 8.1 bits per byte, the length alone says how many bytes
    assert len(text) == 17 * (len(data) // 7) + [0, 3, 5, 8, 10, 13, 15][len(data) % 7]


@pytest.mark.parametrize(("digits", "why"), [
    ("12a", "digits only"), ("1234", "not a length"), ("999", "more than 1 byte"),
    ("99999999999999999", "more than 7 byte"), ("１２３", "digits only"),
])
def test_damaged_digits_are_refused_with_the_reason(digits: str, why: str) -> None:
    with pytest.raises(urlform.UrlFormError, match=why):
        urlform.b10decode(digits)


def test_a_link_verifies_exactly_like_its_pa1_text(signer: KeySigner, trust: KeyStore) -> None:
    token = issue(make_code(), signer)
    link = url_form(token, URL)
    assert link.startswith(URL + "#1") and link[len(URL) + 1:].isdigit()
    a, b = verify(token, trust, now=NOW), verify(link, trust, now=NOW)
    assert a.status is b.status is Status.VALID and a.code == b.code
    assert verify(link.upper().replace("#1", "#1"), trust, now=NOW).status is Status.VALID  # HTTPS:// too
    assert verify("  " + link + "\r\n", trust, now=NOW).status is Status.VALID


@pytest.mark.parametrize(("mangle", "layer"), [
    (lambda u: u.split("#")[0], Layer.PREFIX),              # the fragment lost (a chat app cut it)
    (lambda u: u.replace("#1", "#2"), Layer.PREFIX),        # a future format
    (lambda u: u[:-1], Layer.DIGITS),                       # one digit cut off
    (lambda u: u[:-4] + "x" + u[-3:], Layer.DIGITS),
])
def test_a_damaged_link_is_malformed_at_its_layer(signer: KeySigner, trust: KeyStore, mangle, layer) -> None:
    result = verify(mangle(url_form(issue(make_code(), signer), URL)), trust, now=NOW)
    assert result.status is Status.MALFORMED and result.layer is layer, result.reason


def test_a_changed_digit_breaks_the_signature_not_the_decoder(signer: KeySigner, trust: KeyStore) -> None:
    link = url_form(issue(make_code(), signer), URL)
    i = len(link) - 40  # inside the signature
    bad = link[:i] + str((int(link[i]) + 1) % 10) + link[i + 1:]
    assert verify(bad, trust, now=NOW).status in (Status.BAD_SIGNATURE, Status.MALFORMED)
    assert verify(bad, trust, now=NOW).status is not Status.VALID


def test_the_door_qr_of_a_typical_premises_is_version_11_q_and_reads_back(es256: KeySigner) -> None:
    link = url_form(issue(make_code(people=18), es256), URL)
    qr = render.make_qr(link)
    assert (qr.version, qr.error) == (11, "Q")
    assert [s for _, s in urlform.qr_segments(link)] == ["byte", "numeric"]
    assert render.read_qr(render.qr_png(link)) == link  # zxing-cpp reads the mixed-mode symbol back
    assert render.qr_version(issue(make_code(people=18), es256)) == 10  # the bare PA1: text, for comparison


def test_the_bench_counts_versions_the_way_segno_builds_symbols(es256: KeySigner) -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("qr_url_bench", Path(__file__).parents[2] / "bench/qr_url_bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    token = issue(make_code(premises_name="厦门市湖里区江头北路2号公寓"), es256)
    for content in bench.encodings(token, URL).values():
        for level in ("m", "q"):
            modes = content if isinstance(content, str) else [(c, bench.MODES[m]) for c, m in content]
            import segno

            assert bench.version(content, level) == segno.make_qr(modes, error=level, boost_error=False).version
