"""Background tasks: recording them, running them in a worker, following them."""
