"""Scrapy settings for the kepu crawlers: polite, bounded and safe by default.

crawlers/run.py overrides the KEPU_* values and the limits from the one kepu Settings object.
"""

BOT_NAME = "kepu-review"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
USER_AGENT = "kepu-review/0.1 (+popular-science accuracy review)"

# Politeness: robots.txt, adaptive throttling, bounded concurrency per domain.
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = False
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0  # floor under AutoThrottle's delay (kepu setting crawl_delay_s)
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
EXTENSIONS = {"scrapy.extensions.throttle.AutoThrottle": None,
              "crawlers.throttle.NotModifiedAwareThrottle": 0}

# Bounds: response size (compressed and decompressed), time-outs, retries, redirects, depth.
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 5_000_000
DOWNLOAD_WARNSIZE = 2_000_000
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
KEPU_RETRY_BACKOFF_S = 0.5
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 5
DEPTH_LIMIT = 4

# Conditional requests: an RFC 2616 cache revalidates with ETag / Last-Modified, so an unchanged
# page comes back as the cached copy without downloading it again. Whether it is counted
# unchanged is the store's call (page digests), not the cache's. Entries are written whole.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_STORAGE = "crawlers.httpcache.AtomicFilesystemCacheStorage"
HTTPCACHE_DIR = ".kepu/httpcache"
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_GZIP = True

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.PrivateAddressGuard": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.robots.RobotsTxtForEveryRequest": 100,  # Scrapy's place for robots.txt
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.RedirectLoopGuard": 605,  # sees 3xx before RedirectMiddleware (600)
    "crawlers.middlewares.CharsetSniffer": 585,  # after decompression (590)
    "crawlers.middlewares.ResolverRefusals": 950,  # sees DNS errors before cache and retry
}
# Every address is vetted where the name is looked up, and only vetted addresses are connected.
TWISTED_DNS_RESOLVER = "crawlers.resolver.GuardedResolver"
# Through a proxy only the proxy's address would be vetted (the proxy looks the target up), so
# HTTP_PROXY / HTTPS_PROXY from the environment are not used.
HTTPPROXY_ENABLED = False
SPIDER_MIDDLEWARES = {"crawlers.middlewares.RecordSpiderErrors": 45}
ITEM_PIPELINES = {
    "crawlers.pipelines.ValidatePostPipeline": 100,
    "crawlers.pipelines.DuckDBStorePipeline": 300,
}

KEPU_ALLOW_PRIVATE_ADDRESSES = False
KEPU_DB_PATH = ".kepu/kepu.duckdb"
KEPU_STATS_PATH = ""
KEPU_NEAR_DUPLICATE_THRESHOLD = 0.8
KEPU_MAX_POST_CHARS = 100_000

LOG_LEVEL = "WARNING"
FEED_EXPORT_ENCODING = "utf-8"
