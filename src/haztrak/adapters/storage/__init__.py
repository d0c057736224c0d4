"""The DocumentStore port: a folder (the default) and S3-compatible object storage.

`S3DocumentStore` is imported at first use: boto3 costs every process that imports it about
8 MiB, and only a process configured for S3 needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from haztrak.adapters.storage.folder import FolderDocumentStore

if TYPE_CHECKING:
    from haztrak.adapters.storage.s3 import S3DocumentStore

__all__ = ["FolderDocumentStore", "S3DocumentStore"]


def __getattr__(name: str) -> Any:
    if name == "S3DocumentStore":
        from haztrak.adapters.storage.s3 import S3DocumentStore

        return S3DocumentStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
