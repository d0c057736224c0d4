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

# run the whole test suite (PostgreSQL and Redis tests run when they answer locally), on
# HT_TEST_WORKERS processes (default: two per core, at most 8, as many tests wait on a
# server process or a poll rather than use a core; 0 runs it in this process)
test *ARGS:
    pytest -q -n "${HT_TEST_WORKERS:-$(( $(nproc) * 2 > 8 ? 8 : $(nproc) * 2 ))}" {{ ARGS }}

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

# take the README's screenshots of the UI with the browser tests (docs/screenshots/)
screenshots:
    HT_SCREENSHOTS=docs/screenshots pytest -q tests/browser/test_story.py

# fetch the UI's third-party assets again, pinned and checked (needs npm): htmx 2.0.11
assets:
    #!/usr/bin/env bash
    set -euo pipefail
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent htmx.org@2.0.11 >/dev/null)
    echo "165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e  $work/htmx.org-2.0.11.tgz" | sha256sum -c -
    tar -xzf "$work/htmx.org-2.0.11.tgz" -C "$work"
    cp "$work/package/dist/htmx.min.js" src/haztrak/entrypoints/web/static/vendor/htmx-2.0.11.min.js
    cp "$work/package/LICENSE" src/haztrak/entrypoints/web/static/vendor/htmx-LICENSE.txt
    rm -rf "$work"

# fetch the API docs' Swagger UI again, pinned and checked (needs npm): swagger-ui-dist 5.35.0
docs-assets:
    #!/usr/bin/env bash
    set -euo pipefail
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent swagger-ui-dist@5.35.0 >/dev/null)
    echo "1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6  $work/swagger-ui-dist-5.35.0.tgz" | sha256sum -c -
    tar -xzf "$work/swagger-ui-dist-5.35.0.tgz" -C "$work"
    out=src/haztrak/entrypoints/http/docs_static
    for f in swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css favicon-32x32.png \
             LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt swagger-ui-standalone-preset.js.LICENSE.txt; do
        cp "$work/package/$f" "$out/$f"
    done
    rm -rf "$work"

# the version of this checkout from its git tags, as hatch-vcs makes it (vX.Y.Z -> X.Y.Z)
version:
    #!/usr/bin/env bash
    set -euo pipefail
    if described=$(git describe --tags --long --match 'v[0-9]*' 2>/dev/null); then
        IFS=- read -r tag distance hash <<<"${described#v}"
        if [ "$distance" = 0 ]; then echo "$tag"; exit; fi
        IFS=. read -r major minor patch <<<"$tag"
        echo "$major.$minor.$((patch + 1)).dev$distance+$hash"
    else
        echo "0.1.dev$(git rev-list --count HEAD)+g$(git rev-parse --short HEAD)"
    fi

# build the container image with this checkout's version baked in (needs docker)
image:
    docker build -f deploy/Containerfile --build-arg HAZTRAK_VERSION="$(just version)" \
        -t "haztrak:$(just version | tr + -)" .

# benchmark the API on PostgreSQL (writes bench-results/)
bench:
    python -m tests.bench

# sync a site of 10,000 manifests (HT_BENCH_SYNC_MANIFESTS), its worker killed midway, on
# PostgreSQL and Redis (writes bench-results/sync-N.json)
bench-sync:
    python -m tests.bench.sync_scale
