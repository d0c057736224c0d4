"""HT_STORAGE_*: a folder under HT_VAR_DIR by default, or an S3-compatible bucket; a bad value
names its variable, and the keys never print."""

from __future__ import annotations

from pathlib import Path

import pytest

from haztrak.adapters.storage import FolderDocumentStore, S3DocumentStore
from haztrak.entrypoints.settings import SettingsError, StorageBackend, load_settings
from haztrak.entrypoints.storage_providers import document_store

BASE = {"HT_SECRET_KEY": "k" * 40}


def test_the_default_is_a_folder_under_the_var_dir(tmp_path: Path) -> None:
    loaded = load_settings({**BASE, "HT_VAR_DIR": str(tmp_path)}, dotenv=None)
    assert loaded.storage.backend is StorageBackend.FOLDER
    assert loaded.storage.folder == tmp_path / "documents"
    assert isinstance(document_store(loaded), FolderDocumentStore)
    other = load_settings(
        {**BASE, "HT_VAR_DIR": str(tmp_path), "HT_STORAGE_FOLDER": str(tmp_path / "elsewhere")},
        dotenv=None,
    )
    assert other.storage.folder == tmp_path / "elsewhere"


def test_s3_takes_a_bucket_an_endpoint_and_keys_that_never_print(tmp_path: Path) -> None:
    loaded = load_settings(
        {
            **BASE,
            "HT_VAR_DIR": str(tmp_path),
            "HT_STORAGE_BACKEND": "S3",
            "HT_STORAGE_BUCKET": "haztrak-docs",
            "HT_STORAGE_PREFIX": "/prod/",
            "HT_STORAGE_ENDPOINT": "http://127.0.0.1:9000",
            "HT_STORAGE_REGION": "us-east-1",
            "HT_STORAGE_ACCESS_KEY_ID": "AKIAEXAMPLEID",
            "HT_STORAGE_SECRET_ACCESS_KEY": "very-secret-access-key",
        },
        dotenv=None,
    )
    storage = loaded.storage
    assert (storage.backend, storage.bucket, storage.prefix) == (
        StorageBackend.S3,
        "haztrak-docs",
        "prod",
    )
    assert storage.secret_access_key is not None
    assert storage.secret_access_key.reveal() == "very-secret-access-key"
    for text in (repr(storage), repr(loaded), str(storage)):
        assert "very-secret-access-key" not in text
        assert "AKIAEXAMPLEID" not in text
    store = document_store(loaded)
    assert isinstance(store, S3DocumentStore)
    assert "very-secret-access-key" not in repr(store)
    store.close()


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"HT_STORAGE_BACKEND": "ftp"}, "HT_STORAGE_BACKEND"),
        ({"HT_STORAGE_BACKEND": "s3"}, "HT_STORAGE_BUCKET"),
        (
            {"HT_STORAGE_BACKEND": "s3", "HT_STORAGE_BUCKET": "b", "HT_STORAGE_ENDPOINT": "s3.x"},
            "HT_STORAGE_ENDPOINT",
        ),
        (
            {"HT_STORAGE_BACKEND": "s3", "HT_STORAGE_BUCKET": "b", "HT_STORAGE_ACCESS_KEY_ID": "x"},
            "HT_STORAGE_SECRET_ACCESS_KEY",
        ),
    ],
)
def test_a_bad_value_names_its_variable(
    tmp_path: Path, environ: dict[str, str], names: str
) -> None:
    with pytest.raises(SettingsError, match=names):
        load_settings({**BASE, "HT_VAR_DIR": str(tmp_path), **environ}, dotenv=None)
