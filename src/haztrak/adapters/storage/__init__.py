"""The DocumentStore port: a folder (the default) and S3-compatible object storage."""

from haztrak.adapters.storage.folder import FolderDocumentStore
from haztrak.adapters.storage.s3 import S3DocumentStore

__all__ = ["FolderDocumentStore", "S3DocumentStore"]
