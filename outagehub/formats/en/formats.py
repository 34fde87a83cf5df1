"""How Django writes dates and times for English (FORMAT_MODULE_PATH points here): admin's list
columns and read-only fields show "2026-12-07 03:22 UTC". Django's own English formats write
"Dec. 7, 2026, 3:22 a.m." with no zone, which an editor comparing a time with a vendor's status
page cannot read unambiguously. Formats not set here fall through to Django's English ones."""

DATETIME_FORMAT = "Y-m-d H:i T"  # T: the zone's abbreviation; the site's zone is UTC
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
