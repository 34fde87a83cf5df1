"""Which sentences of vendor posts and news articles a summary may quote, and how they are cut."""

import json
from pathlib import Path

import pytest

from incidents.clustering.text_features import clean_text
from incidents.summaries import sentences
from incidents.summaries.sentences import (
    Candidate,
    central_sentences,
    find_next_update,
    find_workaround,
    is_english,
    is_quotable,
    split_sentences,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

# One update of Google Cloud incident mDY7jN545et9XUV541MZ, verbatim from
# tests/fixtures/gcp/gcp-status-incidents-2022-07-03.json.
GCP_COMPOSER_UPDATE = (
    "Summary: Intermittent Cloud Composer creation failures in select regions and elevated error rates during "
    "Cloud SQL instance creation.\nDescription: Mitigation work is underway by our engineering team.\nWe will "
    "provide more information by Thursday, 2022-06-30 20:00 US/Pacific.\nDiagnosis: Customers may experience "
    "latency and errors with Composer creation. Customer may face errors stating \"databases already exist\" "
    "error upon retrying the creation of Composer.\nCustomer using Cloud SQL may see failures in calls shortly "
    "after database instance creation.\nWorkaround: Customers may retry the API calls for affected instances "
    "while using Cloud SQL."
)
# One update of Google Cloud incident mbtvSs2qKE3Nz6nxR6rY, same file.
GCP_GENEVA_UPDATE = (
    "Summary: We are experiencing an issue with Hybrid Connectivity specifically in Geneva\nDescription: We are "
    "experiencing an issue with Hybrid Connectivity beginning at Tuesday, 2022-06-28 02:31 US/Pacific.\nOur "
    "engineering team continues to investigate the issue.\nWe will provide an update by Tuesday, 2022-06-28 "
    "04:00 US/Pacific with current details.\nWe apologize to all who are affected by the disruption.\n"
    "Diagnosis: Customers might experience packet loss of 30-80%\nWorkaround: None at this time."
)


def folded(text: str) -> str:
    return " ".join(text.split())


def gcp_update_texts() -> list[str]:
    incidents = json.loads((FIXTURES / "gcp" / "gcp-status-incidents-2022-07-03.json").read_text())
    return [update["text"] for incident in incidents for update in incident["updates"]]


def aws_event_texts() -> list[str]:
    data = json.loads((FIXTURES / "aws" / "aws-status-legacy-data-json-2022-07.json").read_text())
    return [clean_text(event["description"], limit=100_000) for event in data["archive"]]


# --- splitting ---------------------------------------------------------------------------------


def test_it_does_not_split_at_abbreviations_times_and_initials():
    text = (
        "The outage began at 9:05 a.m. PDT and ended at 10 a.m. The U.S. Department of Energy was hit. "
        "Engineers at Acme Inc. said it was approx. 30 servers, e.g. Bob's vs. Alice's. No. 3 was spared. "
        "John F. Kennedy Airport was fine."
    )
    assert split_sentences(text) == [
        "The outage began at 9:05 a.m. PDT and ended at 10 a.m.",
        "The U.S. Department of Energy was hit.",
        "Engineers at Acme Inc. said it was approx. 30 servers, e.g. Bob's vs. Alice's.",
        "No. 3 was spared.",
        "John F. Kennedy Airport was fine.",
    ]


def test_an_abbreviation_still_ends_a_sentence_when_a_new_one_plainly_starts():
    assert split_sentences("The company is based in the U.S. The outage hit Europe too.") == [
        "The company is based in the U.S.",
        "The outage hit Europe too.",
    ]
    assert split_sentences("Acme Inc. Chief Executive Jane Doe apologised. It was down at Acme Corp. The end.") == [
        "Acme Inc. Chief Executive Jane Doe apologised.",
        "It was down at Acme Corp.",
        "The end.",
    ]


def test_it_keeps_decimals_and_versions_and_splits_after_them():
    text = "Latency rose 3.5 times after version 1.2.3 shipped. The rollback to 1.2.2. Fixed it."
    assert split_sentences(text) == [
        "Latency rose 3.5 times after version 1.2.3 shipped.",
        "The rollback to 1.2.2.",
        "Fixed it.",
    ]


def test_an_ellipsis_ends_a_sentence_only_before_a_capital():
    assert split_sentences("We are looking into it... The team is on it. It was fine… until it was not.") == [
        "We are looking into it...",
        "The team is on it.",
        "It was fine… until it was not.",
    ]


def test_closing_quotes_stay_with_their_sentence_and_a_quotation_with_its_speaker():
    # tests/fixtures/aws/aws-status-legacy-data-json-2022-07.json (a DataSync event)
    aws = (
        'We continue to investigate elevated error rates for DataSync tasks with EFS and FSx source or destination '
        'locations resulting in "The DataSync destination location is not mounted correctly." We\'ll provide an '
        "update at 8:00 AM PDT if not sooner."
    )
    assert split_sentences(aws)[1] == "We'll provide an update at 8:00 AM PDT if not sooner."
    # tests/fixtures/technews/arstechnica-feed-2025-11-19-cloudflare-outage.rss
    ars = (
        "“A fix has been implemented and we believe the incident is now resolved. We are continuing to monitor for "
        "errors to ensure all services are back to normal,” Cloudflare\u2019s status page said. “Some customers may be "
        "still experiencing issues logging into or using the Cloudflare dashboard.”"
    )
    first, second = split_sentences(ars)  # curly quotation marks
    assert first.startswith("“A fix has been implemented") and first.endswith("Cloudflare\u2019s status page said.")
    assert second == "“Some customers may be still experiencing issues logging into or using the Cloudflare dashboard.”"
    assert split_sentences('"It broke. We fixed it," the company said. Users were relieved.') == [
        '"It broke. We fixed it," the company said.',
        "Users were relieved.",
    ]
    # After an abbreviation too: the closing quotation mark says the sentence is over.
    assert split_sentences('Microsoft blamed "a network run by Acme Corp." Engineers rerouted traffic.') == [
        'Microsoft blamed "a network run by Acme Corp."',
        "Engineers rerouted traffic.",
    ]


def test_a_line_break_ends_a_sentence_and_bullets_and_blank_lines_go():
    text = "Summary: Elevated packet loss in europe-north1\r\n\n   \n- Dataflow: restart jobs\n* Two\n1. Three"
    assert split_sentences(text) == [
        "Summary: Elevated packet loss in europe-north1",
        "Dataflow: restart jobs",
        "Two",
        "Three",
    ]
    assert split_sentences("") == [] and split_sentences(" \n\t ") == []


def test_language_versions_of_an_aws_post_are_separate_sentences():
    # tests/fixtures/aws/aws-status-legacy-data-json-2022-07.json: Korean, then English after a bar
    text = (
        "7:15 AM PST 메시지: AP-NORTHEAST-2 리전에서 API 오류율 증가에 대해 조사하고 있습니다. | We are investigating "
        "increased API error rates in the ap-northeast-2 Region."
    )
    assert split_sentences(text)[-1] == "We are investigating increased API error rates in the ap-northeast-2 Region."
    assert split_sentences("障害が発生しています。復旧作業中です。") == ["障害が発生しています。", "復旧作業中です。"]
    assert split_sentences("We are investigating increased API error rates. 我们正在调查错误率的上升。") == [
        "We are investigating increased API error rates.",
        "我们正在调查错误率的上升。",
    ]


def test_sentences_are_verbatim_pieces_of_the_recorded_sources():
    texts = gcp_update_texts() + aws_event_texts()
    count = 0
    for text in texts:
        source = folded(text)
        for sentence in split_sentences(text):
            assert sentence and sentence == sentence.strip()
            assert sentence in source, sentence
            count += 1
    assert count > 5000


# --- English and quotability -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We are investigating reports of degraded performance for Actions.",
        "Error rates for Actions runs are improving.",
        "Cloud Spanner Customers experienced elevated latency.",  # no function word at all (GCP fixture)
        "Customers might experience packet loss of 30-80%",
    ],
)
def test_english_status_sentences_are_english(sentence):
    assert is_english(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Wir untersuchen derzeit Berichte über eine beeinträchtigte Leistung für Actions.",
        "Microsoft Teams ist in Europa seit dem Morgen gestört.",
        "Nous enquêtons sur des rapports de performances dégradées pour Actions.",
        "Le service est de nouveau disponible pour tous les clients.",
        "Estamos investigando informes de rendimiento degradado en Actions.",
        "We onderzoeken meldingen van verminderde prestaties voor Actions.",
        "Kami sedang menyelidiki laporan penurunan kinerja untuk Actions.",  # no function word we know
        "現在、Actions のパフォーマンス低下に関する報告を調査しています。",
        "GitHub Actions で障害が発生しています",
        "2022-06-28 02:31",
    ],
)
def test_other_languages_are_not_english(sentence):
    assert not is_english(sentence)


