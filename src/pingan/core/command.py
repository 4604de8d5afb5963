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

import argparse
import sys
from pathlib import Path
from types import MethodType

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
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


def os_error_text(exc: OSError) -> str:
    """What the operating system said about a file (missing, not allowed, a folder …) in the active language:
    ``strerror`` is the C library's English whatever the locale (issue 11: ``pingan screen`` under a Chinese
    locale ended in "No such file or directory"). An error without a text of its own keeps the system's."""
    import errno

    said = {
        errno.ENOENT: _("No such file or directory"),
        errno.EACCES: _("Permission denied"),
        errno.EPERM: _("Operation not permitted"),
        errno.EISDIR: _("Is a directory"),
        errno.ENOTDIR: _("Not a directory"),
        errno.ENOSPC: _("No space left on device"),
        errno.EROFS: _("Read-only file system"),
        errno.EEXIST: _("File exists"),
        errno.ENAMETOOLONG: _("File name too long"),
    }.get(exc.errno)
    return str(said) if said else str(exc.strerror or exc)


def os_error(exc: OSError) -> str:
    """``<file>: <what the system said>`` (:func:`os_error_text`), the colon the language's; a file or folder
    that is not there as :func:`missing_path` says it (what to check, and where a relative path was looked for)."""
    import errno

    from pingan.core.texts import colon

    if exc.errno == errno.ENOENT and exc.filename:
        return missing_path(exc.filename, folder_ok=True)
    return f"{exc.filename}{colon()}{os_error_text(exc)}" if exc.filename else os_error_text(exc)


def missing_path(path, *, folder_ok: bool = False) -> str:
    """What a command says of a file it was given that is not there, in the active language: the path as given,
    what is missing — the first folder on the way that does not exist, else the file (``folder_ok``: "file or
    folder", for an argument that may be either) — and what to do: check the path; a relative path names the
    current folder it was looked for in (issue 11's trial: "roster.csv：文件不存在" said nothing of what to do)."""
    import os

    from pingan.core.texts import paren

    given = Path(os.path.expanduser(str(path)))
    folder = None
    for ancestor in given.parents:  # nearest first: the last one missing is the first on the way
        if ancestor.exists():
            break
        folder = ancestor
    values = {"path": path, "folder": folder}
    if folder is not None:
        text = _("%(path)s: the folder %(folder)s does not exist; check the path") % values
    elif folder_ok:
        text = _("%(path)s: there is no such file or folder; check the path") % values
    else:
        text = _("%(path)s: there is no such file; check the path") % values
    if not given.is_absolute():
        text += paren(_("the current folder is %(cwd)s") % {"cwd": os.getcwd()})
    return text


def failure_line(prefix: str, message: str) -> str:
    """A failure as the command line says it: ``prefix`` (``pingan <command> [<subcommand>…]``, as typed), the
    language's colon, the message — ``pingan evidence verify：请给出…`` / ``pingan evidence verify: name…`` (issue
    11's trial: a half-width colon and a space before Chinese). The one way a ``pingan`` failure line is built."""
    from pingan.core.texts import colon

    return f"{prefix}{colon()}{message}"


def unknown_command(name: str, program: str = "pingan") -> str:
    """``pingan <name>`` for a command that does not exist, in the active language, with the nearest command's
    name when one is close (Django's own "Unknown command: … Type 'pingan help' for usage." is English)."""
    from difflib import get_close_matches

    from django.core.management import get_commands

    ours = [command for _title, commands in GROUPS for command, _line in commands]
    close = get_close_matches(name, ours, n=1) or get_close_matches(name, sorted(get_commands()), n=1)
    values = {"name": name, "program": program, "match": close[0] if close else ""}
    if close:
        return _("there is no command %(name)s; did you mean %(match)s? %(program)s help lists the commands") % values
    return _("there is no command %(name)s: %(program)s help lists the commands") % values


