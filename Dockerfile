# The portal's production image: gunicorn by default; docker-compose.yml runs the Celery
# worker and beat from the same image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every wheel in the lock is
# binary (psycopg-binary bundles libpq), so no compiler or system library is needed.
COPY requirements.lock ./
RUN pip install -r requirements.lock

# The code belongs to root and is read-only for the app; var/ (media, beat's schedule) is the
# one place the app user writes.
COPY . .
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home app \
    && mkdir -p var/media \
    && chown -R app:app var

# Static files are collected into the image (var/static, served by WhiteNoise). Production
# settings refuse to load without their variables, so the build passes placeholders that are
# used for nothing else: no service is contacted and no secret is baked into the image.
RUN SECRET_KEY=collectstatic-placeholder-not-used-at-runtime \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/1 \
    CELERY_BROKER_URL=redis://build.invalid:6379/0 \
    EMAIL_URL=smtp://build.invalid:25 \
    ELASTICSEARCH_URL=http://build.invalid:9200 \
    PUBLIC_BASE_URL=https://build.invalid \
    python manage.py collectstatic --no-input --verbosity=0

USER app
EXPOSE 8000
# Access logging, with signed tokens and search words taken out, is set up by the config module.
CMD ["gunicorn", "portal.wsgi:application", "--config=python:portal.gunicorn_conf", "--bind=0.0.0.0:8000", "--workers=3"]
