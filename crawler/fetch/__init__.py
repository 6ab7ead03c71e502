"""The fetch stage: polite, bounded HTTP (:mod:`crawler.fetch.client`), each host's politeness
state (:mod:`~crawler.fetch.hosts`), cookies, the guarded connections
(:mod:`~crawler.fetch.sockets`, :mod:`~crawler.fetch.addresses`), decompression, bytes to text
(:mod:`~crawler.fetch.encoding`) and URL canonical forms (:mod:`~crawler.fetch.urls`)."""
