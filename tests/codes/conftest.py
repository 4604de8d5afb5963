"""Fixtures for the safety-code core: one issuer with an ES256 and an Ed25519 key."""

from __future__ import annotations

import pytest
from codes_support import ISSUER

from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key


@pytest.fixture(scope="session")
def es256() -> KeySigner:
    return KeySigner(generate_private_key(Alg.ES256), issuer=ISSUER)


@pytest.fixture(scope="session")
def eddsa() -> KeySigner:
    return KeySigner(generate_private_key(Alg.EDDSA), issuer=ISSUER)


@pytest.fixture(params=["es256", "eddsa"])
def signer(request: pytest.FixtureRequest) -> KeySigner:
    return request.getfixturevalue(request.param)


@pytest.fixture
def trust(es256: KeySigner, eddsa: KeySigner) -> KeyStore:
    return KeyStore([es256.trusted_key(), eddsa.trusted_key()])


@pytest.fixture
def people(cast):
    """Every role of the cast by name, with a station chief of station B (``chief_b``) too."""
    from pingan.core.services import user_create

    users = cast.users()
    users["chief_b"] = user_create(username="chief_b", password="correct horse battery staple",
                                   role="station_chief", unit=cast.unit_b, display_name="chief_b")
    return users