def _base_helps() -> dict[str, str]:
    """Django's and argparse's own option texts and headings (English literals in their code), in the active
    language: what every command's ``--help`` shows besides its own options."""
    return {
        "Show program's version number and exit.": _("show the program's version number and exit"),
        "Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output":
            _("how much to print: 0 minimal, 1 normal, 2 verbose, 3 very verbose"),
        "The Python path to a settings module, e.g. \"myproject.settings.main\". If this isn't provided, the "
        "DJANGO_SETTINGS_MODULE environment variable will be used.":
            _("the settings module's Python path (default: DJANGO_SETTINGS_MODULE, which pingan sets)"),
        "A directory to add to the Python path, e.g. \"/home/djangoprojects/myproject\".":
            _("a directory to add to the Python path"),
        "Display a full stack trace on CommandError exceptions.":
            _("show the full traceback when the command fails"),
        "Don't colorize the command output.": _("do not colour the output"),
        "Force colorization of the command output.": _("colour the output even when it is not a terminal"),
        "Skip system checks.": _("skip the system checks"),
        "show this help message and exit": _("show this help and exit"),
        "positional arguments": _("arguments"),
        "options": _("options"),
    }


#: argparse's own messages a user meets — a missing, unknown or wrong argument — in the catalogue (argparse's
#: own gettext domain has no Chinese); :func:`speak_argparse` puts them in its way.
ARGPARSE_MESSAGES = {
    "%(prog)s: error: %(message)s\n": gettext_lazy("%(prog)s: error: %(message)s\n"),
    "argument %(argument_name)s: %(message)s": gettext_lazy("argument %(argument_name)s: %(message)s"),
    "the following arguments are required: %s": gettext_lazy("the following arguments are required: %s"),
    "one of the arguments %s is required": gettext_lazy("one of the arguments %s is required"),
    "unrecognized arguments: %s": gettext_lazy("unrecognized arguments: %s"),
    "not allowed with argument %s": gettext_lazy("not allowed with argument %s"),
    "expected one argument": gettext_lazy("expected one argument"),
    "expected at most one argument": gettext_lazy("expected at most one argument"),
    "expected at least one argument": gettext_lazy("expected at least one argument"),
    "ambiguous option: %(option)s could match %(matches)s":
        gettext_lazy("ambiguous option: %(option)s could match %(matches)s"),
    "invalid %(type)s value: %(value)r": gettext_lazy("invalid %(type)s value: %(value)r"),
    "invalid choice: %(value)r (choose from %(choices)s)":
        gettext_lazy("invalid choice: %(value)r (choose from %(choices)s)"),
    "can't open '%(filename)s': %(error)s": gettext_lazy("can't open “%(filename)s”: %(error)s"),
    "ignored explicit argument %r": gettext_lazy("ignored explicit argument %r"),
    "unexpected option string: %s": gettext_lazy("unexpected option string: %s"),
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        gettext_lazy("unknown parser %(parser_name)r (choices: %(choices)s)"),
    'argument "-" with mode %r': gettext_lazy("argument “-” with mode %r"),
    "usage: ": gettext_lazy("usage: "),
}

#: argparse's messages that only a programmer's mistake in a parser provokes (a conflicting option, a bad
#: ``dest``…), never a user's command line: left in argparse's English (``tests/core/test_cli_argparse.py``
#: fails on a message of argparse in neither this nor :data:`ARGPARSE_MESSAGES`).
ARGPARSE_DEVELOPER_MESSAGES = frozenset({
    ".__call__() not defined", "conflicting subparser: %s", "conflicting subparser alias: %s",
    "cannot merge actions - two groups are named %r", "'required' is an invalid argument for positionals",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r", "invalid conflict_resolution value: %r",
    "conflicting option string: %s", "conflicting option strings: %s",
    "mutually exclusive arguments must be optional", "show this help message and exit",
    "positional arguments", "options", "cannot have multiple subparser arguments", "subcommands",
    "%r is not callable", "show program's version number and exit",
})


#: argparse's messages that list argument names, by the parameter holding the list (``None``: the one ``%s``) and
#: how argparse joins it: :class:`_Listed` lists them as the language does ("--role、--unit" in Chinese).
_LISTS = {
    "the following arguments are required: %s": (None, ", "),
    "one of the arguments %s is required": (None, " "),
    "ambiguous option: %(option)s could match %(matches)s": ("matches", ", "),
}


