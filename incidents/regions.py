"""The one region vocabulary: a gazetteer of cloud regions, metros, US states, countries and
macro regions, with the hierarchy between them, and the finder of region mentions in text.

Labels are the names people search for ("Frankfurt", "Germany", "Europe", "EMEA", "Global") and,
for cloud regions, provider:id ("aws:eu-central-1", "azure:germanywestcentral",
"gcp:europe-west3"). A label's parents lead up to "Global": cloud region → metro (or state, or
country where the provider names no city) → state → country → macro regions → "Global". A
country may sit in several macro regions (Mexico: North America and LATAM), so the hierarchy is
a graph, and `expand` / `descendants` walk it both ways: a search for "Frankfurt" finds AWS
eu-central-1, Azure Germany West Central and GCP europe-west3.

Pure: no Django, no network.
"""

import re
from collections.abc import Iterator

from .facts import RegionMention

KINDS = ("cloud_region", "metro", "state", "country", "macro", "global")
GLOBAL = "Global"

# --- the gazetteer ---------------------------------------------------------------------------
# Each table row: label | parents | aliases as written in text. Several parents or aliases are
# separated by ";" (names may hold commas: "Washington, D.C."). The label is an alias too, except
# for the few in _LABELS_NOT_MATCHED_ALONE. Aliases are matched case-sensitively and whole-word:
# "US" only in capitals, "Turkey" not "turkey". Names that are usually something else in outage
# news are left out on purpose: Georgia (the US state or the country), Jordan, Chad, Niger, bare
# "America" (Bank of America, American Airlines), bare "Washington" (the capital or the state).

_MACROS = """
Global | | worldwide; Worldwide; globally; Globally; around the world; across the world; across the globe
EMEA | Global | EMEA
Europe | EMEA | Europe; European; EU; E.U.; European Union
Western Europe | Europe | Western Europe; western Europe
Northern Europe | Europe | Northern Europe; northern Europe; Nordics; Scandinavia; Baltics
Southern Europe | Europe | Southern Europe; southern Europe
Eastern Europe | Europe | Eastern Europe; eastern Europe
Middle East | EMEA | Middle East; Mideast
Africa | EMEA | Africa; African
Americas | Global | Americas
North America | Americas | North America; North American
LATAM | Americas | LATAM; LatAm; Latin America; Latin American
Central America | LATAM | Central America; Central American
South America | LATAM | South America; South American
APAC | Global | APAC; Asia Pacific; Asia-Pacific; AsiaPac
Asia | APAC | Asia; Asian
East Asia | Asia | East Asia; East Asian
Southeast Asia | Asia | Southeast Asia; South-East Asia; South East Asia; SE Asia; Southeast Asian
South Asia | Asia | South Asia; South Asian
Oceania | APAC | Oceania; Australasia; ANZ
"""

