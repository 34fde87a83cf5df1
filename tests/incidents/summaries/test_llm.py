"""incidents.llm_summariser against a real chat-completions endpoint on 127.0.0.1 (tests/llm_server.py)."""

import json
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incidents.summaries.brief import IncidentBrief, RelatedIncident, ServiceInfo, SourceDoc
from incidents.summaries.llm import LLMConfig, LLMError, LLMSummariser, build_messages, select_sources
from tests.llm_server import completion


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


AS_OF = utc(2026, 11, 27, 16, 0)

SOURCES = (
    SourceDoc(
        ref="update:7",
        kind="update",
        publisher="GitHub status",
        title="Incident with Actions",
        text="We are investigating reports of degraded performance for Actions in AWS us-east-1.",
        published_at=utc(2026, 11, 27, 14, 2),
        status="investigating",
        service_names=("GitHub Actions",),
        region_labels=("aws:us-east-1",),
    ),
    SourceDoc(
        ref="article:12",
        kind="news",
        publisher="The Register",
        title="GitHub Actions falls over, developers twiddle thumbs",
        text='Builds fail with "Error: The operation was canceled." according to readers.',
        published_at=utc(2026, 11, 27, 13, 50),
        error_messages=("Error: The operation was canceled.",),
        service_names=("GitHub Actions",),
    ),
    SourceDoc(
        ref="update:8",
        kind="update",
        publisher="GitHub status",
        title="Incident with Actions",
        text="We have identified the cause and are rolling out a fix.",
        published_at=utc(2026, 11, 27, 15, 10),
        status="identified",
    ),
)

RELATED = RelatedIncident(
    slug="github-actions-degraded-2026-11-03",
    title="GitHub Actions degraded",
    started_at=utc(2026, 11, 3, 9, 0),
    resolved_at=utc(2026, 11, 3, 10, 30),
    ref="article:5",
    ref_text="GitHub Actions runs were delayed for 90 minutes on 3 November.",
)

BRIEF = IncidentBrief(
    title="GitHub Actions degraded in AWS us-east-1",
    status="identified",
    severity="major",
    started_at=utc(2026, 11, 27, 13, 45),
    first_reported_at=utc(2026, 11, 27, 13, 50),
    as_of=AS_OF,
    vendor="GitHub",
    services=(ServiceInfo("GitHub Actions", "CI/CD workflows that build, test and deploy code"),),
    region_labels=("aws:us-east-1",),
    vendor_incident_ids=("k3x9vq2m1d8f",),
    error_messages=("Error: The operation was canceled.",),
    vendor_acknowledged_at=utc(2026, 11, 27, 14, 2),
    first_press_at=utc(2026, 11, 27, 13, 50),
    related=(RELATED,),
    related_count=1,
    sources=SOURCES,
)

GOOD = {
    "why_this_matters": [
        {"text": "GitHub Actions workflows in AWS us-east-1 run slowly or fail.", "citations": ["update:7"]},
        {"text": "GitHub has identified the cause and is rolling out a fix.", "citations": ["update:8"]},
    ],
    "takeaways": [
        {
            "text": 'Builds fail with "Error: The operation was canceled."',
            "citations": ["article:12"],
            "kind": "errors",
        },
        {"text": "GitHub acknowledged the incident at 14:02 UTC on 27 Nov.", "citations": ["update:7"], "kind": "ack"},
        {"text": "Actions was also degraded on 3 Nov 2026.", "citations": ["article:5"], "kind": "history"},
    ],
}


def answer(**changes):
    return json.dumps({**GOOD, **changes})


def takeaways_with(**item_changes):
    return answer(takeaways=[{**GOOD["takeaways"][0], **item_changes}, *GOOD["takeaways"][1:]])


def summariser(llm_server, **options):
    return LLMSummariser(LLMConfig(base_url=llm_server.base_url, model="llama3.1:8b", **options))


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a good answer --------------------------------------------------------------------------------


def test_a_good_answer_becomes_a_summary_with_its_citations(llm_server):
    llm_server.answer(answer())

    summary = summariser(llm_server).summarise(BRIEF)

    assert summary.backend == "llm:llama3.1:8b"
    assert [s.text for s in summary.why_this_matters] == [s["text"] for s in GOOD["why_this_matters"]]
    assert [s.citations for s in summary.why_this_matters] == [("update:7",), ("update:8",)]
    assert [(s.citations, s.kind) for s in summary.takeaways] == [
        (("article:12",), "errors"),
        (("update:7",), "ack"),
        (("article:5",), "history"),
    ]
    # A statement citing a related incident's source links to that incident.
    assert summary.takeaways[2].links == (("GitHub Actions degraded", "github-actions-degraded-2026-11-03"),)
    assert summary.takeaways[0].links == ()


