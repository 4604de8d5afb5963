"""``pingan screen ROSTER [--as-of DATE] [--out FILE] [--police-view] [--engine duckdb|spark]``: screen one
roster file (the Spark engine and its options: docs/screening-spark.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from pingan.core import texts
from pingan.core.command import PinganCommand, UsageError, domain_message, missing_path, os_error_text
from pingan.core.errors import DomainError
from pingan.core.models import Premises
from pingan.screening import rules
from pingan.screening.engines import ENGINES
from pingan.screening.inputmessages import input_message, ruleset_message
from pingan.screening.texts import for_command_line

# The screening services, engine and output (pyarrow, DuckDB, the name matchers) are imported where a roster is
# screened, not with the command: its --help and a usage error need none of them (issue 11: "pingan screen --help"
# took 4–5 s).


def parse_date(value: str) -> dt.date | dt.datetime:
    """``YYYY-MM-DD`` (end of that day, local time) or an ISO 8601 date-time."""
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
    except ValueError:
        # argparse turns this into a one-line usage error
        raise argparse.ArgumentTypeError(_("“%(value)s” is not a date: use YYYY-MM-DD or an ISO 8601 date-time") % {
            "value": value}) from None


class Command(PinganCommand):
    help = gettext_lazy(
        "Screen a roster (CSV/XLSX/XLS) against the imported risk data; one output row per input row.")

    def add_arguments(self, parser):
        parser.add_argument("roster", help=_("the roster file: CSV (UTF-8/GBK/GB18030), XLSX or XLS"))
        parser.add_argument("--as-of", type=parse_date, default=None,
                            help=_("screen as of this date (YYYY-MM-DD, end of day) or date-time; default: now"))
        parser.add_argument("--out", default="",
                            help=_("output file; .csv, .xlsx or .parquet (default: ROSTER.result.csv)"))
        parser.add_argument("--codes", action="store_true",
                            help=_("write the stable form for programs instead: English column names and codes as "
                                   "values, as the API serves it (default: the file in the command's language)"))
        parser.add_argument("--police-view", action="store_true",
                            help=_("include every police hit (watchlists too) and the normalised documents"))
        parser.add_argument("--premises", type=int, default=None, help=_("the premises id the roster belongs to"))
        parser.add_argument("--movements", action="append", default=None,
                            help=_("movement records (Parquet/CSV files, or one directory of Parquet partitions) "
                                 "to use instead of the imported ones; repeatable"))
        parser.add_argument("--rules", default=None, help=_("a rule-set TOML file instead of the bundled default"))
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))
        parser.add_argument("--engine", choices=ENGINES, default=None,
                            help=_("batch engine (default: PINGAN_SCREENING_ENGINE, else duckdb)"))
        parser.add_argument("--spark-master", default=None,
                            help=_("Spark master URL for --engine spark (default: PINGAN_SPARK_MASTER, else local[*], "
                                 "or spark-submit's --master)"))
        parser.add_argument("--spark-conf", action="append", default=None, metavar="spark.KEY=VALUE",
                            help=_("a Spark setting for --engine spark; repeatable"))

    def handle(self, *args, **opts):
        from pingan.screening import services
        from pingan.screening.batch import ScreeningInputError
        from pingan.screening.output import OutputError, output_format

        path = Path(opts["roster"])
        out = Path(opts["out"]) if opts["out"] else path.with_name(path.stem + ".result.csv")
        # the arguments' form first, a usage error (status 2) as argparse's own; then the files (status 1)
        try:
            output_format(out)
        except OutputError:
            raise UsageError(_("--out %(path)s: the file name must end in .csv, .xlsx or .parquet") % {
                "path": out}) from None
        if out.resolve() == path.resolve():
            raise UsageError(_("--out %(path)s is the roster itself: choose another file, the roster must be kept")
                             % {"path": out})
        spark_conf = engine_options(opts)
        if path.is_dir():
            raise CommandError(_("%(path)s: is a folder, not a roster; give the path of a CSV, XLSX or XLS file")
                               % {"path": path})
        if not path.is_file():
            raise CommandError(missing_path(path))
        movements = check_movements(opts["movements"])
        engine = choose_engine(opts, spark_conf)
        if opts["rules"] is not None:
            if not Path(opts["rules"]).exists():  # said in the command's language (the rules module's is English)
                raise CommandError(f"--rules {missing_path(opts['rules'])}")
            try:  # checked before the job is created, so a typo costs nothing
                rules.load_ruleset(opts["rules"])
            except rules.RuleSetError as exc:
                raise CommandError(f"--rules {ruleset_message(exc)}") from None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("%(path)s: cannot read it (%(error)s)") % {"path": path,
                                                                             "error": os_error_text(exc)}) from None
        premises = None
        if opts["premises"] is not None:
            premises = Premises.objects.filter(pk=opts["premises"]).first()
            if premises is None:
                raise CommandError(_("--premises %(id)s: no such premises") % {"id": opts["premises"]})
        # check the output's folder before screening, so a typo costs nothing
        if not out.parent.is_dir():
            raise CommandError(f"--out {missing_path(out)}")
        bar = lines = None
        if not opts["no_progress"]:
            if stream_is_terminal(self.stderr):
                from tqdm import tqdm

                bar = tqdm(total=100, desc=pgettext("progress bar", "screening"), unit="%", leave=False,
                           file=getattr(self.stderr, "_out", sys.stderr))
            else:  # a log, a pipe, cron: tqdm draws nothing there, so one line now and then
                lines = ProgressLines(self.stderr.write)

        def progress(stage: str, pct: int, running: dict[str, int] | None = None) -> None:
            if bar is not None:
                bar.set_postfix_str(stage)
                bar.update(pct - bar.n)
            if lines is not None:
                lines.update(stage, pct, running or {})

        started = time.perf_counter()
        wall: dict[str, float] = {}
        job = None
        try:
            job = services.screening_job_create(actor=None, roster_name=path.name, roster_bytes=data,
                                                premises=premises, as_of=opts["as_of"])
            wall["copy"] = time.perf_counter() - started
            services.screening_job_run(job=job, progress=progress, movements=movements,
                                       ruleset_path=opts["rules"], engine=engine)
            exporting = time.perf_counter()
            progress("export", 99, {})
            # people's file in the command's language; --codes: the API's stable form for programs
            # what to do said for the command line (run it again), not the web page's "upload again"
            services.screening_job_export(job=job, out=out, police_view=opts["police_view"],
                                          lang=None if opts["codes"] else translation.get_language() or "zh-hans",
                                          reword=for_command_line)
            wall["write"] = time.perf_counter() - exporting
        except DomainError as exc:
            # a failed job keeps why as a code and parameters (the job page's message, in the reader's
            # language); the exception's own text is the English form
            if job is not None:
                job.refresh_from_db(fields=["error", "error_code", "error_params"])
            message = job.failure_message if job is not None and job.error_code else domain_message(exc)
            raise CommandError(message if path.name in message else f"{path}{_(': ')}{message}") from None
        except ScreeningInputError as exc:  # e.g. a movement file without the required columns
            raise CommandError(input_message(exc)) from None
        except rules.RuleSetError as exc:
            raise CommandError(f"--rules {ruleset_message(exc)}") from None
        except OutputError as exc:
            raise CommandError(output_error(exc, out)) from None
        finally:
            if bar is not None:
                bar.close()
            if lines is not None:
                lines.close()
        wall["total"] = time.perf_counter() - started
        self.stdout.write(summary(job, out, wall, police=opts["police_view"]))


def stream_is_terminal(stream) -> bool:
    """Whether the command's standard error (an ``OutputWrapper``) is a terminal, where tqdm draws its bar."""
    out = getattr(stream, "_out", stream)
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False


