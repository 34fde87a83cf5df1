"""The load test's clients (locust): readers of the timeline, incident pages, search and the feeds.

Each simulated client sends its next request as soon as the last one is answered (no think time), so
50 clients keep 50 requests in flight. Incident pages follow what readers do during an outage: most
open the few incidents of the moment (the 20 newest), the rest any incident of the archive, most of
which nobody asked for before (a cold page). Searches mix a common word, a rare one, a vendor
incident id and a pasted error message. Any answer but 200 is an error.
"""

import os
import random
from pathlib import Path

from locust import HttpUser, constant, task

SLUGS = Path(os.environ["OUTAGEHUB_LOAD_SLUGS"]).read_text().split()  # newest first
SEARCHES = ["outage", "zanzibarite", "BX0000042", "550 5.7.708 Service unavailable. Access denied", "login errors"]


class Reader(HttpUser):
    wait_time = constant(0)

    @task(4)
    def timeline(self):
        self.client.get("/", name="timeline")

    @task(4)
    def incident(self):
        slug = random.choice(SLUGS[:20]) if random.random() < 0.8 else random.choice(SLUGS)
        self.client.get(f"/incidents/{slug}/", name="incident")

    @task(2)
    def search(self):
        self.client.get("/search", params={"q": random.choice(SEARCHES)}, name="search")

    @task(2)
    def feed(self):
        self.client.get(random.choice(["/feeds/incidents.atom", "/feeds/incidents.rss"]), name="feed")
