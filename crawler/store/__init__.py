"""The store stage: :class:`~crawler.store.store.Store`, the crawl's one door to the database,
composed of source health (:mod:`~crawler.store.sources`), the fetch log and validators
(:mod:`~crawler.store.fetchlog`), articles and stories (:mod:`~crawler.store.articles`, written in
batches by :mod:`~crawler.store.batch`) and retention (:mod:`~crawler.store.retention`); analysed
pages into records and batches (:mod:`~crawler.store.write`), and articles out as JSON lines or
CSV (:mod:`~crawler.store.export`)."""
