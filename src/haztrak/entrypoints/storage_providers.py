"""dishka providers for documents: the DocumentStore chosen by HT_STORAGE_BACKEND (a folder by
default, an S3-compatible bucket in production), the manifests' files on it, and the use cases
that list, read and fetch them. Tests override `DocumentStore` with a provider of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from dishka import Provider, Scope, provide, provide_all

from haztrak.adapters.storage.folder import FolderDocumentStore
from haztrak.application.manifests.files import (
    GetManifestDocument,
    ListManifestDocuments,
    ManifestFiles,
)
from haztrak.application.manifests.viewing import OpenManifestPage
from haztrak.application.ports.storage import DocumentStore
from haztrak.application.rcrainfo.documents import FetchManifestDocuments
from haztrak.entrypoints.settings import Settings, StorageBackend

if TYPE_CHECKING:
    from haztrak.adapters.storage.s3 import S3DocumentStore


def document_store(settings: Settings) -> FolderDocumentStore | S3DocumentStore:
    storage = settings.storage
    if storage.backend is StorageBackend.S3:
        assert storage.bucket is not None  # the settings refuse S3 without a bucket
        # boto3 is imported only by a process configured for S3, when it builds the store.
        from haztrak.adapters.storage.s3 import S3DocumentStore

        return S3DocumentStore(
            bucket=storage.bucket,
            endpoint_url=storage.endpoint_url,
            region=storage.region,
            access_key_id=storage.access_key_id,
            secret_access_key=storage.secret_access_key,
            prefix=storage.prefix,
        )
    return FolderDocumentStore(storage.folder)


class StorageProvider(Provider):
    @provide(scope=Scope.APP)
    async def store(self, settings: Settings) -> AsyncIterator[DocumentStore]:
        store = document_store(settings)
        yield store
        if not isinstance(store, FolderDocumentStore):
            store.close()

    files = provide(ManifestFiles, scope=Scope.APP)
    page = provide(OpenManifestPage, scope=Scope.APP)
    use_cases = provide_all(
        ListManifestDocuments,
        GetManifestDocument,
        FetchManifestDocuments,
        scope=Scope.REQUEST,
    )
