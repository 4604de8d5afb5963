"""A change made by ``pingan code`` in another process reaches the running server's cached trust store and
revocation lists (settings.CACHES is shared by every process; a per-process LocMemCache kept serving the old
keys and lists: new codes read ``unknown_key``, a fraud-revoked code stayed valid offline for up to 30 min).

The test process plays the server: it caches the trust store and a revocation list, then the CLI runs in a
subprocess on the same database, data directory and key directory, like an operator's shell beside
``pingan serve``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from test_app_support import isolated, screened  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.keys import KeyStore, TrustedKey
from pingan.codes.models import SafetyCode, SigningKey
from pingan.codes.revocation import Reason, RevocationList
from pingan.codes.token import Status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated")]


ENV = {}


@pytest.fixture(autouse=True)
def _env(process_env):
    ENV["make"] = process_env


def cli(*args: str) -> str:
    """Run ``python -m pingan.cli ARGS...`` as a separate process with the test's settings; its output."""
    r = subprocess.run([sys.executable, "-m", "pingan.cli", *args], env=ENV["make"](), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_it_shares_one_cache_between_the_server_and_the_cli():
    # The CLI subprocess computes its cache from PINGAN_DATA_DIR: the same directory as this process's.
    assert settings.CACHES["default"]["LOCATION"] == str(settings.DATA_DIR / "cache")


def test_a_key_rotated_by_the_cli_reaches_the_servers_trust_store_and_revocation_list(cast):
    screened(cast.premises_a, ["green"])
    old = services.safety_code_issue(premises=cast.premises_a, actor=None)
    # The server has served the keys and the list: both are cached now.
    assert [k.kid.hex() for k in services.trust_store()] == [old.kid]
    before = services.revocation_list_current(issuer=old.issuer)

    cli("code", "keys", "rotate", "--issuer", old.issuer)

    new_key = SigningKey.objects.get(issuer=old.issuer, active=True)
    assert new_key.kid != old.kid
    assert {k.kid.hex() for k in services.trust_store()} == {old.kid, new_key.kid}
    # A code signed by the new key verifies on the server (it read unknown_key with a per-process cache).
    screened(cast.premises_a, ["green"])
    new = services.safety_code_issue(premises=cast.premises_a, actor=None)
    assert new.kid == new_key.kid
    assert services.safety_code_verify(new.token).status is Status.VALID
    # The list was rebuilt and is signed by the new active key.
    after = services.revocation_list_current(issuer=old.issuer)
    assert after.serial > before.serial
    RevocationList.verify(after.data, KeyStore([TrustedKey.from_jwk(new_key.jwk)]))


def test_codes_revoked_or_superseded_by_the_cli_enter_the_servers_revocation_list(cast):
    screened(cast.premises_a, ["green"])
    first = services.safety_code_issue(premises=cast.premises_a, actor=None)
    cached = services.revocation_list_current(issuer=first.issuer)
    assert RevocationList.verify(cached.data, services.trust_store()).entries == {}

    screened(cast.premises_a, ["green", "green"])  # a newer screening: its code supersedes the first
    cli("code", "issue", str(cast.premises_a.pk))  # supersedes (revokes) the first code

    second = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    rebuilt = services.revocation_list_current(issuer=first.issuer)
    entries = RevocationList.verify(rebuilt.data, services.trust_store()).entries
    assert entries[bytes.fromhex(first.code_id)].reason is Reason.RESCREENED
    assert bytes.fromhex(second.code_id) not in entries

    cli("code", "revoke", second.code_id, "--reason", "fraud")

    entries = RevocationList.verify(services.revocation_list_current(issuer=first.issuer).data,
                                    services.trust_store()).entries
    assert entries[bytes.fromhex(second.code_id)].reason is Reason.FRAUD
