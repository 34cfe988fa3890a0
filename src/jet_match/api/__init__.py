"""HTTP only: parse, authorize, call one service, shape the answer. No SQL, no commits."""