def test_the_request_carries_model_messages_temperature_zero_and_the_key(llm_server):
    llm_server.answer(answer())

    summariser(llm_server, api_key="sk-test-123").summarise(BRIEF)

    [request] = llm_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test-123"
    assert request.headers["Content-Type"] == "application/json"
    payload = request.json
    assert payload["model"] == "llama3.1:8b"
    assert payload["temperature"] == 0
    assert payload["stream"] is False
    assert payload["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in payload["messages"]] == ["system", "user"]
    assert "JSON" in payload["messages"][0]["content"]


def test_no_authorization_header_is_sent_without_a_key(llm_server):
    llm_server.answer(answer())

    summariser(llm_server).summarise(BRIEF)

    assert "Authorization" not in llm_server.requests[0].headers


def test_the_user_message_carries_the_facts_and_every_source_ref(llm_server):
    llm_server.answer(answer())

    summariser(llm_server).summarise(BRIEF)

    user = llm_server.requests[0].json["messages"][1]["content"]
    for expected in (
        "GitHub Actions degraded in AWS us-east-1",  # title
        "CI/CD workflows that build, test and deploy code",  # the service's description
        "AWS us-east-1",  # the region's display name, not "aws:us-east-1"
        "k3x9vq2m1d8f",
        '"Error: The operation was canceled." (stated in article:12)',
        "Started: 13:45 UTC on 27 Nov",  # format_time, year left out as in the brief's year
        "Vendor acknowledged: 14:02 UTC on 27 Nov",
        "acknowledged it 12 min after the first press report",
        "ongoing for 2 h 15 min",
        "Sources: 1 news article from 1 outlet, 2 vendor status posts",
        "[article:5] GitHub Actions degraded",
        "[update:7] GitHub status",
        "[update:8] GitHub status",
        "[article:12] The Register",
        "We have identified the cause",
    ):
        assert expected in user
    assert "aws:us-east-1" not in user


def test_code_fenced_json_is_accepted(llm_server):
    llm_server.answer(f"```json\n{answer()}\n```\n")

    summary = summariser(llm_server).summarise(BRIEF)

    assert len(summary.takeaways) == 3


def test_whitespace_is_normalised_and_repeated_citations_dropped(llm_server):
    llm_server.answer(takeaways_with(text="  Builds\n fail\twith an error. ", citations=["article:12", " article:12"]))

    summary = summariser(llm_server).summarise(BRIEF)

    assert summary.takeaways[0].text == "Builds fail with an error."
    assert summary.takeaways[0].citations == ("article:12",)


def test_a_kind_that_is_not_a_word_is_dropped(llm_server):
    llm_server.answer(takeaways_with(kind="<script>"))

    summary = summariser(llm_server).summarise(BRIEF)

    assert summary.takeaways[0].kind == ""
    assert summary.takeaways[1].kind == "ack"


# --- the endpoint fails -----------------------------------------------------------------------------


def test_a_slow_endpoint_times_out_without_waiting_for_it(llm_server):
    llm_server.answer(answer(), delay=8)

    with pytest.raises(LLMError, match=r"timed out after 0\.5 s"):
        summariser(llm_server, timeout_seconds=0.5).summarise(BRIEF)

    llm_server.wait_finished()
    [request] = llm_server.requests
    assert request.client_left  # the client hung up before the (good) answer came


@pytest.mark.parametrize(
    ("trickle_headers", "declare_length"),
    [(True, True), (False, True), (False, False)],
    ids=["headers", "body", "body-without-length"],  # without a length, a cut body could pass for a whole one
)
def test_a_trickling_endpoint_cannot_stretch_the_deadline(llm_server, trickle_headers, declare_length):
    # Every 8 bytes arrive well within the read timeout; only the total deadline can stop this.
    llm_server.answer(answer(), trickle=0.05, trickle_headers=trickle_headers, declare_length=declare_length)

    with pytest.raises(LLMError, match="timed out"):
        summariser(llm_server, timeout_seconds=0.5).summarise(BRIEF)

    llm_server.wait_finished()
    assert llm_server.requests[0].client_left


def test_the_deadline_also_guards_a_kept_alive_connection(llm_server):
    # Room for the first answer on a loaded machine; the trickled second one takes longer than that.
    llm = summariser(llm_server, timeout_seconds=3)
    llm_server.answer(answer())
    llm.summarise(BRIEF)
    llm_server.answer(answer(), trickle=0.05)

    with pytest.raises(LLMError, match="timed out"):
        llm.summarise(BRIEF)

    llm_server.wait_finished()
    first, second = llm_server.requests
    assert second.client_port == first.client_port  # the second request reused the connection
    assert second.client_left


def test_an_endpoint_that_is_down_is_reported(llm_server):
    port = closed_port()
    config = LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout_seconds=5)

    with pytest.raises(LLMError, match=rf"LLM endpoint http://127\.0\.0\.1:{port}/v1/chat/completions could not be"):
        LLMSummariser(config).summarise(BRIEF)


