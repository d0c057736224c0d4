# Domain events and notices (their own modules) join this metadata too.
from haztrak.adapters.persistence import events as _events  # noqa: E402, F401, I001
from haztrak.adapters.persistence import notice_tables as _notice_tables  # noqa: E402, F401, I001
