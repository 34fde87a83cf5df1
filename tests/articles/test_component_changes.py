from articles.component_changes import NO_LONGER_AFFECTED_LABEL, REMOVED_LABEL, Held, page_state, plan
from articles.items import Component, ComponentState, PageStatus

OK, DOWN = ComponentState.OPERATIONAL, ComponentState.MAJOR_OUTAGE
API = Component("a1", "API", OK, "operational", "Core")
WEB = Component("w1", "Web", OK, "operational")


def held(*components: Component) -> dict[str, Held]:
    return {c.key: Held(c, position) for position, c in enumerate(components)}


def test_new_components_are_written_with_a_change_from_nothing():
    result = plan({}, PageStatus((API, WEB), complete=True))

    assert [h.component for h in result.write] == [API, WEB]
    assert [(c.key, c.from_state, c.to_state) for c in result.changes] == [("a1", "", OK), ("w1", "", OK)]


def test_the_same_page_again_plans_nothing():
    assert not plan(held(API, WEB), PageStatus((API, WEB), complete=True))


def test_a_new_state_is_one_change_and_a_new_name_alone_is_a_write_without_a_change():
    down = Component("a1", "API", DOWN, "major_outage", "Core")
    renamed = Component("w1", "Website", OK, "operational")

    result = plan(held(API, WEB), PageStatus((down, renamed), complete=True))

    assert [h.component for h in result.write] == [down, renamed]
    assert [(c.key, c.from_state, c.to_state, c.label) for c in result.changes] == [
        ("a1", OK, DOWN, "major_outage")]


def test_a_component_a_complete_page_stops_listing_is_removed_once():
    result = plan(held(API, WEB), PageStatus((API,), complete=True))

    [gone] = result.write
    assert (gone.component.key, gone.component.state, gone.component.label, gone.listed) == (
        "w1", ComponentState.UNKNOWN, REMOVED_LABEL, False)
    assert not plan({**held(API), "w1": gone}, PageStatus((API,), complete=True))


def test_a_component_no_longer_affected_goes_back_to_operational_and_stays_listed():
    slow = Component("s", "Search", ComponentState.DEGRADED, "incident")

    [back] = plan(held(slow), PageStatus((), complete=False)).write

    assert (back.component.state, back.component.label, back.listed) == (OK, NO_LONGER_AFFECTED_LABEL, True)


def test_the_page_state_is_its_indicator_else_its_worst_component_else_unknown():
    down = Component("a1", "API", DOWN, "major_outage")
    assert page_state(PageStatus((down,), True, ComponentState.DEGRADED, "Minor")) == (ComponentState.DEGRADED, "Minor")
    assert page_state(PageStatus((API, down), True)) == (DOWN, "")
    assert page_state(PageStatus((), True)) == (ComponentState.UNKNOWN, "")
