"""The platform's screening use cases: the claims base, crawling, scoring and flagging posts."""
