# ruff: noqa: RUF001 - real sentences keep their typographic quotes and apostrophes
from datetime import UTC, datetime

import pytest

from incidents.extraction import error_messages
from incidents.extraction.catalogue import Catalogue
from incidents.extraction.error_messages import find_error_messages
from incidents.extraction.facts import MAX_BODY_CHARS, extract

CATALOGUE = Catalogue.load_default()
PUBLISHED = datetime(2024, 7, 19, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ('Users see "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP" in bounces.',
         ["550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP"]),
        ("Outlook shows “Something went wrong. Please try again later.” when people sign in.",
         ["Something went wrong. Please try again later."]),
        ("Teams fails with ‘We can’t connect you’ on desktop.", ["We can’t connect you"]),
        ('Sign-in fails with "AADSTS50058: A silent sign-in request was sent but no user is signed in."',
         ["AADSTS50058: A silent sign-in request was sent but no user is signed in."]),
        ('The client shows "0x8004804E" and "CAA20003".', ["0x8004804E", "CAA20003"]),
        ('Senders get "451 4.7.500 Server busy" and "4.4.1 Connection timed out".',
         ["451 4.7.500 Server busy", "4.4.1 Connection timed out"]),
        ('Browsers show "502 Bad Gateway" or "HTTP Error 503. The service is unavailable."',
         ["502 Bad Gateway", "HTTP Error 503. The service is unavailable."]),
        ('Chrome reports "This site can’t be reached" and „Verbindung fehlgeschlagen: Error 1101“.',
         ["This site can’t be reached", "Verbindung fehlgeschlagen: Error 1101"]),
        # Google Cloud status, 2022: a message with no error word that the sentence calls an error
        ('Customer may face errors stating "databases already exist" error upon retrying the creation of Composer.',
         ["databases already exist"]),
        # GitHub status, 2024-09-27: backticks, and the word after the quote says what it is
        ("9% of requests to list releases via API or the webpage received a `500 Internal Server` error.",
         ["500 Internal Server"]),
        ('The app showed "Your account is locked" for hours.', ["Your account is locked"]),
    ],
)
def test_it_keeps_quoted_error_messages_verbatim(text, messages):
    assert find_error_messages(text) == messages


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("Senders received 550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. "
         "Microsoft said it is investigating.",
         ["550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP"]),
        ("Bounces read 451 4.7.500 Server busy. Please try again later.",
         ["451 4.7.500 Server busy. Please try again later"]),
        ("Relay fails: 550 5.7.1 Unable to relay for user@example.com. Contact your admin.",
         ["550 5.7.1 Unable to relay for user@example.com"]),
        ("Visitors saw Error 1101 and HTTP 503 pages; others got 502 Bad Gateway.",
         ["Error 1101", "HTTP 503", "502 Bad Gateway"]),
        ("Teams fails with error code 0x8004804E; Office shows CAA20003.", ["0x8004804E", "CAA20003"]),
        ("Sign-in returns AADSTS50058: A silent sign-in request was sent but no user is signed in. Users retried.",
         ["AADSTS50058: A silent sign-in request was sent but no user is signed in"]),
        ("Chrome shows DNS_PROBE_FINISHED_NXDOMAIN or ERR_CONNECTION_TIMED_OUT; lookups return SERVFAIL.",
         ["DNS_PROBE_FINISHED_NXDOMAIN", "ERR_CONNECTION_TIMED_OUT", "SERVFAIL"]),
        ("Machines crashed with PAGE_FAULT_IN_NONPAGED_AREA (0x00000050).",
         ["PAGE_FAULT_IN_NONPAGED_AREA", "0x00000050"]),
        # GitHub status, 2024-02-05
        ("An overloaded server exposed a bug, causing us to return HTTP 500 error codes.", ["HTTP 500"]),
    ],
)
def test_it_finds_classic_unquoted_forms(text, messages):
    assert find_error_messages(text) == messages