@pytest.mark.parametrize("status", [500, 401])
def test_an_http_error_is_reported_with_the_body(llm_server, status):
    llm_server.reply({"error": {"message": "model 'llama3.1:8b' not found"}}, status=status)

    with pytest.raises(LLMError, match=f"answered HTTP {status}") as caught:
        summariser(llm_server).summarise(BRIEF)

    assert "not found" in str(caught.value)
    assert llm_server.base_url in str(caught.value)


def test_a_redirect_is_reported_not_followed(llm_server):
    llm_server.reply(b"", status=307, headers={"Location": "/v1/chat/completions?again=1"})

    with pytest.raises(LLMError, match="307 redirecting to /v1/chat/completions"):
        summariser(llm_server).summarise(BRIEF)

    assert len(llm_server.requests) == 1


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "undeclared"])
def test_an_oversized_answer_is_refused(llm_server, declare_length):
    body = json.dumps(completion(answer())) + " " * 5000  # valid JSON, only too big
    llm_server.reply(body, declare_length=declare_length)

    with pytest.raises(LLMError, match="over the limit of 4000 bytes"):
        summariser(llm_server, max_response_bytes=4000).summarise(BRIEF)


def test_a_declared_oversized_answer_is_refused_before_its_body_is_read(llm_server):
    # The body trickles: reading it up to the limit would run into the deadline instead.
    llm_server.reply(json.dumps(completion(answer())) + " " * 5000, trickle=0.05, trickle_headers=False)

    with pytest.raises(LLMError, match="over the limit of 4000 bytes"):
        summariser(llm_server, max_response_bytes=4000, timeout_seconds=3).summarise(BRIEF)


def test_an_answer_just_within_the_limit_is_read(llm_server):
    body = json.dumps(completion(answer())) + " " * 100
    llm_server.reply(body, declare_length=False)

    summary = summariser(llm_server, max_response_bytes=len(body.encode())).summarise(BRIEF)

    assert len(summary.why_this_matters) == 2


# --- the model answers nonsense --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("The outage affected GitHub Actions.", "answer is not JSON"),
        ('["why_this_matters"]', "answer is JSON list, not an object"),
        (answer(takeaways=None), '"takeaways" is missing or not a list'),
        (answer(why_this_matters=GOOD["why_this_matters"][:1]), '"why_this_matters" has 1 items, expected 2-4'),
        (answer(takeaways=GOOD["takeaways"][:2]), '"takeaways" has 2 items, expected 3-6'),
        (answer(takeaways=GOOD["takeaways"] * 3), '"takeaways" has 9 items, expected 3-6'),
        (takeaways_with(citations=["article:99"]), 'takeaway 1 cites unknown source "article:99"'),
        (takeaways_with(citations=[]), "takeaway 1 cites no source"),
        (takeaways_with(citations="article:12"), "takeaway 1 has no list of citations"),
        (takeaways_with(text=" \n "), "takeaway 1 has no text"),
        (takeaways_with(text="word " * 100), "takeaway 1 is 499 characters long, at most 400"),
        (answer(takeaways=["a", "b", "c"]), "takeaway 1 is not an object"),
        ("[" * 100_000, "answer is not JSON"),  # nested past the parser's recursion limit
    ],
)
def test_a_nonsense_answer_is_rejected(llm_server, content, reason):
    llm_server.answer(content)

    with pytest.raises(LLMError) as caught:
        summariser(llm_server).summarise(BRIEF)

    message = str(caught.value)
    assert reason in message
    assert message.startswith(f"LLM endpoint {llm_server.base_url}/chat/completions: ")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>Bad gateway</html>", "response is not JSON"),
        ({"choices": []}, "response has no choices"),
        ({"error": {"message": "context length exceeded"}}, "endpoint reported an error: context length exceeded"),
        ({"choices": [{"message": {"role": "assistant"}}]}, "no choices[0].message.content text"),
        ({"choices": [{"message": {"role": "assistant", "content": "  "}}]}, "answer is empty"),
        (completion('{"why_this_matters": [', finish_reason="length"), "cut off at the model's length limit"),
    ],
)
def test_a_response_that_is_not_a_chat_completion_is_rejected(llm_server, body, reason):
    llm_server.reply(body)

    with pytest.raises(LLMError, match=r"LLM endpoint .*/v1/chat/completions: ") as caught:
        summariser(llm_server).summarise(BRIEF)

    assert reason in str(caught.value)


