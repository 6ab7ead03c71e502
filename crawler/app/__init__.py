"""The application shell: the command line (:mod:`crawler.app.cli`), the schedule and the two
runners (:mod:`~crawler.app.runners`), the web endpoints and the offline demo. It drives the
crawl stages and ``digests``; nothing below imports it."""
