# Haztrak recipes. `just` comes with the dev extra (PyPI package rust-just): .venv/bin/just

set shell := ["bash", "-euo", "pipefail", "-c"]

export PATH := justfile_directory() + "/.venv/bin:" + env_var("PATH")

# list the recipes
default:
    @just --list

# create .venv and install Haztrak with its development tools
install:
    test -x .venv/bin/python || python3 -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]'

# migrate, load the demo data and serve on http://127.0.0.1:8000 (embedded defaults)
run: migrate
    haztrak seed --demo
    haztrak serve

# run the whole test suite (PostgreSQL and Redis tests run when they answer locally)
test *ARGS:
    pytest -q {{ ARGS }}

# the quality gates CI runs
lint:
    ruff check .
    ruff format --check .
    mypy
    lint-imports

# format and fix what can be fixed
fmt:
    ruff format .
    ruff check --fix .

# upgrade the database to the newest schema
migrate:
    haztrak migrate

# run the e-Manifest sandbox (RCRAInfo's API for development) on https://127.0.0.1:8001
sandbox:
    haztrak sandbox --port 8001

# benchmark the API on PostgreSQL (writes bench-results/)
bench:
    python -m tests.bench
