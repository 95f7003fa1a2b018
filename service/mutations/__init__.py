"""Writes: the SQL of every mutation, its invariant checks, merges, and idempotency keys."""
