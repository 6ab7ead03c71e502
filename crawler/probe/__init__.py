"""Probing a site before (or instead of) crawling it, with the crawl's own parts: a configured
source tried now, nothing stored (:mod:`~crawler.probe.trial`, ``sources test``), and a source
suggested for a site (:mod:`~crawler.probe.suggest`, ``sources suggest``): its feeds and sitemaps
found, its list page's selectors inferred from the page's structure
(:mod:`~crawler.probe.listpage`), printed as a ``sources.yaml`` entry
(:mod:`~crawler.probe.entry`). What robots.txt says is read for both (:mod:`~crawler.probe.
robots`)."""
