"""Settings refuse an unsafe production configuration (run in a subprocess: settings load once)."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.smoke


def load_settings(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    clean.update({"PINGAN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "pingan.config.settings", **env})
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60)


def test_it_refuses_production_with_debug_on(tmp_path):
    r = load_settings(tmp_path, PINGAN_PRODUCTION="true", PINGAN_DEBUG="true", PINGAN_SECRET_KEY="x" * 60)
    assert r.returncode != 0
    assert "PINGAN_DEBUG must be off" in r.stderr


def test_it_refuses_production_without_a_secret(tmp_path):
    r = load_settings(tmp_path, PINGAN_PRODUCTION="true")
    assert r.returncode != 0 and "set PINGAN_SECRET_KEY" in r.stderr


def test_it_refuses_production_with_the_generated_development_secret(tmp_path):
    assert load_settings(tmp_path).returncode == 0  # the embedded default generates one
    generated = (tmp_path / "secret_key").read_text().strip()
    assert generated.startswith("pingan-dev-")
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    r = load_settings(tmp_path, PINGAN_PRODUCTION="true", PINGAN_SECRET_KEY=generated)
    assert r.returncode != 0 and "generated development secret" in r.stderr


def test_it_reads_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "s"
    secret.write_text("y" * 64)
    r = load_settings(tmp_path, PINGAN_PRODUCTION="true", PINGAN_SECRET_KEY_FILE=str(secret),
                      PINGAN_DATABASE_URL="sqlite:///" + str(tmp_path / "db.sqlite3"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"  # debug off by default


def test_it_rejects_a_malformed_boolean(tmp_path):
    r = load_settings(tmp_path, PINGAN_DEBUG="maybe")
    assert r.returncode != 0 and "PINGAN_DEBUG='maybe'" in r.stderr


def test_it_rejects_an_unknown_signature_algorithm(tmp_path):
    r = load_settings(tmp_path, PINGAN_CODE_KEY_ALG="RS256")
    assert r.returncode != 0 and "PINGAN_CODE_KEY_ALG='RS256': expected one of ES256, EdDSA" in r.stderr
    assert load_settings(tmp_path, PINGAN_CODE_KEY_ALG="eddsa").returncode == 0


@pytest.mark.parametrize("days", ["0", "-1", "10000000"])
def test_it_rejects_a_safety_code_validity_out_of_range(tmp_path, days):
    r = load_settings(tmp_path, PINGAN_CODE_VALIDITY_DAYS=days)
    assert r.returncode != 0 and f"PINGAN_CODE_VALIDITY_DAYS={days}: a safety code's validity" in r.stderr


def test_it_shares_a_file_cache_in_the_data_directory_by_default(tmp_path):
    from pingan.config.env import cache_settings

    default = cache_settings("PINGAN_CACHE_URL", None, tmp_path)["default"]
    assert default["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default["LOCATION"] == str(tmp_path / "cache")
    assert cache_settings("PINGAN_CACHE_URL", "file:///srv/pingan-cache", tmp_path)["default"]["LOCATION"] == (
        "/srv/pingan-cache")


def test_it_uses_redis_for_a_redis_url(tmp_path, monkeypatch):
    import importlib.util

    from django.core.exceptions import ImproperlyConfigured

    from pingan.config.env import cache_settings

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object() if name == "redis" else real(name, *a))
    url = "redis://:pw@10.0.0.5:6379/1"
    assert cache_settings("PINGAN_CACHE_URL", url, tmp_path)["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "redis" else real(name, *a))
    with pytest.raises(ImproperlyConfigured, match=r"install the redis package") as err:
        cache_settings("PINGAN_CACHE_URL", url, tmp_path)
    assert "pw" not in str(err.value)  # the URL may carry a password


@pytest.mark.parametrize("url, message", [
    ("memcached://127.0.0.1:11211", "unsupported scheme 'memcached'"),
    ("file://relative/dir", "absolute path"),
    ("127.0.0.1:6379", "expected a URL"),
])
def test_it_refuses_a_cache_url_it_cannot_share(tmp_path, url, message):
    from django.core.exceptions import ImproperlyConfigured

    from pingan.config.env import cache_settings

    with pytest.raises(ImproperlyConfigured, match=message):
        cache_settings("PINGAN_CACHE_URL", url, tmp_path)


def test_settings_refuse_a_bad_cache_url_at_start_up(tmp_path):
    r = load_settings(tmp_path, PINGAN_CACHE_URL="locmem://")
    assert r.returncode != 0 and "PINGAN_CACHE_URL: unsupported scheme 'locmem'" in r.stderr