#: Seconds between two progress lines when standard error is not a terminal.
PROGRESS_EVERY = 10.0


def stage_text(stage: str, running: dict[str, int]) -> str:
    """What a running screening is doing, in the command's language: the job page's words (progress.html)."""
    rows = running.get("rows")
    if stage == "store" and running.get("total"):
        text = ngettext("Saving the results: %(n)s of %(total)s row saved.",
                        "Saving the results: %(n)s of %(total)s rows saved.", running["total"]) % {
            "n": running.get("stored", 0), "total": running["total"]}
    elif stage == "files" and rows:
        text = ngettext("%(rows)s row screened; writing the result files.",
                        "%(rows)s rows screened; writing the result files.", rows) % {"rows": rows}
    elif stage == "screen" and rows:
        text = ngettext("Screening %(rows)s row against the risk data.",
                        "Screening %(rows)s rows against the risk data.", rows) % {"rows": rows}
    elif stage == "export":
        text = _("Writing the result file.")
    else:
        text = _("Reading the roster.")
    return text.rstrip(".。")


class ProgressLines:
    """Progress on a standard error that is not a terminal (a log file, a pipe, cron, ``nohup``): tqdm draws
    nothing there, and a 1,000,000-row run printed nothing for 8+ minutes (issue 11). One line — the percentage,
    the stage in the command's language, the time so far — when a stage begins and every
    :data:`PROGRESS_EVERY` seconds while it runs: a timer thread, since the engine's stage calls back once in
    minutes. The thread says the lines in the language active where the object was made (Django's is per
    thread).

    Nothing is said in the first :data:`PROGRESS_EVERY` seconds: a roster that cannot be screened fails within
    them, and its one line is the error (issue 11's trial: "screening 0%: Reading the roster" above the error,
    a progress line left hanging); a run that lasts gets its first line then, and one at each stage after it."""

    def __init__(self, write: Callable[[str], None], every: float | None = None) -> None:
        self.write, self.every = write, PROGRESS_EVERY if every is None else every
        self.language = translation.get_language()
        self.started = time.monotonic()
        self.state: tuple[str, int, dict[str, int]] = ("read", 0, {})
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.speaking = False  # set once the first line is said
        self.thread = threading.Thread(target=self.run, name="pingan-screen-progress", daemon=True)
        self.thread.start()

    def update(self, stage: str, pct: int, running: dict[str, int]) -> None:
        with self.lock:
            changed = stage != self.state[0]
            self.state = (stage, pct, dict(running))
        if changed and self.speaking:
            self.say()

    def say(self) -> None:
        with self.lock:
            stage, pct, running = self.state
            if self.stop.is_set():  # closed: a line now would come after the command's last word
                return
            self.speaking = True
        with translation.override(self.language):
            self.write(_("screening %(percent)s: %(stage)s (%(elapsed)s so far)") % {
                "percent": f"{pct}%", "stage": stage_text(stage, running),
                "elapsed": texts.duration(time.monotonic() - self.started)})

    def run(self) -> None:
        while not self.stop.wait(self.every):
            try:
                self.say()
            except (OSError, ValueError):  # the stream was closed under us: nothing more to say
                return

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=1)


