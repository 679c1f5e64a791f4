from .pages import SEAT_HOLDING, EventIndexPage, EventPage, EventPageQuerySet
from .questions import EventQuestion, default_questions
from .registrations import (
    OTHER_ORGANISATION_LABEL,
    EmailCooldown,
    EventMessage,
    EventState,
    Feedback,
    Registration,
    RegistrationEmail,
)

__all__ = [
    "OTHER_ORGANISATION_LABEL",
    "SEAT_HOLDING",
    "EmailCooldown",
    "EventIndexPage",
    "EventMessage",
    "EventPage",
    "EventPageQuerySet",
    "EventQuestion",
    "EventState",
    "Feedback",
    "Registration",
    "RegistrationEmail",
    "default_questions",
]
