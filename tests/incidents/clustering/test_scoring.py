"""The clustering core, as a specification: hard joins, anchors, time, near-duplicates, bounds."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incidents.clustering import scoring as c
from incidents.clustering import signals
from incidents.clustering.metrics import bcubed

T0 = datetime(2024, 7, 19, 9, 0, tzinfo=UTC)

OUTLOOK_DOWN = (
    "Microsoft Outlook down for thousands of users",
    "Users across Europe could not send or receive mail in Outlook and Exchange Online on Friday morning. "
    "Microsoft said it was investigating elevated error rates and rolled back a recent configuration change.",
)
OUTLOOK_AGAIN = (
    "Outlook suffers another outage",
    "Microsoft's Outlook mail service failed again for users in North America, with messages stuck in outboxes. "
    "The company blamed a faulty update to its authentication infrastructure.",
)
STATUS_TEXT = "Investigating - We are investigating reports of degraded performance for Exchange Online mail flow."


def news(item_id, title, body, at=T0, **facts):
    return signals.signals(item_id, title, body, at, **facts)


def status(item_id, vendor_id, title=STATUS_TEXT[:40], body=STATUS_TEXT, at=T0, **facts):
    return signals.signals(item_id, title, body, at, is_status_post=True, vendor_incident_id=vendor_id, **facts)


def incident_of(*members):
    profile = None
    for s in members:
        profile = c.absorb(profile, s)
    return profile


# --- hard rules ----------------------------------------------------------------------------------


def test_a_shared_vendor_incident_id_is_a_hard_join_whatever_the_text_and_time():
    post = status("p1", "EX812345", vendors=["microsoft"], services=["exchange-online"])
    article = news("n1", "Short note", "Admins are tracking EX812345 in the admin center.", at=T0 + timedelta(days=9),
                   incident_ids=["EX812345"])
    sc = c.score(article, incident_of(post))
    assert sc.total == c.HARD_JOIN
    assert sc.parts == {"incident_id": c.HARD_JOIN}
    assert c.choose(article, [("inc", incident_of(post))]).incident == "inc"


def test_status_posts_of_one_vendor_incident_are_one_incident():
    first = status("p1", "GH-abc", at=T0)
    update = status("p2", "GH-abc", body="Resolved - This incident has been resolved.", at=T0 + timedelta(days=5))
    assert c.choose(update, [(1, incident_of(first))]).incident == 1


def test_status_posts_with_different_vendor_incident_ids_never_merge():
    a = status("p1", "id-one", vendors=["microsoft"], services=["exchange-online"])
    b = status("p2", "id-two", vendors=["microsoft"], services=["exchange-online"])  # same words, same minute
    sc = c.score(b, incident_of(a))
    assert sc.total == c.NEVER
    assert "anchor_conflict" in sc.parts
    decision = c.choose(b, [(1, incident_of(a))])
    assert decision.incident is None
    assert decision.score is None
    assert decision.best_rejected is not None


def test_news_may_join_either_of_two_anchored_incidents():
    exchange = incident_of(status("p1", "id-one", vendors=["microsoft"], services=["exchange-online"]))
    teams = incident_of(status("p2", "id-two", "Teams calls failing", "Investigating - Users cannot join Teams "
                               "meetings or calls.", vendors=["microsoft"], services=["microsoft-teams"]))
    article = news("n1", *OUTLOOK_DOWN, at=T0 + timedelta(hours=1), vendors=["microsoft"],
                   services=["exchange-online", "outlook"])
    assert c.choose(article, [("teams", teams), ("exchange", exchange)]).incident == "exchange"


def test_a_news_article_joins_the_vendors_status_post_incident_for_its_outage():
    post = status("p1", "EX812345", "Users can't access Exchange Online", STATUS_TEXT,
                  vendors=["microsoft"], services=["exchange-online"])
    article = news("n1", *OUTLOOK_DOWN, at=T0 + timedelta(hours=3), vendors=["microsoft"],
                   services=["exchange-online"], regions=["Europe"])
    decision = c.choose(article, [(7, incident_of(post))])
    assert decision.incident == 7
    assert decision.score.parts["vendor"] > 0
    assert decision.score.parts["service"] > 0


# --- time ----------------------------------------------------------------------------------------


def test_two_outages_of_the_same_service_days_apart_stay_apart():
    facts = {"vendors": ["microsoft"], "services": ["outlook"]}
    monday = news("n1", *OUTLOOK_DOWN, at=T0, **facts)
    thursday = news("n2", *OUTLOOK_AGAIN, at=T0 + timedelta(days=4), **facts)
    sc = c.score(thursday, incident_of(monday))
    assert sc.parts["time"] == pytest.approx(c.W_TIME)
    assert c.choose(thursday, [(1, incident_of(monday))]).incident is None


def test_the_same_story_hours_later_joins():
    facts = {"vendors": ["microsoft"], "services": ["outlook"]}
    first = news("n1", *OUTLOOK_DOWN, at=T0, **facts)
    later = news("n2", "Outlook outage: Microsoft rolls back configuration change",
                 "Microsoft says Outlook and Exchange Online mail is recovering for users in Europe after it "
                 "rolled back the configuration change behind Friday's elevated error rates.",
                 at=T0 + timedelta(hours=5), **facts)
    decision = c.choose(later, [(1, incident_of(first))])
    assert decision.incident == 1, decision
    assert "time" not in decision.score.parts


def test_undated_text_has_no_time_part():
    a = news("n1", *OUTLOOK_DOWN, at=None)
    b = news("n2", *OUTLOOK_AGAIN, at=None)
    assert "time" not in c.score(b, incident_of(a)).parts


# --- near-duplicates -----------------------------------------------------------------------------

WIRE = (
    "Thousands of travellers were stranded on Friday as a faulty software update from the security company "
    "CrowdStrike crashed Windows computers around the world, grounding flights, taking broadcasters off air and "
    "forcing hospitals to postpone operations. The company said a fix had been deployed and that the problem "
    "was not a cyberattack, but many machines had to be repaired by hand."
)


def test_a_syndicated_copy_is_recognised_and_counted_once():
    original = news("wire-1", "Global IT outage strands travellers", WIRE)
    copy = news("site-2", "Global IT outage strands travellers | Local News",
                "Posted 10:42 by Staff\n" + WIRE + "\nShare this story", at=T0 + timedelta(minutes=40))
    profile = incident_of(original)
    assert c.duplicate_member(copy, profile) == "wire-1"
    assert c.is_near_duplicate(copy, profile)
    assert c.score(copy, profile).parts == {"near_duplicate": c.HARD_JOIN}
    grown = c.absorb(profile, copy)
    assert (grown.members, grown.sources) == (2, 1)
    assert grown.centroid == profile.centroid  # a copy does not pull the centroid again


def test_a_different_report_of_the_same_event_is_not_a_duplicate():
    original = news("wire-1", "Global IT outage strands travellers", WIRE)
    other = news("n2", "Airlines ground flights after CrowdStrike update crashes Windows",
                 "Delta, United and American Airlines halted departures after a CrowdStrike Falcon update sent "
                 "Windows machines into a boot loop. Airports in Berlin and Sydney reported long queues.")
    assert c.duplicate_member(other, incident_of(original)) is None


# --- profiles and keys ---------------------------------------------------------------------------


def test_profile_json_round_trip_keeps_every_score():
    members = [
        status("p1", "EX812345", vendors=["microsoft"], services=["exchange-online"], regions=["Europe"]),
        news("n1", *OUTLOOK_DOWN, at=T0 + timedelta(hours=2), vendors=["microsoft"], services=["exchange-online"],
             error_messages=["550 5.7.1 Service unavailable"]),
        news("n2", "Global IT outage strands travellers", WIRE, at=T0 + timedelta(hours=3)),
    ]
    profile = incident_of(*members)
    restored = c.IncidentProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert restored.to_dict() == profile.to_dict()
    probe = news("n3", *OUTLOOK_AGAIN, at=T0 + timedelta(hours=6), vendors=["microsoft"],
                 error_messages=["550 5.7.1  service unavailable"])
    assert c.score(probe, restored) == c.score(probe, profile)
    assert c.score(probe, restored).parts["error"] == c.W_ERROR  # error messages compare normalised
    assert c.IncidentProfile.from_dict({}) == c.IncidentProfile()


def test_profile_size_is_bounded_however_many_members():
    profile = None
    for i in range(300):
        words = " ".join(f"word{i}x{j} Name{i}y{j}" for j in range(30))
        profile = c.absorb(profile, news(f"n{i}", f"Story {i} about Thing{i}", words, at=T0 + timedelta(minutes=i),
                                         incident_ids=[f"ID{i}"], error_messages=[f"error {i}"]))
    assert profile.members == 300
    assert len(profile.centroid) <= c.CENTROID_TERMS
    assert len(profile.entities) <= c.PROFILE_ENTITIES
    assert len(profile.incident_ids) <= c.PROFILE_IDS
    assert len(profile.errors) <= c.PROFILE_ERRORS
    assert len(profile.fingerprints) <= c.PROFILE_FINGERPRINTS
    assert len(profile.keys) <= 2 * c.PROFILE_COUNTS
    assert len(json.dumps(profile.to_dict())) < 40_000


def test_scores_are_deterministic_and_ties_go_to_the_first_candidate():
    a = news("n1", *OUTLOOK_DOWN)
    profile = incident_of(a)
    probe = news("n2", *OUTLOOK_DOWN, at=T0 + timedelta(hours=1))
    assert c.score(probe, profile) == c.score(probe, c.IncidentProfile.from_dict(profile.to_dict()))
    assert c.choose(probe, [("first", profile), ("second", profile)]).incident == "first"
    assert c.choose(probe, []) == c.Decision(None, None)


def test_score_parts_are_finite_and_json_ready():
    a = status("p1", "one")
    sc = c.score(status("p2", "two"), incident_of(a))
    assert json.loads(json.dumps(sc.parts, allow_nan=False)) == sc.parts


# --- awkward input -------------------------------------------------------------------------------


def test_empty_text_makes_empty_signals_that_never_join_by_text():
    empty = signals.signals("e", "", "", T0)
    assert empty.terms == {} and empty.entities == {} and empty.fingerprint == 0
    assert all(not k.startswith("term:") for k in signals.retrieval_keys(empty))
    assert c.choose(empty, [(1, incident_of(news("n1", *OUTLOOK_DOWN)))]).incident is None
    assert c.absorb(None, empty).members == 1


def test_a_title_alone_is_enough_to_cluster():
    first = news("n1", "Fortnite servers down for thousands of players", "")
    second = news("n2", "Fortnite down: Epic Games confirms servers are down for players", "",
                  at=T0 + timedelta(hours=1))
    assert c.choose(second, [(1, incident_of(first))]).incident == 1


def test_of_a_megabyte_of_text_only_the_bounded_start_is_read():
    huge = ("Cloudflare outage knocks websites offline with 500 errors. " * 20_000)[:1_000_000] + " Fastly too."
    s = signals.signals("big", "Cloudflare outage", huge, T0)
    assert len(s.body) <= 12_000 and "Fastly" not in s.body
    kept = signals.signals("big", "Cloudflare outage", s.body, T0)  # an article of only what was kept
    assert (s, s.terms, s.entities, s.fingerprint) == (kept, kept.terms, kept.entities, kept.fingerprint)
    assert c.score(s, c.absorb(None, s)) == c.score(kept, c.absorb(None, kept))


def test_another_language_does_not_match_unrelated_english():
    german = news("de", "Störung bei der Deutschen Bahn: Fahrkartenautomaten fallen aus",
                  "Seit dem Morgen sind die Fahrkartenautomaten und die App der Deutschen Bahn gestört. "
                  "Reisende können keine Tickets kaufen.")
    assert german.terms
    decision = c.choose(german, [(1, incident_of(news("n1", *OUTLOOK_DOWN)))])
    assert decision.incident is None


def test_subject_names_what_is_down_when_the_catalogue_does_not():
    assert c.subject_of("Fortnite servers down for thousands of players") == "Fortnite"
    assert c.subject_of("Bank of Ireland app outage leaves customers unable to pay") == "Bank of Ireland"
    assert c.subject_of("") == ""


# --- real data: a few dozen ECB+ documents ---------------------------------------------------------
# ECB+ (Cybulska & Vossen, LREC 2014; CC BY 3.0): two topics, each with two different events of the
# same kind (topic 3: Brian Nichols sentenced in 2008 / Arcade Comeaux escapes in 2009; topic 12:
# INS Mysore captures 23 pirates in 2008 / INS Sukanya 26 pirates in 2011). Texts cut to ~450 chars.

ECB_ROWS = [
    (
        "3_10ecbplus",
        "t3_ecbplus",
        "Texas prisoner captured after week on the run",
        "7: 15 a. m. Dec. 7, 2009\nA convicted sex offender who was the subject of a weeklong "
        "manhunt after pulling off a daring escape during a prison transfer was captured Monday "
        "after authorities received several phone tips, including one from a salesman who "
        "recognized the inmate outside his business.",
    ),
    (
        "3_11ecbplus",
        "t3_ecbplus",
        "FALLOUT CONTINUES AFTER BRAZEN ESCAPE",
        "12 January 2010 @ 09: 29 pm\nFALLOUT CONTINUES AFTER BRAZEN ESCAPE\nThe Texas Department "
        "of Criminal Justice has made sweeping leadership changes at a Huntsville prison where an "
        "inmate managed to get a gun that he later used to escape, the agency announced Tuesday.",
    ),
    (
        "3_1ecb",
        "t3_ecb",
        "After more than three years and a tangled trail of frustrating legal delays, the man who "
        "killed four people in a brazen courthouse escape was sentenced Saturday",
        "Yet prosecutors who spent the last month urging jurors to sentence one of Atlanta's most "
        "notorious criminals to death were not celebrating.\n\"The community has spoken,\" Fulton "
        "County District Attorney Paul Howard said at an emotional press conference after the "
        "sentencing of Brian Nichols.\n\"Even though we are puzzled and terribly disappointed by "
        "the decision, we must accept the conclusion provided by our community.\"",
    ),
    (
        "3_1ecbplus",
        "t3_ecbplus",
        "Arcade Joseph Comeaux Jr, Prison Inmate, Pulls Gun On And Handcuffs Guards, Runs Away",
        "11 / 30 / 09 05: 40 PM ET\nA convicted sex offender sentenced to life in prison pulled a "
        "gun on two guards during a prison transfer Monday and held them hostage temporarily "
        "before fleeing on foot in one of the guard's uniforms, authorities said.\nAt the time of "
        "the escape, the inmate was in a wheelchair, which he claimed he needed to help move him "
        "around, officials said.",
    ),
    (
        "3_2ecb",
        "t3_ecb",
        "Now that Fulton County courthouse killer Brian Nichols has been sentenced to life without "
        "parole, one of the not yet answered questions is where the 37-year-old",
        "Superior Court Judge James Bodiford on Saturday suggested that Nichols should serve his "
        "time in the federal maximum security prison - known as Supermax - in Florence, Colo., "
        "which has the reputation as the nation's toughest and most secure prison.\nBodiford said "
        "he was surprised to learn during the trial that Nichols, who is committed of state "
        "crimes, could still serve his time in a federal prison.",
    ),
    (
        "3_2ecbplus",
        "t3_ecbplus",
        "Convicted Child Molestor Arcade Joseph Comeaux Jr. On The Lam in Texas",
        "Nov. 30, 2009\nA convicted child molester who was supposedly confined to a wheelchair "
        "overpowered two prison guards today, handcuffed them, stole their weapons and walked off "
        "wearing one of their uniforms.",
    ),
    (
        "3_3ecb",
        "t3_ecb",
        "Former Kutztown University football player Brian Nichols has received a sentence of life "
        "in prison without parole for a March 2005 shooting spree in an Atlanta ",
        "According to reports in an Atlanta newspaper:\nNichols was sentenced Saturday morning to "
        "seven life sentences and four sentences of life without parole plus 485 years.\nNichols "
        "was being tried for rape in March 2005 when he overpowered a female sheriff's deputy, "
        "took her gun and shot the judge in his rape trial and the court reporter.\nOutside the "
        "courtroom, Nichols shot and killed a sheriff's deputy sergeant.",
    ),
    (
        "3_3ecbplus",
        "t3_ecbplus",
        "Arcade Joseph Comeaux Jr: Texas Child Molester Escaped and Armed",
        "November 30, 2009 at 02: 22 pm\nTexas inmate Arcade Joseph Comeaux Jr. escaped when he "
        "was being transported to a prison in Beaumont from Huntsville.\nArcade Joseph Comeaux Jr. "
        "is a convicted sex offender serving a life sentence.\nComeaux escaped with a 12 - gauge "
        "shotgun and 2 semiautomatic pistols.",
    ),
    (
        "3_4ecb",
        "t3_ecb",
        "Fulton Courthouse killer Brian Nichols was sentenced Saturday morning to seven life "
        "sentences and four sentences of life without parole plus 485 years for the c",
        "Brian Nichols was saved from a death sentence by three jurors who were determined that he "
        "instead spend his life in prison, no matter how many people he killed.\nFulton County "
        "District Attorney Paul Howard suggested Saturday that the possibility of a death penalty "
        "was doomed - even before jury selection - by the three holdouts.",
    ),
    (
        "3_4ecbplus",
        "t3_ecbplus",
        "Texas Prison Escapee Added to U. S. Marshals '15 Most Wanted' List",
        "The U. S. Marshals have added to their ” 15 Most Wanted “ list of fugitives a man serving "
        "three life sentences who escaped custody during his transport from Huntsville, Texas, to "
        "Stiles, Texas.",
    ),
    (
        "3_5ecb",
        "t3_ecb",
        "A judge in Fulton County, Ga., sentenced Brian Nichols Saturday to multiple life prison "
        "sentences for his deadly 2005 rampage at Fulton Courthouse.",
        "Superior Court Judge James Bodiford sentenced Nichols to seven consecutive life sentences "
        "and four sentences of life without parole for the March 11, 2005, incident that left four "
        "people dead, The Atlanta Journal-Constitution reported.\n\"You'll be pleased to know that "
        "I'm not going to lecture too much this morning,\" Bodiford said.\n\"I'm not going to "
        "express outrage and I'm not going to express any feelings might have.",
    ),
    (
        "3_5ecbplus",
        "t3_ecbplus",
        "Texas convict Arcade Joseph Comeaux Jr., riding in wheelchair, pulls gun on guards, "
        "escapes on foot",
        "THURSDAY, DECEMBER 3, 2009, 9: 36 AM\nRewards totaling $30, 000 are offered for "
        "information leading to Texas prison escapee Arcade Joseph Comeaux Jr.\nDepartment of "
        "Corrections spokeswoman Michelle Lyons said Thursday that the convicted sex offender was "
        "still on the run.\nComeaux was in a wheelchair Monday when he pulled a gun on two guards "
        "during a transfer from a unit in Huntsville to one in Beaumont.",
    ),
    (
        "3_6ecb",
        "t3_ecb",
        "An Atlanta judge sentenced Brian Nichols to life in prison Saturday morning.",
        "He's the former Kutztown University football player who went on a shooting rampage at an "
        "Atlanta courthouse in 2005, killing four people.\nThe jury was unable to come to a "
        "decision after 30 hours of deliberation.\nThe judge, by law sentenced Nichols to "
        "consecutive maximum sentences on each of his charges.\nWhile Nichols did not recieve the "
        "death penalty, he will likely die in prison.\nDeath sentences in Georgia require a "
        "unanimous decision by a jury.",
    ),
    (
        "3_6ecbplus",
        "t3_ecbplus",
        "'Armed and Dangerous' Texas Inmate on The Loose",
        "Published November 30, 2009\nThe Texas Department of Criminal Justice is searching for an "
        "escaped inmate who is considered armed and dangerous, MyFoxHouston. com "
        "reports.\nOfficials said Arcade Joseph Comeaux Jr., 49, took two transport officers "
        "hostage on Monday morning and then escaped from the vehicle and took off on foot, "
        "MyFoxHouston. com reports.",
    ),
    (
        "3_7ecb",
        "t3_ecb",
        "A judge on Saturday sentenced the man who killed four people during a brazen courthouse "
        "escape to multiple life sentences with no chance of parole, and to hundr",
        "The man, Brian G. Nichols, 37, was found guilty last month of murder and dozens of other "
        "counts in the March 2005 rampage that led from a downtown courthouse to an Atlanta "
        "neighborhood and which ended with his capture the next day in a suburban county.\nJudge "
        "James G. Bodiford of Superior Court handed down the maximum sentence on each charge, to "
        "run consecutively.\n\"If there was any more I could give you, I would,\" Judge Bodiford "
        "said.",
    ),
    (
        "3_8ecb",
        "t3_ecb",
        "A Georgia judge handed Brian Nichols today four consecutive life sentences without the "
        "possibility for parole sentence today.",
        "He was convicted of killing four people, including a judge in a court room shooting in "
        "2005.\nA court officer was also killed outside the court and an off-duty officer the next "
        "day.\n\"I will not bring dishonor to the decision to spare my life,\" Nichols, 37, told the "
        "court.\n\"I'm giving you the maximum -- every day I could give you,\" Superior Court Judge "
        "James Bodiford said, in the same court where the killing occurred.",
    ),
    (
        "12_10ecb",
        "t12_ecb",
        "The Indian navy has captured 23 Somalian pirates.",
        "The pirates were about to board a vessel in the Gulf of Aden when they were "
        "apprehended.\nLast month, India's navy drew criticism after sinking a Thai fishing "
        "trawler that had been commandeered hours earlier by pirates, but the navy says it fired "
        "in self-defence.\nSomali pirates have become increasingly brazen, and recently seized a "
        "Saudi supertanker loaded with e75m worth of crude oil.",
    ),
    (
        "12_10ecbplus",
        "t12_ecbplus",
        "INS Sukanya intercepts pirate ships, arms seized",
        "November 12, 2011\nIndian navy has foiled a piracy attempt on 5 Indian merchant vessels "
        "in international waters.\nNavy's frigate INS Sukanya intercepted 3 pirate ships and "
        "seized arms and ammunition from the pirates.\nNews X has exclusive pictures of the anti - "
        "piracy operation.\nThis operation was part of the International efforts to secure high "
        "seas; India has been at the forefront of anti - piracy operations.",
    ),
    (
        "12_11ecb",
        "t12_ecb",
        "The Indian navy said it arrested 23 pirates who threatened a merchant vessel in the Gulf "
        "of Aden on Saturday, the latest in a series of recent clashes with Soma",
        "Indian forces repulsed the pirates as they were about to board the merchant ship, navy "
        "spokesman Commander Nirad Sinha said.\nThe pirates are from Somalia and Yemen, two "
        "countries surrounding the Gulf of Aden, Sinha said.\nNo further details were immediately "
        "available.\nLast month, India's navy drew criticism after sinking a Thai fishing trawler "
        "that had been commandeered hours earlier by pirates.",
    ),
    (
        "12_11ecbplus",
        "t12_ecbplus",
        "INS Sukanya foils piracy attempt in Gulf of Eden",
        "Sat Nov 12 2011, 01: 19 hrs\nWarship INS Sukanya on Thursday foiled a piracy attempt in "
        "the Gulf of Aden between Somalia and Yemen.\nThe ship was escorting a group of five "
        "merchant vessels through the Internationally Recognised Transit Corridor (IRTC) when the "
        "bid occurred.\nThis is the fifth anti - piracy operation carried out by the warship after "
        "it was sent for patrol missions to the Gulf of Aden in September.",
    ),
    (
        "12_12ecb",
        "t12_ecb",
        "In another successful anti-piracy operation, Navy warship on Saturday repulsed an attack "
        "on a merchant vessel in the Gulf of Aden and nabbed 23 Somali and Yemen",
        "The pirates on two speed boats had surrounded the merchant vessel flying the Ethiopian "
        "flag around noon, when INS Mysore warship intervened and warded off the attack, Navy "
        "spokesperson said.\nThe pirates had fired at the merchant vessel with their small arms, "
        "when it sent out a rescue call and the Indian warship, which was sailing nearby moved its "
        "Marine Commandos on a helicopter to help the distressed cargo vessel, he said.",
    ),
    (
        "12_13ecb",
        "t12_ecb",
        "The Indian navy captured 23 pirates in the Gulf of Aden after rescuing a merchant vessel "
        "that was being hijacked on Saturday, the Defence Ministry said.",
        "The Indian INS Mysore was patrolling the waters when it received a distress call from "
        "Ethiopian-flagged MV Gibe saying two boats were closing in and firing, a Defence Ministry "
        "statement said.\n\"On sighting the helicopter and Mysore, the boats disengaged from MV "
        "Gibe and attempted escape.\nMysore closed the vessels and ordered them to stop.\"",
    ),
    (
        "12_14ecb",
        "t12_ecb",
        "The Indian navy has captured 23 pirates who threatened a merchant vessel in the lawless "
        "waters of the Gulf of Aden.",
        "The Indians say the pirates were from Somalia and Yemen, two countries on the coast of "
        "the Gulf.\nAlso, a German naval helicopter thwarted another attack today on a freighter "
        "being chased by speedboats off Yemen.\nBoth ships that were targeted by the pirates are "
        "said to be Ethiopian.\nSomali pirates recently seized a Saudi supertanker loaded with "
        "$100 million of crude oil.",
    ),
    (
        "12_15ecb",
        "t12_ecb",
        "MSNBC is reporting that the Indian Navy claims they have captured 23 pirates in the Gulf "
        "of Aden.",
        "This the region where so many ships have recently been commandeered.\nThey had \"a large "
        "cache of weapons including 7 AK-47 rifles, a rocket propelled grenade launcher, and 3 "
        "machine guns.\"\nThey are taking the vessels to pirate controlled regions in Somalia, with "
        "an estimated 1,500 pirates.",
    ),
    (
        "12_16ecb",
        "t12_ecb",
        "Commandos from an Indian warship today caught pirates in the act in the Gulf of Aden and "
        "took 23 of them into custody, a spokesperson at naval headquarters said",
        "Indian naval ship Mysore, a destroyer, picked up a distress call from merchant vessel "
        "Gibe, which flies an Ethiopian flag, when it was 13 nautical miles (about 24km) from the "
        "cargo ship.\nDetails of what exactly happened are still awaited.\nThe Gibe was about 150 "
        "nautical miles (about 277km) from Aden when the pirates, said to be in a dhow or fishing "
        "vessel named Salaluddin, fired at it and tried to board it, according to information "
        "available now.",
    ),
    (
        "12_17ecb",
        "t12_ecb",
        "For the fourth time in two months, the Indian Navy on Saturday took the bandits head on "
        "foiling a piracy attempt and putting 23 pirates out of business.",
        "Indian Naval Services (INS) Mysore, the Indian Naval destroyer on anti-piracy patrol in "
        "the Gulf of Aden, rescued an Ethiopian ship, MV Gibe.\nPirates on a dhow and a smaller "
        "boat attacked this merchant ship about 1100 hrs IST, 150 nautical miles west of Aden, "
        "firing machine guns to scare the crew.\nThe Indian warship, which was escorting merchant "
        "ships some 13 miles away, responded to the distress call.",
    ),
    (
        "12_1ecbplus",
        "t12_ecbplus",
        "Updated: November 11, 2011 20: 09 IST",
        "Navy foils Somali pirate attack off Gulf of Aden\nThe Indian Navy patrolling the Gulf of "
        "Aden on Thursday thwarted a multi - boat attack by sea brigands on merchant vessels, "
        "apprehending 26 Somali pirates and confiscating arms and ammunition, in the fifth "
        "successful anti - piracy operation since September.",
    ),
    (
        "12_2ecbplus",
        "t12_ecbplus",
        "Indian ship thwarts piracy attempt in Gulf of Aden, 26 pirates arrested",
        "Updated: November 11, 2011 18: 50 IST\nIndian Naval ship, INS Sukanya, thwarted a piracy "
        "attack in the Gulf of Aden and captured three boats of the pirates.\nA statement from the "
        "Defence PRO says the incident happened yesterday when INS Sukanya was escorting a group "
        "of merchant vessels.\nFive pirate boats tried to attack these vessels but were challenged "
        "by the Indian Naval ship.",
    ),
    (
        "12_3ecbplus",
        "t12_ecbplus",
        "Indian Navy foils attack in Gulf of Aden, nabs 26 pirates",
        "Mumbai, Nov 11 -\nIndian Navy patrolling the Gulf of Aden yesterday thwarted a multi - "
        "boat attack by sea brigands on merchant vessels, apprehending 26 Somali pirates and "
        "confiscating arms and ammunition, in the fifth successful anti - piracy operation since "
        "September.\nAt about 9: 25 Thursday morning, navy personnel aboard warship INS Sukanya "
        "spotted a group of five suspicious boats speedily approaching the merchant vessels of her "
        "group.",
    ),
    (
        "12_4ecbplus",
        "t12_ecbplus",
        "Indian Navy captures 26 Somali pirates in Gulf of Aden",
        "Published on: Fri, 11 Nov 2011 at 09: 56 IST\nNew Delhi / Mumbai: An Indian warship "
        "foiled a five - boat pirate attack on merchant vessels transiting the Gulf of Aden on "
        "Friday capturing 26 Somani brigands on three of the skiffs and confiscating their "
        "weapons.",
    ),
    (
        "12_5ecbplus",
        "t12_ecbplus",
        "MUST SEE: Navy pins down Somali pirates in heroic face - off",
        "Last updated on: November 11, 2011 19: 04 IST\nIndian Naval Ship Sukanya, deployed on "
        "anti - piracy patrols in the Gulf of Aden under the operational control of the Western "
        "Naval Command, thwarted a multiple - boat attack by pirates on Thursday and rescued 26 "
        "Somali crewmembers.",
    ),
    (
        "12_6ecbplus",
        "t12_ecbplus",
        "Indian Naval Ship Interdicts Three Pirate Vessels In A Single Operation",
        "Posted on November 15, 2011 6: 07: 15 PM GMT+01: 0\nIndian Naval Ship Sukanya, presently "
        "deployed on anti - piracy patrols in the Gulf of Aden under the operational control of "
        "the Western Naval Command, found herself once again in the thick of things, thwarting a "
        "multiple - boat piracy attack on 10 Nov 11.",
    ),
]


def test_real_ecbplus_documents_cluster_into_their_events():
    index: dict[str, set[int]] = {}
    profiles: dict[int, c.IncidentProfile] = {}
    assignment: dict[str, int] = {}
    for doc_id, _gold, title, body in ECB_ROWS:  # file order, undated: no time window
        s = signals.signals(doc_id, title, body, None)
        keys = signals.retrieval_keys(s)
        candidates = sorted({inc for k in keys for inc in index.get(k, ())})
        decision = c.choose(s, [(inc, profiles[inc]) for inc in candidates])
        inc = decision.incident if decision.incident is not None else len(profiles)
        profiles[inc] = c.absorb(profiles.get(inc), s)
        assignment[doc_id] = inc
        for k in keys:
            index.setdefault(k, set()).add(inc)
    gold = {doc_id: event for doc_id, event, _, _ in ECB_ROWS}
    score = bcubed(gold, assignment)
    assert score.precision >= 0.95  # the two events of a topic are not merged
    assert score.f1 >= 0.8
    assert len(set(assignment.values())) <= 12


def test_two_events_of_one_kind_that_share_their_main_name_stay_apart_by_the_other_names():
    dunmore = news("f1", "Fire destroys Brantons store in Dunmore",
                   "A fire gutted the Brantons supermarket on Dunmore High Street overnight. Fire chief Alan "
                   "Pryce said crews from Dunmore and Brackley fought the blaze for six hours.", at=None)
    kestwick = news("f2", "Brantons store in Kestwick catches fire",
                    "Flames tore through the Brantons supermarket in Kestwick town centre. Inspector Mara Lindqvist "
                    "of Kestwick police said a man had been arrested on suspicion of arson.", at=None)
    again = news("f3", "Dunmore Brantons blaze: store cannot be saved",
                 "Alan Pryce, the fire chief, said the Brantons building on Dunmore High Street would be "
                 "demolished after crews from Brackley and Dunmore put out the fire.", at=None)
    incident = incident_of(dunmore)
    other, same = c.score(kestwick, incident), c.score(again, incident)
    assert other.parts["entities_beyond"] < 0 < same.parts["entities_beyond"]
    # The shared chain name and the words of a fire alone would have joined the other town's fire.
    assert other.total - other.parts["entities_beyond"] >= c.threshold(incident) > other.total
    assert c.choose(kestwick, [(1, incident)]).incident is None
    assert c.choose(again, [(1, incident)]).incident == 1


def test_names_beyond_the_main_one_are_left_to_the_catalogue_when_both_name_vendors():
    first = news("n1", *OUTLOOK_DOWN, vendors=["microsoft"])
    other = news("n2", *OUTLOOK_AGAIN, vendors=["microsoft"])
    assert "entities_beyond" not in c.score(other, incident_of(first)).parts
    assert "entities_beyond" in c.score(replace(other, vendors=frozenset()), incident_of(first)).parts


# --- whose outage it is --------------------------------------------------------------------------


def test_press_about_the_vendor_joins_its_status_post_incident_even_in_other_words():
    post = status("s1", "abc123", title="Elevated errors on the dashboard",
                  body="We are investigating elevated error rates affecting the dashboard and API.",
                  subject="vendor:acme")
    press = news("n1", "Acme is down: websites across the world show error pages",
                 "Thousands of sites that rely on the company showed error pages on Tuesday.",
                 at=T0 + timedelta(hours=1), subject="vendor:acme")
    without_subject = news("n2", *press_text(press), at=T0 + timedelta(hours=1))
    incident = incident_of(post)
    assert c.score(press, incident).parts["vendor_post"] == c.W_VENDOR_POST
    assert c.choose(press, [("acme", incident)]).incident == "acme"
    assert c.choose(without_subject, [("acme", incident)]).incident is None  # the words alone would not


def test_a_victim_and_the_root_provider_say_different_subjects():
    root = news("n1", "Cloud outage knocks out sites", "A configuration change broke the provider's network.",
                subject="vendor:acme-cloud")
    victim = news("n2", "Chatbot down for hours", "Users could not reach the chatbot during the cloud outage.",
                  subject="name:chatbot")
    assert c.score(victim, incident_of(root)).parts["subject"] == c.W_SUBJECT_CONFLICT


def press_text(s):
    return s.title, s.body


# --- post-incident reports -------------------------------------------------------------------------


def _outage(item_id, at, subject="vendor:microsoft", **facts):
    return incident_of(news(item_id, *OUTLOOK_DOWN, at=at, vendors=["microsoft"], subject=subject, **facts))


def test_a_post_incident_report_explains_the_latest_outage_of_its_subject_within_the_window():
    report = news("rca", "Microsoft explains what caused last week's Outlook outage", "A bad config change.",
                  at=T0 + timedelta(days=6), vendors=["microsoft"], subject="vendor:microsoft")
    older, latest = _outage("a", T0 - timedelta(days=3)), _outage("b", T0)
    other = _outage("c", T0 + timedelta(days=1), subject="vendor:google")
    decision = c.explained_incident(report, [("older", older), ("latest", latest), ("other", other)])
    assert decision.incident == "latest" and decision.score.parts == {"post_incident_report": 1.0}


def test_a_shared_incident_id_picks_the_outage_a_report_explains():
    report = news("rca", "Post-incident review", "Review of incident EX123456.", at=T0 + timedelta(days=6),
                  vendors=["microsoft"], subject="vendor:microsoft", incident_ids=["EX123456"])
    with_id = _outage("a", T0 - timedelta(days=2), incident_ids=["EX123456"])
    decision = c.explained_incident(report, [("with-id", with_id), ("latest", _outage("b", T0))])
    assert decision.incident == "with-id"


def test_a_report_naming_a_service_explains_that_services_outage_rather_than_a_later_one():
    report = news("rca", "Microsoft Outlook incident on January 6: what happened", "A bad config change.",
                  at=T0 + timedelta(days=6), vendors=["microsoft"], services=["outlook"], subject="vendor:microsoft")
    outlook = _outage("a", T0 - timedelta(days=1), services=["outlook"])
    later = _outage("b", T0, services=["teams"])
    assert c.explained_incident(report, [("outlook", outlook), ("later", later)]).incident == "outlook"


def test_a_report_of_an_outage_we_never_saw_or_long_ago_explains_nothing():
    report = news("rca", "Root cause of the outage", "Text.", at=T0 + c.POSTMORTEM_WINDOW + timedelta(days=2),
                  vendors=["microsoft"], subject="vendor:microsoft")
    assert c.explained_incident(report, [("old", _outage("a", T0))]).incident is None
    assert c.explained_incident(report, []).incident is None
    before_it = news("rca", "Root cause", "Text.", at=T0 - timedelta(days=1), vendors=["microsoft"],
                     subject="vendor:microsoft")
    assert c.explained_incident(before_it, [("later", _outage("a", T0))]).incident is None


# --- fragments ------------------------------------------------------------------------------------


def test_an_article_that_belongs_to_two_incidents_of_its_subject_bridges_them():
    subject = {"vendors": ["microsoft"], "subject": "vendor:microsoft"}
    first = incident_of(news("a", *OUTLOOK_DOWN, **subject))
    second = incident_of(news("b", *OUTLOOK_DOWN, at=T0 + timedelta(minutes=20), **subject))
    other = incident_of(news("c", *OUTLOOK_DOWN, vendors=["microsoft"], subject="name:teams"))
    bridge = news("d", *OUTLOOK_DOWN, at=T0 + timedelta(minutes=10), **subject)
    candidates = [("first", first), ("second", second), ("other", other)]
    assert c.bridged_fragments(bridge, "first", candidates) == ["second"]
    assert c.bridged_fragments(replace(bridge, subject=""), "first", candidates) == []


def test_two_incidents_the_vendor_keeps_apart_are_never_bridged():
    subject = {"vendors": ["microsoft"], "subject": "vendor:microsoft"}
    first = incident_of(status("a", "EX1", **subject), news("a2", *OUTLOOK_DOWN, **subject))
    second = incident_of(status("b", "EX2", **subject), news("b2", *OUTLOOK_DOWN, **subject))
    bridge = news("d", *OUTLOOK_DOWN, **subject)
    assert c.bridged_fragments(bridge, "first", [("first", first), ("second", second)]) == []


def test_two_posts_of_one_vendors_page_are_never_bridged_even_without_incident_ids():
    subject = {"vendors": ["microsoft"], "subject": "vendor:microsoft"}
    first = incident_of(status("a", "", **subject), news("a2", *OUTLOOK_DOWN, **subject))
    second = incident_of(status("b", "", **subject), news("b2", *OUTLOOK_DOWN, **subject))
    bridge = news("d", *OUTLOOK_DOWN, **subject)
    assert c.bridged_fragments(bridge, "first", [("first", first), ("second", second)]) == []


# --- continued coverage ---------------------------------------------------------------------------


def test_continued_coverage_joins_the_latest_live_incident_of_its_own_subject():
    follow_up = news("f", "Is Outlook down for you? Here are alternatives", "Text.", at=T0 + timedelta(hours=5),
                     vendors=["microsoft"], subject="vendor:microsoft")
    older, latest = _outage("a", T0 - timedelta(hours=2)), _outage("b", T0)
    other = _outage("c", T0 + timedelta(hours=1), subject="vendor:google")
    decision = c.continued_coverage(follow_up, [("older", older), ("latest", latest), ("other", other)])
    assert decision.incident == "latest" and decision.score.parts == {"continued_coverage": 1.0}


def test_continued_coverage_needs_a_live_incident_of_the_same_subject_in_its_window():
    late = news("f", "Outlook error pages everywhere", "Text.",
                at=T0 + c.CONTINUED_COVERAGE_WINDOW + timedelta(hours=1), subject="vendor:microsoft")
    assert c.continued_coverage(late, [("a", _outage("a", T0))]).incident is None
    early = news("f", "Outlook error pages everywhere", "Text.", at=T0 - timedelta(hours=1), subject="vendor:microsoft")
    assert c.continued_coverage(early, [("a", _outage("a", T0))]).incident == "a"  # hours before its first report
    too_early = news("f", "Outlook error pages everywhere", "Text.",
                     at=T0 - c.EARLIER_COVERAGE_WINDOW - timedelta(hours=1), subject="vendor:microsoft")
    assert c.continued_coverage(too_early, [("a", _outage("a", T0))]).incident is None
    no_subject = news("f", "Error pages everywhere", "Text.", at=T0 + timedelta(hours=1))
    assert c.continued_coverage(no_subject, [("a", _outage("a", T0))]).incident is None


def test_only_news_with_a_subject_and_some_outage_probability_is_looked_up_as_continued_coverage():
    item = news("f", "Outlook error pages everywhere", "Text.", subject="vendor:microsoft")
    assert c.may_continue_coverage(item, c.CONTINUED_COVERAGE_PROBABILITY)
    assert not c.may_continue_coverage(item, c.CONTINUED_COVERAGE_PROBABILITY / 2)  # launches, reviews, deals
    assert not c.may_continue_coverage(news("f", "Error pages everywhere", "Text."), 0.5)
    assert not c.may_continue_coverage(news("f", "Outlook error pages everywhere", "Text.", at=None,
                                            subject="vendor:microsoft"), 0.5)  # undated: placed in no time


def test_doubted_reports_of_one_subject_from_two_outlets_corroborate_each_other():
    # threshold 0.3: each report needs 0.15; 0.2 and 0.2 combine to 0.36
    earlier = [("a", "one.example", 0.2, "Gizmo glitch?"), ("b", "one.example", 0.16, "Gizmo glitch: more"),
               ("c", "two.example", 0.05, "Gizmo deals")]
    assert c.corroborating(0.2, "three.example", "Gizmo errors", earlier, threshold=0.3) == ["a", "b"]
    # an outlet does not corroborate itself
    assert c.corroborating(0.2, "one.example", "Gizmo errors", earlier, threshold=0.3) == []
    # too doubtful to need a witness
    assert c.corroborating(0.1, "three.example", "Gizmo errors", earlier, threshold=0.3) == []
    assert c.may_be_corroborated(0.15, threshold=0.3) and not c.may_be_corroborated(0.1, threshold=0.3)
    assert c.corroborating(0.2, "three.example", "Gizmo errors", [earlier[2]], threshold=0.3) == []
    # one outlet's reports count once: two of them at 0.16 are not two witnesses
    one_outlet = [("a", "one.example", 0.16, "Gizmo glitch?"), ("b", "one.example", 0.16, "Gizmo glitch: more")]
    assert c.corroborating(0.16, "three.example", "Gizmo errors", one_outlet, threshold=0.3) == []
    two_outlets = [("a", "one.example", 0.16, "Gizmo glitch?"), ("b", "two.example", 0.16, "Gizmo glitch: more")]
    assert c.corroborating(0.16, "three.example", "Gizmo errors", two_outlets, threshold=0.3) == ["a", "b"]


def test_a_syndicated_copy_is_no_second_witness():
    copy_of_the_item = [("a", "one.example", 0.2, "Gizmo errors? What to know")]
    assert c.corroborating(0.2, "two.example", "Gizmo errors? What to know", copy_of_the_item, threshold=0.3) == []
    one_story_twice = [("a", "one.example", 0.16, "Gizmo glitch?"), ("b", "two.example", 0.16, "Gizmo glitch?")]
    assert c.corroborating(0.16, "three.example", "Gizmo errors", one_story_twice, threshold=0.3) == []
