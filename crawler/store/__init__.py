"""The store stage: articles into stories, source health and the fetch log
(:mod:`crawler.store.store`), analysed pages into records and batches (:mod:`~crawler.store.write`),
and articles out as JSON lines or CSV (:mod:`~crawler.store.export`)."""
