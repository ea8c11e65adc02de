"""The Scrapy project that collects online popular-science posts (crawlers only crawl)."""