_COUNTRIES = """
United Kingdom | Western Europe | UK; U.K.; Britain; Great Britain; British; England; Scotland; Wales; Northern Ireland
Ireland | Western Europe | Irish
France | Western Europe | French
Germany | Western Europe | German
Netherlands | Western Europe | the Netherlands; Holland; Dutch
Belgium | Western Europe | Belgian
Luxembourg | Western Europe |
Switzerland | Western Europe | Swiss
Austria | Western Europe | Austrian
Sweden | Northern Europe | Swedish
Norway | Northern Europe | Norwegian
Denmark | Northern Europe | Danish
Finland | Northern Europe | Finnish
Iceland | Northern Europe | Icelandic
Estonia | Northern Europe | Estonian
Latvia | Northern Europe | Latvian
Lithuania | Northern Europe | Lithuanian
Spain | Southern Europe | Spanish
Portugal | Southern Europe | Portuguese
Italy | Southern Europe | Italian
Greece | Southern Europe | Greek
Malta | Southern Europe |
Cyprus | Southern Europe |
Croatia | Southern Europe | Croatian
Slovenia | Southern Europe |
Serbia | Southern Europe | Serbian
Poland | Eastern Europe |
Czechia | Eastern Europe | Czech Republic; Czech
Slovakia | Eastern Europe |
Hungary | Eastern Europe | Hungarian
Romania | Eastern Europe | Romanian
Bulgaria | Eastern Europe |
Ukraine | Eastern Europe | Ukrainian
Belarus | Eastern Europe |
Moldova | Eastern Europe |
Russia | Eastern Europe | Russian
Israel | Middle East | Israeli
United Arab Emirates | Middle East | UAE; U.A.E.
Saudi Arabia | Middle East | Saudi
Qatar | Middle East |
Bahrain | Middle East |
Kuwait | Middle East |
Oman | Middle East |
Turkey | Middle East | Türkiye; Turkish
Iran | Middle East | Iranian
Iraq | Middle East | Iraqi
Lebanon | Middle East |
South Africa | Africa | South African
Nigeria | Africa | Nigerian
Kenya | Africa | Kenyan
Egypt | Africa | Egyptian
Morocco | Africa | Moroccan
Ghana | Africa |
Ethiopia | Africa |
Algeria | Africa |
Tunisia | Africa |
Senegal | Africa |
Uganda | Africa |
Tanzania | Africa |
Rwanda | Africa |
United States | North America | US; U.S.; USA; U.S.A.; United States of America
Canada | North America | Canadian
Mexico | North America; LATAM | Mexican
Costa Rica | Central America |
Panama | Central America |
Guatemala | Central America |
Brazil | South America | Brazilian
Argentina | South America | Argentine; Argentinian
Chile | South America | Chilean
Colombia | South America | Colombian
Peru | South America |
Venezuela | South America |
Ecuador | South America |
Uruguay | South America |
Paraguay | South America |
Bolivia | South America |
Japan | East Asia | Japanese
South Korea | East Asia | Korea; Korean; S. Korea; Republic of Korea
North Korea | East Asia |
China | East Asia | Chinese; mainland China
Hong Kong | East Asia |
Taiwan | East Asia | Taiwanese
Mongolia | East Asia |
Singapore | Southeast Asia |
Malaysia | Southeast Asia | Malaysian
Indonesia | Southeast Asia | Indonesian
Thailand | Southeast Asia | Thai
Philippines | Southeast Asia | the Philippines; Philippine; Filipino
Vietnam | Southeast Asia | Viet Nam; Vietnamese
Cambodia | Southeast Asia |
Myanmar | Southeast Asia |
India | South Asia | Indian
Pakistan | South Asia |
Bangladesh | South Asia |
Sri Lanka | South Asia |
Nepal | South Asia |
Australia | Oceania | Australian
New Zealand | Oceania |
"""

# US states where cloud regions are, a few more that outage reports name, and two that contain
# another name ("West Virginia", "New Mexico") so that the longer name wins.
_STATES = """
Virginia | United States |
West Virginia | United States |
New Mexico | United States |
Ohio | United States |
California | United States | N. California; Northern California
Oregon | United States |
Washington State | United States | Washington state
Iowa | United States |
Texas | United States |
Arizona | United States |
Illinois | United States |
Wyoming | United States |
Utah | United States |
Nevada | United States |
South Carolina | United States |
Florida | United States |
"""

