"""The ``citydigest`` commands, one module per command group: :mod:`.check`, :mod:`.crawl`,
:mod:`.data` (export, analyze, stories, visits), :mod:`.digest`, :mod:`.demo`, :mod:`.db` and
:mod:`.service` (run, worker, status, serve, subscribers). Each is thin: parse, load config, call
one pipeline function or runner, report, map errors to exit codes. :mod:`crawler.app.cli` is the
root group that registers them all."""
