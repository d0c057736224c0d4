"""The worker: Dramatiq actors that run task use cases, in `haztrak worker` or in-process."""