_METROS = """
Northern Virginia | Virginia | N. Virginia; Ashburn
Columbus | Ohio |
Los Angeles | California |
San Francisco | California | Bay Area; Silicon Valley
Dallas | Texas | Dallas-Fort Worth
San Antonio | Texas |
Chicago | Illinois |
Salt Lake City | Utah |
Las Vegas | Nevada |
Phoenix | Arizona | Phoenix, Arizona
Seattle | Washington State |
Miami | Florida |
New York | United States | New York City; NYC
Washington, D.C. | United States | Washington DC; Washington D.C.
Atlanta | United States |
Boston | United States |
Denver | United States |
Montreal | Canada | Montréal
Toronto | Canada |
Quebec City | Canada | Québec City
Calgary | Canada |
Vancouver | Canada |
Querétaro | Mexico | Queretaro
Mexico City | Mexico |
São Paulo | Brazil | Sao Paulo
Rio de Janeiro | Brazil |
Santiago | Chile |
Buenos Aires | Argentina |
London | United Kingdom |
Cardiff | United Kingdom |
Manchester | United Kingdom |
Dublin | Ireland |
Paris | France |
Marseille | France |
Frankfurt | Germany |
Berlin | Germany |
Munich | Germany |
Amsterdam | Netherlands |
Brussels | Belgium |
Zurich | Switzerland | Zürich
Geneva | Switzerland |
Vienna | Austria |
Milan | Italy |
Turin | Italy |
Rome | Italy |
Madrid | Spain |
Lisbon | Portugal |
Stockholm | Sweden |
Gävle | Sweden | Gavle
Malmö | Sweden | Malmo
Oslo | Norway |
Stavanger | Norway |
Copenhagen | Denmark |
Helsinki | Finland |
Hamina | Finland |
Warsaw | Poland |
Dubai | United Arab Emirates |
Abu Dhabi | United Arab Emirates |
Doha | Qatar |
Dammam | Saudi Arabia |
Riyadh | Saudi Arabia |
Tel Aviv | Israel |
Johannesburg | South Africa |
Cape Town | South Africa |
Tokyo | Japan |
Osaka | Japan |
Seoul | South Korea |
Busan | South Korea |
Beijing | China |
Shanghai | China |
Ningxia | China |
Taipei | Taiwan |
Kuala Lumpur | Malaysia |
Jakarta | Indonesia |
Bangkok | Thailand |
Manila | Philippines |
Mumbai | India |
Delhi | India | New Delhi
Hyderabad | India |
Chennai | India |
Pune | India |
Bangalore | India | Bengaluru
Nagpur | India |
Jamnagar | India |
Sydney | Australia |
Melbourne | Australia |
Canberra | Australia |
Auckland | New Zealand |
"""

# Cloud regions: id | parent | the provider's display names. Matched in text by id (any case:
# GitHub writes "WestEurope") and by display name.
_AWS_REGIONS = """
us-east-1 | Northern Virginia | US East (N. Virginia)
us-east-2 | Ohio | US East (Ohio)
us-west-1 | California | US West (N. California)
us-west-2 | Oregon | US West (Oregon)
us-gov-east-1 | United States | AWS GovCloud (US-East)
us-gov-west-1 | United States | AWS GovCloud (US-West)
ca-central-1 | Montreal | Canada (Central)
ca-west-1 | Calgary | Canada West (Calgary)
mx-central-1 | Querétaro | Mexico (Central)
sa-east-1 | São Paulo | South America (São Paulo); South America (Sao Paulo)
eu-central-1 | Frankfurt | Europe (Frankfurt); EU (Frankfurt)
eu-central-2 | Zurich | Europe (Zurich)
eu-west-1 | Dublin | Europe (Ireland); EU (Ireland)
eu-west-2 | London | Europe (London); EU (London)
eu-west-3 | Paris | Europe (Paris); EU (Paris)
eu-south-1 | Milan | Europe (Milan)
eu-south-2 | Spain | Europe (Spain)
eu-north-1 | Stockholm | Europe (Stockholm); EU (Stockholm)
il-central-1 | Tel Aviv | Israel (Tel Aviv)
me-south-1 | Bahrain | Middle East (Bahrain)
me-central-1 | United Arab Emirates | Middle East (UAE)
af-south-1 | Cape Town | Africa (Cape Town)
ap-east-1 | Hong Kong | Asia Pacific (Hong Kong)
ap-east-2 | Taipei | Asia Pacific (Taipei)
ap-south-1 | Mumbai | Asia Pacific (Mumbai)
ap-south-2 | Hyderabad | Asia Pacific (Hyderabad)
ap-southeast-1 | Singapore | Asia Pacific (Singapore)
ap-southeast-2 | Sydney | Asia Pacific (Sydney)
ap-southeast-3 | Jakarta | Asia Pacific (Jakarta)
ap-southeast-4 | Melbourne | Asia Pacific (Melbourne)
ap-southeast-5 | Malaysia | Asia Pacific (Malaysia)
ap-southeast-6 | Auckland | Asia Pacific (New Zealand)
ap-southeast-7 | Thailand | Asia Pacific (Thailand)
ap-northeast-1 | Tokyo | Asia Pacific (Tokyo)
ap-northeast-2 | Seoul | Asia Pacific (Seoul)
ap-northeast-3 | Osaka | Asia Pacific (Osaka)
cn-north-1 | Beijing | China (Beijing)
cn-northwest-1 | Ningxia | China (Ningxia)
"""