class _Listed(str):
    """An argparse message (already in the active language) whose list of names argparse joins itself before it
    fills the message in: filled in with the names joined as the language lists them
    (:func:`pingan.core.texts.join`; issue 11's trial: "缺少必需的参数：--role, --unit"). Argument names hold no
    separator, so argparse's ``", "`` (or ``" "``) parts the list again."""

    key: str | None
    separator: str

    def __new__(cls, text: str, key: str | None, separator: str) -> _Listed:
        made = super().__new__(cls, text)
        made.key, made.separator = key, separator
        return made

    def __mod__(self, values):
        from pingan.core.texts import join

        def listed(value) -> str:
            return join(str(value).split(self.separator))

        if self.key is None:
            return str(self) % listed(values)
        return str(self) % {k: listed(v) if k == self.key else v for k, v in values.items()}


def _argparse_message(message: str) -> str:
    """argparse's ``_``: its message in the active language (:data:`ARGPARSE_MESSAGES`), a list in it said as the
    language lists (:class:`_Listed`); a message not there in argparse's English."""
    text = str(ARGPARSE_MESSAGES.get(message, message))
    return _Listed(text, *_LISTS[message]) if message in _LISTS else text


def _argparse_plural(singular: str, plural: str, n: int) -> str:
    """argparse's ``ngettext``: its "expected %s argument(s)" (an option that takes a fixed number of values) in
    the active language, singular or plural as the language says it; any other in argparse's English."""
    from django.utils.translation import ngettext

    if singular == "expected %s argument":
        return ngettext("expected %s argument", "expected %s arguments", n)
    return singular if n == 1 else plural


#: What argparse calls a value's type (the ``type`` function's name: ``int``, ``float``), as a person says it.
TYPE_NAMES = {"int": gettext_lazy("a whole number"), "float": gettext_lazy("a number")}


def _get_value(parser: argparse.ArgumentParser, action: argparse.Action, arg_string: str):
    """argparse's ``ArgumentParser._get_value`` with its "invalid int value: 'x'" said in the active language, as
    what the value should be — "“x” is not a whole number" / "“x”不是整数" (issue 11's trial: "无效的 int 值：'x'",
    half Chinese, half Python); an ``ArgumentTypeError`` (a date…) keeps the type function's own message."""
    type_func = parser._registry_get("type", action.type, action.type)
    try:
        return type_func(arg_string)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentError(action, str(exc)) from None
    except (TypeError, ValueError):
        what = TYPE_NAMES.get(getattr(action.type, "__name__", ""))
        said = _("“%(value)s” is not %(what)s") if what else _("“%(value)s” is not a value this option takes")
        raise argparse.ArgumentError(action, said % {"value": arg_string, "what": what}) from None


def _check_value(parser: argparse.ArgumentParser, action: argparse.Action, value) -> None:
    """argparse's ``ArgumentParser._check_value`` in the active language: the value quoted as pingan quotes and
    the choices listed as the language lists them — "“foo” is not one of the choices: give one of duckdb, spark"
    / "“foo”不在可选范围内：请给出 duckdb、spark 之一" (argparse's own read "'foo' (choose from 'duckdb',
    'spark')"); a subcommand that is not one: "there is no subcommand “x”: give one of issue, verify…"."""
    from pingan.core.texts import join

    if action.choices is None or value in action.choices:
        return
    values = {"value": value, "choices": join([str(c) for c in action.choices])}
    if isinstance(action, argparse._SubParsersAction):  # said as itself, not as "argument {a,b,c}"
        raise argparse.ArgumentError(None, _("there is no subcommand “%(value)s”: give one of %(choices)s") % values)
    raise argparse.ArgumentError(action, _("“%(value)s” is not one of the choices: give one of %(choices)s") % values)


def _is_option(word: str) -> bool:
    """Whether a word on the command line is an option (``--limit``, ``-x``, ``--limit=5``), not a value (``-``, a
    negative number)."""
    if not word.startswith("-") or word == "-":
        return False
    try:
        float(word)
    except ValueError:
        return True
    return False


