"""Items the spiders yield: a post, a page known unchanged, or a failure to record."""

import scrapy


class PostItem(scrapy.Item):
    url = scrapy.Field()
    canonical_url = scrapy.Field()
    title = scrapy.Field()
    text = scrapy.Field()
    author = scrapy.Field()
    published = scrapy.Field()
    lang = scrapy.Field()
    platform = scrapy.Field()
    source_id = scrapy.Field()
    page_digest = scrapy.Field()  # of the page body the post was extracted from


class UnchangedPage(scrapy.Item):
    """A page whose body is the one the stored post was extracted from: not re-extracted."""

    url = scrapy.Field()
    canonical_url = scrapy.Field()


class CrawlFailure(scrapy.Item):
    """A URL that failed (kind 'error') or that policy refused (kind 'refused'), with the reason."""

    url = scrapy.Field()
    reason = scrapy.Field()
    kind = scrapy.Field()