# Azure's "East Asia" and "Southeast Asia" are also ordinary geography: as text they mean the
# macro regions (which contain Hong Kong and Singapore, so searches still reach these regions);
# only the ids eastasia / southeastasia name the Azure regions.
_AZURE_REGIONS = """
eastus | Virginia | East US
eastus2 | Virginia | East US 2
centralus | Iowa | Central US
northcentralus | Chicago | North Central US
southcentralus | San Antonio | South Central US
westcentralus | Wyoming | West Central US
westus | California | West US
westus2 | Washington State | West US 2
westus3 | Phoenix | West US 3
canadacentral | Toronto | Canada Central
canadaeast | Quebec City | Canada East
mexicocentral | Querétaro | Mexico Central
brazilsouth | São Paulo | Brazil South
brazilsoutheast | Rio de Janeiro | Brazil Southeast
chilecentral | Santiago | Chile Central
northeurope | Dublin | North Europe
westeurope | Amsterdam | West Europe
uksouth | London | UK South
ukwest | Cardiff | UK West
francecentral | Paris | France Central
francesouth | Marseille | France South
germanywestcentral | Frankfurt | Germany West Central
germanynorth | Berlin | Germany North
switzerlandnorth | Zurich | Switzerland North
switzerlandwest | Geneva | Switzerland West
norwayeast | Oslo | Norway East
norwaywest | Stavanger | Norway West
swedencentral | Gävle | Sweden Central
swedensouth | Malmö | Sweden South
polandcentral | Warsaw | Poland Central
italynorth | Milan | Italy North
spaincentral | Madrid | Spain Central
austriaeast | Vienna | Austria East
belgiumcentral | Brussels | Belgium Central
denmarkeast | Copenhagen | Denmark East
uaenorth | Dubai | UAE North
uaecentral | Abu Dhabi | UAE Central
qatarcentral | Doha | Qatar Central
israelcentral | Israel | Israel Central
southafricanorth | Johannesburg | South Africa North
southafricawest | Cape Town | South Africa West
centralindia | Pune | Central India
southindia | Chennai | South India
westindia | Mumbai | West India
jioindiacentral | Nagpur | Jio India Central
jioindiawest | Jamnagar | Jio India West
eastasia | Hong Kong |
southeastasia | Singapore |
japaneast | Tokyo | Japan East
japanwest | Osaka | Japan West
koreacentral | Seoul | Korea Central
koreasouth | Busan | Korea South
australiaeast | Sydney | Australia East
australiasoutheast | Melbourne | Australia Southeast
australiacentral | Canberra | Australia Central
australiacentral2 | Canberra | Australia Central 2
newzealandnorth | Auckland | New Zealand North
indonesiacentral | Jakarta | Indonesia Central
malaysiawest | Kuala Lumpur | Malaysia West
"""

