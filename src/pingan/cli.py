"""The ``pingan`` command: Django's management commands under one name, initialised on first use.

``pingan demo``, ``pingan screen``, ``pingan audit verify`` … are management commands in the apps'
``management/commands/``; this entry point only sets the settings module and, on the embedded default,
migrates the database when a command first uses it (after its arguments and input files were checked).
``pingan``, ``pingan help`` and ``pingan --help`` print the project's own help (the commands by task,
:func:`pingan.core.command.help_text`); ``pingan help --all`` Django's full list, ``pingan help <command>`` a
command's options.
"""

from __future__ import annotations

import os
import sys

# Commands that must run without touching (or before creating) the database.
_NO_INIT = {"help", "--help", "-h", "version", "--version", "makemigrations", "migrate", "check", "shell",
            "init", "showmigrations", "sqlmigrate", "test", "compilemessages", "makemessages",
            "collectstatic", "generate"}


def main(argv: list[str] | None = None) -> int:
    """Run ``pingan <command> [args]``; returns the process exit code (130 after Ctrl-C, said in one line
    rather than a traceback: ``pingan serve`` stopped soon after its start printed one per process)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # end the line the terminal's ^C left
        return 130


def _main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(configuration_error(str(exc), os.environ), file=sys.stderr)
        return 2
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.utils import translation

    from pingan.core import audit

    translation.activate(language(os.environ, settings.LANGUAGE_CODE))
    if argv and argv[0] not in _NO_INIT and settings.EMBEDDED:
        # prepared when the command first uses the database: a usage error or a missing file is said without it
        from pingan.core.bootstrap import initialise_on_first_use

        initialise_on_first_use(announce=_first_run)
    from pingan.core.command import speak_argparse

    speak_argparse()  # a wrong or missing argument is said in the same language
    if wants_help(argv):
        from pingan.core.command import help_text

        # "pingan" as the usage says a command, however it was started (issue 11's trial: ".venv/bin/pingan")
        print(help_text("pingan"))
        return 0
    if argv[:2] == ["help", "--all"]:
        argv = ["help", *argv[2:]]  # Django's list of every command
    unknown = _unknown(argv)
    if unknown:  # said in the user's language (Django's own message is English); a usage error, status 2 (README)
        from pingan.core.command import failure_line, unknown_command

        print(failure_line("pingan", unknown_command(unknown)), file=sys.stderr)
        return 2
    try:
        # what the command writes to the audit trail without an account names the command and who ran it
        with audit.acting(audit.command_agent(argv, _subcommands(argv[0]) if argv else ())):
            execute_from_command_line(["pingan", *argv])
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else 1
    return 0


#: ``settings.LANGUAGE_CODE``, which a configuration error leaves unread.
_SITE_LANGUAGE = "zh-hans"


def configuration_error(detail: str, environ) -> str:
    """``pingan: configuration error: <detail>`` in the user's language (:func:`language`). Said when Django's
    settings failed, so before its translations are available: the core catalogue is read with the standard
    library's gettext (issue 11: it was English under ``LANG=zh_CN.UTF-8``). The detail names the setting as
    it is typed."""
    import gettext
    from pathlib import Path

    chinese = language(environ, _SITE_LANGUAGE) == "zh-hans"
    catalogue = gettext.translation("django", Path(__file__).resolve().parent / "core" / "locale",
                                    languages=["zh_Hans"], fallback=True) if chinese else gettext.NullTranslations()
    colon = "：" if chinese else ": "  # core.texts.colon, which needs the settings
    return f"pingan{colon}{catalogue.gettext('configuration error')}{colon}{detail}"


def wants_help(argv: list[str]) -> bool:
    """``pingan``, ``pingan help``, ``pingan --help``/``-h``: the project's help, not Django's list."""
    return not argv or argv in (["help"], ["--help"], ["-h"])


def _unknown(argv: list[str]) -> str:
    """The command ``pingan <name>`` or ``pingan help <name>`` names when no command has that name, else ``""``."""
    from django.core.management import get_commands

    name = argv[1] if argv[:1] == ["help"] and len(argv) > 1 else argv[0] if argv else ""
    if not name or name.startswith("-") or name in ("help", "version"):
        return ""
    return "" if name in get_commands() else name


def _first_run(pending: int) -> None:
    """Say on standard error, in the user's language, that the embedded database is being prepared: on a new
    install the first command applies every migration (about 20 s of CPU), and printed nothing until then."""
    from django.utils.translation import ngettext

    print(ngettext("First run: preparing the database (%(n)d migration); this can take a minute or two…",
                   "First run: preparing the database (%(n)d migrations); this can take a minute or two…",
                   pending) % {"n": pending}, file=sys.stderr, flush=True)


def language(environ, default: str) -> str:
    """The language a command speaks: ``PINGAN_LANGUAGE`` (``zh-hans`` or ``en``), else the locale
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first set: ``zh_CN.UTF-8`` → Chinese, ``en_US.UTF-8`` →
    English), else the site's default (Chinese). ``C``/``POSIX`` (a bare server shell) says nothing."""
    chosen = environ.get("PINGAN_LANGUAGE", "").strip().lower().replace("_", "-")
    if chosen:
        return "en" if chosen.startswith("en") else "zh-hans" if chosen.startswith("zh") else default
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip().lower()
        if value:
            if value.startswith("zh"):
                return "zh-hans"
            if value.startswith("en"):
                return "en"
            if value not in ("c", "posix") and not value.startswith(("c.", "posix.")):
                return default
            break
    return default


def _subcommands(name: str) -> set[str]:
    """The subcommands of ``pingan <name>`` (``stats import``, ``audit search``), from its parser; none for an
    unknown command or one without."""
    import argparse

    from django.core.management import get_commands, load_command_class

    app = get_commands().get(name)
    if app is None:
        return set()
    try:
        parser = load_command_class(app, name).create_parser("pingan", name)
    except Exception:
        return set()
    return {choice for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for choice in action.choices}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
