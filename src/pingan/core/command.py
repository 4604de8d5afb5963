"""What every ``pingan`` command shares: how a failure is told, and the project's own ``pingan help``.

A trial found ``pingan code verify`` ending a failed check with ``CommandError: the code is not valid``, other
commands ending with a traceback (a business rule the command did not catch, a file it could not write, a
database that was not running), and ``pingan --help`` printing Django's bare list of every management
command, ``sendtestemail`` and ``squashmigrations`` included (issue 11).

:class:`PinganCommand` is the base of every command in ``pingan/*/management/commands/``: run from the
command line, a failure prints one line on standard error, ``pingan <command>: <what is wrong, what to do>``,
in the command's language, and the process exits with the error's return code (1 unless the command says
otherwise) — never the exception's class name, never a traceback (``--traceback`` still shows one).
Called from code (``call_command``) the exceptions are raised as before.

:func:`print_help` is ``pingan``, ``pingan help`` and ``pingan --help``: the commands a user needs, grouped by
task, one line each in the user's language; ``pingan help --all`` is Django's full list.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from pingan.core.errors import DomainError


def domain_message(exc: DomainError) -> str:
    """What a command says about a broken business rule: the page's message in the active language."""
    from pingan.core.error_messages import page_message

    return page_message(exc)


def command_error(exc: DomainError) -> CommandError:
    """``exc`` as the ``CommandError`` a command raises (``raise command_error(exc) from None``)."""
    return CommandError(domain_message(exc))


class PinganCommand(BaseCommand):
    """A ``pingan`` management command: from the command line a failure is one line on standard error and a
    non-zero exit status (the module's docstring)."""

    def execute(self, *args, **options):
        if not self._called_from_command_line or options.get("traceback"):
            return super().execute(*args, **options)
        from django.db import DatabaseError

        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            message, code = str(exc), exc.returncode
        except DomainError as exc:
            message, code = domain_message(exc), 1
        except OSError as exc:  # a file the command was told to read or write
            where = f"{exc.filename}: " if exc.filename else ""
            message, code = f"{where}{exc.strerror or exc}", 1
        except DatabaseError as exc:
            message, code = _("the database cannot be used: %(error)s (is it running? PINGAN_DATABASE_URL, "
                              "docs/web.md)") % {"error": str(exc).strip().splitlines()[0] if str(exc).strip()
                                                 else type(exc).__name__}, 1
        name = self.__module__.rsplit(".", 1)[-1]
        self.stderr.write(f"pingan {name}: {message}")
        sys.exit(code)


#: ``pingan help``: the commands by task, each with one line (``(command, summary)``). Django's own commands a
#: user needs (``changepassword``, ``migrate``…) are listed under what they are for.
GROUPS = (
    (pgettext_lazy("command group", "Run and try it"), (
        ("demo", gettext_lazy("load the demo data, screen a synthetic roster, print where to look next")),
        ("serve", gettext_lazy("start the web site with its workers and the alerts pipeline")),
        ("init", gettext_lazy("create or migrate the database and load the reference data")),
        ("generate", gettext_lazy("write a synthetic roster, movement records and ground truth")),
        ("worker", gettext_lazy("run the queued background jobs (screening …)")),
    )),
    (pgettext_lazy("command group", "Screening"), (
        ("screen", gettext_lazy("screen a roster file (CSV/XLSX/XLS) against the risk data")),
        ("risk", gettext_lazy("import and list risk data: risk areas, movement records, watchlists")),
        ("retention", gettext_lazy("delete personal data whose retention period is over")),
    )),
    (pgettext_lazy("command group", "Safety codes"), (
        ("code", gettext_lazy("issue, verify and revoke safety codes; list and rotate signing keys")),
    )),
    (pgettext_lazy("command group", "Alerts"), (
        ("alerts", gettext_lazy("the alert worker, MQTT ingest, devices, boundaries, demo and replays")),
    )),
    (pgettext_lazy("command group", "Dispatch"), (
        ("dispatch", gettext_lazy("the dispatch worker and the demo patrol units")),
    )),
    (pgettext_lazy("command group", "Anti-fraud"), (
        ("antifraud", gettext_lazy("the deadline clock, the demo case, block lists, SMS receipts")),
    )),
    (pgettext_lazy("command group", "Statistics"), (
        ("stats", gettext_lazy("import incidents, print or export CompStat reports")),
    )),
    (pgettext_lazy("command group", "Case property"), (
        ("evidence", gettext_lazy("verify custody chains, flag overdue check-outs, the demo store")),
    )),
    (pgettext_lazy("command group", "Citizen services"), (
        ("citizen", gettext_lazy("the service catalogue, the demo counters, the daily run")),
    )),
    (pgettext_lazy("command group", "Accounts"), (
        ("user", gettext_lazy("create an account with a role and a unit")),
        ("changepassword", gettext_lazy("set an account's password")),
        ("token", gettext_lazy("create, list and revoke API tokens")),
        ("access", gettext_lazy("change a role, unit or owner with a second administrator's approval")),
    )),
    (pgettext_lazy("command group", "Administration and maintenance"), (
        ("audit", gettext_lazy("verify, anchor and search the audit trail")),
        ("migrate", gettext_lazy("apply the database migrations")),
        ("check", gettext_lazy("check the configuration")),
        ("db_worker", gettext_lazy("run the scheduled tasks (serve starts one)")),
    )),
)


def help_text(program: str = "pingan") -> str:
    """The text of ``pingan help``, in the active language."""
    width = max(len(name) for _title, commands in GROUPS for name, _line in commands) + 2
    lines = [_("pingan: the platform's commands"), "",
             _("Usage: %(program)s <command> [options]") % {"program": program}]
    for title, commands in GROUPS:
        lines += ["", str(title)]
        lines += [f"  {name:<{width}}{line}" for name, line in commands]
    lines += ["",
              _("A command's options: %(program)s help <command>, or %(program)s <command> --help")
              % {"program": program},
              _("All commands, Django's own included: %(program)s help --all") % {"program": program}]
    return "\n".join(lines)
