"""HiGHS MIPs in a child process, so that a MIP can always be stopped at the deadline.

HiGHS checks its `time_limit` in most places but not all: on the engine's larger MIPs
(tens of thousands of binary columns) its setup of the objective's clique partition
(`HighsObjectiveFunction::setupCliquePartition`, HiGHS 1.16) ran 134 s past a 25 s limit
on a busy machine, and a call into HiGHS cannot be interrupted from Python. So the MIPs
run in one child process per search (started once, reused): the parent waits for the
answer until the deadline plus `GRACE_S`, sends the heartbeat reports meanwhile, asks
HiGHS to stop (SIGUSR1, seen by its interrupt callback) when the reporter says so, and
kills the child when it does not answer in time (the next MIP starts a new one).

The child runs this file as a script (`python -I mip_process.py`): it imports only the
standard library, numpy and highspy, and speaks length-prefixed pickles on its stdin and
stdout (HiGHS's own output goes to /dev/null). The same model, options and start give
the same answer as in the parent process.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import highspy
import numpy as np

if TYPE_CHECKING:  # the child imports nothing of jet_match
    from jet_match.solver.deadline import Deadline

#: How long past the deadline (or a stop request) the child may take to answer.
GRACE_S = 0.5
#: A cut-off MIP this small first asks HiGHS's presolve alone whether it is infeasible
#: (0.07 s at 50 k pairs; 2.9 s, in vain, at 135 k).
PRESOLVE_PROBE_COLUMNS = 80_000
_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class MipJob:
    """One MIP (maximise; binary columns) in column-wise form, with its start and options."""

    col_cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray  # CSC column starts
    index: np.ndarray
    value: np.ndarray
    start_values: np.ndarray | None  # a complete start (0/1 per column), or None
    seed: int
    time_limit: float
    relative_gap: float
    #: Plans worth less are of no interest: HiGHS prunes every node whose bound is below
    #: it. When no plan reaches it, HiGHS answers `infeasible`, or `optimal` with a plan
    #: below it that it happened to find (it keeps any plan as its incumbent): either
    #: way, having searched everything above the cutoff. Such a MIP runs without
    #: presolve, feasibility jump and symmetry detection, measured faster on the
    #: national proofs: 135 k pairs 9.9 s (defaults) -> 4.1 s; 212 k pairs 31 s
    #: (presolve off alone) -> 21 s (benchmarks/README.md).
    cutoff: float | None = None
    #: A cut-off MIP of at most `PRESOLVE_PROBE_COLUMNS` first asks presolve alone whether
    #: it is infeasible; False skips that probe where the caller knows better: a step whose
    #: LP with cuts reached its goal (`cut_proof.py`; national, 39 k pairs: 0.68 s in vain).
    probe: bool = True


@dataclass(frozen=True)
class MipAnswer:
    """How HiGHS ended: `optimal`, `infeasible` or `stopped` (time, interrupt, other)."""

    status: str
    values: np.ndarray | None  # column values when HiGHS has a solution
    dual_bound: float


# --- the child ---------------------------------------------------------------------------


def solve_job(job: MipJob, stop: Callable[[], bool]) -> MipAnswer:
    """Run HiGHS on `job` (in whichever process calls it); `stop` is polled by HiGHS.

    The model is posed as a minimisation of the negated profits: HiGHS's `objective_bound`
    (the cutoff) is documented for that sense.
    """
    model = model_of(job)
    began = time.perf_counter()
    small = job.probe and len(job.col_cost) <= PRESOLVE_PROBE_COLUMNS
    if job.cutoff is not None and small and presolve_refutes(job, model):
        return MipAnswer("infeasible", None, -math.inf)

    def interrupt(event: Any) -> None:
        if stop():
            event.interrupt()

    def run(warm: bool) -> highspy.Highs:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("random_seed", int(job.seed) % 2_147_483_647)
        left = job.time_limit - (time.perf_counter() - began)
        highs.setOptionValue("time_limit", max(0.01, float(left)))
        highs.setOptionValue("mip_rel_gap", float(job.relative_gap))
        highs.setOptionValue("mip_abs_gap", 0.99)
        if job.cutoff is not None:
            highs.setOptionValue("objective_bound", -float(job.cutoff))
            highs.setOptionValue("presolve", "off")
            highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)
            highs.setOptionValue("mip_detect_symmetry", False)
        highs.passModel(model)
        highs.cbMipInterrupt.subscribe(interrupt)
        if warm and job.start_values is not None:
            # A complete start (every column valued): HiGHS 1.16 completes a partial one
            # with a sub-MIP, and then may stop at it as "optimal" below its own bound.
            solution = highspy.HighsSolution()
            solution.col_value = job.start_values
            solution.value_valid = True
            highs.setSolution(solution)
        highs.run()
        return highs

    def worth(highs: highspy.Highs) -> float:
        solution = highs.getSolution()
        if not solution.value_valid:
            return -math.inf
        return float(job.col_cost[np.asarray(solution.col_value) > 0.5].sum())

    highs = run(warm=True)
    if highs.getSolution().value_valid and worth(highs) < (
        -highs.getInfo().objective_function_value - 0.5
    ):
        # HiGHS 1.16's presolve can map a start to a better objective in the reduced space
        # ("feasible in the reduced space: ...") and then return the start itself, worth
        # less than the objective it reports: solve again without the start.
        highs = run(warm=False)
    status = highs.getModelStatus()
    solution = highs.getSolution()
    named = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
    }.get(status, "stopped")
    values = np.asarray(solution.col_value, dtype=np.float64) if solution.value_valid else None
    return MipAnswer(named, values, -float(highs.getInfo().mip_dual_bound))


def model_of(job: MipJob) -> highspy.HighsLp:
    """The job's model: binary columns, negated profits minimised."""
    n_col, n_row = len(job.col_cost), len(job.row_lower)
    model = highspy.HighsLp()
    model.num_col_ = n_col
    model.num_row_ = n_row
    model.col_cost_ = -job.col_cost
    model.col_lower_ = np.zeros(n_col)
    model.col_upper_ = np.ones(n_col)
    model.row_lower_ = job.row_lower
    model.row_upper_ = job.row_upper
    model.sense_ = highspy.ObjSense.kMinimize
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = job.start
    model.a_matrix_.index_ = job.index
    model.a_matrix_.value_ = job.value
    model.a_matrix_.num_col_ = n_col
    model.a_matrix_.num_row_ = n_row
    model.integrality_ = [highspy.HighsVarType.kInteger] * n_col
    return model


