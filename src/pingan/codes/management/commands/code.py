"""``pingan code issue PREMISES_ID`` · ``pingan code verify STRING|IMAGE|PDF`` · ``pingan code revoke CODE_ID
--reason fraud|error|rescreened`` · ``pingan code keys rotate|list [--issuer UNIT]``.

Run by an operator as the system (audited with no user). ``verify`` prints level, premises and validity, or
the exact reason the code fails (status and layer), and exits 0 only for a valid code (1 otherwise).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from pingan.codes import render, scan, services
from pingan.codes.api import verification_out
from pingan.codes.keys import Alg
from pingan.codes.models import SafetyCode, SigningKey
from pingan.codes.token import PREFIX
from pingan.codes.urlform import is_url_form
from pingan.core.command import PinganCommand
from pingan.core.errors import DomainError
from pingan.core.models import OrgUnit, Premises


class Command(PinganCommand):
    help = "Issue, verify and revoke safety codes (平安码); list and rotate signing keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        i = sub.add_parser("issue", help="issue a code from the premises' latest screening")
        i.add_argument("premises_id", type=int, help="the premises' id (its page /codes/premises/<id>/, the API)")
        i.add_argument("--poster", metavar="FILE.pdf", help="also write the A4 door poster (PDF) to FILE.pdf")
        i.add_argument("--qr", metavar="FILE.png|FILE.svg", help="also write the QR code as PNG or SVG")
        i.add_argument("--verify-url", default=None,
                       help="the verification page the QR links to and the poster names (default: "
                            "PINGAN_CODE_VERIFY_URL, else what `pingan serve` serves)")
        v = sub.add_parser("verify", help="verify code texts, QR image files (PNG/JPEG) or poster PDFs")
        v.add_argument("code", nargs="*",
                       help="a PA1:… text, a verification link (https://…/verify/#1…, what door QR codes "
                            "hold), or the path of an image or PDF (the poster) holding the QR; several may be given")
        v.add_argument("--from", dest="from_file", metavar="FILE",
                       help="also verify every code in FILE, one PA1:… text per line ('-' reads standard input)")
        v.add_argument("--json", action="store_true", help="print the verdict as JSON (a list when several)")
        r = sub.add_parser("revoke", help="revoke one code")
        r.add_argument("code_id", help="the code id (hex)")
        r.add_argument("--reason", required=True, choices=["fraud", "error", "rescreened"])
        k = sub.add_parser("keys", help="list or rotate signing keys")
        k.add_argument("key_action", choices=["list", "rotate"])
        k.add_argument("--issuer", help="the issuing unit's code (rotate: required; list: filter)")
        k.add_argument("--alg", choices=["ES256", "EdDSA"], default=None,
                       help="algorithm of the new key (default: PINGAN_CODE_KEY_ALG, else ES256)")

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _issue(self, opts):
        premises = Premises.objects.select_related("unit").filter(pk=opts["premises_id"]).first()
        if premises is None:
            raise CommandError(f"no premises {opts['premises_id']}")
        outputs = self._issue_outputs(opts)  # checked before issuing: a bad path must not revoke the old code
        code = services.safety_code_issue(premises=premises, actor=None)
        verify_url = opts["verify_url"] or services.verify_url()
        url = services.code_url(code, verify_url=verify_url)  # what the QR holds: a link any phone opens
        for kind, path in outputs:
            if kind == "poster":
                data = services.code_poster(code, verify_url=verify_url)
            elif kind == "svg":
                data = render.qr_svg(url).encode("utf-8")
            else:
                data = render.qr_png(url)
            path.write_bytes(data)
            self.stderr.write(f"wrote {path}")
        done = "issued" if code.issued_now else "current code (still valid, from the latest screening: not re-issued)"
        self.stdout.write(f"{done} {code.code_id}: {code.level} for premises {premises.pk} ({premises.name}), "
                          f"{code.people} people, valid {_local(code.issued_at)} – {_local(code.expires_at)}, "
                          f"key {code.kid}")
        self.stdout.write(code.token)
        self.stdout.write(url)

    def _verify(self, opts):
        texts = [self._code_text(arg) for arg in opts["code"]]
        if opts["from_file"]:
            texts += self._codes_from(opts["from_file"])
        if not texts:
            raise CommandError("give a code, an image or PDF file, or --from FILE")
        if len(texts) > 1 or opts["from_file"]:
            return self._verify_many(texts, opts)
        result = services.safety_code_verify(texts[0])
        out = _local_out(result)
        if opts["json"]:
            self.stdout.write(json.dumps(out, default=str, ensure_ascii=False, indent=2))
        elif result.code is None:
            self.stdout.write(f"{out['status']}{' (' + out['layer'] + ')' if out['layer'] else ''}: {out['reason']}")
        else:
            self.stdout.write(f"{out['status']}: {out['reason']}\n"
                              f"level {out['level']} · premises {out['premises_id']} {out['premises_name']} · "
                              f"valid {_local(out['issued_at'])} – {_local(out['expires_at'])} · "
                              f"{out['people']} people · code {out['code_id']}")
        if not result.ok:
            raise CommandError(f"the code is not valid: {out['status']}", returncode=1)

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
                raise CommandError(f"{path}: the file name must end in {' or '.join(suffixes)}")
            if not path.parent.is_dir():
                raise CommandError(f"{path}: the folder {path.parent} does not exist")
            outputs.append((kind, path))
        return outputs

    @staticmethod
    def _code_text(arg: str) -> str:
        if not arg.lstrip().startswith(PREFIX) and not is_url_form(arg) \
                and (Path(arg).is_file() or _looks_like_a_file(arg)):
            try:
                return scan.read_code_file(arg)
            except scan.ScanError as exc:
                raise CommandError(str(exc)) from None
        return arg

    def _codes_from(self, name: str) -> list[str]:
        try:
            lines = (sys.stdin if name == "-" else open(name, encoding="utf-8")).read().splitlines()  # noqa: SIM115
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read codes from {name}: {exc}") from None
        # Only line breaks are stripped: a trailing space is a base45 digit. Blank lines are skipped.
        return [line.rstrip("\r\n") for line in lines if line.strip()]

    def _verify_many(self, texts: list[str], opts) -> None:
        results = services.safety_code_verify_batch(texts)
        outs = [_local_out(r) for r in results]
        if opts["json"]:
            self.stdout.write(json.dumps(outs, default=str, ensure_ascii=False, indent=2))
        else:
            for number, out in enumerate(outs, start=1):
                what = (f" · {out['level']} · premises {out['premises_id']} {out['premises_name']}"
                        if out.get("level") else "")
                layer = f" ({out['layer']})" if out["layer"] else ""
                self.stdout.write(f"{number}\t{out['status']}{layer}{what} · {out['reason']}")
        bad = sum(not r.ok for r in results)
        self.stderr.write(f"{len(results) - bad} of {len(results)} codes valid")
        if bad:
            raise CommandError(f"{bad} of {len(results)} codes are not valid", returncode=1)

    def _revoke(self, opts):
        code = SafetyCode.objects.filter(code_id=opts["code_id"].lower()).first()
        if code is None:
            raise CommandError(f"no code {opts['code_id']}")
        services.safety_code_revoke(code=code, reason=opts["reason"], actor=None)
        self.stdout.write(f"revoked {code.code_id} ({opts['reason']})")

    def _keys(self, opts):
        if opts["key_action"] == "rotate":
            issuer = opts["issuer"]
            if not issuer or not OrgUnit.objects.filter(code=issuer).exists():
                raise CommandError("--issuer must be the code of a unit (e.g. 350203-LQ)")
            alg = Alg.from_jose_name(opts["alg"]) if opts["alg"] else None
            key = services.signing_key_rotate(issuer=issuer, alg=alg)
            self.stdout.write(f"new active key {key.kid} ({key.alg}) for {issuer}; older keys stay published")
            return
        keys = SigningKey.objects.all()
        if opts["issuer"]:
            keys = keys.filter(issuer=opts["issuer"])
        for k in keys:
            state = "active" if k.active else f"retired {_local(k.retired_at, 'minutes')}"
            self.stdout.write(f"{k.issuer}\t{k.kid}\t{k.alg}\t{state}\tcreated {_local(k.created_at, 'minutes')}")


def _looks_like_a_file(text: str) -> bool:
    """A name ending like a file the command reads (so a typo in it says "no such file", not "malformed")."""
    return Path(text).suffix.lower() in {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}


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