# Google writes its locations as "Frankfurt (europe-west3)": the id is what text carries. The
# multi-regions us, eu and asia are only read from a vendor's location list (cloud_region), never
# from prose, where "us" is a pronoun.
_GCP_REGIONS = """
us-central1 | Iowa |
us-east1 | South Carolina |
us-east4 | Northern Virginia |
us-east5 | Columbus |
us-south1 | Dallas |
us-west1 | Oregon |
us-west2 | Los Angeles |
us-west3 | Salt Lake City |
us-west4 | Las Vegas |
northamerica-northeast1 | Montreal |
northamerica-northeast2 | Toronto |
northamerica-south1 | Querétaro |
southamerica-east1 | São Paulo |
southamerica-west1 | Santiago |
europe-central2 | Warsaw |
europe-north1 | Hamina |
europe-north2 | Stockholm |
europe-southwest1 | Madrid |
europe-west1 | Belgium |
europe-west2 | London |
europe-west3 | Frankfurt |
europe-west4 | Netherlands |
europe-west6 | Zurich |
europe-west8 | Milan |
europe-west9 | Paris |
europe-west10 | Berlin |
europe-west12 | Turin |
me-central1 | Doha |
me-central2 | Dammam |
me-west1 | Tel Aviv |
africa-south1 | Johannesburg |
asia-east1 | Taiwan |
asia-east2 | Hong Kong |
asia-northeast1 | Tokyo |
asia-northeast2 | Osaka |
asia-northeast3 | Seoul |
asia-south1 | Mumbai |
asia-south2 | Delhi |
asia-southeast1 | Singapore |
asia-southeast2 | Jakarta |
asia-southeast3 | Bangkok |
australia-southeast1 | Sydney |
australia-southeast2 | Melbourne |
us | United States |
eu | Europe |
asia | Asia |
"""
_GCP_MULTI_REGIONS = frozenset({"us", "eu", "asia"})
_CLOUD_TABLES = {"aws": _AWS_REGIONS, "azure": _AZURE_REGIONS, "gcp": _GCP_REGIONS}
# Labels too common as ordinary words to be matched by themselves ("Global Accelerator", the
# Phoenix project); their other aliases still are.
_LABELS_NOT_MATCHED_ALONE = frozenset({GLOBAL, "Phoenix"})


def _rows(table: str) -> Iterator[tuple[str, list[str], list[str]]]:
    for line in table.strip().splitlines():
        label, parents, aliases = (cell.strip() for cell in line.split("|"))
        yield label, _cells(parents), _cells(aliases)


def _cells(column: str) -> list[str]:
    return [part.strip() for part in column.split(";") if part.strip()]


_KIND: dict[str, str] = {}
_PARENTS: dict[str, tuple[str, ...]] = {}
_ALIASES: dict[str, str] = {}  # text as written → label
_CLOUD_IDS: dict[str, dict[str, str]] = {}  # provider → lower-case id → label
_DISPLAY_NAMES: dict[str, dict[str, str]] = {}  # provider → display name → label


def _add(label: str, kind: str, parents: list[str], aliases: list[str]) -> None:
    _KIND[label] = kind
    _PARENTS[label] = tuple(parents)
    for alias in aliases:
        _ALIASES.setdefault(alias, label)


def _load() -> None:
    for table, kind in ((_MACROS, "macro"), (_COUNTRIES, "country"), (_STATES, "state"), (_METROS, "metro")):
        for label, parents, aliases in _rows(table):
            names = aliases if label in _LABELS_NOT_MATCHED_ALONE else [label, *aliases]
            _add(label, "global" if label == GLOBAL else kind, parents, names)
    for provider, table in _CLOUD_TABLES.items():
        ids, names = _CLOUD_IDS.setdefault(provider, {}), _DISPLAY_NAMES.setdefault(provider, {})
        for region_id, parents, display_names in _rows(table):
            label = f"{provider}:{region_id}"
            ids[region_id] = label
            names.update(dict.fromkeys(display_names, label))
            _add(label, "cloud_region", parents, display_names)
    unknown = {parent for parents in _PARENTS.values() for parent in parents} - _KIND.keys()
    if unknown:  # a typo in a table above: fail at import rather than lose a branch silently
        raise ValueError(f"region parents without a row: {sorted(unknown)}")


_load()


