"""Operations: worker heartbeats, health (liveness, readiness) and metrics figures.

What an operator watches (docs/operations.md, "Health" and "Metrics"). These use cases
read the queue and the workers' heartbeats; they change nothing but the heartbeats.
"""