def test_an_informative_sentence_is_quotable():
    assert is_quotable("We are experiencing SMS delivery delays when sending messages to Mozambique Movitel.")
    assert is_quotable("Diagnosis: Customers might experience packet loss of 30-80%")


@pytest.mark.parametrize(
    "sentence",
    [
        "Subscribe to updates via email, SMS or webhook for this incident.",
        "Powered by Atlassian Statuspage and hosted in many regions.",
        "Read 29 remaining paragraphs | Comments",
        "Sign up for our newsletter to get the top stories every morning.",
        "We use cookies to improve your experience on this website.",
        "Share this article on Facebook, Twitter and LinkedIn now.",
        "The post HeroDevs Raises $125 Million to Secure Deprecated OSS appeared first on SecurityWeek .",
        "Enlarge / A marketing image for the Galaxy Buds3 Pro.",
    ],
)
def test_site_furniture_is_not_quotable(sentence):
    assert not is_quotable(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "This incident has been resolved.",  # true, but the summary states the status from facts
        "We are continuing to investigate this issue.",
        "Our engineering team continues to investigate the issue.",
        "We thank you for your patience while we worked on resolving the issue.",
        "We apologize to all who are affected by the disruption.",
        "Nov 20 , 03:25 UTC Resolved - This incident has been resolved.",
        "Further detail will be provided as more information becomes available.",
    ],
)
def test_sentences_that_only_restate_the_status_or_apologise_are_not_quotable(sentence):
    assert not is_quotable(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Is Gmail down for everyone in Europe right now?",
        "Check https://status.example.com for the latest on the Gmail outage.",
        "Gmail is down.",  # too short to stand alone
        "Gmail outage " * 40,  # too long: a paragraph, not a sentence
        "Errors seen: 500, 502, 503, 504, 520, 521, 522, 523, 524 and 525 on the API.",  # mostly numbers
        "“Gmail is down for users in Germany and France since nine this morning.",  # half a quotation
        "The following outbound emails will be impacted by the maintenance:",
        "Wir untersuchen derzeit Berichte über eine beeinträchtigte Leistung für Gmail.",
        "Gmail outages this morning suggest the answer is no.",  # answers a question the quote does not show
    ],
)
def test_questions_links_fragments_and_foreign_sentences_are_not_quotable(sentence):
    assert not is_quotable(sentence)


