"""``pingan code issue PREMISES_ID`` · ``pingan code verify STRING|IMAGE|PDF`` · ``pingan code revoke CODE_ID
--reason fraud|error|rescreened`` · ``pingan code keys rotate|list [--issuer UNIT]`` · ``pingan code reviews
[--resolve]`` (suspended codes nobody would act on: their cause gone, or nobody may release them).

Run by an operator as the system (audited with no user). ``verify`` prints a valid code's verdict on standard
output (level, premises and validity); a code that is not valid is a failure like any other, one line on
standard error, ``pingan code verify: <what the verdict means>`` in the user's language (``--verbose``: what the
code holds and the verifier's technical words before it; ``--json``: the API's form on standard output). Exit
status as every command's (README, "Commands"): 0 every code is valid; 1 a failure — a code that is not valid
(the line says which and why), or nothing could be checked (a file that is not there, cannot be read or holds
no QR code); 2 a usage error (no code given at all, a missing or unknown option).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pingan.codes import render, scan, services
from pingan.codes.api import verification_out
from pingan.codes.keys import Alg
from pingan.codes.models import LEVEL_LABELS, REVOCATION_REASON_LABELS, SafetyCode, SigningKey
from pingan.codes.texts import code_number, scan_error, verdict, verdict_sentence
from pingan.codes.token import PREFIX
from pingan.codes.urlform import is_url_form
from pingan.core.command import (
    DJANGO_OPTIONS,
    PinganCommand,
    UsageError,
    Verdict,
    command_error,
    missing_path,
    os_error,
    os_error_text,
)
from pingan.core.errors import DomainError
from pingan.core.models import OrgUnit, Premises
from pingan.core.texts import colon, labelled, lang, moment

#: ``pingan code verify``'s exit status when nothing could be checked: a failure like any other (issue 11: it was
#: 2, argparse's status for a usage error, where the README says failures exit with 1).
CANNOT_CHECK = 1


class Command(PinganCommand):
    help = gettext_lazy(
        "Issue, verify and revoke safety codes (平安码); list and rotate signing keys.")
    suppressed_base_arguments = DJANGO_OPTIONS - {"--verbosity"}  # it reads --verbosity: listed

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        i = sub.add_parser("issue", help=_("issue a code from the premises' latest screening"))
        i.add_argument("premises_id", type=int, help=_("the premises' id (its page /codes/premises/<id>/, the API)"))
        i.add_argument("--poster", metavar="FILE.pdf", help=_("also write the A4 door poster (PDF) to FILE.pdf"))
        i.add_argument("--qr", metavar="FILE.png|FILE.svg", help=_("also write the QR code as PNG or SVG"))
        i.add_argument("--verify-url", default=None,
                       help=_("the verification page the QR links to and the poster names (default: "
                            "PINGAN_CODE_VERIFY_URL, else what `pingan serve` serves)"))
        v = sub.add_parser("verify", help=_("verify code texts, QR image files (PNG/JPEG) or poster PDFs"))
        v.add_argument("code", nargs="*",
                       help=_("a PA1:… text, a verification link (https://…/verify/#1…, what door QR codes "
                            "hold), or the path of an image or PDF (the poster) holding the QR; several may be given"))
        v.add_argument("--from", dest="from_file", metavar="FILE",
                       help=_("also verify every code in FILE, one PA1:… text per line (“-” reads standard input)"))
        v.add_argument("--json", action="store_true", help=_("print the verdict as JSON (a list when several)"))
        v.add_argument("--verbose", action="store_true",
                       help=_("also print, for a code that is not valid, what it holds and the technical details"))
        r = sub.add_parser("revoke", help=_("revoke one code"))
        r.add_argument("code_id", help=_("the code id (hex)"))
        r.add_argument("--reason", required=True, choices=["fraud", "error", "rescreened"],
                       help=_("why: fraud (obtained or used fraudulently), error (issued in error) or rescreened "
                            "(replaced after a new screening)"))
        rv = sub.add_parser("reviews", help=_("list suspended codes nobody would act on (--resolve: re-derive those "
                                              "whose cause has gone)"))
        rv.add_argument("--resolve", action="store_true",
                        help=_("issue the code of each suspension nobody is left out of any more"))
        k = sub.add_parser("keys", help=_("list or rotate signing keys"))
        k.add_argument("key_action", choices=["list", "rotate"],
                       help=_("list the keys, or rotate: make a new active key for --issuer"))
        k.add_argument("--issuer", help=_("the issuing unit's code (rotate: required; list: filter)"))
        k.add_argument("--alg", choices=["ES256", "EdDSA"], default=None,
                       help=_("algorithm of the new key (default: PINGAN_CODE_KEY_ALG, else ES256)"))

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except DomainError as exc:
            raise command_error(exc) from None

    def _issue(self, opts):
        outputs = self._issue_outputs(opts)  # checked before issuing: a bad path must not revoke the old code
        premises = Premises.objects.select_related("unit").filter(pk=opts["premises_id"]).first()
        if premises is None:
            raise CommandError(_("no premises %(id)s (pingan code issue takes the premises' id, as on its page "
                                 "/codes/premises/<id>/)") % {"id": opts["premises_id"]})
        code = services.safety_code_issue(premises=premises, actor=None)
        verify_url = opts["verify_url"] or services.verify_url()
        url = services.code_url(code, verify_url=verify_url)  # what the QR holds: a link any phone opens
        for kind, path in outputs:
            if kind == "poster":
                data = services.code_poster(code, verify_url=verify_url, lang=lang())  # the command's language
            elif kind == "svg":
                data = render.qr_svg(url).encode("utf-8")
            else:
                data = render.qr_png(url)
            path.write_bytes(data)
            self.stderr.write(_("wrote %(path)s") % {"path": path})
        values = {"code": code_number(code.code_id), "level": code.level_label, "name": premises.label,
                  "people": code.people, "from": moment(code.issued_at), "until": moment(code.expires_at),
                  "kid": code.kid}
        if not code.people:  # every row of the roster rejected: "covering 0 people" said nothing (issue 11)
            said = (_("issued code %(code)s: %(level)s for %(name)s (no one on the roster could be screened), valid "
                      "%(from)s – %(until)s, signed with key %(kid)s") if code.issued_now else
                    _("the current code %(code)s is still valid (from the latest screening, so not re-issued): "
                      "%(level)s for %(name)s (no one on the roster could be screened), valid %(from)s – %(until)s, "
                      "signed with key %(kid)s"))
        else:
            said = (_("issued code %(code)s: %(level)s for %(name)s, covering %(people)s people, valid "
                      "%(from)s – %(until)s, signed with key %(kid)s") if code.issued_now else
                    _("the current code %(code)s is still valid (from the latest screening, so not re-issued): "
                      "%(level)s for %(name)s, covering %(people)s people, valid %(from)s – %(until)s, "
                      "signed with key %(kid)s"))
        self.stdout.write(said % values)
        self.stdout.write(code.token)
        self.stdout.write(url)

    def _verify(self, opts):
        try:
            texts = [self._code_text(arg) for arg in opts["code"]]
            if opts["from_file"]:
                texts += self._codes_from(opts["from_file"])
            if not texts:  # a missing argument: a usage error (status 2), as argparse's own
                raise UsageError(_("give a code (the PA1:… text or the verification link), an image or PDF file "
                                     "holding its QR code, or --from FILE"))
        except UsageError:
            raise
        except CommandError as exc:
            exc.returncode = CANNOT_CHECK
            raise
        except OSError as exc:  # a file named on the command line
            raise CommandError(os_error(exc), returncode=CANNOT_CHECK) from None
        if len(texts) > 1 or opts["from_file"]:
            return self._verify_many(texts, opts)
        result = services.safety_code_verify(texts[0])
        out = _local_out(result)
        if opts["json"]:  # the API's form, for programs; the exit status says whether it is valid
            self.stdout.write(json.dumps(out, default=str, ensure_ascii=False, indent=2))
            if not result.ok:
                raise Verdict(_("the code is not valid: %(status)s") % {"status": verdict(result)[0]}, returncode=1)
            return
        sentence = verdict_sentence(result)  # the verdict in one sentence, as the verification page says it
        said = self.stdout if result.ok else self.stderr  # a code that is not valid is a failure: one line
        if result.ok or opts["verbose"] or opts["verbosity"] >= 2:
            if result.ok:
                said.write(sentence)
            if result.code is not None:  # the premises by name and room (its database id told nobody anything)
                said.write((_("%(level)s · %(name)s · valid %(from)s – %(until)s · no one on the roster could be "
                              "screened · code number %(code)s") if out["people"] == 0 else
                            ngettext("%(level)s · %(name)s · valid %(from)s – %(until)s · covers %(people)s person · "
                                     "code number %(code)s",
                                     "%(level)s · %(name)s · valid %(from)s – %(until)s · covers %(people)s people · "
                                     "code number %(code)s", out["people"])) % {
                    "level": _level(out["level"]), "name": out["premises_name"],
                    "from": moment(out["issued_at"]), "until": moment(out["expires_at"]), "people": out["people"],
                    "code": code_number(out["code_id"])})
            if not result.ok:  # what support needs: the failing layer and the verifier's own words
                layer = f" ({out['layer']})" if out["layer"] else ""
                said.write(labelled(_("Technical details (for support)"), f"{out['status']}{layer}, {out['reason']}"))
        if not result.ok:  # "pingan code verify: This code expired on …", exit status 1 (README, "Commands")
            raise CommandError(sentence, returncode=1)

    @staticmethod
    def _issue_outputs(opts) -> list[tuple[str, Path]]:
        """The files ``--poster``/``--qr`` ask for, as (kind, path); ``CommandError`` for an unusable path."""
        wanted = []
        if opts["poster"]:
            wanted.append(("poster", Path(opts["poster"]), (".pdf",)))
        if opts["qr"]:
            qr = Path(opts["qr"])
            wanted.append(("svg" if qr.suffix.lower() == ".svg" else "png", qr, (".png", ".svg")))
        outputs = []
        for kind, path, suffixes in wanted:
            if path.suffix.lower() not in suffixes:
                raise UsageError(_("%(path)s: the file name must end in %(suffixes)s") % {
                    "path": path, "suffixes": _(" or ").join(suffixes)})
            if not path.parent.is_dir():
                raise CommandError(missing_path(path))
            outputs.append((kind, path))
        return outputs

    @staticmethod
    def _code_text(arg: str) -> str:
        if not arg.lstrip().startswith(PREFIX) and not is_url_form(arg) \
                and (Path(arg).is_file() or _looks_like_a_file(arg)):
            try:
                return scan.read_code_file(arg)
            except scan.ScanError as exc:
                raise CommandError(scan_error(exc)) from None
        return arg

    def _codes_from(self, name: str) -> list[str]:
        try:
            lines = (sys.stdin if name == "-" else open(name, encoding="utf-8")).read().splitlines()  # noqa: SIM115
        except FileNotFoundError:
            raise CommandError(f"--from {missing_path(name)}") from None
        except OSError as exc:
            raise CommandError(_("cannot read codes from %(file)s: %(error)s") % {
                "file": name, "error": os_error_text(exc)}) from None
        except UnicodeDecodeError:
            raise CommandError(_("cannot read codes from %(file)s: it is not UTF-8 text (one PA1:… code per line)")
                               % {"file": name}) from None
        # Only line breaks are stripped: a trailing space is a base45 digit. Blank lines are skipped.
        return [line.rstrip("\r\n") for line in lines if line.strip()]

    def _verify_many(self, codes: list[str], opts) -> None:
        results = services.safety_code_verify_batch(codes)
        outs = [_local_out(r) for r in results]
        if opts["json"]:
            self.stdout.write(json.dumps(outs, default=str, ensure_ascii=False, indent=2))
        else:
            # one tab-separated line per code, its status and layer as the API names them (scripts read it)
            for number, out in enumerate(outs, start=1):
                what = (f" · {out['level']} · premises {out['premises_id']} {out['premises_name']}"
                        if out.get("level") else "")
                layer = f" ({out['layer']})" if out["layer"] else ""
                self.stdout.write(f"{number}\t{out['status']}{layer}{what} · {out['reason']}")
        bad = sum(not r.ok for r in results)
        # the count for the person watching, on standard error: standard output stays one line (or JSON) per code
        self.stderr.write(_("%(good)s of %(all)s codes valid") % {"good": len(results) - bad, "all": len(results)})
        if bad:
            raise Verdict(_("%(bad)s of %(all)s codes are not valid") % {"bad": bad, "all": len(results)},
                          returncode=1)

    def _revoke(self, opts):
        code = SafetyCode.objects.filter(code_id=opts["code_id"].lower()).first()
        if code is None:
            raise CommandError(_("no code %(id)s (the code id is the hex number printed when it was issued and "
                                 "on the premises' code page)") % {"id": opts["code_id"]})
        services.safety_code_revoke(code=code, reason=opts["reason"], actor=None)
        self.stdout.write(_("revoked code %(code)s (%(reason)s)") % {
            "code": code_number(code.code_id), "reason": REVOCATION_REASON_LABELS.get(opts["reason"], opts["reason"])})

    def _reviews(self, opts):
        """Suspended codes nobody would act on (``services.suspensions_unattended``), each with why and what to do;
        ``--resolve`` re-derives those whose cause has gone and says what came of each."""
        if opts["resolve"]:
            for d in services.suspensions_resolve(actor=None):
                premises = Premises.objects.get(pk=d.premises_id)
                if d.outcome == "issued":
                    self.stdout.write(_("%(premises)s: suspension closed, %(level)s issued") % {
                        "premises": premises.label, "level": d.code.level_label})
                else:
                    self.stdout.write(_("%(premises)s: still suspended") % {"premises": premises.label})
        items = services.suspensions_unattended()
        if not items:
            self.stdout.write(_("every suspended code waits in a queue of someone who may release it"))
        for item in items:
            rv = item.review
            values = {"premises": rv.premises.label, "unit": rv.premises.unit.label, "code": rv.premises.unit.code,
                      "when": _local(rv.created_at, "minutes")}
            if item.reason == "cause_gone":
                self.stdout.write(_("%(premises)s (suspended %(when)s): nobody is left out of its roster any more; "
                                    "`pingan code reviews --resolve` issues its code") % values)
            else:
                self.stdout.write(_("%(premises)s (suspended %(when)s): no officer or station chief of %(unit)s "
                                    "(%(code)s) may release it; create one there") % values)

    def _keys(self, opts):
        if opts["key_action"] == "rotate":
            issuer = opts["issuer"]
            if not issuer:
                raise UsageError(_("--issuer must be the code of a unit (e.g. 350203-LQ)"))
            if not OrgUnit.objects.filter(code=issuer).exists():
                raise CommandError(f"--issuer{colon()}" + _("no unit with code %(code)s") % {"code": repr(issuer)})
            alg = Alg.from_jose_name(opts["alg"]) if opts["alg"] else None
            key = services.signing_key_rotate(issuer=issuer, alg=alg)
            self.stdout.write(_("new active key %(kid)s (%(alg)s) for %(issuer)s; older keys stay published") % {
                "kid": key.kid, "alg": key.alg, "issuer": issuer})
            return
        keys = SigningKey.objects.all()
        if opts["issuer"]:
            keys = keys.filter(issuer=opts["issuer"])
        for k in keys:  # tab-separated, stable words (scripts read it)
            state = "active" if k.active else f"retired {_local(k.retired_at, 'minutes')}"
            self.stdout.write(f"{k.issuer}\t{k.kid}\t{k.alg}\t{state}\tcreated {_local(k.created_at, 'minutes')}")


def _level(level: str) -> str:
    """A level's name in the active language ("yellow code", "黄码")."""
    return str(LEVEL_LABELS.get(level, level))


