"""Haztrak: hazardous-waste manifests with EPA's e-Manifest."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("haztrak")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