# --- centrality --------------------------------------------------------------------------------

OUTLOOK = (  # three sources, one fact
    Candidate("article:1", "Outlook users in Europe cannot send or receive email because of an Exchange outage."),
    Candidate("article:2", "Outlook users in Europe could not send or receive email during the Exchange outage."),
    Candidate("update:3", "Users in Europe are unable to send or receive email in Outlook through Exchange Online."),
)


def test_the_sentence_the_sources_agree_on_comes_first_and_its_repeats_are_dropped():
    candidates = [
        Candidate("article:1", "Shares of the company fell two percent in early trading on Wall Street."),
        OUTLOOK[0],
        Candidate("article:2", "The reporter has covered cloud computing for a decade and lives in Berlin."),
        OUTLOOK[1],
        Candidate("update:3", "We will provide an update by 15:00 UTC with more details on the Outlook outage."),
        OUTLOOK[2],
    ]
    picked = central_sentences(candidates, limit=3)
    assert picked[0] in OUTLOOK
    assert [c for c in picked if c in OUTLOOK] == picked[:1]  # the other two say the same thing
    assert all("update by" not in c.text for c in picked)  # a promise of an update is not impact
    assert len(picked) == 3


def test_weight_favours_the_vendors_words_over_the_press_saying_the_same():
    press = Candidate("article:2", "Outlook users in Europe are unable to send or receive email messages, reports say.")
    vendor = Candidate("update:1", "Outlook users in Europe cannot send or receive email messages since this morning.")
    assert central_sentences([press, vendor], limit=1) == [press]  # equally central: input order decides
    favoured = Candidate(vendor.ref, vendor.text, weight=2.0)
    assert central_sentences([press, favoured], limit=1) == [favoured]