def _knows(parser: argparse.ArgumentParser, word: str) -> bool:
    """Whether ``parser`` takes the option ``word`` (``--out``, ``--out=x``, an abbreviation argparse allows,
    ``-v3``)."""
    if word.split("=", 1)[0] in parser._option_string_actions:
        return True
    return (parser.allow_abbrev or not word.startswith("--")) and bool(parser._get_option_tuples(word))


def unknown_options(parser: argparse.ArgumentParser,
                    words: list[str]) -> tuple[list[str], list[argparse.ArgumentParser]]:
    """The options among ``words`` that neither ``parser`` nor the subcommands they choose take, and ``parser``
    with the parsers of those subcommands, outermost first. Everything after ``--`` is an argument."""
    chain: list[argparse.ArgumentParser] = [parser]
    unknown: list[str] = []
    for word in words:
        if word == "--":
            break
        if _is_option(word):
            if not any(_knows(p, word) for p in chain) and word.split("=", 1)[0] not in unknown:
                unknown.append(word.split("=", 1)[0])
            continue
        subs = [a for a in chain[-1]._actions if isinstance(a, argparse._SubParsersAction)]
        if subs and word in subs[0].choices:
            chain.append(subs[0].choices[word])
    return unknown, chain


def unknown_options_message(options: list[str], chain: list[argparse.ArgumentParser]) -> str:
    """What ``pingan <command> [<subcommand>…]`` (``chain``: its parsers, outermost first) says of options it does
    not have, in the active language: named as options it does not have, with the nearest one it has and where
    its options are listed (``pingan audit search --help``)."""
    from difflib import get_close_matches

    from django.utils.translation import ngettext

    from pingan.core.texts import join

    known = sorted({s for p in chain for s in p._option_string_actions if s.startswith("--")})
    values = {"options": join(options), "help": f"{chain[-1].prog} --help"}
    close = get_close_matches(options[0], known, n=1, cutoff=0.7) if len(options) == 1 else []
    if close:
        return _("there is no option %(options)s; did you mean %(match)s? %(help)s lists the options") % {
            **values, "match": close[0]}
    return ngettext("there is no option %(options)s: %(help)s lists the options",
                    "there are no options %(options)s: %(help)s lists the options", len(options)) % values


def _parse_args(parser: argparse.ArgumentParser, args=None, namespace=None):
    """argparse's ``ArgumentParser.parse_args``, an option the command does not have said first and as such
    (:func:`unknown_options_message`). argparse takes the word after an unknown option for the next argument and
    then complains about that one — issue 11's trial: ``pingan screen --limit x roster.csv`` read "x" as the roster
    and said "unrecognized arguments: --limit roster.csv"; a command whose first argument has choices said "x" was
    not one of them — never what was wrong."""
    words = sys.argv[1:] if args is None else list(args)
    unknown, chain = unknown_options(parser, words)
    if unknown:
        parser.error(unknown_options_message(unknown, chain))
    parsed, extras = parser.parse_known_args(words, namespace)
    if extras:
        parser.error(str(ARGPARSE_MESSAGES["unrecognized arguments: %s"]) % " ".join(extras))
    return parsed


def speak_argparse() -> None:
    """From now on in this process, argparse says its own messages (``usage:``, a missing or wrong argument)
    through :data:`ARGPARSE_MESSAGES` in the active language, its plural one through the catalogue too, and a
    value of the wrong type or not among the choices as :func:`_get_value` and :func:`_check_value` say it, an unknown
    option as :func:`_parse_args` says it — for
    every parser, Django's own commands' too: ``pingan`` calls it once it has activated the language. argparse
    looks its module's ``_`` and ``ngettext`` up at each message, so nothing else changes. (Argument names —
    ``--role``, ``roster`` — are said as the usage line writes them: what is typed, in any language.)"""
    argparse._ = _argparse_message
    argparse.ngettext = _argparse_plural
    argparse.ArgumentParser._get_value = _get_value
    argparse.ArgumentParser._check_value = _check_value
    argparse.ArgumentParser.parse_args = _parse_args


