"""Reading and checking JSON Lines import files, shared by every app's import command.

An import is all or nothing: every record is read and checked before anything is written, and
the first bad record stops the import with its file, line and field named.
"""

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from . import text as text_rules


class ImportFailed(Exception):
    """A bad record: says where (file, line, field) and what is wrong."""

    def __init__(self, path, line, field, message):
        self.path, self.line, self.field, self.message = path, line, field, message
        where = f"{path}:{line}"
        described = f"{where}: field '{field}': {message}" if field else f"{where}: {message}"
        # Messages quote the bad value, which may hold the very characters that were refused.
        super().__init__(text_rules.printable(described))


@dataclass
class Record:
    """One parsed line, with typed accessors that raise ImportFailed naming the field."""

    path: str
    line: int
    data: dict

    def fail(self, field, message):
        raise ImportFailed(self.path, self.line, field, message)

    def check_fields(self, required, optional=()):
        missing = [name for name in required if name not in self.data]
        if missing:
            self.fail(missing[0], "is missing")
        unknown = sorted(set(self.data) - set(required) - set(optional))
        if unknown:
            self.fail(unknown[0], "is not a field of this format")

    def text(self, field, *, required=True, max_length=None, multiline=False):
        """A text field: one line (titles, names, slugs) unless `multiline` (prose)."""
        value = self.data.get(field)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(field, f"must be text, not {json_type(value)}")
        value = value.strip()
        if required and not value:
            self.fail(field, "must not be empty")
        if max_length and len(value) > max_length:
            self.fail(field, f"is {len(value)} characters long; the most allowed is {max_length}")
        self.check_text(field, value, multiline)
        return value

    def check_text(self, field, value, multiline=False):
        problem = (text_rules.text_problem if multiline else text_rules.line_problem)(value)
        if problem:
            self.fail(field, text_rules.MESSAGES[problem])

    def text_list(self, field, *, required=False):
        """A list of one-line values (names, slugs)."""
        value = self.data.get(field, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(field, "must be a list of text values")
        value = [item.strip() for item in value if item.strip()]
        if required and not value:
            self.fail(field, "must name at least one value")
        for item in value:
            self.check_text(field, item)
        return value

    def terms(self, field, model, *, required=False):
        """Taxonomy terms named by slug; an unknown slug is an error (terms are never made up)."""
        slugs = self.text_list(field, required=required)
        known = {term.slug: term for term in model.objects.filter(slug__in=slugs)}
        for slug in slugs:
            if slug not in known:
                self.fail(field, f"unknown {model._meta.verbose_name} '{slug}'")
        return [known[slug] for slug in dict.fromkeys(slugs)]

    def term(self, field, model, *, required=True):
        slug = self.text(field, required=required)
        if not slug:
            return None
        term = model.objects.filter(slug=slug).first()
        if term is None:
            self.fail(field, f"unknown {model._meta.verbose_name} '{slug}'")
        return term

    def date(self, field, *, required=True):
        value = self.data.get(field)
        if value in (None, "") and not required:
            return None
        if not isinstance(value, str):
            self.fail(field, "must be a date like 2024-02-08")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(field, f"'{value}' is not a date like 2024-02-08")

    def datetime(self, field):
        value = self.data.get(field)
        if not isinstance(value, str):
            self.fail(field, "must be a date and time like 2024-02-08T10:00:00+00:00")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(field, f"'{value}' is not a date and time like 2024-02-08T10:00:00+00:00")
        if parsed.tzinfo is None:
            self.fail(field, f"'{value}' has no time zone offset (add +00:00 or +01:00)")
        return parsed

    def optional_int(self, field, *, minimum, maximum):
        value = self.data.get(field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"must be a whole number or null, not {json_type(value)}")
        if not minimum <= value <= maximum:
            self.fail(field, f"must be from {minimum:,} to {maximum:,}")
        return value

    def choice(self, field, choices, default):
        value = self.data.get(field, default)
        allowed = [key for key, _label in choices]
        if value not in allowed:
            self.fail(field, f"'{value}' is not one of: {', '.join(v for v in allowed if v)}")
        return value

    def email(self, field):
        value = self.text(field, required=False, max_length=254)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.fail(field, f"'{value}' is not an email address")
        return value


def json_type(value):
    return {
        type(None): "null",
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def read_records(path, id_field="id"):
    """Parse every line of a JSON Lines file into Records; blank lines are skipped.

    Raises ImportFailed for malformed JSON, a line that is not an object, or a repeated id.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ImportFailed(path, 0, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ImportFailed(path, 0, None, f"not UTF-8 text ({exc.reason})") from None
    records, seen = [], {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFailed(
                path, number, None, f"invalid JSON: {exc.msg} at column {exc.colno}"
            ) from None
        except RecursionError:
            raise ImportFailed(path, number, None, "invalid JSON: nested too deeply") from None
        except ValueError:
            # Python refuses to read an integer of more than 4,300 digits.
            raise ImportFailed(path, number, None, "invalid JSON: a number is too long") from None
        if not isinstance(data, dict):
            raise ImportFailed(
                path, number, None, f"expected a JSON object, got {json_type(data)}"
            )
        record = Record(str(path), number, data)
        record_id = record.text(id_field, max_length=64)
        if record_id in seen:
            record.fail(id_field, f"'{record_id}' is repeated (first on line {seen[record_id]})")
        seen[record_id] = number
        records.append(record)
    if not records:
        raise ImportFailed(path, 0, None, "the file has no records")
    return records


def paragraphs_to_html(text):
    """Plain text with paragraphs split by a blank line, as safe rich text."""
    paragraphs = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)


def unique_child_slug(parent, title, external_id, page=None):
    """A readable slug for a new page that no sibling already uses."""
    base = slugify(title)[:80].strip("-") or slugify(external_id)
    siblings = parent.get_children()
    if page is not None and page.pk:
        siblings = siblings.exclude(pk=page.pk)
    if not siblings.filter(slug=base).exists():
        return base
    return f"{base[:60]}-{slugify(external_id)}"


def publish(page):
    """Save a revision and publish it, as an editor pressing Publish would."""
    page.save_revision(log_action=True).publish()


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)


class PageImporter:
    """Writes one page per checked record, all in one transaction (all or nothing): the page
    with the record's external_id is updated, or a new one is made under the listing page. A
    new page is not live until its relations and any view restriction are in place; then every
    page is published as an editor pressing Publish would. Subclasses say how values become a
    page: `split` takes out what is not a plain field, `assign` sets the plain fields, `relate`
    sets the rest once the page has a primary key, `after_publish` writes what hangs off it."""

    model = None
    index_model = None
    index_title = ""
    index_slug = ""
    noun = "records"

    def new_result(self):
        return ImportResult()

    def index(self):
        """The listing page, created under the home page the first time an import needs it."""
        index = self.index_model.objects.first()
        if index is None:
            from portal.models import HomePage

            home = HomePage.objects.first()
            if home is None:
                raise ImportFailed("(site)", 0, None, "there is no home page to import under")
            index = home.add_child(
                instance=self.index_model(title=self.index_title, slug=self.index_slug)
            )
            publish(index)
        return index

    def split(self, values):
        return values, {}

    def assign(self, page, fields, created):
        for name, value in fields.items():
            setattr(page, name, value)

    def relate(self, page, extra, result):
        pass

    def after_publish(self, page, extra, result):
        pass

    def write(self, cleaned, *, stdout=None):
        result = self.new_result()
        with transaction.atomic():
            index = self.index()
            existing = {
                page.external_id: page
                for page in self.model.objects.filter(
                    external_id__in=[values["external_id"] for values in cleaned]
                )
            }
            for number, values in enumerate(cleaned, start=1):
                fields, extra = self.split(dict(values))
                page = existing.get(fields["external_id"])
                created = page is None
                if created:
                    page = self.model(live=False)
                self.assign(page, fields, created)
                if created:
                    page.slug = unique_child_slug(index, page.title, page.external_id)
                    index.add_child(instance=page)
                    result.created.append(page)
                else:
                    result.updated.append(page)
                self.relate(page, extra, result)
                publish(page)
                self.after_publish(page, extra, result)
                if stdout and number % 25 == 0:
                    stdout.write(f"  {number}/{len(cleaned)} {self.noun} written")
        return result


class ImportCommand(BaseCommand):
    """A management command that imports one JSON Lines file with `import_file(path, stdout=)`
    and reports what it created and updated; subclasses set `noun` and `import_file`."""

    noun = "records"

    def import_file(self, path, *, stdout):
        raise NotImplementedError

    def summary(self, result):
        return ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a .jsonl file")

    def handle(self, *args, file, **options):
        self.stdout.write(f"Importing {self.noun} from {file}")
        try:
            result = self.import_file(file, stdout=self.stdout)
        except ImportFailed as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        created, updated = len(result.created), len(result.updated)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {created + updated} {self.noun} "
                f"({created} new, {updated} updated){self.summary(result)}."
            )
        )