# Issue 13: a press article about a mail outage (made-up sentences in its style). A bounce quoted
# with the reporter's comma inside the quotes was taken for speech; a message that ran into a
# bracket, brace or quote of the text around it kept it.
@pytest.mark.parametrize(
    ("text", "messages"),
    [
        # not found at all: the quote read as speech, and the bare code has no error word
        ("Bounces carry \"5.7.1 Unfortunately, messages from [40.107.22.5] weren't sent,\" admins said on Reddit.",
         ["5.7.1 Unfortunately, messages from [40.107.22.5] weren't sent"]),
        ("Others read 5.7.1 Unfortunately, messages from [40.107.22.5] weren't sent. Please contact your provider.",
         ["5.7.1 Unfortunately, messages from [40.107.22.5] weren't sent"]),
        ('Users reported errors like "We couldn\'t connect to the server. Please try again later", according to '
         "BleepingComputer.", ["We couldn't connect to the server. Please try again later"]),
        # found with the reporter's comma
        ("Users see the error “550 5.7.1 Unfortunately, messages from [40.107.22.5] weren’t sent,” according to "
         "reports.", ["550 5.7.1 Unfortunately, messages from [40.107.22.5] weren’t sent"]),
        ("“550 5.7.1 Unfortunately, messages from [40.107.22.5] weren’t sent,” one admin wrote on Reddit.",
         ["550 5.7.1 Unfortunately, messages from [40.107.22.5] weren’t sent"]),
        # found with what follows the message in the text
        ("Transport logs show {550 5.7.1 Unfortunately, messages from [40.107.22.5] weren't sent} for each message.",
         ["550 5.7.1 Unfortunately, messages from [40.107.22.5] weren't sent"]),
        ("Users see [550 5.7.1 Unfortunately, messages weren't sent] in bounce notifications.",
         ["550 5.7.1 Unfortunately, messages weren't sent"]),
        ("The bounce (550 5.7.1 Unfortunately, messages weren't sent) reached admins.",
         ["550 5.7.1 Unfortunately, messages weren't sent"]),
        ("Remote Server returned '554 5.2.2 mailbox full' when users tried to reply.", ["554 5.2.2 mailbox full"]),
        ("Remote Server returned '550 5.7.1 Access denied. Delivery failed.' Admins were told to wait.",
         ["550 5.7.1 Access denied. Delivery failed"]),
        ('The message said "Unable to send, please retry]".', ["Unable to send, please retry"]),
        ('The client logs "{Access denied: mailbox unavailable" and stops syncing.',
         ["Access denied: mailbox unavailable"]),
    ],
)
def test_quoted_messages_keep_inner_commas_and_lose_the_marks_of_the_text_around_them(text, messages):
    assert find_error_messages(text) == messages


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ('Outlook shows "Error 500: {message: Internal failure}" on load.', ["Error 500: {message: Internal failure}"]),
        ('Error: "550 5.7.1 Unfortunately, messages weren\'t sent. Please contact your provider (S3150)."',
         ["550 5.7.1 Unfortunately, messages weren't sent. Please contact your provider (S3150)."]),
        ('Users saw messages such as "Your message couldn\'t be delivered" and "Access denied".',
         ["Your message couldn't be delivered", "Access denied"]),
    ],
)
def test_brackets_a_message_opens_and_closes_are_its_own(text, messages):
    assert find_error_messages(text) == messages


@pytest.mark.parametrize(
    "text",
    [
        '"We are aware of the issue," a spokesperson said.',
        '"We saw errors everywhere and could not send mail," one admin said.',  # words, no code: speech
        'Microsoft said: "We are investigating reports that users are unable to access Outlook."',
        # Ars Technica, 2025-11-18: a status page quoted like a person, with "errors" in it
        "“A fix has been implemented and we believe the incident is now resolved. We are continuing to monitor for "
        "errors to ensure all services are back to normal,” Cloudflare’s status page said. “Some customers may be "
        "still experiencing issues logging into or using the Cloudflare dashboard.”",
        # Ars Technica, 2024-07-19 and 2025-10-24
        'Microsoft and CrowdStrike both say that "the affected update has been pulled," so what matters is recovery.',
        "Ookla said the event was “among the largest internet outages on record for Downdetector.”",
        "“I worry this is the big botnet flexing,” Cloudflare co-founder and CEO Matthew Prince wrote.",
        # GitHub status: quoted UI names are not errors
        'We have identified a bug with Pull Requests where "change base branch" dropdown menu is not responding.',
        "GitHub Importer, namely the “Import repository” UI on GitHub.com, will be undergoing maintenance.",
        # general news (ECB+ development set): speech, slogans, titles and scare quotes with error words
        'quarterback Drew Brees said.\n"You can\'t deny that just because of the physical presence they bring."',
        "she added.\n\"I can't wait to start this new adventure! \"\nBen Stephenson said more.",
        'unfurling banners reading "The country cannot surrender without a fight."',
        'Besides "American Pie" and her E! reality show "Taradise," Reid has had a recurring role on "Scrubs".',
        'He said the lapse was a "failure" of the system, but he did not elaborate.',
        # version numbers are not SMTP codes
        "Google Cloud SQL for MySQL 5.7.36, with replication using managed dumps may have experienced failures.",
        "Upgrade to version 4.4.1 to fix it.",
        "The error rate was 38% and peaked at 5.2.",
    ],
)
def test_it_does_not_take_quotations_of_people_or_names_for_error_messages(text):
    assert find_error_messages(text) == []


