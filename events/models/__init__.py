from .pages import (
    SEAT_HOLDING,
    EventIndexPage,
    EventPage,
    EventPageQuerySet,
    EventQuestion,
    default_questions,
)
from .registrations import (
    EventMessage,
    EventState,
    Feedback,
    Registration,
    RegistrationEmail,
)

__all__ = [
    "SEAT_HOLDING",
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