class PinganHelpFormatter(DjangoHelpFormatter):
    """Django's help layout with argparse's ``usage:`` heading in the active language, and the colon argparse
    writes after each section's heading (``options:``) the language's own: "选项：" in Chinese (issue 11: "参数:",
    "选项:" under a Chinese locale)."""

    class _Section(DjangoHelpFormatter._Section):
        def format_help(self):
            text = super().format_help()
            if self.heading and isinstance(self.heading, str):
                from pingan.core.texts import colon

                text = text.replace(f"{self.heading}:\n", f"{self.heading}{colon().rstrip()}\n", 1)
            return text

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


def translate_parser(parser: argparse.ArgumentParser, texts: dict[str, str] | None = None) -> None:
    """Say ``parser``'s (and its subcommands') built-in texts — argparse's headings and ``-h``, Django's
    ``--verbosity``, ``--traceback``… — in the active language; a lazy description becomes text (argparse
    needs a ``str``). The command's own option texts already go through its catalogue."""
    texts = _base_helps() if texts is None else texts
    parser.formatter_class = PinganHelpFormatter
    # a wrong value said in the active language from call_command too (speak_argparse: every parser of `pingan`)
    parser._get_value = MethodType(_get_value, parser)
    parser._check_value = MethodType(_check_value, parser)
    if parser.description is not None:
        parser.description = str(parser.description)
    for group in parser._action_groups:
        group.title = texts.get(group.title, group.title) if group.title else group.title
    for action in parser._actions:
        if isinstance(action.help, str):
            action.help = texts.get(action.help, action.help)
        if not action.option_strings and action.choices is not None and action.metavar is None:
            # a subcommand or a positional of choices: errors name it as its usage shows it ("{list,rotate}"),
            # not by its dest ("action", "dataset": words no usage line shows)
            action.metavar = "{" + ",".join(str(c) for c in action.choices) + "}"
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help is not None:
                    choice.help = str(choice.help)
            for sub in action.choices.values():
                translate_parser(sub, texts)


class Verdict(CommandError):
    """The command's answer is "no" (a code is not valid, a custody chain is broken) and it has said so on
    standard output: from the command line the process exits with ``returncode`` and writes nothing more (the
    answer once, on one stream); ``call_command`` raises it like any ``CommandError``, its text the verdict."""


class UsageError(CommandError):
    """A missing or malformed argument, or options that do not go together, that the command finds itself
    (argparse finds the others): from the command line it is said as argparse says its own — the (sub)command's
    usage line, then ``pingan <command>: error: …`` in the command's language — and the process exits with
    status 2, a usage error (README, "Commands"; issue 11's trial: ``pingan code verify`` with no code exited 1
    where ``pingan screen`` with no roster exited 2). A file, account or code that is not there is a failure
    (``CommandError``, status 1), not a usage error. ``call_command`` raises it like any ``CommandError``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


def date_argument(text: str):
    """An option's ``YYYY-MM-DD`` date (``type=date_argument``): a malformed one is argparse's usage error (a
    ``CommandError`` raised from a ``type`` escaped argparse as a traceback)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": text}) from None


#: Django's options every management command has (``BaseCommand.create_parser``), none of them a pingan user's
#: concern: they still work (``--traceback`` shows a failure's traceback), but no ``--help`` lists them.
DJANGO_OPTIONS = frozenset({"--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color",
                            "--force-color", "--skip-checks"})


