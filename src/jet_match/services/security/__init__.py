"""Use cases of access: API keys and the audit trail."""