def output_error(exc, out: Path) -> str:
    """Why the result file could not be written (``exc``: an ``OutputError``), in the command's language
    (``OutputError``'s own text is the English of a pure module)."""
    from pingan.screening.output import XLSX_MAX_ROWS, XlsxRowLimitError

    if isinstance(exc, XlsxRowLimitError):
        return _("--out %(path)s: more rows than one Excel sheet holds (%(limit)s); write .csv or .parquet") % {
            "path": out, "limit": f"{XLSX_MAX_ROWS - 1:,}"}
    cause = exc.__cause__
    if isinstance(cause, OSError):
        return _("%(path)s: cannot write it (%(error)s)") % {"path": out, "error": os_error_text(cause)}
    return str(exc)


def engine_options(opts: dict) -> dict[str, str]:
    """The ``--spark-conf`` settings, checked with ``--spark-master`` against the engine chosen.

    Raises :class:`UsageError` for Spark options without the Spark engine or a malformed setting.
    """
    name = opts["engine"] or settings.PINGAN["SCREENING_ENGINE"]
    if name != "spark":
        if opts["spark_master"] or opts["spark_conf"]:
            raise UsageError(_("--spark-master and --spark-conf need --engine spark"))
        return {}
    from pingan.screening.spark import SparkConfError, parse_conf

    try:
        return parse_conf(opts["spark_conf"])
    except SparkConfError as exc:  # said in the command's language (the module's text is English)
        raise UsageError(_("--spark-conf “%(item)s”: a Spark setting is written spark.KEY=VALUE") % {
            "item": exc.item}) from None