class PinganCommand(BaseCommand):
    """A ``pingan`` management command: from the command line a failure is one line on standard error and a
    non-zero exit status (the module's docstring). Its ``help`` (a lazy translation) and every option's help
    go through the app's catalogue; :func:`translate_parser` says the built-in ones.

    Django's generic options (:data:`DJANGO_OPTIONS`) work but are not listed in a command's ``--help``: a
    landlord's ``pingan screen --help`` listed --settings, --pythonpath, --skip-checks, --force-color and
    --traceback beside the roster's options (issue 11's trial, F12). A command that reads ``--verbosity`` lists
    it (``suppressed_base_arguments = DJANGO_OPTIONS - {"--verbosity"}``)."""

    suppressed_base_arguments = DJANGO_OPTIONS

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        for action in parser._actions:  # Django adds --skip-checks without add_base_argument
            if set(action.option_strings) & self.suppressed_base_arguments:
                action.help = argparse.SUPPRESS
        translate_parser(parser)
        return parser

    def execute(self, *args, **options):
        if not self._called_from_command_line or options.get("traceback"):
            return super().execute(*args, **options)
        from django.db import DatabaseError

        try:
            return super().execute(*args, **options)
        except Verdict as exc:
            sys.exit(exc.returncode)
        except UsageError as exc:  # as argparse says its own: the usage line, then the error; status 2
            prog, parser = self.chosen_parser(options)
            if parser is not None:
                parser.error(str(exc))  # exits with 2
            self.stderr.write(_("%(prog)s: error: %(message)s\n") % {"prog": prog, "message": exc}, ending="")
            sys.exit(exc.returncode)
        except CommandError as exc:
            message, code = str(exc), exc.returncode
        except DomainError as exc:
            message, code = domain_message(exc), 1
        except OSError as exc:  # a file the command was told to read or write
            message, code = os_error(exc), 1
        except DatabaseError as exc:
            from pingan.core.dbbusy import is_busy

            if is_busy(exc):  # SQLite: another process holds the write lock (a large screening): it will pass
                message, code = _("the database is busy: another pingan process is writing to it (a large "
                                  "screening?); try again in a moment"), 1
            else:
                message, code = _("the database cannot be used: %(error)s (is it running? PINGAN_DATABASE_URL, "
                                  "docs/web.md)") % {"error": str(exc).strip().splitlines()[0] if str(exc).strip()
                                                     else type(exc).__name__}, 1
        self.stderr.write(failure_line(self.failure_prefix(options), message))
        sys.exit(code)

    def failure_prefix(self, options) -> str:
        """What a failure's line starts with: ``pingan <command>`` and the subcommand that failed, as it was typed
        (``pingan code verify``; issue 11: "pingan code:" left out which of issue, verify, revoke …)."""
        return self.chosen_parser(options)[0]

    def chosen_parser(self, options) -> tuple[str, argparse.ArgumentParser | None]:
        """``("pingan <command> [<subcommand>…]", its parser)`` for the subcommand ``options`` chose (the parser
        ``None`` when it cannot be built: the words must still be said)."""
        words = ["pingan", self.__module__.rsplit(".", 1)[-1]]
        try:
            parser = self.create_parser("pingan", words[1])
        except Exception:  # the line must still be said
            return " ".join(words), None
        while True:
            subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            chosen = options.get(subs[0].dest) if subs else None
            if not isinstance(chosen, str) or chosen not in subs[0].choices:
                return " ".join(words), parser
            words.append(chosen)
            parser = subs[0].choices[chosen]


def read_new_password(*, from_stdin: bool, empty: str, no_terminal: str, differ: str) -> str:
    """A new password: one line of standard input (``--password-stdin``), else asked twice on the terminal.
    ``CommandError`` with ``empty`` for an empty one, ``no_terminal`` when there is no terminal to ask on,
    ``differ`` when the two typed differ (each in the command's words: what was, or was not, done)."""
    import getpass

    if from_stdin:
        try:
            password = input()
        except EOFError:
            raise CommandError(_("no password given: standard input ended before a line was read")) from None
    elif not sys.stdin.isatty():
        raise CommandError(no_terminal)
    else:
        password = getpass.getpass(_("password: "))
        if password and getpass.getpass(_("password (again): ")) != password:
            raise CommandError(differ)
    if not password:
        raise CommandError(empty)
    return password


#: ``pingan help``: the commands by task, each with one line (``(command, summary)``). Django's own commands a
#: user needs (``check``, ``db_worker``) are listed under what they are for; ``pingan init`` migrates (Django's
#: ``migrate`` prints untranslatable English: ``pingan help --all`` still lists it).
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
