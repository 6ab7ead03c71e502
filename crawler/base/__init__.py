"""What every part of citydigest shares: the config loader, the exception tree, the tables and
the database, the taxonomy, and text cleaning. The crawl stages, ``digests`` and the app shell
import from here; nothing here imports them (``tests/test_layout.py`` holds that rule)."""
