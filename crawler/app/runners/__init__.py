"""The service runners: :mod:`~crawler.app.runners.embedded` (an APScheduler tick in one
process, SQLite or PostgreSQL) and :mod:`~crawler.app.runners.distributed` (procrastinate jobs
over PostgreSQL for ``citydigest worker`` processes)."""
