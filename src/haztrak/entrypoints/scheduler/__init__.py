"""The scheduler: APScheduler jobs that only record and enqueue tasks."""
