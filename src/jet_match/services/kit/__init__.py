"""Shared plumbing of the use cases: who may do what (access), safe writes (ETags,
If-Match, idempotency), cursor pagination, record conversions and lookups, consistency checks."""
