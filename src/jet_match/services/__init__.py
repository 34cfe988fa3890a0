"""Use cases, grouped by feature: `records/` (organizations, openings, participants,
imports, exports), `rounds/` (rounds, runs, plans, review, publications, vacancies,
withdrawals), `security/` (API keys, the audit trail); `kit/` holds their shared plumbing
and `bridge/` the translation to and from the solver. Services open and commit
transactions, scope every query by the caller (`kit.access.Caller`), write the audit trail
and raise `jet_match.errors` (docs/architecture.md).
"""