def test_a_message_quoted_twice_is_reported_once_and_codes_inside_it_are_not_repeated():
    text = 'Users see "Error 0x80070005: access denied". Again: "Error 0x80070005: access denied".'
    assert find_error_messages(text) == ["Error 0x80070005: access denied"]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("", []),
        ("Exchange Online outage", []),  # a title only
        ("Nutzer sehen „Zugriff verweigert: Error 1101“ beim Anmelden.", ["Zugriff verweigert: Error 1101"]),
        ("ユーザーには「エラー 0x80070005」が表示されます", ["エラー 0x80070005"]),
        ("Users see&nbsp;<b>HTTP 503</b><br>and \"Something went wrong\"</p>", ["HTTP 503", "Something went wrong"]),
        ("“He saw ‘Access denied’ twice,” she said.", ["Access denied"]),  # nested: the speech goes, the message stays
    ],
)
def test_bad_input_gives_a_sane_answer(text, messages):
    assert find_error_messages(text) == messages


def test_nested_straight_quotes_give_pieces_of_the_text_and_no_crash():
    messages = find_error_messages('He said "she saw "error" twice" loudly, "Access "denied" here"')
    assert all(message in 'He said "she saw "error" twice" loudly, "Access "denied" here"' for message in messages)


def test_a_megabyte_body_is_read_only_up_to_the_extraction_bound():
    # The finders are given what extract reads: at most MAX_BODY_CHARS of the body, whatever its size.
    report = ("Airlines, payment processors, 911 call centers, TV networks, and other businesses have been scrambling "
              "after a buggy update caused Windows-based systems to crash with a dreaded blue screen of death (BSOD) "
              'error message; users saw "Something went wrong" and HTTP 503 pages. ')
    past_the_bound = 'Others saw "Error 1101: Worker threw exception".'
    body = report * (1_000_000 // len(report)) + past_the_bound
    facts = extract("CrowdStrike outage", body, PUBLISHED, CATALOGUE)
    assert facts == extract("CrowdStrike outage", body[:MAX_BODY_CHARS], PUBLISHED, CATALOGUE)
    assert facts.error_messages == ("Something went wrong", "HTTP 503")
    assert find_error_messages(past_the_bound) == ["Error 1101: Worker threw exception"]


@pytest.mark.parametrize(
    "text",
    [
        '"' + "a " * 50_000,
        "“" + "a " * 50_000,
        "‘" + "can’t " * 20_000,
        "0x" * 100_000,
        "error" * 100_000,
        "Error " * 20_000,
        "1.2.3.4.5." * 10_000,
        '"“‘「„`' * 10_000,
        '"x," said ' * 10_000,
        "ERR_" * 25_000,
    ],
    ids=["open-quote", "open-curly-quote", "apostrophes", "0x", "error", "Error-words", "digits-and-dots",
         "nested-quotes", "said", "constant-prefix"],
)
def test_hostile_input_holds_no_message(text):
    assert find_error_messages(text) == []


def test_an_endless_run_of_smtp_codes_gives_pieces_of_bounded_length():
    text = "550 5.7.1 " * 10_000
    messages = find_error_messages(text)
    assert messages and all(len(message) <= 700 and message in text for message in messages)


@pytest.mark.parametrize(
    "text",
    [
        '"550 5.7.1 Unfortunately, messages weren\'t sent," ' * 20_000,  # 1 MB of quoted bounces
        "“Access denied,” " * 60_000,
        '"{[(' * 100_000 + ")]}" * 100_000,  # unbalanced quotes and brackets
        '"a "b "c " d" e" f"' * 20_000,  # nested quotes
        "550 5.7.1 Access denied " + "}" * 500_000,
        "550 5.7.1 Access denied " + "([{" * 300_000,
    ],
    ids=["quoted-bounces", "curly-quotes", "unbalanced", "nested", "closing-brackets", "opening-brackets"],
)
def test_quotes_and_brackets_by_the_megabyte_are_judged_a_bounded_piece_at_a_time(text, monkeypatch):
    """Each quote or code is trimmed on its own bounded piece of the text (a quote holds at most
    _MAX_MESSAGE characters; a code's message at most _MAX_SENTENCES sentences of 200), once per
    candidate, so the work follows the number of candidates and no message outgrows its bound."""
    pieces = []
    trim = error_messages._without_stray_marks
    monkeypatch.setattr(error_messages, "_without_stray_marks", lambda piece: pieces.append(len(piece)) or trim(piece))
    messages = find_error_messages(text)
    code_and_sentences = 20 + (5 + 201) * error_messages._MAX_SENTENCES  # a code, then separators and sentences
    bound = max(error_messages._MAX_MESSAGE, code_and_sentences)
    candidates = sum(text.count(mark) for mark in '"“‘「„`') + text.count("550 ")
    assert len(pieces) <= candidates and all(length <= bound for length in pieces)
    assert all(len(message) <= bound and message in text for message in messages)
