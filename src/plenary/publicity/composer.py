"""Words a release from its facts, in English and in Traditional Chinese.

Sentence frames live here; every number, name and date in them comes from ``ReleaseFacts``.
A fact the programme does not hold (no ceremony, no sharing session, no officials) leaves its
sentence out rather than inventing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plenary.programmes.models import Session
from plenary.publicity import wording as w
from plenary.publicity.selectors import ReleaseFacts, local_date

MODE_EN = {
    Session.Mode.HYBRID: "in hybrid mode in both physical and online formats",
    Session.Mode.ONLINE: "online",
    Session.Mode.IN_PERSON: "in person",
}
MODE_ZH = {
    Session.Mode.HYBRID: "以實體及網上混合模式",
    Session.Mode.ONLINE: "以網上形式",
    Session.Mode.IN_PERSON: "以實體形式",
}


@dataclass
class Draft:
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str


@dataclass
class Remark:
    speaker_id: int
    text_en: str
    text_zh: str


def _name_zh(organisation) -> str:
    return organisation.name_zh or organisation.name_en


def compose(facts: ReleaseFacts, remarks: list[Remark] | None = None) -> Draft:
    remarks = remarks or []
    en = _english(facts, remarks)
    zh = _chinese(facts, remarks)
    return Draft(title_en=en[0], title_zh=zh[0], body_en="\n\n".join(en[1]), body_zh="\n\n".join(zh[1]))


def _ordered_remarks(facts: ReleaseFacts, remarks: list[Remark], field: str) -> list[str]:
    order = {speaker.pk: index for index, speaker in enumerate(facts.officials)}
    ordered = sorted(
        remarks, key=lambda remark: (order.get(remark.speaker_id, len(order)), remark.speaker_id)
    )
    texts = []
    for remark in ordered:
        texts.extend(part.strip() for part in getattr(remark, field).split("\n\n") if part.strip())
    return texts


GENERIC_CLOSING = re.compile(
    r"^(?:the\s+)?(?:(?:summary|closing|concluding|final|sharing)(?:\s+(?:and|&)\s+|\s+))+"
    r"(?:session|ceremony|meeting|forum|seminar)$",
    re.IGNORECASE,
)
GENERIC_CEREMONY = re.compile(r"^(?:the\s+)?[a-z -]*ceremony$", re.IGNORECASE)
SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "from"}
KIND_EN = {
    Session.Kind.CEREMONY: "ceremony",
    Session.Kind.LECTURE: "lecture",
    Session.Kind.SHARING: "sharing session",
    Session.Kind.WORKSHOP: "workshop",
    Session.Kind.OTHER: "session",
}
KIND_ZH = {
    Session.Kind.CEREMONY: "典禮",
    Session.Kind.LECTURE: "講座",
    Session.Kind.SHARING: "分享會",
    Session.Kind.WORKSHOP: "工作坊",
    Session.Kind.OTHER: "活動",
}
OTHER_MODE_EN = {Session.Mode.ONLINE: " online", Session.Mode.HYBRID: " in person and online"}


def title_case(text: str) -> bool:
    """ "Carers Support Training 2027" is a name (kept as written); "Training workshops on …" is a
    description in sentence case (lowered inside a sentence)."""
    words = [
        word for word in re.findall(r"[A-Za-z][A-Za-z'’-]*", text)[1:] if word.lower() not in SMALL_WORDS
    ]
    if not words:
        return False
    return sum(word[0].isupper() for word in words) * 2 > len(words)


def name_en(title: str) -> str:
    """The programme named inside a sentence: "training workshops on …", or "the Carers Support Training"."""
    if title_case(title):
        return title if title.lower().startswith("the ") else f"the {title}"
    return w.lower_first(title)


def quoted_en(title: str) -> str:
    return f"“{title.strip()}”"


def _topic_en(topic: str, quote: bool) -> str:
    return quoted_en(topic) if quote else w.lower_first(topic)


def _count_people_en(count: int, singular: str, plural: str) -> str:
    figure = w.words_en(count) if count < 100 else w.registrants_en(count)
    return f"{figure} {singular if count == 1 else plural}"


def _english(facts: ReleaseFacts, remarks: list[Remark]) -> tuple[str, list[str]]:
    programme = facts.programme
    named = name_en(programme.title_en)
    described = not title_case(programme.title_en)  # "training workshops on …" rather than a name
    the_named = f"the {named}" if described else named
    short = _plural_noun_en(named) if described else "programme"
    closing = facts.closing
    generic_closing = bool(closing and GENERIC_CLOSING.match(closing.title_en.strip()))
    if closing and generic_closing:
        title = f"{w.upper_first(w.lower_first(closing.title_en))} of {named} concludes successfully"
    elif closing:
        title = f"{w.upper_first(programme.title_en)} concludes successfully"
    else:
        title = w.upper_first(programme.title_en)
    if facts.photos:
        title += " (with photos)"

    paragraphs = []
    opening = []
    organisers = w.join_en(
        [
            "the " + (org.name_en[4:] if org.name_en.lower().startswith("the ") else org.name_en)
            for org in facts.organisers
        ]
    )
    when = f" from {w.date_range_en(*facts.workshop_dates)}" if facts.workshop_dates else ""
    if when and facts.workshop_dates[0] == facts.workshop_dates[1]:
        when = f" on {w.date_en(facts.workshop_dates[0])}"
    if organisers:
        jointly = "jointly organised" if len(facts.organisers) > 1 else "organised"
        opening.append(f"{w.upper_first(organisers)} {jointly} {named}{when}.")
    else:
        opening.append(f"{w.upper_first(named)} took place{when}.")
    if closing:
        mode = MODE_EN.get(closing.mode, "")
        day = w.date_en(local_date(programme, closing))
        if generic_closing:
            opening.append(
                f"A {w.lower_first(closing.title_en)} was held on {day} {mode}.".replace(" .", ".")
            )
        else:
            opening.append(
                f"The closing sharing session, {quoted_en(closing.title_en)}, was held on {day} {mode}.".replace(
                    " .", "."
                )
            )
    paragraphs.append(" ".join(opening))

    people = []
    if facts.officials:
        names = [official.with_post_en for official in facts.officials]
        if len(names) == 1:
            subject = f"{names[0]},"
        else:
            # "The Secretary …, Mr Chris Sun, and the Director …, Miss Charmaine Lee, attended …"
            subject = " ".join(f"{name}," for name in names[:-1]) + f" and {names[-1]},"
        verb = "attended the session in person and shared " + ("their views" if len(names) > 1 else "views")
        people.append(f"{w.upper_first(subject)} {verb}.")
    if facts.managers_shared:
        count = w.people_en(facts.managers_shared)
        noun = "member" if facts.managers_shared == 1 else "members"
        also = " also" if facts.officials else ""
        people.append(
            f"{w.upper_first(count)} {noun} from the management of participating organisations{also} "
            f"spoke on their reflections on the {short}."
        )
    if people:
        paragraphs.append(" ".join(people))

    paragraphs.extend(_ordered_remarks(facts, remarks, "text_en"))

    closing_paragraph = []
    if facts.ceremony:
        day = w.date_en(local_date(programme, facts.ceremony))
        if GENERIC_CEREMONY.match(facts.ceremony.title_en.strip()):
            closing_paragraph.append(
                f"The {w.lower_first(facts.ceremony.title_en)} of {the_named} was held on {day}."
            )
        else:
            closing_paragraph.append(f"The ceremony {quoted_en(facts.ceremony.title_en)} was held on {day}.")
    if facts.lectures:
        count = len(facts.lectures)
        online = all(lecture.session.mode == Session.Mode.ONLINE for lecture in facts.lectures)
        noun = ("online " if online else "") + ("lecture" if count == 1 else "lectures")
        sentence = f"{w.upper_first(w.words_en(count))} {noun} {'was' if count == 1 else 'were'} delivered"
        if facts.lecturers:
            sentence += " by " + w.join_en([speaker.with_post_en for speaker in facts.lecturers])
        closing_paragraph.append(sentence + ".")
        topics = [lecture.topic_en for lecture in facts.topics if lecture.topic_en]
        if topics:
            quote = any(title_case(topic) for topic in topics)
            listed = w.join_en([_topic_en(topic, quote) for topic in topics])
            if len(topics) == 1:
                closing_paragraph.append(f"The topic was {listed}.")
            else:
                closing_paragraph.append(f"The topics included {listed}.")
    if facts.others:
        items = []
        for session in facts.others:
            place = ""
            if session.has_room and session.venue_id and getattr(session, "venue", None) is not None:
                place = f" at {session.venue.name_en}"
            mode = OTHER_MODE_EN.get(session.mode, "") if not place else ""
            items.append(
                f"the {KIND_EN.get(session.kind, 'session')} {quoted_en(session.title_en)} on "
                f"{w.date_en(local_date(programme, session))}{place}{mode}"
            )
        closing_paragraph.append(f"The {short} also included {w.join_en(items)}.")
    if facts.registrants:
        if facts.registrants >= 1000:
            closing_paragraph.append(
                f"The {short} received an overwhelming response, with "
                f"{w.registrants_en(facts.registrants)} registrants."
            )
        else:
            people_count = _count_people_en(facts.registrants, "person", "people")
            verb = "registered"
            closing_paragraph.append(f"{w.upper_first(people_count)} {verb}.")
    if closing_paragraph:
        paragraphs.append(" ".join(closing_paragraph))

    for photo in facts.photos:
        if photo.caption_en:
            paragraphs.append(f"Photo shows {w.lower_first(photo.caption_en).rstrip('.')}.")
    return title, paragraphs


def _plural_noun_en(workshops: str) -> str:
    """ "training workshops on the spirit of …" → "training workshops" (the short form used again)."""
    head = workshops.split(" on ", 1)[0].split(" for ", 1)[0]
    return head if len(head) < len(workshops) else "programme"


def _chinese(facts: ReleaseFacts, remarks: list[Remark]) -> tuple[str, list[str]]:
    programme = facts.programme
    workshops = programme.title_zh or programme.title_en
    closing = facts.closing
    generic_closing = bool(closing and GENERIC_CLOSING.match(closing.title_en.strip()))
    closing_zh = (closing.title_zh or closing.title_en) if closing else ""
    if closing and generic_closing:
        title = f"{workshops}{closing_zh}圓滿結束"
    elif closing:
        title = f"{workshops}圓滿結束"
    else:
        title = workshops
    if facts.photos:
        title += "（附圖）"

    paragraphs = []
    opening = []
    organisers = w.join_zh([_name_zh(org) for org in facts.organisers])
    when = f"於{w.date_range_zh(*facts.workshop_dates)}" if facts.workshop_dates else ""
    if organisers:
        verb = "合辦" if len(facts.organisers) > 1 else "舉辦"
        opening.append(f"{organisers}{when}{verb}{workshops}。")
    else:
        opening.append(f"{workshops}{when}舉行。")
    if closing:
        day = w.date_zh(local_date(programme, closing))
        named = closing_zh if generic_closing else f"總結分享會「{closing_zh}」"
        opening.append(f"{named}於{day}{MODE_ZH.get(closing.mode, '')}舉行。")
    paragraphs.append("".join(opening))

    people = []
    if facts.officials:
        people.append(f"{w.join_zh([official.with_post_zh for official in facts.officials])}親身出席並分享。")
    if facts.managers_shared:
        also = "亦" if facts.officials else ""
        people.append(
            f"{w.people_zh(facts.managers_shared)}名參與機構的管理層代表{also}分享了參與培訓的體會。"
        )
    if people:
        paragraphs.append("".join(people))

    paragraphs.extend(_ordered_remarks(facts, remarks, "text_zh"))

    closing_paragraph = []
    if facts.ceremony:
        ceremony = facts.ceremony.title_zh or facts.ceremony.title_en
        day = w.date_zh(local_date(programme, facts.ceremony))
        if GENERIC_CEREMONY.match(facts.ceremony.title_en.strip()):
            closing_paragraph.append(f"{workshops}{ceremony}已於{day}舉行。")
        else:
            closing_paragraph.append(f"典禮「{ceremony}」已於{day}舉行。")
    if facts.lectures:
        count = len(facts.lectures)
        online = all(lecture.session.mode == Session.Mode.ONLINE for lecture in facts.lectures)
        sentence = f"期間共舉辦{w.measure_zh(count)}場{'網上' if online else ''}講座"
        if facts.lecturers:
            sentence = f"期間由{w.join_zh([s.with_post_zh for s in facts.lecturers])}主講{w.measure_zh(count)}場{'網上' if online else ''}講座"
        if facts.topics:
            topics = w.join_zh([lecture.topic_zh or lecture.topic_en for lecture in facts.topics])
            sentence += f"，主題包括{topics}" if len(facts.topics) > 1 else f"，主題為{topics}"
        closing_paragraph.append(sentence + "。")
    if facts.others:
        items = []
        for session in facts.others:
            place = ""
            if session.has_room and session.venue_id and getattr(session, "venue", None) is not None:
                place = f"在{session.venue.name_zh or session.venue.name_en}"
            elif session.mode == Session.Mode.ONLINE:
                place = "以網上形式"
            items.append(
                f"於{w.date_zh(local_date(programme, session))}{place}舉行的"
                f"{KIND_ZH.get(session.kind, '活動')}「{session.title_zh or session.title_en}」"
            )
        closing_paragraph.append(f"活動另包括{w.join_zh(items)}。")
    if facts.registrants:
        if facts.registrants >= 1000:
            closing_paragraph.append(f"活動反應熱烈，登記人數{w.registrants_zh(facts.registrants)}名。")
        else:
            figure = (
                w.words_zh(facts.registrants)
                if facts.registrants < 100
                else w.registrants_zh(facts.registrants)
            )
            closing_paragraph.append(f"共有{figure}人登記參加。")
    if closing_paragraph:
        paragraphs.append("".join(closing_paragraph))

    for photo in facts.photos:
        caption = photo.caption_zh or photo.caption_en
        if caption:
            paragraphs.append(f"圖示{caption.rstrip('。')}。")
    return title, paragraphs


def remarks_position(facts: ReleaseFacts) -> int:
    """Where remarks go among a composed release's paragraphs: after the opening and the people."""
    return 1 + bool(facts.officials or facts.managers_shared)