def _closure(start: str, edges: dict[str, tuple[str, ...]]) -> frozenset[str]:
    seen, stack = {start}, [start]
    while stack:
        for neighbour in edges.get(stack.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return frozenset(seen)


def _children() -> dict[str, tuple[str, ...]]:
    children: dict[str, list[str]] = {}
    for label, parents in _PARENTS.items():
        for parent in parents:
            children.setdefault(parent, []).append(label)
    return {parent: tuple(labels) for parent, labels in children.items()}


_ANCESTORS = {label: _closure(label, _PARENTS) for label in _KIND}
_CHILDREN = _children()
_DESCENDANTS = {label: _closure(label, _CHILDREN) - {label} for label in _KIND}


_LABELS_BY_FOLDED_NAME = {label.casefold(): label for label in _KIND}


def label_named(name: str) -> str | None:
    """The label a reader means when typing it in any case: "frankfurt" → "Frankfurt"."""
    return _LABELS_BY_FOLDED_NAME.get(name.strip().casefold())


def kind_of(label: str) -> str | None:
    """One of KINDS, or None for a label outside the vocabulary."""
    return _KIND.get(label)


def expand(label: str) -> set[str]:
    """The label and every region that contains it, up to "Global"; empty for an unknown label."""
    return set(_ANCESTORS.get(label, ()))


def descendants(label: str) -> set[str]:
    """Every region inside the label, not the label itself; empty for an unknown label."""
    return set(_DESCENDANTS.get(label, ()))


def cloud_region(provider: str, location: str) -> str | None:
    """The label of a location as a provider's own status data names it ("aws", "us-east-1";
    "azure", "East US" or "eastus"; "gcp", "europe-west3", "eu" or "global"), None if unknown."""
    provider, location = provider.strip().lower(), location.strip()
    if provider == "gcp" and location.lower() == "global":
        return GLOBAL
    ids = _CLOUD_IDS.get(provider, {})
    return (_DISPLAY_NAMES.get(provider, {}).get(location)
            or ids.get(location.lower()) or ids.get(location.lower().replace(" ", "")))


# --- finding mentions in text ----------------------------------------------------------------
# Each word start is looked up in a dict of the aliases that begin with that word, so the cost
# is linear in the text whatever the size of the gazetteer (an alternation of ~800 names would
# try each of them at every position).

_WORD_START = re.compile(r"(?<!\w)[^\W\d_]+")
# A cloud region id stands alone: not inside a host name (ec2.us-east-1.amazonaws.com), a path or
# an availability zone (us-east-1a). The segments exclude the hyphen, so this cannot backtrack far.
_ID_TOKEN = re.compile(r"(?<![\w/.-])[A-Za-z][A-Za-z0-9]{1,30}(?:-[A-Za-z0-9]{1,20}){0,4}(?![\w/-])")


def _aliases_by_first_word() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for alias in _ALIASES:
        grouped.setdefault(_WORD_START.match(alias)[0], []).append(alias)
    return {word: tuple(sorted(aliases, key=len, reverse=True)) for word, aliases in grouped.items()}


_ALIASES_BY_FIRST_WORD = _aliases_by_first_word()


def find_regions(text: str) -> list[RegionMention]:
    """Regions the text names, each label once, in the order they first appear. Where two
    names overlap the longer wins: "US East (Ohio)" is aws:us-east-2, not the United States."""
    spans = [*_cloud_ids_in(text), *_names_in(text)]
    found: dict[str, RegionMention] = {}
    covered_until = 0
    for start, end, label in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < covered_until:
            continue
        covered_until = end
        if label not in found:
            found[label] = RegionMention(label=label, kind=_KIND[label], text=text[start:end])
    return list(found.values())


# Every provider's ids in one dict (no id is shared between providers), without GCP's
# multi-regions: "us", "eu" and "asia" in prose are words, not Google locations.
_ID_LABELS = {
    region_id: label
    for ids in _CLOUD_IDS.values()
    for region_id, label in ids.items()
    if region_id not in _GCP_MULTI_REGIONS
}


def _cloud_ids_in(text: str) -> Iterator[tuple[int, int, str]]:
    for match in _ID_TOKEN.finditer(text):
        label = _ID_LABELS.get(match[0].lower())
        if label:
            yield match.start(), match.end(), label


def _names_in(text: str) -> Iterator[tuple[int, int, str]]:
    for word in _WORD_START.finditer(text):
        start = word.start()
        for alias in _ALIASES_BY_FIRST_WORD.get(word[0], ()):
            end = start + len(alias)
            if text.startswith(alias, start) and _stands_alone(text, start, end, alias):
                yield start, end, _ALIASES[alias]
                break


def _stands_alone(text: str, start: int, end: int, alias: str) -> bool:
    """Whole words only; "US" is not the US of a zone name (US/Pacific) or a locale (en-US)."""
    after = text[end] if end < len(text) else " "
    if after.isalnum() or after == "_":
        return False
    before = text[start - 1] if start else " "
    return not (alias == "US" and (after == "/" or before in "-/"))
