# Tables declared outside tables.py join its metadata here, so that whatever reads the schema
# (Alembic, the migration tests) sees all of them.
from haztrak.adapters.persistence import events as _events  # noqa: F401
from haztrak.adapters.persistence import list_changes as _list_changes  # noqa: F401
from haztrak.adapters.persistence import notice_tables as _notice_tables  # noqa: F401
from haztrak.adapters.persistence import status_counts as _status_counts  # noqa: F401
from haztrak.adapters.persistence import webhook_tables as _webhook_tables  # noqa: F401
