"""The API's parameters: their types, one error shape, and the schema that states them.

Every parameter is declared with its bounds and allowed values, so Ninja's validation (pydantic)
checks it and the OpenAPI schema states it; every refusal is a 400 in one shape (ProblemOut),
never Ninja's own 422. Values from a vocabulary that the NCPI team edits (taxonomy slugs) are
checked against the database on each request and listed as the schema's `enum` each time the
schema is served (`with_vocabularies`), so the schema never goes stale.
"""

import re
from typing import Annotated

from django.utils.datastructures import MultiValueDict
from ninja import Schema
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from . import text

VOCABULARY = "x-vocabulary"
# Vocabulary name -> a function returning its values, in the order the schema lists them.
VOCABULARIES = {}


class ProblemOut(Schema):
    """What the API answers when it cannot: a bad parameter (400) or too many requests (429)."""

    detail: str = Field(description="What is wrong, in a sentence: what to change.")
    parameter: str = Field(description="The first parameter at fault; empty if none is.")
    errors: dict[str, list[str]] = Field(
        description="Every parameter at fault, with what is wrong with it."
    )


class BadParameters(Exception):
    """Raised by a view for a parameter its types cannot check; answered as a 400 ProblemOut."""

    def __init__(self, errors, detail=None):
        self.errors = errors
        self.detail = detail or "; ".join(
            f"{name}: {message}" for name, messages in errors.items() for message in messages
        )
        super().__init__(self.detail)


def problem(detail, errors=None):
    errors = errors or {}
    return {"detail": detail, "parameter": next(iter(errors), ""), "errors": errors}


def _refuse(message, **context):
    return PydanticCustomError("bad_parameter", message, context)


def whole_number(minimum, maximum):
    """An integer parameter written in ASCII digits, from `minimum` to `maximum`: "٣", "+3",
    "3.0" and "1_0" are refused, though Python and pydantic would read them as numbers."""
    message = f"must be a whole number from {minimum:,} to {maximum:,}"
    digits = len(str(maximum))

    def parse(value):
        if isinstance(value, str):
            # Leading zeros aside, a longer string is out of range (and int() would be slow).
            if not (value.isascii() and value.isdigit()) or len(value.lstrip("0")) > digits:
                raise _refuse(message)
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(message)
        if not minimum <= value <= maximum:
            raise _refuse(message)
        return value

    return Annotated[
        int,
        BeforeValidator(parse),
        Field(json_schema_extra={"minimum": minimum, "maximum": maximum}),
    ]


def _check_text(value):
    problem = text.text_problem(value)
    if problem:
        raise _refuse(text.MESSAGES[problem])
    return value


def free_text(max_length):
    """Words typed by a person: no control characters (portal.text), at most `max_length`."""
    return Annotated[
        str,
        Field(max_length=max_length, json_schema_extra={"pattern": text.TEXT_PATTERN}),
        AfterValidator(_check_text),
    ]


def matching(pattern, message):
    """A value that must match `pattern` (stated in the schema); `message` may quote {value}."""
    compiled = re.compile(pattern)

    def check(value):
        if not compiled.fullmatch(value):
            raise _refuse(message, value=text.printable(value))
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra={"pattern": pattern})]


def vocabulary(name, values, message):
    """A value from a vocabulary in the database: `values()` lists it (read on each request,
    once per request), `message` may quote the bad {value}."""
    VOCABULARIES[name] = values

    def check(value, info: ValidationInfo):
        request = (info.context or {}).get("request")
        known = getattr(request, "_api_vocabularies", {}) if request else {}
        if name not in known:
            known[name] = set(values())
            if request is not None:
                request._api_vocabularies = known
        if value not in known[name]:
            raise _refuse(message, value=text.printable(value))
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra={VOCABULARY: name})]


def values_of(item_type, max_items, description):
    """A repeatable parameter (`?theme=a&theme=b`) of at most `max_items` values."""
    return Annotated[list[item_type], Field(max_length=max_items, description=description)]


def reject_unknown(request, params_schema):
    """A misspelt parameter is an error, not silently ignored."""
    known = list(params_schema.model_fields)
    unknown = sorted(set(request.GET) - set(known))
    if unknown:
        raise BadParameters(
            {name: ["is not a parameter of this endpoint"] for name in unknown},
            detail=f"Unknown parameter '{text.printable(unknown[0])}'. Use: {', '.join(known)}",
        )


def with_vocabularies(schema):
    """The OpenAPI schema with each vocabulary marker replaced by the vocabulary's values."""
    if isinstance(schema, dict):
        name = schema.pop(VOCABULARY, None)
        if name is not None:
            schema["enum"] = list(VOCABULARIES[name]())
        for value in schema.values():
            with_vocabularies(value)
    elif isinstance(schema, list):
        for value in schema:
            with_vocabularies(value)
    return schema


# Pydantic's error types for a value it could not use, in the API's words.
_BUILT_IN_MESSAGES = {
    "string_too_long": "must be {max_length:,} characters or fewer",
    "too_long": "takes {max_length:,} values or fewer",
    "literal_error": "must be one of {expected}",
}


def _message(error):
    if error["type"] == "bad_parameter":
        return error["msg"]
    template = _BUILT_IN_MESSAGES.get(error["type"])
    if template:
        return template.format(**error.get("ctx", {}))
    return error["msg"][:1].lower() + error["msg"][1:]


def validation_problem(request, errors):
    """A ProblemOut body for Ninja's validation errors (one per value at fault)."""
    messages = {}
    for error in errors:
        # ("query", name) for a value, ("query", schema, name, index) for one in a list.
        location = error["loc"]
        name = next(str(part) for part in reversed(location) if isinstance(part, str))
        index = location[-1] if isinstance(location[-1], int) else 0
        given = request.GET.getlist(name)
        if index < len(given) and given[index] == "":
            message = "must not be empty: leave the parameter out instead"
        else:
            message = _message(error)
        if message not in messages.setdefault(name, []):
            messages[name].append(message)
    return problem(BadParameters(messages).detail, messages)


class QueryParser(Parser):
    """Ninja's parser, except that a parameter given twice where one value is expected is
    refused, rather than silently read as its last value."""

    def parse_querydict(self, data: MultiValueDict, list_fields, request):
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise BadParameters({key: ["must be given once"] for key in repeated})
        return super().parse_querydict(data, list_fields, request)
