"""DocumentStore on S3-compatible object storage (AWS S3, MinIO, Ceph, R2...), through boto3.

boto3 is AWS's own SDK, released every week and the client S3-compatible servers test against;
its client is thread-safe, so one client serves every call, each run in a thread (the SDK is
synchronous). Path-style addressing is used with a custom endpoint, which every S3-compatible
server accepts. Errors keep only the service's error code: boto3's messages can name the
endpoint and the bucket, never the keys, but the code is all a person needs.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from haztrak.adapters.storage.keys import check_key, check_prefix
from haztrak.application.ports.storage import DocumentStoreUnavailable, StoredFile
from haztrak.domain.manifest.attachments import content_type_of
from haztrak.domain.secrets import Secret

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class S3DocumentStore:
    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: Secret | None = None,
        secret_access_key: Secret | None = None,
        prefix: str = "",
        timeout_seconds: float = 30.0,
    ) -> None:
        self._bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._endpoint = endpoint_url
        config = Config(
            connect_timeout=timeout_seconds,
            read_timeout=timeout_seconds,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path"} if endpoint_url else {},
        )
        session = boto3.session.Session()
        self._client: S3Client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id.reveal() if access_key_id else None,
            aws_secret_access_key=secret_access_key.reveal() if secret_access_key else None,
            config=config,
        )

    def __repr__(self) -> str:
        return f"<S3DocumentStore bucket={self._bucket}>"

    def close(self) -> None:
        self._client.close()

    def _key(self, key: str) -> str:
        check_key(key)
        return self._prefix + key

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        name = self._key(key)
        await self._run(
            "a write",
            lambda: self._client.put_object(
                Bucket=self._bucket, Key=name, Body=data, ContentType=content_type
            ),
        )

    async def get(self, key: str) -> bytes | None:
        name = self._key(key)

        def read() -> bytes | None:
            try:
                answer = self._client.get_object(Bucket=self._bucket, Key=name)
            except ClientError as error:
                if _code(error) in _MISSING:
                    return None
                raise
            body: bytes = answer["Body"].read()
            return body

        result: bytes | None = await self._run("a read", read)
        return result

    async def files(self, prefix: str) -> list[StoredFile]:
        check_prefix(prefix)
        folder = self._prefix + prefix

        def listing() -> list[StoredFile]:
            files: list[StoredFile] = []
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self._bucket, Prefix=folder, Delimiter="/"):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self._prefix) :]
                    files.append(
                        StoredFile(
                            key=key,
                            size=int(item.get("Size", 0)),
                            content_type=content_type_of(key),
                            modified=item.get("LastModified"),
                        )
                    )
            return sorted(files, key=lambda f: f.name)

        found: list[StoredFile] = await self._run("a listing", listing)
        return found

    async def delete(self, key: str) -> None:
        name = self._key(key)
        await self._run(
            "a deletion", lambda: self._client.delete_object(Bucket=self._bucket, Key=name)
        )

    async def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (development and tests; production
        buckets are made by whoever runs the storage)."""

        def ensure() -> None:
            try:
                self._client.head_bucket(Bucket=self._bucket)
            except ClientError as error:
                if _code(error) not in _MISSING and _code(error) != "NoSuchBucket":
                    raise
                self._client.create_bucket(Bucket=self._bucket)

        await self._run("a bucket check", ensure)

    async def _run(self, what: str, work: Any) -> Any:
        failed: str | None = None
        try:
            return await asyncio.to_thread(work)
        except ClientError as error:
            failed = _code(error) or "an error"
        except BotoCoreError as error:
            failed = type(error).__name__
        raise DocumentStoreUnavailable(f"the object storage refused {what} ({failed})")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
