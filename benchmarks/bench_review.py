"""Review reads of a solved national round, first read after a run and warm (issue 17).

python benchmarks/bench_review.py [--repeat 5] [--database-url URL] [--time-limit 120]
    [--after-runs 1] [--show-statements READ] [--profile READ]

Generates the national dataset (seed 1), imports it into a fresh database (SQLite in a
temporary directory unless --database-url names an empty one), creates a round of every
position and solves it with the worker in this process (`Worker.run_until_idle`, which
also prepares the round's review reads as the worker does after every run). Then times
each review read through its service, as an API process runs it:

- `first`: the first read in a process that has read nothing yet (its prepared-problem
  cache and record cache emptied before the read), with the worker's prepared reads;
- `warm`: the median of `repeat` further reads in that process;
- `after run`: the first read after a participant withdrew and the round was solved
  again (the worker prepares its reads), in a process that has served reads before:
  what a coordinator's click costs in a running API process, whose records are kept
  (only the withdrawn participant's is read again) and whose prepared problems are of
  the previous plan; with `--after-runs N`, the median (and range) of that first read
  after each of N withdrawals and re-solves;
- `baseline`: the same first read with the prepared reads removed, i.e. computing the
  whole problem on the read, as every read did before (and as one does while the worker
  has not caught up yet).
  Candidates no longer build the whole problem (only the opening's column), prepared or
  not: their baseline is the row "whole problem", what a candidates read built before.
  Explanations no longer build it either (only the participant's row): their baseline
  is the row "explanation on the whole problem", the whole problem built and the
  participant explained on it as an explanation read did before (`solver.explain`;
  without the moves' assessment and record look-ups both paths share, ~0.1 s).

Before the reads, the process freezes what it holds (`gc.collect(); gc.freeze()`), as an
API process does at startup (`JET_MATCH_GC_FREEZE`, on by default): otherwise every full
collection during a read walks this process's own setup (the import, the worker, the
solve), which an API process does not carry, and lands in whichever read crosses the
collector's threshold (0.1-0.15 s, the same cells in every run). `--no-freeze` keeps the
old behaviour. The reads run under an API process's collector thresholds (full
collections ten times rarer than Python's: `JET_MATCH_GC_FULL_COLLECTION_THRESHOLD`);
`--gc-threshold 700,10,10` gives Python's own. The process keeps the memory it frees, as
every service process does (`JET_MATCH_KEEP_FREED_MEMORY`; `=false` in the environment
gives glibc's defaults); `--pause S` waits S seconds before each read after the runs, as
a coordinator does between clicks.

Prints the load average first; figures are seconds, and the SQL statements each read
sent (first and after the run; each a round trip to a PostgreSQL server), and the full
garbage collections (generation 2) during the calls after the runs, with their seconds:
one lands in whichever read crosses the collector's threshold. With
`--profile READ`, the named read's calls after the runs also run under cProfile, and the
functions where they spent the most time (their own, summed over the runs) are printed.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import statistics
import time
from collections.abc import Callable

import sqlalchemy as sa
from national_db import arguments, national_database
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.dataset.generator import PROGRAMME_YEAR
from jet_match.process_memory import keep_freed_memory
from jet_match.schemas.rounds import RoundCreate, RoundPolicy
from jet_match.schemas.runs import RunCreate
from jet_match.services.bridge import kept_records, round_data
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.development import demand
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import report_sheets, review, rounds, runs, withdrawals
from jet_match.solver import explain, result_of_plan
from jet_match.worker import InlineSolver, Worker

ROUND = "R-REVIEW"


class GarbageCollections:
    """The collector's runs and their seconds, by generation, per read (`counting`: the
    read whose calls are counted now, None for none)."""

    def __init__(self) -> None:
        self.counting: str | None = None
        self.began = 0.0
        self.seconds: dict[str, list[float]] = {}
        self.runs: dict[str, list[int]] = {}
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if self.counting is None:
            return
        if phase == "start":
            self.began = time.perf_counter()
            return
        generation = info["generation"]
        self.seconds.setdefault(self.counting, [0.0, 0.0, 0.0])[generation] += (
            time.perf_counter() - self.began
        )
        self.runs.setdefault(self.counting, [0, 0, 0])[generation] += 1

    def full(self, read: str) -> str:
        """The full collections during a read's calls: how many, and their seconds."""
        runs = self.runs.get(read, [0, 0, 0])[2]
        return f"{runs} ({self.seconds.get(read, [0.0, 0.0, 0.0])[2]:.3f} s)"

    def summary(self, read: str) -> str:
        """Runs and seconds per generation during a read's calls."""
        runs = self.runs.get(read, [0, 0, 0])
        seconds = self.seconds.get(read, [0.0, 0.0, 0.0])
        return ", ".join(f"generation {g}: {runs[g]} runs, {seconds[g]:.3f} s" for g in range(3))


