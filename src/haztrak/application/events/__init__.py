"""Domain events: recording them with the change they report, and dispatching them."""
