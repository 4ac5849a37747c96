"""The PDF renderer's URL fetcher serves the project's static files and nothing else."""

import pytest

from relationships.pdf.fetcher import RefusedURL, static_base_url, static_fetcher, static_root


@pytest.fixture
def fetcher():
    return static_fetcher()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://example.com/font.ttf",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "file://evil.example.com/static/css/pdf.css",
        "ftp://example.com/x.svg",
        "data:text/css,body{background:url(http://example.com/)}",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    ],
)
def test_refuses_anything_but_static_files(fetcher, url):
    with pytest.raises(RefusedURL):
        fetcher(url)
    assert fetcher.requested == [url]


@pytest.mark.parametrize(
    "relative",
    ["../pyproject.toml", "css/../../manage.py", "%2e%2e/pyproject.toml", "../../../etc/passwd"],
)
def test_refuses_a_way_out_of_the_static_folder(fetcher, relative):
    with pytest.raises(RefusedURL):
        fetcher(static_base_url() + relative)


def test_refuses_a_folder_or_a_missing_file(fetcher):
    with pytest.raises(RefusedURL):
        fetcher(static_base_url() + "icons/")
    with pytest.raises(RefusedURL):
        fetcher(static_base_url() + "icons/missing.svg")


def test_serves_a_static_file(fetcher):
    response = fetcher(static_base_url() + "icons/personal.svg")
    body = response.read()
    response.close()
    assert body == (static_root() / "icons" / "personal.svg").read_bytes()
    assert response.content_type == "image/svg+xml"


def test_serves_the_stylesheet_as_css(fetcher):
    response = fetcher(static_base_url() + "css/pdf.css")
    response.close()
    assert response.content_type == "text/css"
