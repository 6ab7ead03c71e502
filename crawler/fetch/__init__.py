"""The fetch stage: polite, bounded HTTP (:mod:`crawler.fetch.client`, whose docstring gives the
rules) and its parts: what a fetch gives back (:mod:`~crawler.fetch.response`), each host's
politeness state (:mod:`~crawler.fetch.hosts`) and robots.txt (:mod:`~crawler.fetch.robots`),
redirects (:mod:`~crawler.fetch.redirects`), bodies within their cap (:mod:`~crawler.fetch.body`,
:mod:`~crawler.fetch.decompress`), connection pools and cookies (:mod:`~crawler.fetch.routes`,
:mod:`~crawler.fetch.cookies`), the guarded connections (:mod:`~crawler.fetch.guard`,
:mod:`~crawler.fetch.sockets`, :mod:`~crawler.fetch.addresses`), bytes to text
(:mod:`~crawler.fetch.encoding`) and URL canonical forms (:mod:`~crawler.fetch.urls`)."""
