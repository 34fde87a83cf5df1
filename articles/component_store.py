"""Store what a poll read of a status page's components: the rows that changed, one StateChange per
state that changed, and the page's overall state on its Source. A poll that changes nothing writes
nothing (one read). The plan is made in component_changes.py (pure)."""

from datetime import datetime

from django.db import transaction

from .component_changes import Held, page_state, plan
from .items import Component, ComponentState, PageStatus
from .models import ComponentStateChange, Source, SourceComponent


def store_page_status(source: Source, page: PageStatus, now: datetime) -> int:
    """Bring the source's components and page state up to `page`; the number of state changes."""
    rows = {row.key: row for row in SourceComponent.objects.filter(source=source)}
    held = {key: Held(Component(key, row.name, ComponentState(row.state), row.vendor_label, row.group),
                      row.position, row.listed) for key, row in rows.items()}
    todo = plan(held, page)
    state, label = page_state(page)
    page_changed = (source.page_state, source.page_state_label) != (state, label)
    if not todo and not page_changed:
        return 0
    changed_keys = {change.key for change in todo.changes}
    with transaction.atomic():
        fresh, updated = [], []
        for item in todo.write:
            row = rows.get(item.component.key) or SourceComponent(source=source, key=item.component.key, since=now)
            row.name, row.group, row.position = item.component.name, item.component.group, item.position
            row.state, row.vendor_label, row.listed = item.component.state, item.component.label, item.listed
            if item.component.key in changed_keys:
                row.since = now
            (updated if row.pk else fresh).append(row)
        SourceComponent.objects.bulk_create(fresh)
        SourceComponent.objects.bulk_update(updated, ["name", "group", "position", "state", "vendor_label",
                                                      "since", "listed"])
        ids = {row.key: row.pk for row in [*fresh, *updated]}
        ComponentStateChange.objects.bulk_create(
            ComponentStateChange(component_id=ids[change.key], from_state=change.from_state,
                                 to_state=change.to_state, vendor_label=change.label, since=now)
            for change in todo.changes)
        if page_changed:
            since = now if source.page_state != state else source.page_state_since
            Source.objects.filter(pk=source.pk).update(page_state=state, page_state_label=label,
                                                       page_state_since=since)
            source.page_state, source.page_state_label, source.page_state_since = state, label, since
    return len(todo.changes)
