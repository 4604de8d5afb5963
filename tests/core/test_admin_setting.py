"""Django's admin is served only where PINGAN_ADMIN says so (``ADMIN_ENABLED``)."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def urlconf(settings):
    """Reload the URL roots under the test's settings (they read ``ADMIN_ENABLED`` when imported)."""
    import pingan.config.urls

    def load(enabled: bool):
        settings.ADMIN_ENABLED = enabled
        importlib.reload(pingan.config.urls)
        clear_url_caches()

    yield load
    settings.ADMIN_ENABLED = False
    importlib.reload(pingan.config.urls)
    clear_url_caches()


def test_the_admin_is_not_served_by_default(client, cast, urlconf):
    from django.conf import settings

    urlconf(settings.ADMIN_ENABLED)  # the default as the settings module computes it
    assert settings.ADMIN_ENABLED is False
    client.force_login(cast.admin)
    response = client.get("/admin/")
    assert response.status_code == 404 and 'class="bar"' in response.content.decode()  # the site's own 404
    assert client.get("/admin/login/").status_code == 404


def test_the_admin_is_served_where_the_setting_says_so(client, cast, urlconf):
    urlconf(True)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_environment_variable_turns_it_on(tmp_path):
    import os
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.ADMIN_ENABLED)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env.update(PINGAN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="pingan.config.settings")
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    on = subprocess.run([sys.executable, "-c", code], env={**env, "PINGAN_ADMIN": "true"}, capture_output=True,
                        text=True, check=True)
    assert off.stdout.strip() == "False" and on.stdout.strip() == "True"
