"""A problem prepared for solving: eligible pairs with their scores, pins, couples, caps.

`prepare(problem)` (prepare.py) does the vectorised work once; engines, metrics,
explanations and re-solves reuse the arrays an `Instance` holds. Pairs are held as
parallel arrays sorted by (participant, opening) in canonical order, so a pair is found
by a binary search within its participant's run. What the engines learn about the same
records (candidate sets, the side engine's columns and basis) is kept on the instance, so
that a re-solve's `prepare(base=)` carries it over. A `Conflict` names records that
cannot all hold at once; `compatible` and `couple_group` state a couple's constraint on
openings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jet_match.solver import policy
from jet_match.solver.caps import cap_key
from jet_match.solver.eligible_pairs import search_pairs
from jet_match.solver.policy import BoolArray, IntArray, Tables
from jet_match.solver.problem import PartnerConstraint, Problem, Waiver

#: Each participant's best pairs kept in the first candidate set of the engines.
TOP_K = 12
DISPLACED_SHARE = 0.01  # most pairs `displaced` participants seed, a share of all pairs


@dataclass(frozen=True, slots=True)
class Conflict:
    """Records that cannot all hold at once (the reason a problem is infeasible)."""

    code: str
    message: str
    participants: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()
    failed_rules: tuple[str, ...] = ()  # "ineligible_pin": the eligibility rules the pair fails


@dataclass(eq=False)
class Instance:
    """A prepared problem. Arrays index participants and openings in `tables` order."""

    problem: Problem
    tables: Tables
    in_run: BoolArray  # participants this run places
    in_scope: BoolArray  # openings of the run's positions
    pair_p: npt.NDArray[np.int32]
    pair_o: npt.NDArray[np.int32]
    pair_score: IntArray
    pair_top: BoolArray  # among the participant's TOP_K best pairs
    pin_of: IntArray  # pinned opening per participant, -1
    previous_of: IntArray  # opening in previous_plan per participant (in the run), -1
    partner_of: IntArray  # partner index when both are in the run, else -1
    partner_constraint: IntArray  # PartnerConstraint value, -1 when single
    cap_of_prefecture: IntArray | None  # per prefecture code 0..47, None without caps
    conflicts: tuple[Conflict, ...]
    model_s: float
    top_k: int = TOP_K  # best pairs per participant flagged in pair_top
    out_of_time: bool = False  # the deadline stopped `prepare`: no pairs, nothing to solve
    waived: tuple[Waiver, ...] = ()  # the rules each waiver of the run set aside (resolved)
    #: The participants and openings whose records changed since the instance that
    #: `prepare(..., base=)` reused (`reuse.record_changes`; None: not prepared from one).
    edits: tuple[BoolArray, BoolArray] | None = None
    _cache: dict[str, object] = field(default_factory=dict)

    @property
    def n_run(self) -> int:
        """Participants placed by the run."""
        return int(self.in_run.sum())

    @property
    def has_couples(self) -> bool:
        """Some couple has both halves in the run."""
        return bool((self.partner_of >= 0).any())

    @property
    def has_caps(self) -> bool:
        """A country share cap applies."""
        return self.cap_of_prefecture is not None

    def profit(self) -> IntArray:
        """Score of each pair plus the disruption weight when it keeps the previous opening."""
        cached = self._cache.get("profit")
        if cached is None:
            cached = self.pair_score
            if (self.previous_of >= 0).any():
                cached = self.pair_score.copy()
                had = np.flatnonzero(self.previous_of >= 0)
                kept = self.pair_index(had, self.previous_of[had])
                cached[kept[kept >= 0]] += self.problem.weights.disruption
            self._cache["profit"] = cached
        assert isinstance(cached, np.ndarray)
        return cached

    def pair_index(self, p: IntArray, o: IntArray) -> IntArray:
        """Position of pairs (p, o) in the pair arrays, -1 when not an eligible pair.

        Pairs are sorted by participant then opening, so each lookup is a binary search
        within the participant's run (vectorised; no key array over all pairs).
        """
        lo, found = search_pairs(self.pair_o, self.participant_bounds(), p, o)
        return np.where(found, lo, -1).astype(np.int64)

    def pairs_of(self, participants: IntArray) -> IntArray:
        """Indices of the pairs of the given participants (sorted when they are)."""
        bounds = self.participant_bounds()
        lo, hi = bounds[participants], bounds[np.asarray(participants) + 1]
        sizes = hi - lo
        offsets = np.repeat(lo - np.r_[0, np.cumsum(sizes)[:-1]], sizes)
        at: IntArray = np.arange(int(sizes.sum()), dtype=np.int64) + offsets
        return at

    def participant_bounds(self) -> IntArray:
        """First pair of each participant (and the end), by participant index (memoised)."""
        cached = self._cache.get("bounds")
        if cached is None:
            # In the pairs' own dtype: a wider one would copy all of them first (10 ms).
            everyone = np.arange(self.tables.n_participants + 1, dtype=self.pair_p.dtype)
            cached = np.searchsorted(self.pair_p, everyone).astype(np.int64)
            self._cache["bounds"] = cached
        assert isinstance(cached, np.ndarray)
        return cached

    def seed_candidates(self) -> BoolArray:
        """First candidate pairs of the engines: each participant's best pairs, the previous
        placement, and the final candidates of an earlier solve of the same records; every
        pair of a participant a change displaces (`displaced`)."""
        seed: BoolArray = self.pair_top.copy()
        had = np.flatnonzero(self.previous_of >= 0)
        kept = self.pair_index(had, self.previous_of[had])
        seed[kept[kept >= 0]] = True
        seed[self.pairs_of(self.displaced(had, kept))] = True
        carried = self.candidate_mask()
        keys = self._cache.get("candidate_keys")
        if carried is not None:  # an earlier solve's, at this instance's positions
            seed |= carried
        elif isinstance(keys, np.ndarray) and len(keys):
            p, o = np.divmod(keys, self.tables.n_openings)
            at = self.pair_index(p, o)
            seed[at[at >= 0]] = True
        return seed

    def displaced(self, had: IntArray, kept: IntArray) -> IntArray:
        """Participants of `had` (placed by the previous plan; `kept`, their previous pair's
        position or -1) whose previous pair is gone or whose previous opening's record
        changed, and the participants whose record changed (`edits`; placed or not), while
        their pairs are few (`DISPLACED_SHARE`). Their potentials fall where the previous
        solve's candidates do not follow: national, an opening that now requires driving,
        its five people's pairs priced in over four rounds (8, 16, 32 pairs each), 0.2-0.3 s;
        with all their pairs seeded, one round. An unplaced participant edited (through the
        API: now able to drive) had 105 pairs priced in after the first round."""
        moved = kept < 0
        if self.edits is not None:
            edited, openings = self.edits
            moved |= openings[self.previous_of[had]]
            moved_people = np.union1d(had[moved], np.flatnonzero(edited & self.in_run))
        else:
            moved_people = had[moved]
        people: IntArray = moved_people.astype(np.int64)
        bounds = self.participant_bounds()
        if int((bounds[people + 1] - bounds[people]).sum()) > DISPLACED_SHARE * len(self.pair_p):
            return np.zeros(0, dtype=np.int64)
        return people

    def keep_participant_bounds(self, bounds: IntArray) -> None:
        """Take `participant_bounds` as already computed (by `prepare`, with the pairs)."""
        self._cache["bounds"] = bounds

    def learn_from(self, base: Instance, candidate_mask: BoolArray | None) -> None:
        """Take what the engines learnt about the same records on `base` (candidate sets,
        the side engine's columns and basis), all keyed by participant and opening; and
        base's candidate mask at this instance's positions, when `prepare` carried it."""
        for key in ("candidate_keys", "potentials", "side_columns", "side_basis"):
            if key in base._cache:
                self._cache[key] = base._cache[key]
        if candidate_mask is not None:
            self._cache["candidate_mask"] = candidate_mask

    def candidate_mask(self) -> BoolArray | None:
        """The candidate mask an earlier solve remembered here, if any."""
        mask = self._cache.get("candidate_mask")
        return mask if isinstance(mask, np.ndarray) else None

    def remember_candidates(
        self, candidates: BoolArray, potentials: IntArray | None = None
    ) -> None:
        """Keep the certified candidate set for later solves (re-solves, explanations): as
        keys, and as a mask that `prepare(..., base=self)` carries over to the patched pairs
        (a withdrawal, record edits), so that the next seed needs no search; and the
        certificate's potentials (by participant and opening: `prepare(..., base=self)`
        keeps them while the records are indexed alike), where the next solve's first
        certificate starts (`flow.solve_certified`)."""
        self._cache["candidate_keys"] = self._pair_keys(np.flatnonzero(candidates))
        self._cache["candidate_mask"] = candidates
        if potentials is None:
            self._cache.pop("potentials", None)
        else:
            self._cache["potentials"] = potentials

    def remembered_potentials(self) -> IntArray | None:
        """The potentials `remember_candidates` kept, if any (participants, openings,
        source and sink)."""
        kept = self._cache.get("potentials")
        size = self.tables.n_participants + self.tables.n_openings + 2
        return kept if isinstance(kept, np.ndarray) and len(kept) == size else None

    def solved_before(self) -> bool:
        """Whether an earlier solve of the same records left its candidate sets here."""
        return "candidate_keys" in self._cache or "candidate_mask" in self._cache

    def remember_side_columns(self, pairs: IntArray) -> None:
        """Keep the pairs the side engine's LP model held, to seed the next solve of the
        same records (kept by `prepare(..., base=self)`)."""
        self._cache["side_columns"] = self._pair_keys(pairs)

    def remember_side_basis(self, basis: object) -> None:
        """Keep the side engine's final LP basis (`side.basis.SavedBasis`, keyed by
        participant, opening and pair), to warm-start the next solve of the same records
        (kept by `prepare(..., base=self)` with the side columns)."""
        self._cache["side_basis"] = basis

    def remembered_side_basis(self) -> object | None:
        """What `remember_side_basis` kept, if anything."""
        return self._cache.get("side_basis")

    def remembered_side_columns(self) -> IntArray:
        """The pairs of `remember_side_columns` that are still eligible (indices)."""
        keys = self._cache.get("side_columns")
        if not isinstance(keys, np.ndarray) or len(keys) == 0:
            return np.zeros(0, dtype=np.int64)
        p, o = np.divmod(keys, self.tables.n_openings)
        at = self.pair_index(p, o)
        kept: IntArray = at[at >= 0]
        return kept

    def _pair_keys(self, pairs: IntArray) -> IntArray:
        """Pairs as (participant, opening) keys, which outlive the pair arrays' order."""
        keys: IntArray = (
            self.pair_p[pairs].astype(np.int64) * self.tables.n_openings + self.pair_o[pairs]
        )
        return keys

    def failed_rules(self, p: int, o: int) -> list[str]:
        """The hard rules pair (p, o) breaks, less those a waiver sets aside for it."""
        failed = policy.failed_rules(self.tables, p, o)
        waived = self._waived_rules().get((p, o))
        return [rule for rule in failed if not waived or rule not in waived]

    def _waived_rules(self) -> dict[tuple[int, int], frozenset[str]]:
        cached = self._cache.get("waived_rules")
        if cached is None:
            p_index = {pid: i for i, pid in enumerate(self.tables.participant_ids)}
            o_index = {oid: j for j, oid in enumerate(self.tables.opening_ids)}
            cached = {
                (p_index[w.participant], o_index[w.opening]): frozenset(w.rules or ())
                for w in self.waived
            }
            self._cache["waived_rules"] = cached
        assert isinstance(cached, dict)
        return cached

    def disruption_base(self) -> int:
        """Participants of the run with a previous opening (each costs `disruption` if moved)."""
        return int((self.previous_of >= 0).sum())

    def country_prefecture(self, p: IntArray, o: IntArray) -> IntArray:
        """Key of the (country, prefecture) cap group of pairs (`caps.cap_key`)."""
        return cap_key(self.tables.p_country[p], self.tables.o_prefecture[o])


def compatible(instance: Instance, a: int, b: int, o_a: int, o_b: int) -> bool:
    """Openings o_a (for a) and o_b (for a's partner b) satisfy the couple's constraint."""
    t = instance.tables
    if int(instance.partner_constraint[a]) == PartnerConstraint.SAME_ORGANIZATION:
        return bool(t.o_organization[o_a] == t.o_organization[o_b])
    return bool(t.o_prefecture[o_a] == t.o_prefecture[o_b])


def couple_group(instance: Instance, p: IntArray, o: IntArray) -> IntArray:
    """The organization (same_organization) or prefecture (same_prefecture) of pairs."""
    t = instance.tables
    same_org = instance.partner_constraint[p] == PartnerConstraint.SAME_ORGANIZATION
    return np.where(same_org, t.o_organization[o], t.o_prefecture[o] + len(t.organization_ids))