# --- what is sent, and when nothing is --------------------------------------------------------------


def test_a_brief_without_sources_is_not_sent(llm_server):
    with pytest.raises(LLMError, match="no sources"):
        summariser(llm_server).summarise(replace(BRIEF, sources=(), related=()))

    assert llm_server.requests == []


@pytest.mark.parametrize(
    ("base_url", "model", "reason"),
    [
        ("127.0.0.1:11434/v1", "m", "must be an http:// or https:// address"),
        ("ftp://127.0.0.1/v1", "m", "must be an http:// or https:// address"),
        ("http://127.0.0.1:11434/v1", " ", "model name is empty"),
    ],
)
def test_a_bad_configuration_is_reported_when_summarising(base_url, model, reason):
    llm = LLMSummariser(LLMConfig(base_url=base_url, model=model))  # the caller builds it outside its try

    with pytest.raises(LLMError, match=reason):
        llm.summarise(BRIEF)


def test_credentials_in_the_base_url_stay_out_of_errors(llm_server):
    llm_server.reply("down", status=503)
    base_url = llm_server.base_url.replace("http://", "http://user:hunter2@")

    with pytest.raises(LLMError, match="answered HTTP 503") as caught:
        LLMSummariser(LLMConfig(base_url=base_url, model="m")).summarise(BRIEF)

    assert "hunter2" not in str(caught.value)


def many_sources(count):
    start = utc(2026, 11, 27, 12, 0)
    posts = [
        SourceDoc(
            ref=f"update:{n}",
            kind="update",
            publisher="GitHub status",
            title=f"Update {n}",
            text="Still investigating. " * 100,
            published_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    ]
    news = [
        SourceDoc(
            ref=f"article:{n}",
            kind="news",
            publisher=f"Outlet {n}",
            title=f"Story {n}",
            text="Developers report failures. " * 100,
            published_at=start + timedelta(minutes=n),
            is_copy=n == 0,  # the earliest is a syndicated copy: it goes last
        )
        for n in range(count)
    ]
    return replace(BRIEF, sources=tuple(posts + news))


def test_sources_are_bounded_newest_vendor_posts_and_earliest_news_first():
    brief = many_sources(40)

    refs = [s.ref for s in select_sources(brief)]

    assert len(refs) == 30
    # The 14 newest updates, newest first, then the first one (the acknowledgement).
    assert refs[:15] == [f"update:{n}" for n in range(39, 25, -1)] + ["update:0"]
    # The earliest original articles; the syndicated copy of article 0 does not make the cut.
    assert refs[15:] == [f"article:{n}" for n in range(1, 16)]


def test_a_group_with_few_sources_leaves_its_room_to_the_other():
    many = many_sources(40)
    brief = replace(many, sources=(*many.vendor_posts, *many.news[:3]))

    refs = [s.ref for s in select_sources(brief)]

    assert len(refs) == 30
    assert refs[-3:] == ["article:1", "article:2", "article:0"]  # the copy last
    assert refs[:26] == [f"update:{n}" for n in range(39, 13, -1)]
    assert refs[26] == "update:0"


def test_the_prompt_stays_bounded_however_many_sources_there_are():
    brief = many_sources(200)

    user = build_messages(brief)[1]["content"]

    texts = [line.removeprefix("Text: ") for line in user.splitlines() if line.startswith("Text: ")]
    assert len(texts) == 30
    assert "(370 more sources are not shown.)" in user
    assert len(user) < 40_000
    assert max(len(text) for text in texts) <= 800
    assert all(text.endswith("…") for text in texts)