def choose_engine(opts: dict, conf: dict[str, str]):
    """The engine ``--engine``/``--spark-master`` ask for, with ``conf`` (the ``--spark-conf`` settings
    :func:`engine_options` checked); ``None``: the configured one.

    Raises ``CommandError`` for the Spark engine without PySpark.
    """
    if (opts["engine"] or settings.PINGAN["SCREENING_ENGINE"]) != "spark":
        return None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise CommandError(_("--engine spark needs PySpark: %(command)s") % {
            "command": "pip install 'pingan[spark]'"}) from None
    from pingan.screening import services

    return services.screening_engine("spark", spark_master=opts["spark_master"], spark_conf=conf)


def check_movements(given: list[str] | None) -> list[str] | None:
    """The ``--movements`` paths, each an existing ``.parquet`` or ``.csv`` file, all of one kind, or one
    directory of Parquet partitions (``batch.partition_movements``).

    Raises ``CommandError`` naming the first file that is missing, a folder without Parquet files beside
    other paths, or of another format.
    """
    if given is None:
        return None
    for m in given:
        p = Path(m)
        if "://" in m:  # hdfs://, s3a://: read by the Spark engine's executors, not checked here
            continue
        if p.is_dir():
            if len(given) == 1 and next(p.rglob("*.parquet"), None) is not None:
                return given
            raise CommandError(_("--movements %(path)s: is a folder without Parquet partitions, or beside other "
                                 "files; give Parquet or CSV files of movement records, or one directory of Parquet "
                                 "partitions") % {"path": m})
        if not p.is_file():
            raise CommandError(f"--movements {missing_path(m)}")
        if p.suffix not in (".parquet", ".csv"):  # as the engine reads them (lower case)
            raise UsageError(_("--movements %(path)s: not a .parquet or .csv file; movement records are read from "
                               "Parquet or CSV (docs/screening.md, “Inputs”)") % {"path": m})
    if len({Path(m).suffix for m in given}) > 1:
        raise UsageError(_("--movements: the files must be all .parquet or all .csv, not both: %(files)s")
                         % {"files": texts.join(given)})
    return given


def timing(job, wall: dict[str, float] | None = None) -> str:
    """Where a run's time went, in the command's language: the whole (``wall["total"]``, the command's own
    clock) and each stage — copying the file in, reading and checking the roster, the screening engine (its
    normalising of documents and names among it), preparing and storing the results, writing the result file
    (``wall["copy"]``, ``wall["write"]``; the others from the job's ``stats["stages"]``). Issue 11: 300,000
    rows took 3 min 17 s and the summary named only the engine's 8.56 s."""
    from django.utils.translation import gettext as _

    from pingan.core import texts

    wall = wall or {}
    stats = job.stats or {}
    stages = stats.get("stages") or {}
    engine = stats.get("seconds", {})
    parts = []
    if "copy" in wall:
        parts.append(_("copying the file in %(time)s") % {"time": texts.duration(wall["copy"])})
    if "read" in stages:
        parts.append(_("reading and checking the roster %(time)s") % {"time": texts.duration(stages["read"])})
    if "engine" in stages or "total" in engine:
        said = (_("screening engine %(time)s (normalising documents and names %(normalise)s)")
                if "normalise" in engine else _("screening engine %(time)s"))
        parts.append(said % {"time": texts.duration(stages.get("engine", engine.get("total", 0))),
                             "normalise": texts.duration(engine.get("normalise", 0))})
    if "results" in stages:
        parts.append(_("preparing the results %(time)s") % {"time": texts.duration(stages["results"])})
    if "store" in stages:
        parts.append(_("storing them in the database %(time)s") % {"time": texts.duration(stages["store"])})
    if "write" in wall:
        parts.append(_("writing the result file %(time)s") % {"time": texts.duration(wall["write"])})
    listed = texts.join(parts) if texts.lang() == "en" else "，".join(parts)
    if "total" in wall:
        return _("took %(total)s: %(stages)s") % {"total": texts.duration(wall["total"]), "stages": listed}
    return _("time: %(stages)s") % {"stages": listed}


