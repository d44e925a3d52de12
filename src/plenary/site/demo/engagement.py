"""Demo reflections and evaluations for the reference programme, from whatever registrations exist.

Deterministic for the seed: the same registrants answer with the same ratings on every run, and
what already exists is left as it is (idempotent).
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from plenary.engagement import services
from plenary.engagement.models import Answer, Reflection, Response
from plenary.programmes.models import AgendaItem, Session
from plenary.registrations.selectors import active_registrations
from plenary.site.demo import DemoContext

REFLECTIONS = [
    (
        "The lecture helped me see how national development connects with our daily social work. "
        "I will share the key points with my team."
    ),
    "講座內容充實，令我更了解國家發展方向與社福界的角色，會在機構內與同工分享。",
    "I found the examples of poverty alleviation practical; some ideas could work in our community centre.",
    "講者深入淺出，讓我反思如何在服務中加強與內地同工的交流。",
    "A well-organised session. I would welcome more time for questions from the floor.",
    "今次學習令我對內地社會工作的發展有新的認識，期望日後有更多交流機會。",
]
COMMENTS = [
    "Very informative.",
    "希望有更多答問時間。",
    "The online connection was stable.",
    "內容豐富，謝謝。",
    "Slides in advance would help.",
    "",
]
# Rating weights for 5, 4, 3, 2, 1 per question: content and speaker lean high, arrangements vary more.
WEIGHTS = [(45, 35, 14, 4, 2), (50, 30, 14, 4, 2), (30, 38, 20, 8, 4)]


def load(context: DemoContext) -> None:
    programme = context.programme
    sharing_slots = list(
        AgendaItem.objects.filter(session__programme=programme, kind=AgendaItem.Kind.SHARING).order_by(
            "session__starts_at", "order"
        )
    )
    registrations = list(active_registrations(programme).order_by("pk"))
    lectures = list(programme.sessions.filter(kind=Session.Kind.LECTURE).order_by("starts_at"))
    if not registrations:
        context.log.append("engagement: no registrations yet, so no reflections or responses")
        return
    slot_index = 0
    for number, lecture in enumerate(lectures):
        rng = random.Random(f"{context.seed}-engagement-{number}")
        with transaction.atomic():
            survey = services.ensure_survey(lecture)
            questions = list(survey.questions.all())
            answered = set(survey.responses.values_list("registration_id", flat=True))
            respondents = [r for r in registrations if rng.random() < 0.6]
            new = [r for r in respondents if r.pk not in answered]
            responses = Response.objects.bulk_create(Response(survey=survey, registration=r) for r in new)
            if responses and responses[0].pk is None:  # databases that do not return ids
                responses = list(survey.responses.filter(registration__in=new))
            answers = []
            for response in responses:
                for index, question in enumerate(questions):
                    if question.is_rating:
                        weights = WEIGHTS[min(index, len(WEIGHTS) - 1)]
                        rating = rng.choices([5, 4, 3, 2, 1], weights=weights)[0]
                        answers.append(Answer(response=response, question=question, rating=rating))
                    else:
                        comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
                        if comment:
                            answers.append(Answer(response=response, question=question, text=comment))
            Answer.objects.bulk_create(answers, batch_size=2000)

            # A separate random source, so that reflections do not depend on how many answers were drawn.
            pick = random.Random(f"{context.seed}-reflections-{number}")
            writers = pick.sample(registrations, min(8, len(registrations)))
            for index, registration in enumerate(writers):
                reflection, created = Reflection.objects.get_or_create(
                    registration=registration,
                    session=lecture,
                    defaults={"text": pick.choice(REFLECTIONS), "allow_publication": index % 4 != 3},
                )
                if not created:
                    continue
                # Two or three a lecture are selected; those with consent are published and shared on stage.
                if index < 3 - (number % 2):
                    reflection.is_selected = True
                    if reflection.allow_publication:
                        reflection.published_at = timezone.now()
                    if slot_index < len(sharing_slots):
                        reflection.sharing_item = sharing_slots[slot_index]
                        slot_index += 1
                    reflection.save()
    context.log.append(f"engagement: evaluations and reflections for {len(lectures)} lectures")
