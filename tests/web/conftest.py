"""Fixtures of the web tests live in web_support (a unique module name: tests/codes has a conftest too)."""

from web_support import *  # noqa: F403 - re-export the fixtures so pytest registers them
