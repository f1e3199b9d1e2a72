"""Alembic migrations, run through `vitrina migrate` (see runner.py)."""
