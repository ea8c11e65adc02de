"""Items the spiders yield: a post, or a failure to record."""

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


class CrawlFailure(scrapy.Item):
    url = scrapy.Field()
    reason = scrapy.Field()