def summary(job, out: Path, wall: dict[str, float] | None = None, *, police: bool = False) -> str:
    """The human summary printed after a run, in the command's language (``pingan`` activates it from
    ``PINGAN_LANGUAGE`` or the locale): every line and the stored notes in one language (issue 11); times as
    a person reads them (:func:`pingan.core.texts.moment`); ``wall``: the command's own clock (:func:`timing`);
    ``police``: ``--police-view``, a row to fix said as police pages say it."""
    from django.utils.translation import gettext as _

    from pingan.core import texts
    from pingan.screening.labels import file_format_label, ruleset_label

    c = job.counts
    when = job.reevaluated_at
    lines = [
        # the rule set by its title and version, as the results page says it (issue 11: "规则集
        # prevention-2022-v9@1.3.0（任务 1）", a module id and a database id)
        _("screened %(name)s as of %(as_of)s under the rules: %(ruleset)s") % {
            "name": path_name(job), "as_of": texts.moment(job.as_of), "ruleset": ruleset_label(job)},
        # the job page's words for a row (issue 11 trial: "accepted/rejected" here, "screened/not screened" there)
        _("rows: %(rows)s  screened: %(screened)s  not screened: %(not_screened)s  duplicates: %(duplicates)s  "
          "blank rows ignored: %(blank)s") % {"rows": c.get("rows", 0), "screened": c.get("accepted", 0),
                                              "not_screened": c.get("rejected", 0),
                                              "duplicates": c.get("duplicates", 0), "blank": c.get("blank_rows", 0)},
        *rejected_lines(job, out),
        *fix_lines(job, out, police=police),
        _("levels: green %(green)s  yellow %(yellow)s  red %(red)s") % {
            "green": c.get("green", 0), "yellow": c.get("yellow", 0), "red": c.get("red", 0)},
        *flagged_lines(job),
        _("file read as %(format)s") % {"format": file_format_label(job.encoding)},
        timing(job, wall),
        _("results: %(path)s") % {"path": out},
    ]
    # the risk data does not cover the look-back window: an all-green result would mean nothing
    lines += [_("WARNING: %(text)s") % {"text": texts.render(n)} for n in job.stats.get("risk_data_notes", [])]
    # what the line means to a newcomer, and what "never" means (issue 11: "…最近一次复核：从未" said nothing)
    lines.append(_("re-checked against risk data imported after it: %(when)s") % {"when": texts.moment(when)}
                 if when else _("not re-checked since: no risk data has been imported after this screening "
                                "(each import re-checks the latest screenings)"))
    # said as the command line says them: run the command again, not "upload again" (screening.texts)
    lines += [_("note: %(text)s") % {"text": texts.render(for_command_line(n))} for n in notes_to_say(job)[:5]]
    return "\n".join(lines)


def flagged_lines(job) -> list[str]:
    """The people the police pages count as flagged for this screening — red, yellow, a watchlist hit otherwise
    green: ``selectors.flagged_counts`` over the job's rows ``services.flagged_rows`` selects, the tiles' own
    count — then the rule hits on them, named as hits. Issue 11's trial: ``pingan demo`` said "警方命中：204（其中静默
    2）" where every page counted 175 flagged people (78 red, 95 yellow, 2 watchlist): hits, not people, and not
    said so."""
    from django.utils.translation import gettext as _

    from pingan.screening.selectors import flagged_counts
    from pingan.screening.services import flagged_rows

    c = job.counts
    people = flagged_counts(actor=None, qs=job.persons.filter(flagged_rows()))
    return [_("flagged people: %(people)s (red %(red)s, yellow %(yellow)s, watchlist hit, otherwise green "
              "%(watchlist)s)") % {"people": people["total"], "red": people["red"], "yellow": people["yellow"],
                                   "watchlist": people["watchlist_green"]},
            _("police hits: %(hits)s rules hit on them, a person may hit several (%(silent)s watchlist hits)") % {
                "hits": c.get("police_hits", 0), "silent": c.get("silent_hits", 0)}]


#: Notes on how the roster was read that say what a row's own line says already: the file cut off in the middle
#: of its last row (``roster.cut_off``), which that row's rejection (``cut_off``) says with the same advice.
SAID_BY_THE_ROW = frozenset({"roster.cut_off"})


def notes_to_say(job) -> list[dict]:
    """The job's notes the summary prints: each said once — a note of :data:`SAID_BY_THE_ROW` is left out when
    the summary lists its row among the rows not screened (issue 11's trial: a CSV cut off mid-row was reported
    twice, as "row 3 not screened: the file ends in the middle of this row…" and again as "note: The file ends in
    the middle of row 3…"); when the row is not listed (more than :data:`REJECTED_SHOWN` rows not screened) the
    note says it."""
    listed = {p.row for p in rejected_shown(job)}
    return [n for n in job.stats.get("notes", [])
            if not (n.get("code") in SAID_BY_THE_ROW and (n.get("params") or {}).get("row") in listed)]


