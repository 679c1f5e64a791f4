"""The sitemap, read as a crawler reads it: an index of parts, every part valid against the
sitemaps.org protocol (checked with lxml against an XML Schema of the protocol), every URL at
the public base URL, every public page listed and nothing anyone may not read."""

import datetime as dt

import pytest
from lxml import etree
from wagtail.models import PageViewRestriction

from portal import sitemap, visibility

pytestmark = pytest.mark.django_db

BASE = "https://practice.example"
NS = {"s": sitemap.NAMESPACE}
# The protocol (https://www.sitemaps.org/protocol.html) as an XML Schema: the elements, their
# order, <loc> at most 2,048 characters, at most 50,000 URLs or parts per file, W3C dates.
_COMMON = """
  <xs:simpleType name="loc">
    <xs:restriction base="xs:anyURI"><xs:minLength value="12"/><xs:maxLength value="2048"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="lastmod">
    <xs:union memberTypes="xs:date xs:dateTime"/>
  </xs:simpleType>
"""
URLSET_SCHEMA = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="{sitemap.NAMESPACE}" xmlns="{sitemap.NAMESPACE}"
    elementFormDefault="qualified">{_COMMON}
  <xs:element name="urlset">
    <xs:complexType><xs:sequence>
      <xs:element name="url" minOccurs="0" maxOccurs="50000">
        <xs:complexType><xs:sequence>
          <xs:element name="loc" type="loc"/>
          <xs:element name="lastmod" type="lastmod" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>"""
INDEX_SCHEMA = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="{sitemap.NAMESPACE}" xmlns="{sitemap.NAMESPACE}"
    elementFormDefault="qualified">{_COMMON}
  <xs:element name="sitemapindex">
    <xs:complexType><xs:sequence>
      <xs:element name="sitemap" minOccurs="1" maxOccurs="50000">
        <xs:complexType><xs:sequence>
          <xs:element name="loc" type="loc"/>
          <xs:element name="lastmod" type="lastmod" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>"""


def valid(schema_text, content):
    schema = etree.XMLSchema(etree.fromstring(schema_text.encode()))
    document = etree.fromstring(content)
    schema.assertValid(document)
    return document


def crawl(client):
    """Every URL the sitemap lists, fetched part by part as a crawler does."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    index = valid(INDEX_SCHEMA, response.content)
    parts = index.xpath("//s:sitemap/s:loc/text()", namespaces=NS)
    urls = []
    for part in parts:
        assert part.startswith(BASE + "/sitemaps/"), part
        found = client.get(part.removeprefix(BASE))
        assert found.status_code == 200, part
        urlset = valid(URLSET_SCHEMA, found.content)
        urls += urlset.xpath("//s:url/s:loc/text()", namespaces=NS)
    return parts, urls


@pytest.fixture(autouse=True)
def public_base(settings):
    settings.PUBLIC_BASE_URL = BASE


def test_every_url_is_at_the_public_base_url_whatever_host_asks(client, make_practice):
    page = make_practice(title="Joint visits")
    _, urls = crawl(client)
    assert urls and all(url.startswith(BASE + "/") for url in urls), urls
    assert f"{BASE}{page.url}" in urls
    # A request through another allowed host name changes nothing.
    index = client.get("/sitemap.xml", HTTP_HOST="localhost").content.decode()
    assert "localhost" not in index


def test_the_register_forces_glossary_and_listings_are_listed(client, make_practice):
    make_practice()
    _, urls = crawl(client)
    for path in ("/", "/practice/", "/recommendations/", "/forces/", "/glossary/", "/search/"):
        assert f"{BASE}{path}" in urls, path
    assert f"{BASE}/forces/avon-and-somerset-constabulary/" in urls
    # Every listed URL answers: nothing in the sitemap is a dead link.
    for url in urls:
        assert client.get(url.removeprefix(BASE)).status_code == 200, url


def test_only_live_public_pages_appear(client, make_practice, make_event):
    public = make_practice(title="Public practice")
    police = make_practice(title="Police practice")
    restriction = PageViewRestriction.objects.create(
        page=police, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([visibility.police_group()])
    login = make_practice(title="Login practice")
    PageViewRestriction.objects.create(page=login, restriction_type=PageViewRestriction.LOGIN)
    draft = make_practice(title="Withdrawn practice")
    draft.unpublish()
    expired = make_practice(title="Expired practice")
    # Expired, but the scheduled job that unpublishes it has not run yet.
    expired.expire_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    expired.save()
    # A restriction on an ancestor covers everything below it.
    event = make_event(title="Event in a login-only section")
    PageViewRestriction.objects.create(
        page=event.get_parent(), restriction_type=PageViewRestriction.LOGIN
    )

    _, urls = crawl(client)
    assert f"{BASE}{public.url}" in urls
    for hidden in (police, login, draft, expired, event, event.get_parent()):
        assert not any(hidden.slug in url for url in urls), hidden.title


def test_large_sections_are_split_into_parts(client, make_practice, monkeypatch):
    monkeypatch.setattr(sitemap, "PART_SIZE", 2)
    pages = [make_practice() for _ in range(5)]
    parts, urls = crawl(client)
    practice_parts = [p for p in parts if "/sitemaps/practice-practicepage/" in p]
    assert len(practice_parts) == 3
    assert sorted(u for u in urls if "/practice/practice-number" in u) == sorted(
        f"{BASE}{page.url}" for page in pages
    )
    assert client.get("/sitemaps/practice-practicepage/4.xml").status_code == 404
    assert client.get("/sitemaps/no-such-section/1.xml").status_code == 404


def test_a_part_costs_the_same_queries_however_many_pages_it_lists(
    client, make_practice, django_assert_max_num_queries
):
    for _ in range(3):
        make_practice()
    with django_assert_max_num_queries(6) as few:
        client.get("/sitemaps/practice-practicepage/1.xml")
    for _ in range(12):
        make_practice()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/sitemaps/practice-practicepage/1.xml")


def test_robots_txt_points_crawlers_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert "Disallow: /event-registrations/" in lines
    assert "Disallow: /admin/" in lines