def _fresh_process() -> PreparedProblems:
    """What an API process that has read nothing holds: no instance, no records."""
    kept_records.forget()
    demand._reports.by_key.clear()
    return PreparedProblems(limit=1)


def _whole_problem_explanation(
    session: Session, prepared: PreparedProblems, participant: str
) -> object:
    """What an explanation read computed before the participant's row: the whole problem."""
    instance, entries = round_data.full_instance(
        session, rounds.find(session, ROUND), prepared=prepared
    )
    result = result_of_plan(instance, round_data.assignments(entries), engine="plan")
    return explain(instance, result, participant, objective_change=False)


def main() -> None:
    """Run the benchmark."""
    parser = arguments(__doc__, repeat=5)
    parser.add_argument("--time-limit", type=float, default=120)
    parser.add_argument(
        "--no-freeze", action="store_true", help="Do not freeze the setup's objects first."
    )
    parser.add_argument(
        "--show-statements",
        metavar="READ",
        default=None,
        help="Print the SQL of the named read's 'after run' call (e.g. candidates).",
    )
    parser.add_argument(
        "--after-runs",
        type=int,
        default=1,
        help="Withdrawals and re-solves to time the reads after (median, range).",
    )
    parser.add_argument(
        "--profile",
        metavar="READ",
        default=None,
        help="Profile the named read's calls after the runs (cProfile, own time).",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="Seconds idle before each read after the runs (a coordinator reading the page "
        "before; default 0: back to back).",
    )
    parser.add_argument(
        "--gc-threshold",
        metavar="A,B,C",
        default=None,
        help="The collector's thresholds for the reads (gc.set_threshold; default: an API "
        "process's, 700,10 and JET_MATCH_GC_FULL_COLLECTION_THRESHOLD).",
    )
    args = parser.parse_args()
    with national_database("review reads", args.database_url) as national:
        settings, engine, dataset = national.settings, national.engine, national.dataset
        if settings.keep_freed_memory:  # as every service process (JET_MATCH_KEEP_FREED_MEMORY)
            keep_freed_memory()
        with Session(engine) as session:
            rounds.create_round(
                session=session,
                caller=COMMAND_LINE,
                round_in=RoundCreate(
                    external_id=ROUND,
                    name="Review benchmark",
                    programme_year=PROGRAMME_YEAR,
                    positions=list(fmt.Position),
                    policy=RoundPolicy.model_validate({"time_limit_s": args.time_limit}),
                ),
            )
        with Session(engine) as session:
            runs.start_run(
                session=session, caller=COMMAND_LINE, round_id=ROUND, options=RunCreate()
            )
        started = time.perf_counter()
        worker = Worker(engine, settings, InlineSolver(engine))
        worker.run_until_idle()
        print(
            f"{engine.url.get_backend_name()}: solved and prepared in "
            f"{time.perf_counter() - started:.1f} s; "
            f"{len(dataset.participants)} participants, {len(dataset.openings)} openings"
        )
        with Session(engine) as session:
            participant, opening = session.execute(
                sa.select(col(models.Participant.external_id), col(models.Opening.external_id))
                .join(
                    models.Placement, col(models.Placement.participant_id) == models.Participant.id
                )
                .join(models.Opening, col(models.Opening.id) == models.Placement.opening_id)
                .limit(1)
            ).one()
            stored = session.scalars(sa.select(models.PreparedReview)).all()
            documents = {(r.round_id, r.kind, r.subject): r.document for r in stored}
        if not args.no_freeze:  # as an API process at startup (JET_MATCH_GC_FREEZE)
            gc.collect()
            gc.freeze()
        if args.gc_threshold:
            gc.set_threshold(*(int(x) for x in args.gc_threshold.split(",")))
        else:  # as an API process for its life (JET_MATCH_GC_FULL_COLLECTION_THRESHOLD)
            gc.set_threshold(*gc.get_threshold()[:2], settings.gc_full_collection_threshold)

        statements = [0]  # SQL statements sent, each a round trip on PostgreSQL
        shown: list[str] = []  # their SQL, while --show-statements asks for it

        def count(conn: object, cursor: object, sql: str, *_: object) -> None:
            statements[0] += 1
            shown.append(sql)

        sa.event.listen(engine, "before_cursor_execute", count)
        sent: dict[str, int] = {}  # statements of each read's last timing

        def read(
            name: str, call: Callable[[Session, PreparedProblems], object]
        ) -> Callable[[PreparedProblems], float]:
            def timed(problems: PreparedProblems) -> float:
                with Session(engine) as session:
                    before = statements[0]
                    begun = time.perf_counter()
                    call(session, problems)
                    seconds = time.perf_counter() - begun
                    sent[name] = statements[0] - before
                    return seconds

            timed.__name__ = name
            return timed

        c = COMMAND_LINE
        reads = [
            read(
                "report JSON (round page)",
                lambda s, p: review.report(session=s, caller=c, prepared=p, round_id=ROUND),
            ),
            read(
                "report CSV",
                lambda s, p: report_sheets.report_sheet(
                    session=s, caller=c, prepared=p, round_id=ROUND, sheet_format="csv"
                ),
            ),
            read(
                "report XLSX",
                lambda s, p: report_sheets.report_sheet(
                    session=s, caller=c, prepared=p, round_id=ROUND, sheet_format="xlsx"
                ),
            ),
            read(
                "development demand",
                lambda s, p: demand.demand(
                    session=s, caller=c, prepared=p, programme_year=PROGRAMME_YEAR
                ),
            ),
            read(
                "explanation",
                lambda s, p: review.explanation(
                    session=s, caller=c, round_id=ROUND, participant_id=participant
                ),
            ),
            read(
                "explanation on the whole problem",
                lambda s, p: _whole_problem_explanation(s, p, participant),
            ),
            read(
                "candidates",
                lambda s, p: review.candidates(
                    session=s, caller=c, prepared=p, round_id=ROUND, opening_id=opening
                ),
            ),
            read(
                "whole problem (candidates' baseline)",
                lambda s, p: round_data.full_instance(s, rounds.find(s, ROUND), prepared=p),
            ),
            read(
                "compare current/run:1",
                lambda s, p: review.compare(
                    session=s, caller=c, prepared=p, round_id=ROUND, a="current", b="run:1"
                ),
            ),
        ]
        figures: dict[str, tuple[float, float, float]] = {}
        first_sent: dict[str, int] = {}
        for timed in reads:
            first = timed(_fresh_process())
            first_statements = sent[timed.__name__]
            problems = PreparedProblems(limit=1)
            timed(problems)
            warm = statistics.median(timed(problems) for _ in range(args.repeat))
            with Session(engine) as session:  # as before: nothing prepared
                session.execute(sa.delete(models.PreparedReview))
                session.commit()
            baseline = timed(_fresh_process())
            with Session(engine) as session:
                for (round_id, kind, subject), document in documents.items():
                    session.add(
                        models.PreparedReview(
                            round_id=round_id,
                            kind=kind,
                            subject=subject,
                            stamp=next(
                                r.stamp
                                for r in stored
                                if (r.round_id, r.kind, r.subject) == (round_id, kind, subject)
                            ),
                            document=document,
                        )
                    )
                session.commit()
            figures[timed.__name__] = (first, warm, baseline)
            first_sent[timed.__name__] = first_statements
        # A participant (not the one explained) withdraws and the round is solved again;
        # this process keeps its records and its prepared problems (of the old plan).
        # With --after-runs N, N times: each read's first call after each run.
        afters: dict[str, list[float]] = {timed.__name__: [] for timed in reads}
        profiler = cProfile.Profile()
        collections = GarbageCollections()
        for cycle in range(args.after_runs):
            with Session(engine) as session:
                leaving = session.scalars(
                    sa.select(col(models.Participant.external_id))
                    .join(
                        models.Placement,
                        col(models.Placement.participant_id) == models.Participant.id,
                    )
                    .where(col(models.Participant.external_id) != participant)
                    .order_by(col(models.Participant.external_id))
                    .limit(1)
                ).one()
                withdrawals.withdraw(session=session, caller=c, participant_id=leaving)
            with Session(engine) as session:
                runs.start_run(
                    session=session, caller=COMMAND_LINE, round_id=ROUND, options=RunCreate()
                )
            worker.run_until_idle()
            last = cycle == args.after_runs - 1
            for timed in reads:
                shown.clear()
                if timed.__name__ == args.profile:
                    profiler.enable()
                collections.counting = timed.__name__
                time.sleep(args.pause)
                afters[timed.__name__].append(timed(problems))
                profiler.disable()
                collections.counting = None
                if last and timed.__name__ == args.show_statements:
                    print("\n".join(" ".join(sql.split())[:160] for sql in shown))
        after_label = "after run" if args.after_runs == 1 else "after runs"
        print(
            f"{'read':38} {'first':>8} {'warm':>8} {after_label:>9} {'baseline':>9}"
            f" {'statements first/after':>22} {'full gc after':>14}"
        )
        for timed in reads:
            name = timed.__name__
            first, warm, baseline = figures[name]
            after = statistics.median(afters[name])
            counts = f"{first_sent[name]}/{sent[name]}"
            spread = (
                f"  ({min(afters[name]):.3f}-{max(afters[name]):.3f})"
                if args.after_runs > 1
                else ""
            )
            print(
                f"{name:38} {first:8.3f} {warm:8.3f} {after:9.3f} {baseline:9.3f}"
                f" {counts:>22} {collections.full(name):>14}{spread}"
            )
        if args.profile:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
            print(f"# {args.profile}, after {args.after_runs} runs, by own time:")
            print(out.getvalue())
            print(f"# garbage collections during those calls: {collections.summary(args.profile)}")
        worker.preparer.close()


if __name__ == "__main__":
    main()