#: How many rows not screened the summary lists one by one; the rest are in the result file.
REJECTED_SHOWN = 20


def rejected_lines(job, out: Path) -> list[str]:
    """Each row not screened, by row number, with why and what to do in the command's language (issue 11: the
    summary said only "未筛查：1", with no row and no reason); at most :data:`REJECTED_SHOWN`, then how many more
    and where they are."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    lines = [_("row %(row)s not screened: %(reason)s") % {"row": p.row, "reason": rejection_reason(p)}
             for p in rejected_shown(job)]
    more = job.counts.get("rejected", 0) - len(lines)
    if len(lines) == REJECTED_SHOWN and more > 0:
        lines.append(ngettext("… and %(n)s more row not screened: see %(path)s",
                              "… and %(n)s more rows not screened: see %(path)s", more) % {"n": more, "path": out})
    return lines


def fix_lines(job, out: Path, *, police: bool = False) -> list[str]:
    """The rows to fix as the results page counts them (``selectors.job_fix_counts``, its "What to fix": rows
    not screened, screened rows whose ID number or phone is to fix), then each screened row to fix by row number
    with what is wrong — at most :data:`REJECTED_SHOWN`, then how many more and where (the result file's "To
    fix" column). Issue 11's trial: the page said "3 of the screened rows have an ID number to fix", the
    command's summary "screened: 5 … green 5" and nothing else. Nothing when no row is to fix; the rows not
    screened are listed by :func:`rejected_lines`."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from pingan.core import texts
    from pingan.screening.selectors import job_fix_counts

    counts = job_fix_counts(job.persons.all())
    if not counts["total"]:
        return []
    head = ngettext("%(n)s row to fix", "%(n)s rows to fix", counts["total"]) % {"n": counts["total"]}
    if counts["kinds"] > 1 or not counts["rejected"]:
        parts = [said % {"n": counts[key]} for key, said in (
            ("rejected", ngettext("%(n)s not screened", "%(n)s not screened", counts["rejected"])),
            ("unverified", ngettext("%(n)s with an ID number to check", "%(n)s with an ID number to check",
                                    counts["unverified"])),
            ("phone", ngettext("%(n)s with a phone number to fix", "%(n)s with a phone number to fix",
                               counts["phone"]))) if counts[key]]
        head += texts.colon() + (texts.join(parts) if texts.lang() == "en" else "，".join(parts))
    lines = [head]
    screened = counts["unverified"] + counts["phone"]
    shown = list(fix_shown(job))
    lines += [_("row %(row)s to fix: %(reason)s") % {"row": p.row, "reason": p.fix_text(police=police)}
              for p in shown]
    if screened > len(shown):
        more = screened - len(shown)
        lines.append(ngettext("… and %(n)s more screened row to fix: see the “To fix” column of %(path)s",
                              "… and %(n)s more screened rows to fix: see the “To fix” column of %(path)s",
                              more) % {"n": more, "path": out})
    return lines


def fix_shown(job):
    """The screened rows to fix that the summary lists one by one: the first :data:`REJECTED_SHOWN` by row."""
    from pingan.screening.models import to_fix_q

    return job.persons.filter(to_fix_q(), status="accepted").order_by("row")[:REJECTED_SHOWN]


def rejected_shown(job) -> list:
    """The rows not screened that the summary lists one by one: the first :data:`REJECTED_SHOWN` by row."""
    if not job.counts.get("rejected"):
        return []
    return list(job.persons.filter(status="rejected").order_by("row")[:REJECTED_SHOWN])


def rejection_reason(person) -> str:
    """Why a row was not screened and what to do at the command line (correct the file and run the command
    again: :func:`pingan.screening.texts.for_command_line`), without the "Not screened:" its stored reason starts
    with (the line says it already); long digit runs masked, as every result shows a cell."""
    from pingan.core.texts import render
    from pingan.lib.redact import mask_numbers

    detail = person.rejection_detail
    return mask_numbers(render(for_command_line(detail))) if detail else person.submitter_reason


def path_name(job) -> str:
    return job.roster_name
