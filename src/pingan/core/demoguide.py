"""What to do after a demo: the same closing block for every demo command (``pingan demo``, ``pingan stats
demo``, ``pingan antifraud demo``, ``pingan evidence demo``, ``pingan citizen demo``, ``pingan dispatch demo``,
``pingan alerts demo``).

A trial found each demo printed a line or two and left a first-time user guessing: which accounts exist, with
what password, where to open the pages, and what to look at. :func:`guide` says it the same way everywhere:
how to start the server, each demo account (name, role, unit, and its password when the demo just set one,
else how to set one), how to add an account of a role the demo did not create, and the pages to open, each
with the account to open it as (:class:`Visit`). Every line is in the command's language (``pingan`` activates
it from ``PINGAN_LANGUAGE`` or the locale): the callers pass their visits' and tries' texts translated.

A later trial signed in as ``demo_chief`` where the dispatch demo said "open /dispatch/console/ and sign in as
one of these accounts", and got 403 on ``/dispatch/terminal/``: every page a demo names now names the account
that may open it, and ``tests/core/test_demo_hints.py`` signs in as each and opens each page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pingan.lib import termtable

#: Where ``pingan serve`` listens by default (screening/management/commands/serve.py).
SERVE_URL = "http://127.0.0.1:8000"

#: The password the demos give the accounts they create, unless their ``--password`` says another; shown once by
#: :func:`guide` (``passwords``).
DEMO_PASSWORD = "pingan-demo-2026"  # noqa: S105 - the demos' published password, printed by the demo


def cli() -> str:
    """The ``pingan`` command as the user must type it in this shell.

    The README installs into a virtual environment without activating it, so the command is
    ``.venv/bin/pingan``, and a closing hint saying ``pingan serve`` failed with "command not found". The
    running script (``sys.argv[0]``; under ``python -m pingan.cli`` or another runner, the ``pingan`` script
    beside the running interpreter) is named as found: ``pingan`` when that same file is first on ``PATH``,
    else relative to the working directory (``.venv/bin/pingan``), else its absolute path."""
    import os
    import shutil
    import sys

    def same(a: str, b: str) -> bool:
        try:
            return os.path.samefile(a, b)
        except OSError:
            return False

    argv0 = sys.argv[0] if sys.argv else ""
    script = ""
    if os.path.basename(argv0) == "pingan":
        script = argv0 if os.sep in argv0 else (shutil.which(argv0) or "")
    if not script or not os.path.isfile(script):
        beside = os.path.join(os.path.dirname(sys.executable or ""), "pingan")
        script = beside if os.path.isfile(beside) else ""
    if not script:
        return "pingan"
    on_path = shutil.which("pingan")
    if on_path and same(on_path, script):
        return "pingan"
    absolute = os.path.abspath(script)
    relative = os.path.relpath(absolute)
    if relative.startswith(".."):
        return absolute
    return relative if os.sep in relative else os.path.join(".", relative)  # "./pingan": a shell needs the slash


#: The display names the suggested accounts are created with (synthetic, Faker ``zh_CN`` style): pages greet
#: and list an account by it ("您好，周敏"), where a trial's account without one read "您好，demo_auditor".
SUGGESTED_NAMES = {"admin": "孙立新", "auditor": "周敏", "analyst": "杨帆", "station_chief": "林建华",
                   "officer": "陈志强", "dispatcher": "刘洋", "custodian": "林秀兰", "procurator": "郑丽娟",
                   "court_clerk": "许海燕", "landlord": "王秀英", "enterprise": "何静", "citizen": "赵磊"}


@dataclass(frozen=True)
class Suggest:
    """An account of ``role`` the demo does not create, to add by hand (``unit``: a unit code, or ``""``), with
    a display name: ``name``, else the role's (:data:`SUGGESTED_NAMES`). A second account of a role the demos
    suggest elsewhere gets a name of its own (issue 11: the citizen demo's demo_desk was to be called 陈志强, as
    the screening demo's demo_officer of the same station)."""

    role: str
    unit: str = ""
    username: str = ""
    name: str = ""

    @property
    def display_name(self) -> str:
        return self.name or SUGGESTED_NAMES.get(self.role, "")


@dataclass(frozen=True)
class Visit:
    """A page to open (``path``) signed in as one of ``accounts`` (usernames: the demo's or a suggested one;
    empty: no sign-in needed), and what to do there."""

    path: str
    accounts: tuple[str, ...]
    text: str


def guide(write: Callable[[str], object], *, visits: Iterable[Visit], accounts: Iterable[str] = (),
          passwords: Mapping[str, str] | None = None, suggest: Iterable[Suggest] = (), tries: Iterable[str] = (),
          serve_env: str = "") -> None:
    """Write the closing block through ``write`` (``self.stdout.write``).

    ``visits``: the pages to open, the first one first, each with the accounts that may open it;
    ``accounts`` the usernames of the demo's accounts; ``passwords`` those the demo has just set (shown once);
    ``suggest`` roles worth adding; ``tries`` further lines (no page); ``serve_env`` variables to put before
    ``pingan serve`` (``PINGAN_SCREENING_AS_OF=2022-08-20``). A visit naming an account that is neither the
    demo's nor suggested is a mistake in the demo (``ValueError``).
    """
    from django.utils.translation import gettext as _

    from pingan.core.models import User

    passwords = dict(passwords or {})
    accounts, suggest, visits = list(accounts), list(suggest), list(visits)
    users = {u.username: u for u in User.objects.filter(username__in=accounts).select_related("unit")}
    have = {u.role for u in users.values()}
    extra = [s for s in suggest if s.role not in have]
    known = set(users) | {s.username or "demo_" + s.role for s in extra}
    for v in visits:
        if unknown := set(v.accounts) - known:
            raise ValueError(f"the demo's hint for {v.path} names accounts it neither has nor suggests: {unknown}")
    write("")
    write(_("Next: try it in the browser"))
    pingan = cli()
    serve = f"{serve_env + ' ' if serve_env else ''}{pingan} serve"
    write("  " + _("1. start the site:  %(command)s") % {"command": serve})
    write("  " + _("2. the accounts (sign in at %(url)s):") % {"url": f"{SERVE_URL}/login/"})
    # padded by terminal columns: a user name in Chinese takes two per character (len() misaligned the roles)
    width = max([termtable.width(name) for name in users] + [8])
    if not users:
        write("       " + _("(this demo creates no account)"))
    for name in accounts:
        user = users.get(name)
        if user is None:
            continue
        # the role by its name and the unit by its name (issue 11: "demo_landlord  landlord（房东）" said the role's
        # code beside it; the code is what `user create --role` takes, printed below where one is to be typed)
        role = user.role_label
        where = _(", %(unit)s") % {"unit": user.unit.label} if user.unit_id else ""
        change = f"{pingan} changepassword {name}"
        if name in passwords:
            secret = _("password: %(password)s  (shown once)") % {"password": passwords[name]}
        elif user.has_usable_password():
            secret = _("password: set earlier (forgotten? %(command)s)") % {"command": change}
        else:
            secret = _("no password yet: %(command)s") % {"command": change}
        write(f"       {name}{' ' * (width - termtable.width(name))}  {role}{where}{_('; ')}{secret}")
    if extra:
        write("     " + _("another role: create an account (the password is asked for), e.g."))
    for s in extra:  # a command line to type, as it is typed
        unit = f" --unit {s.unit}" if s.unit else ""
        name = f" --display-name {s.display_name}" if s.display_name else ""
        write(f"       {pingan} user create {s.username or 'demo_' + s.role} --role {s.role}{unit}{name}")
    write("  " + _("3. open each page as the account it names:"))
    for v in visits:
        values = {"url": f"{SERVE_URL}{v.path}", "who": _(" or ").join(v.accounts), "what": v.text}
        write("       - " + (_("%(url)s  as %(who)s: %(what)s") if v.accounts
                             else _("%(url)s  as anyone (no sign-in): %(what)s")) % values)
    for line in tries:
        write(f"       - {line}")