def test_each_source_has_one_vote_so_a_source_repeating_itself_does_not_win():
    repeats = [
        Candidate("article:1", "Microsoft shares fell two percent in early trading on the Nasdaq exchange."),
        Candidate("article:1", "Microsoft shares dropped two percent in early Nasdaq trading on Tuesday."),
        Candidate("article:1", "In early trading on the Nasdaq, Microsoft shares slid two percent."),
    ]
    picked = central_sentences([*repeats, OUTLOOK[1], OUTLOOK[2]], limit=1)
    assert picked[0] in OUTLOOK


def test_ranking_is_deterministic_and_ties_keep_input_order():
    first = Candidate("article:1", "Cloudflare returned errors for many popular websites on Tuesday morning.")
    second = Candidate("article:1", "A configuration file doubled in size and crashed the proxy in every region.")
    assert central_sentences([first, second], limit=2) == [first, second]
    assert central_sentences([second, first], limit=2) == [second, first]
    candidates = [Candidate(f"article:{i % 3}", f"Region eu-west-{i} reported {i} failed logins to Gmail today.")
                  for i in range(30)]
    assert central_sentences(candidates, limit=5) == central_sentences(list(candidates), limit=5)


def test_a_single_candidate_is_returned_only_if_quotable():
    only = Candidate("update:1", "Customers might experience packet loss of 30-80% in Geneva.")
    assert central_sentences([only], limit=3) == [only]
    assert central_sentences([Candidate("update:1", "This incident has been resolved.")], limit=3) == []
    assert central_sentences([only], limit=0) == []


def test_a_megabyte_of_text_ranks_a_bounded_number_of_candidates(monkeypatch):
    text = "".join(
        f"Engineers restored storage node {i} in the Frankfurt region after power failure number {i}. "
        for i in range(12_000)
    )
    assert len(text) > 1_000_000
    candidates = [Candidate("article:1", s) for s in split_sentences(text)]
    assert len(candidates) == 12_000
    calls = []
    real_cosine = sentences.cosine
    monkeypatch.setattr(sentences, "cosine", lambda a, b: calls.append(1) or real_cosine(a, b))
    picked = central_sentences(candidates, limit=3)
    cap = sentences.MAX_CANDIDATES
    assert len(calls) == cap * (cap - 1) // 2
    considered = {c.text for c in candidates[:cap]}
    assert picked and all(c.text in considered for c in picked)


# --- workarounds -------------------------------------------------------------------------------


