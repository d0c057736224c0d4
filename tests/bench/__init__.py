"""The API benchmark: `just bench` (python -m tests.bench). See run.py."""
