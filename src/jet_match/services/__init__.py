"""Use cases: one module per domain. Services open and commit transactions, scope every
query by the caller (`access.Caller`), write the audit trail and raise `jet_match.errors`.
"""
