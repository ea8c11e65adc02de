"""The SSRF guard: every non-global address refused where the name is looked up, fail closed.

The resolver is exercised with a hosts-style table standing in for DNS (names that resolve to
100.64.0.0/10, to a mix of addresses, or not at all), with the real address checks; the real
crawls then show a literal 100.64 address and a loopback name refused without a connection.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
from scrapy import Request
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.error import DNSLookupError

from common.settings import load_settings
from crawlers.middlewares import RefusedAddress, ResolverRefusals
from crawlers.resolver import GuardedResolver, non_public_reason
from kepu.screening.crawling import crawl
from store import Database
from tests.crawlers.hostile_site import serve_hostile

HOSTS = {
    "metadata.test": ["100.100.100.200"],
    "cgnat.test": ["100.64.0.1"],
    "mixed.test": ["93.184.215.14", "10.0.0.7"],
    "public.test": ["93.184.215.14"],
    "v6-loopback.test": ["::1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "nat64.test": ["64:ff9b::a9fe:a9fe"],  # 169.254.169.254 through NAT64
}


class HostsTable:
    """A stand-in for the reactor's resolver: answers from HOSTS, nothing for unknown names."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    def resolveHostName(self, receiver, host, port=0, types=None, semantics="TCP"):
        self.lookups.append(host)
        receiver.resolutionBegan(object())
        for address in HOSTS.get(host, []):
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, port))
        receiver.resolutionComplete()


class Receiver:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution) -> None:
        pass

    def addressResolved(self, address) -> None:
        self.addresses.append(f"{address.host}:{address.port}")

    def resolutionComplete(self) -> None:
        self.complete = True


def _resolve(resolver: GuardedResolver, host: str, port: int = 80) -> Receiver:
    receiver = Receiver()
    resolver.resolveHostName(receiver, host, port)
    assert receiver.complete
    return receiver


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.100.100.200", "100.127.255.254", "127.0.0.1", "10.1.2.3",
    "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "255.255.255.255",
    "192.0.2.1", "198.18.0.1", "224.0.0.1", "::1", "fe80::1%eth0", "fc00::1",
    "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "2001:db8::1"])
def test_every_non_global_address_is_refused(address):
    assert non_public_reason(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111",
                                     "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert non_public_reason(address) is None


def test_resolver_passes_on_only_vetted_addresses_from_one_lookup():
    table = HostsTable()
    resolver = GuardedResolver(reactor=None, allow_private=False, original=table)
    assert _resolve(resolver, "public.test", 8080).addresses == ["93.184.215.14:8080"]
    assert _resolve(resolver, "public.test", 443).addresses == ["93.184.215.14:443"]
    assert table.lookups == ["public.test"]  # the vetted answer is reused, not looked up again
    for host in ("metadata.test", "cgnat.test", "mixed.test", "v6-loopback.test", "mapped.test",
                 "nat64.test"):
        assert _resolve(resolver, host).addresses == [], host
        assert "refused non-public address" in resolver.refusals[host]
    assert "100.100.100.200" in resolver.refusals["metadata.test"]
    assert "10.0.0.7" in resolver.refusals["mixed.test"]  # one bad address refuses the host


def test_failed_lookup_gives_no_address_and_is_not_a_refusal():
    resolver = GuardedResolver(reactor=None, allow_private=False, original=HostsTable())
    assert _resolve(resolver, "no-such-host.test").addresses == []  # fail closed
    assert "no-such-host.test" not in resolver.refusals  # recorded as a DNS error instead


def test_allowed_private_addresses_pass_through():
    resolver = GuardedResolver(reactor=None, allow_private=True, original=HostsTable())
    assert _resolve(resolver, "metadata.test").addresses == ["100.100.100.200:80"]


def test_refused_lookup_becomes_a_refusal_naming_the_address():
    resolver = GuardedResolver(reactor=None, allow_private=False, original=HostsTable())
    _resolve(resolver, "metadata.test")
    middleware = ResolverRefusals(resolver.refusal)
    request = Request("http://Metadata.test/latest/meta-data/")
    with pytest.raises(RefusedAddress, match="100.100.100.200"):
        middleware.process_exception(request, DNSLookupError("no results"))
    other = Request("http://no-such-host.test/")
    assert middleware.process_exception(other, DNSLookupError("x")) is None


def _crawl(tmp_path, urls, **overrides):
    settings = load_settings(home=tmp_path / "home", crawl_http_cache=False, crawl_retries=0,
                             crawl_timeout_s=5, **overrides)
    sources = tmp_path / "sources.jsonl"
    sources.write_text("".join(json.dumps({"id": f"s{i}", "url": u, "kind": "page", "depth": 0})
                               + "\n" for i, u in enumerate(urls)))
    counts = crawl(settings, sources)
    with Database(settings.database) as db:
        errors = {r[0]: (r[1], r[2]) for r in db.rows("SELECT url, kind, reason FROM crawl_errors")}
    return counts, errors


def test_crawl_refuses_shared_address_space_without_connecting(tmp_path):
    # 100.100.100.200 does not answer here: a connection attempt would wait for the time-out.
    url = "http://100.100.100.200/latest/meta-data/"
    started = time.monotonic()
    counts, errors = _crawl(tmp_path, [url], allow_private_addresses=False)
    assert counts["refused"] == 1 and counts["pages"] == 0 and counts["errors"] == 0
    assert errors[url] == ("refused", f"RefusedAddress: refused non-public address "
                                      f"100.100.100.200 ({url})")
    assert time.monotonic() - started < 30


def test_crawl_refuses_a_name_resolving_to_loopback_and_a_failed_lookup(tmp_path):
    with serve_hostile() as (base, state):
        port = base.rsplit(":", 1)[1]
        named = f"http://localhost:{port}/good-en.html"
        missing = "http://no-such-host.invalid/page.html"
        counts, errors = _crawl(tmp_path, [named, missing], allow_private_addresses=False)
    assert sum(state.hits.values()) == 0  # not even robots.txt
    assert errors[named][0] == "refused"
    assert "refused non-public address of localhost" in errors[named][1]
    assert errors[missing][0] == "error" and "DNS lookup failed" in errors[missing][1]
    assert counts["refused"] == 1 and counts["errors"] == 1 and counts["pages"] == 0


def test_loopback_name_is_fetched_when_allowed(tmp_path):
    with serve_hostile() as (base, state):
        port = base.rsplit(":", 1)[1]
        counts, _ = _crawl(tmp_path, [f"http://localhost:{port}/good-en.html"],
                           allow_private_addresses=True)
    assert counts["new"] == 1 and state.hits["/good-en.html"] == 1


def test_localhost_resolves_here():
    assert socket.gethostbyname("localhost").startswith("127.")


def test_a_proxy_in_the_environment_is_not_used(tmp_path, monkeypatch):
    """Through a proxy the guard would vet only the proxy's address: the crawler goes direct."""
    from tests.crawlers.counting_site import PUBLIC, serve_counting

    settings = load_settings(home=tmp_path / "home", allow_private_addresses=True,
                             crawl_http_cache=False)
    with serve_counting() as (proxy, proxied), serve_counting() as (base, hits):
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
            monkeypatch.setenv(name, proxy)
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        sources = tmp_path / "sources.jsonl"
        sources.write_text(json.dumps({"id": "s", "url": f"{base}/sitemap.xml",
                                       "kind": "sitemap"}) + "\n")
        counts = crawl(settings, sources)
    assert sum(proxied.values()) == 0
    assert hits["/sitemap.xml"] == 1 and counts["new"] == len(PUBLIC)
