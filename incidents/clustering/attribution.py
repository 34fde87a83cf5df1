"""Whose outage it is, and who was only taken down with it. Pure.

When one provider's outage takes others down (a CDN breaking a chat assistant, a cloud region breaking
games and airlines), the press names the victims beside the provider. They are not the provider's
services: an incident lists as its services only those its vendor owns (the catalogue's ownership),
and records the rest as "also affected".
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Another vendor counts as also affected when this many of the incident's sources name it: one
# passing mention ("Microsoft's rival Google") is not a victim.
MIN_MENTIONS = 2


@dataclass(frozen=True)
class Attribution:
    services: tuple[str, ...]  # the incident vendor's own services (slugs)
    also_affected_services: tuple[str, ...]  # other vendors' services its sources name (slugs)
    also_affected_vendors: tuple[str, ...]  # other vendors its sources name often enough (slugs)


def attribute(vendor: str | None, services: list[str], vendor_mentions: Mapping[str, int],
              owner_of: Callable[[str], str | None]) -> Attribution:
    """Split the services and vendors an incident's sources name. `vendor` is the incident's vendor
    slug (None: not known, and every service stays its own); `vendor_mentions` counts the sources
    naming each vendor; `owner_of` gives a service's vendor slug."""
    if vendor is None:
        return Attribution(tuple(services), (), ())
    own = tuple(s for s in services if owner_of(s) in (vendor, None))
    others = tuple(s for s in services if s not in own)
    owners_of_others = {owner_of(s) for s in others}
    vendors = tuple(v for v, n in vendor_mentions.items()
                    if v != vendor and n >= MIN_MENTIONS and v not in owners_of_others)
    return Attribution(own, others, vendors)
