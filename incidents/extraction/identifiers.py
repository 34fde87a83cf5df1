"""Vendor incident ids in text: Microsoft 365 service-health ids (EX1234567), the id in a
status-page incident URL (Statuspage, Google Cloud, incident.io), Azure tracking ids and AWS
Health event ARNs. Pure; every pattern is bounded, so odd input costs linear time.
"""

import re

# Microsoft 365 service-health prefixes name the service an incident belongs to: EX Exchange
# Online, MO the Microsoft 365 suite, TM Teams, SP SharePoint Online, OD OneDrive, IT Intune,
# PB Power BI, YA Yammer / Viva Engage, FO Forms, PL Planner, LY Skype for Business, DZ Defender,
# CP Cloud PC, and CR, DB, EN, MM, PW for further services; MC is a Message center post. The
# number has six or seven digits; shorter or longer runs are product names (EX2019), service
# packs (SP1), standards (ISO9001) or phone numbers.
_MICROSOFT_PREFIXES = ("CP", "CR", "DB", "DZ", "EN", "EX", "FO", "IT", "LY", "MC", "MM", "MO", "OD", "PB", "PL",
                       "PW", "SP", "TM", "YA")
# The prefix comes first, and the look-back past it: a pattern that starts with letters is searched fast.
_MICROSOFT_ID = re.compile(rf"(?:{'|'.join(_MICROSOFT_PREFIXES)})(?<![\w-]..)\d{{6,7}}(?![\w-])")

# An incident page on a status site: githubstatus.com/incidents/5jfkz8q1mlql,
# status.cloud.google.com/incidents/TaA75H7XA1DQyM2ReK2f, status.openai.com/incidents/01JMYB4….
# Host labels and path segments exclude their separators, so the pattern cannot backtrack far.
_STATUS_URL = re.compile(
    r"(?<![\w.-])(?P<host>(?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,24})(?::\d{1,5})?"
    r"(?:/[\w.-]{1,64}){0,4}/incidents/(?P<id>[a-z0-9]{8,40})(?![\w-])",
    re.IGNORECASE,
)

# Azure writes "Tracking ID: VS0V-PZ8" in its posts and e-mails and ?trackingId=VS0V-PZ8 in links.
_AZURE_TRACKING_ID = re.compile(
    r"(?:(?i:tracking[ -]?id)\s{0,3}[:#]?\s{0,3}|[?&](?i:trackingid)=)(?P<id>[A-Z0-9]{3,5}-[A-Z0-9]{2,5})(?![\w-])"
)

# AWS Health names an event by its ARN: arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/….
# (The word's start is looked for behind its first letters, as above.)
_AWS_HEALTH_ARN = re.compile(r"arn(?<!\warn):aws:health:[a-z0-9-]{0,30}::event/(?:[\w-]{1,64}/){1,3}[\w-]{1,128}")


def find_incident_ids(text: str) -> list[str]:
    """Vendor incident ids in the order they first appear, each once."""
    found: list[tuple[int, str]] = []
    found += [(match.start(), match[0]) for match in _MICROSOFT_ID.finditer(text)]
    found += [(match.start(), match["id"]) for match in _STATUS_URL.finditer(text) if "status" in match["host"].lower()]
    found += [(match.start(), match["id"]) for match in _AZURE_TRACKING_ID.finditer(text)]
    found += [(match.start(), match[0]) for match in _AWS_HEALTH_ARN.finditer(text)]
    return list(dict.fromkeys(identifier for _, identifier in sorted(found)))