def presolve_refutes(job: MipJob, model: highspy.HighsLp) -> bool:
    """HiGHS's presolve alone (no cutoff) finds the model infeasible: the first steps of
    a proof, whose forced rows no plan can meet, in 0.04-0.07 s instead of 0.6-1.7 s."""
    probe = highspy.Highs()  # type: ignore[no-untyped-call]
    probe.setOptionValue("output_flag", False)
    probe.setOptionValue("time_limit", max(0.01, float(job.time_limit)))
    probe.passModel(model)
    probe.presolve()
    return bool(probe.getModelPresolveStatus() == highspy.HighsPresolveStatus.kInfeasible)


def _serve() -> None:
    """The child's loop: read a job, answer it, until stdin closes."""
    with contextlib.suppress(OSError, AttributeError):  # Linux: die with the parent
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    answers = os.fdopen(os.dup(1), "wb")
    with open(os.devnull, "wb") as sink:
        os.dup2(sink.fileno(), 1)  # HiGHS's banner and logs
    stopping = {"asked": False}

    def ask_to_stop(signum: int, frame: Any) -> None:
        stopping["asked"] = True

    signal.signal(signal.SIGUSR1, ask_to_stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    jobs = sys.stdin.buffer
    while (fields := _read(jobs)) is not None:
        stopping["asked"] = False
        answer = solve_job(MipJob(**fields), lambda: stopping["asked"])
        _write(answers, vars(answer))


def _write(stream: IO[bytes], item: dict[str, Any]) -> None:
    """One frame: a dict of plain values and arrays (no classes: the child is `__main__`)."""
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))  # noqa: S301 - our own child's answers


# --- the parent --------------------------------------------------------------------------


class MipProcess:
    """The child process of one search (started on first use or by `start`)."""

    def __init__(self) -> None:
        self._child: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the child now (its imports then overlap the parent's work)."""
        if self._child is None or self._child.poll() is not None:
            self._child = subprocess.Popen(  # noqa: S603 - this file, by this interpreter
                [sys.executable, "-I", os.path.abspath(__file__)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )

    def solve(self, job: MipJob, deadline: Deadline, heartbeat: Callable[[], bool]) -> MipAnswer:
        """The child's answer to `job`; `stopped` without values when it did not answer by
        the deadline plus GRACE_S (or GRACE_S after `heartbeat` asked to stop; at once
        when it asks before the job is sent, or `kill` ends the child)."""
        if heartbeat():
            return MipAnswer("stopped", None, math.inf)
        self.start()
        child = self._child
        assert child is not None
        assert child.stdin is not None
        assert child.stdout is not None
        try:
            _write(child.stdin, vars(job))
        except OSError:  # the child died: one more try with a new one (unless stopped)
            self.close()
            if heartbeat():
                return MipAnswer("stopped", None, math.inf)
            return self.solve(job, deadline, heartbeat)
        give_up = deadline.at + GRACE_S
        while True:
            wait = min(1.0, give_up - time.perf_counter())
            if wait <= 0:
                break
            ready, _, _ = select.select([child.stdout], [], [], wait)
            if ready:
                fields = _read(child.stdout)
                if isinstance(fields, dict):
                    return MipAnswer(**fields)
                break  # the child died
            if heartbeat() and give_up > time.perf_counter() + GRACE_S:
                child.send_signal(signal.SIGUSR1)
                give_up = time.perf_counter() + GRACE_S
        self.close(kill=True)
        return MipAnswer("stopped", None, math.inf)

    def kill(self) -> None:
        """End the child at once, from any thread: a `solve` waiting for it returns
        `stopped` (it sees the child die); `close` is still the owner's to call."""
        child = self._child
        if child is not None:
            with contextlib.suppress(OSError):
                child.kill()

    def close(self, *, kill: bool = False) -> None:
        """End the child (at once with `kill`, else when it has read the end of input)."""
        child, self._child = self._child, None
        if child is None:
            return
        with contextlib.suppress(OSError):
            if child.stdin is not None:
                child.stdin.close()
        if kill:
            child.kill()
        try:
            child.wait(timeout=GRACE_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


if __name__ == "__main__":
    _serve()
