"""The bridge to the solver: records -> the solver's `Problem` (and `Result` -> documents),
a round's problem and its record stamps, moves assessed by the solver, and what record
changes do to plans."""
