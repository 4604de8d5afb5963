"""``pingan: configuration error`` in the user's language (issue 11).

It is said when Django's settings fail, before Django's translations are available, and was English under
``LANG=zh_CN.UTF-8``; ``pingan.cli`` reads the core catalogue with the standard gettext.
"""

import os
import subprocess
import sys

import pytest


def _run(tmp_path, **locale):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PINGAN_", "DJANGO_", "LC_", "LANG"))}
    env.update(PINGAN_DATA_DIR=str(tmp_path), PINGAN_PRODUCTION="1", **locale)
    return subprocess.run([sys.executable, "-m", "pingan.cli", "check"], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("locale", "said"), [
    ({"LANG": "zh_CN.UTF-8"}, "pingan：配置错误：PINGAN_"),
    ({"LANG": "en_US.UTF-8", "PINGAN_LANGUAGE": "zh-hans"}, "pingan：配置错误：PINGAN_"),
    ({"LANG": "C"}, "pingan：配置错误：PINGAN_"),  # the site's language, Chinese
    ({"LANG": "en_US.UTF-8"}, "pingan: configuration error: PINGAN_"),
    ({"LC_ALL": "zh_CN.UTF-8", "PINGAN_LANGUAGE": "en"}, "pingan: configuration error: PINGAN_"),
])
def test_a_configuration_error_is_said_in_the_users_language(tmp_path, locale, said):
    r = _run(tmp_path, **locale)
    assert r.returncode == 2
    assert r.stderr.startswith(said), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.parametrize(("url", "said"), [
    ("bogus://x", "PINGAN_DATABASE_URL: the scheme 'bogus' is not a database: use postgres://"),
    ("postgres//x", "PINGAN_DATABASE_URL: not a URL: use postgres://"),  # the colon forgotten
    ("mongodb://u:secretpw@h/db", "PINGAN_DATABASE_URL: the scheme 'mongodb' is not a database"),
])
def test_a_mistyped_database_url_is_one_line_even_for_help(tmp_path, url, said):
    """A second trial's first finding: a mistyped ``PINGAN_DATABASE_URL`` gave a 35-line traceback on every
    command, ``pingan --help`` included. One line, exit status 2, the URL's password never said."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGAN_", "DJANGO_", "LC_", "LANG"))}
    env.update(PINGAN_DATA_DIR=str(tmp_path), PINGAN_DATABASE_URL=url, LANG="en_US.UTF-8")
    for argv in (["--help"], ["check"]):
        r = subprocess.run([sys.executable, "-m", "pingan.cli", *argv], env=env, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 2 and r.stderr.strip().splitlines() == [r.stderr.strip()], r.stderr
        assert said in r.stderr and "Traceback" not in r.stderr and "secretpw" not in r.stderr, r.stderr
