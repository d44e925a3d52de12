"""Words a release from its facts, in English and in Traditional Chinese.

Sentence frames live here; every number, name and date in them comes from ``ReleaseFacts``.
A fact the programme does not hold (no ceremony, no sharing session, no officials) leaves its
sentence out rather than inventing one.
"""

from __future__ import annotations

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


def _english(facts: ReleaseFacts, remarks: list[Remark]) -> tuple[str, list[str]]:
    programme = facts.programme
    workshops = w.lower_first(programme.title_en)
    closing = facts.closing
    if closing:
        title = f"{w.upper_first(closing.title_en)} of {workshops} concludes successfully"
    else:
        title = programme.title_en
    if facts.photos:
        title += " (with photos)"

    paragraphs = []
    opening = []
    organisers = w.join_en(
        [
            f"the {org.name_en}" if not org.name_en.lower().startswith("the ") else org.name_en
            for org in facts.organisers
        ]
    )
    when = f" from {w.date_range_en(*facts.workshop_dates)}" if facts.workshop_dates else ""
    if organisers:
        opening.append(f"{w.upper_first(organisers)} jointly organised {workshops}{when}.")
    else:
        opening.append(f"{w.upper_first(workshops)} were held{when}.")
    if closing:
        opening.append(
            f"A {w.lower_first(closing.title_en)} was held on {w.date_en(local_date(programme, closing))} "
            f"{MODE_EN.get(closing.mode, '')}.".replace(" .", ".")
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
            f"spoke on their reflections on the {_plural_noun_en(workshops)}."
        )
    if people:
        paragraphs.append(" ".join(people))

    paragraphs.extend(_ordered_remarks(facts, remarks, "text_en"))

    closing_paragraph = []
    if facts.ceremony:
        closing_paragraph.append(
            f"The {w.lower_first(facts.ceremony.title_en)} of the {workshops} was held on "
            f"{w.date_en(local_date(programme, facts.ceremony))}."
        )
    if facts.lectures:
        count = len(facts.lectures)
        online = all(lecture.session.mode == Session.Mode.ONLINE for lecture in facts.lectures)
        noun = ("online " if online else "") + ("lecture" if count == 1 else "lectures")
        sentence = f"{w.upper_first(w.words_en(count))} {noun} {'was' if count == 1 else 'were'} delivered"
        if facts.lecturers:
            sentence += " by " + w.join_en([speaker.with_post_en for speaker in facts.lecturers])
        closing_paragraph.append(sentence + ".")
        if facts.topics:
            topics = w.join_en(
                [w.lower_first(lecture.topic_en) for lecture in facts.topics if lecture.topic_en]
            )
            closing_paragraph.append(f"The topics included {topics}.")
    if facts.registrants:
        noun = "registrant" if facts.registrants == 1 else "registrants"
        closing_paragraph.append(
            f"The {_plural_noun_en(workshops)} received an overwhelming response with "
            f"{w.registrants_en(facts.registrants)} {noun}."
        )
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
    title = f"{workshops}{closing.title_zh or closing.title_en}圓滿結束" if closing else workshops
    if facts.photos:
        title += "（附圖）"

    paragraphs = []
    opening = []
    organisers = w.join_zh([_name_zh(org) for org in facts.organisers])
    when = f"於{w.date_range_zh(*facts.workshop_dates)}" if facts.workshop_dates else ""
    if organisers:
        opening.append(f"{organisers}{when}合辦{workshops}。")
    else:
        opening.append(f"{workshops}{when}舉行。")
    if closing:
        opening.append(
            f"{closing.title_zh or closing.title_en}於{w.date_zh(local_date(programme, closing))}"
            f"{MODE_ZH.get(closing.mode, '')}舉行。"
        )
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
        closing_paragraph.append(
            f"{workshops}{facts.ceremony.title_zh or facts.ceremony.title_en}已於"
            f"{w.date_zh(local_date(programme, facts.ceremony))}舉行。"
        )
    if facts.lectures:
        count = len(facts.lectures)
        online = all(lecture.session.mode == Session.Mode.ONLINE for lecture in facts.lectures)
        sentence = f"期間共舉辦{w.words_zh(count)}場{'網上' if online else ''}講座"
        if facts.lecturers:
            sentence = f"期間由{w.join_zh([s.with_post_zh for s in facts.lecturers])}主講{w.words_zh(count)}場{'網上' if online else ''}講座"
        if facts.topics:
            topics = w.join_zh([lecture.topic_zh or lecture.topic_en for lecture in facts.topics])
            sentence += f"，主題包括{topics}"
        closing_paragraph.append(sentence + "。")
    if facts.registrants:
        closing_paragraph.append(f"活動反應熱烈，登記人數{w.registrants_zh(facts.registrants)}名。")
    if closing_paragraph:
        paragraphs.append("".join(closing_paragraph))

    for photo in facts.photos:
        caption = photo.caption_zh or photo.caption_en
        if caption:
            paragraphs.append(f"圖示{caption.rstrip('。')}。")
    return title, paragraphs
