"""The read-only JSON API at /api/v1/ (issue 17): incidents, vendors, services and the status board."""
