"""Accounts: Argon2 hashing, lock-out after repeated failures, API tokens."""

import pytest
from django.test import override_settings

from pingan.core.services import token_authenticate, token_create, token_revoke

pytestmark = pytest.mark.django_db
CAST_PASSWORD = "correct horse battery staple"  # the cast's password (tests/conftest.py)


def test_it_hashes_passwords_with_argon2_in_the_real_settings():
    from pingan.config import settings as real

    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_it_stores_an_argon2_hash(db):
    from pingan.core.services import user_create

    u = user_create(username="x", password=CAST_PASSWORD, role="citizen")
    assert u.password.startswith("argon2$")


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=0.5)
def test_it_locks_out_after_repeated_failed_logins_and_says_for_how_long(client, cast):
    for _ in range(3):
        r = client.post("/login/", {"username": "officer_a", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429
    html = r.content.decode()
    assert "officer_a" in html and "paused for 30 minutes" in html and 'id="locked-out"' in html
    # even the right password is refused while locked out
    r = client.post("/login/", {"username": "officer_a", "password": CAST_PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_passwords_from_one_address_do_not_lock_the_officer_out_elsewhere(client, cast):
    from django.test import Client

    for _ in range(5):
        client.post("/login/", {"username": "officer_a", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    assert client.post("/login/", {"username": "officer_a", "password": CAST_PASSWORD},
                       REMOTE_ADDR="203.0.113.9").status_code == 429
    # the officer at the station's own address still signs in
    other = Client()
    r = other.post("/login/", {"username": "officer_a", "password": CAST_PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 302 and other.session["_auth_user_id"] == str(cast.officer_a.pk)


def test_it_signs_in_with_the_right_password(client, cast):
    r = client.post("/login/", {"username": "officer_a", "password": CAST_PASSWORD})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.officer_a.pk)


def test_it_stores_only_a_digest_of_the_token(cast):
    new = token_create(user=cast.landlord_a, name="mini-program")
    assert new.secret not in (new.token.digest, new.token.prefix)
    assert new.secret.startswith(f"pa_{new.token.prefix}_")
    assert token_authenticate(new.secret) == cast.landlord_a


def test_it_refuses_a_revoked_token(client, cast):
    new = token_create(user=cast.landlord_a, name="app")
    h = {"HTTP_AUTHORIZATION": f"Bearer {new.secret}"}
    assert client.get("/api/v1/me", **h).status_code == 200
    token_revoke(actor=cast.landlord_a, token_id=new.token.pk)
    r = client.get("/api/v1/me", **h)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorised"


def test_it_records_last_use(cast):
    new = token_create(user=cast.landlord_a, name="app")
    assert new.token.last_used_at is None
    token_authenticate(new.secret)
    new.token.refresh_from_db()
    assert new.token.last_used_at is not None


def test_it_keeps_a_token_inside_its_account(client, cast):
    new = token_create(user=cast.landlord_a, name="app")
    h = {"HTTP_AUTHORIZATION": f"Bearer {new.secret}"}
    assert client.get("/api/v1/me", **h).json()["username"] == "landlord_a"
    assert client.get(f"/api/v1/premises/{cast.premises_b.pk}", **h).status_code == 404
    assert [p["id"] for p in client.get("/api/v1/premises", **h).json()["items"]] == [cast.premises_a.pk]


def test_it_does_not_let_another_user_revoke_a_token(cast):
    from pingan.core.errors import NotFound

    new = token_create(user=cast.landlord_a, name="app")
    with pytest.raises(NotFound):
        token_revoke(actor=cast.landlord_b, token_id=new.token.pk)


def test_it_refuses_unknown_and_malformed_tokens(client, db):
    for value in ("Bearer pa_nope_nope", "Bearer ", "Token abc"):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=value).status_code == 401