def test_the_workaround_line_of_a_gcp_update_is_found_verbatim():
    assert find_workaround(GCP_COMPOSER_UPDATE) == (
        "Workaround: Customers may retry the API calls for affected instances while using Cloud SQL."
    )


def test_no_workaround_is_not_a_workaround():
    assert find_workaround(GCP_GENEVA_UPDATE) is None
    # Two more from tests/fixtures/gcp/gcp-status-incidents-2022-07-03.json
    assert find_workaround("Workaround: No workaround available at this time.") is None
    assert find_workaround("Workaround: For Cloud Run, there is no known workaround.") is None
    # An AWS Lambda event: "There are no identified workarounds …", "we have not identified any
    # workarounds", "We will update information about workarounds …".
    lambda_event = next(t for t in aws_event_texts() if "There are no identified workarounds" in t)
    assert find_workaround(lambda_event) is None


def test_in_the_meantime_counts_only_when_it_tells_customers_what_to_do():
    # tests/fixtures/statuspage/emma-incidents-2019-02-21-extracted.json, then
    # tests/fixtures/statuspage/streamyard-history-2024-06-10.rss
    text = (
        "In the meantime, our email queues are catching back up and starting to perform as expected. "
        "There is an issue uploading slides and video clips. We are investigating. "
        "In the meantime, we recommend screen sharing your slides or clicking Present > Video file."
    )
    assert find_workaround(text) == (
        "In the meantime, we recommend screen sharing your slides or clicking Present > Video file."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "As a workaround, customers can use the gcloud CLI to create instances.",
        "Users can send mail through the web client instead until the fix is deployed.",
        "Alternatively, deploy your functions to the europe-west1 region for now.",
        "Customers can mitigate by increasing client timeouts on affected requests.",
    ],
)
def test_the_usual_ways_of_offering_a_workaround_are_found(sentence):
    text = f"We are investigating elevated errors for Cloud Functions in europe-west3. {sentence} Sorry."
    assert find_workaround(text) == sentence


def test_the_vendor_fixing_the_problem_is_not_a_workaround():
    assert find_workaround(
        "Engineers were able to mitigate the issue by reverting the change that caused the issue."
    ) is None


@pytest.mark.parametrize(
    "sentence",
    [
        # Google Cloud's "Workaround:" fields (gcp-status-incidents-2022-07-03.json) and AWS's advice.
        "Fail over to other Cloud regions.",
        "Do not upgrade from 1.19 -> 1.20.x (lower than 1.20.9-gke.2100)",
        "Avoid making changes to existing router within southamerica-east1.",
        "The failed operations may succeed on retrying them",
        "For immediate recovery, we recommend replacing any remaining affected instances if possible.",
        "Customers may retry the Composer creation operation.",
    ],
)
def test_an_instruction_to_users_offers_a_workaround(sentence):
    assert sentences.offers_workaround(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Customers may be observing lower throughput from the Read API",  # impact, in Google Cloud's words
        "Other Zone and region are unaffected",
        "As a mitigation, we rolled back the configuration change.",  # what the vendor did
        "Alternatively, we will continue to monitor the recovery.",
        "We recommend customers monitor the status page for updates.",
        "Workaround: None at this time.",
        "Access to the console is degraded for some users.",
        "Use of the API is degraded in us-east-1.",
    ],
)
def test_a_sentence_giving_users_nothing_to_do_is_not_a_workaround(sentence):
    assert not sentences.offers_workaround(sentence)


# --- what a sentence says about the incident -------------------------------------------------------


def test_markdown_marks_and_link_syntax_are_dropped():
    assert sentences.plain_text("**Update**: a faulty `config` push; see [our docs](https://docs.github.com/a).") == (
        "Update: a faulty config push; see our docs.")


@pytest.mark.parametrize("sentence, outage", [
    ("In December 2021, a similar outage in the same region took down Disney+ and Slack for hours.", True),
    ("Last year, users could not sign in for hours when the service crashed.", True),
    ("Last year, the dongle joined the graveyard as the company ended its production.", False),
])
def test_history_that_names_no_outage_is_told_apart(sentence, outage):
    assert sentences.names_an_outage(sentence) is outage


