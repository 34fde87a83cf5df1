from incidents.clustering.attribution import MIN_MENTIONS, attribute

OWNERS = {"cloudflare-dns": "cloudflare", "cloudflare-cdn": "cloudflare", "chatgpt": "openai", "x-app": "x"}


def test_a_cdns_incident_keeps_its_own_services_and_lists_the_victims_apart():
    split = attribute("cloudflare", ["cloudflare-cdn", "chatgpt", "cloudflare-dns"],
                      {"cloudflare": 5, "openai": 3, "x": 1}, OWNERS.get)
    assert split.services == ("cloudflare-cdn", "cloudflare-dns")
    assert split.also_affected_services == ("chatgpt",)
    assert split.also_affected_vendors == ()  # openai's service already says it; x is one passing mention


def test_another_vendor_named_by_several_sources_is_also_affected():
    split = attribute("aws", [], {"aws": 4, "epic-games": MIN_MENTIONS, "apple": 1}, OWNERS.get)
    assert split.also_affected_vendors == ("epic-games",)


def test_without_a_vendor_every_service_stays_the_incidents_own():
    split = attribute(None, ["chatgpt", "x-app"], {"openai": 1, "x": 1}, OWNERS.get)
    assert split.services == ("chatgpt", "x-app") and split.also_affected_services == ()
