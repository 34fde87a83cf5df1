import pytest

from tests.factories import SourceFactory


@pytest.fixture
def press():
    return SourceFactory(name="Ars Technica", kind="feed")


@pytest.fixture
def cloudflare_status():
    return SourceFactory(name="Cloudflare status", kind="statuspage", vendor_name="Cloudflare")