@pytest.mark.parametrize("sentence, resolved", [
    ("\u201cA fix has been implemented and we believe the incident is now resolved.\u201d", True),
    ("This incident has been resolved.", True),
    ("Services are back to normal for most customers.", True),
    ("The issue has not yet been resolved.", False),
    ("We will post an update once the issue is resolved.", False),
    ("Last year, a similar outage was resolved after two hours.", False),
])
def test_a_sentence_saying_the_incident_is_over_is_told_apart(sentence, resolved):
    assert sentences.says_resolved(sentence) is resolved


@pytest.mark.parametrize("sentence, figure", [
    ("Ookla said its DownDetector service received more than 17 million reports of disrupted services.", True),
    ("An average of 0.12% and max of 1.30% of requests hit 5xx errors and timeouts.", True),
    ("Millions of users could not reach the site.", True),
    ("We are investigating reports of degraded performance for Packages.", False),
])
def test_impact_stated_as_a_figure_is_told_apart(sentence, figure):
    assert sentences.states_impact_figure(sentence) is figure


# --- next update -------------------------------------------------------------------------------


def test_the_promised_next_update_is_found_verbatim():
    assert find_next_update(GCP_GENEVA_UPDATE) == (
        "We will provide an update by Tuesday, 2022-06-28 04:00 US/Pacific with current details."
    )
    assert find_next_update(GCP_COMPOSER_UPDATE) == (
        "We will provide more information by Thursday, 2022-06-30 20:00 US/Pacific."
    )
    # tests/fixtures/aws/aws-status-all-rss-2023-02-13-extracted.rss (two spaces in the source)
    aws = ("We are currently seeing early signs of recovery and we continue to work towards full mitigation.  "
           "We will provide you another update by 3:15 PM PST.")
    assert find_next_update(aws) == "We will provide you another update by 3:15 PM PST."


@pytest.mark.parametrize(
    "sentence",
    [
        # tests/fixtures/statuspage/metastatuspage-atlassian-history-2019-11-23.atom
        "Next update in 30 minutes or sooner if the maintenance is completed.",
        "The next update will be provided within 60 minutes, or as events warrant.",
        "We'll post another update in 2 hours.",
        "Next update by 15:00 UTC",
    ],
)
def test_intervals_and_short_forms_count_as_a_next_update(sentence):
    assert find_next_update(f"We are investigating degraded performance for Actions. {sentence}") == sentence


@pytest.mark.parametrize(
    "text",
    [
        # tests/fixtures/statuspage/twilio-summary-incidents-2020-06-16.json
        "We are experiencing SMS delivery delays when sending messages to Mozambique Movitel. Our engineers are "
        "working with our carrier partner to resolve the issue. We will provide an update as soon as we have "
        "additional information.",
        "We will provide more details as they become available.",
        # tests/fixtures/statuspage/githubstatus-history-2019-11-22.atom: a promise, then the next update's time
        "We are continuing to investigate degradation to GitHub.com and will post updates as we learn more "
        "Nov 18 , 07:04 UTC Update - We are investigating.",
    ],
)
def test_a_promise_without_a_time_is_not_a_next_update(text):
    assert find_next_update(text) is None


def test_a_workaround_field_counts_only_when_it_gives_users_something_to_do():
    # Google Cloud's own updates (gcp-status-incidents-2022-07-03.json).
    none_to_do = "Description: We are investigating. Workaround: Other Zone and region are unaffected"
    assert find_workaround(none_to_do) is None
    assert find_workaround("Workaround: Move the workloads to a different zone if possible") == (
        "Workaround: Move the workloads to a different zone if possible")
    assert sentences.offers_workaround("Customers with Traffic Director managing their envoys should consider moving "
                                       "to backends that are not Traffic Director-managed.")
