"""The task queue on Dramatiq (Redis, or in-process), and the scheduler's job lock."""