#: A code's text without its ``PA1:`` prefix: base45 (RFC 9285) is upper case, digits and `` $%*+-./:``.
_BASE45 = re.compile(r"[0-9A-Z $%*+\-./:]{24,}")
#: A file name's extension (``.txt``, ``.png``), not the dots of a base45 text.
_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")


def _looks_like_a_file(text: str) -> bool:
    """A path rather than a code's text: a file the command reads by its extension, any extension (``codes.txt``),
    or a path with a folder in it (``/tmp/door``, ``~/poster``, ``.\\poster``) that is not base45 — so a file that
    does not exist is said to be missing, not read as a malformed code (issue 11: ``pingan code verify
    missing.txt`` answered "not a complete safety code")."""
    text = text.strip()
    if _BASE45.fullmatch(text):
        return False
    return bool(_SUFFIX.search(text)) or "/" in text or "\\" in text or text.startswith("~")


def _local_out(result) -> dict:
    """The API's verdict with its times (and the reason's) in the bureau's time zone, for printing."""
    out = verification_out(result)
    out["reason"] = services.verdict_reason_local(result)
    for key in ("issued_at", "expires_at"):
        if key in out:
            out[key] = timezone.localtime(out[key])
    return out


def _local(moment, timespec: str = "auto") -> str:
    """``moment`` in the bureau's time zone (``TIME_ZONE``, China Standard Time by default), ISO 8601 with
    its offset (every time the command prints is in one zone and says which)."""
    return timezone.localtime(moment).isoformat(timespec=timespec)
