# The deployment image: web (gunicorn), worker and beat all run from it with different `make` targets.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SYSTEM_PYTHON=1 \
    DJANGO_SETTINGS_MODULE=inclusion_centre.settings.production

# WeasyPrint needs Pango and HarfBuzz; gettext compiles catalogues; make runs the same targets as CI;
# postgresql-client (15, bookworm's) gives `make backup` / `make restore` the pg_dump of the compose server's version.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make gettext postgresql-client libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app
WORKDIR /app

COPY pyproject.toml README.md ./
COPY inclusion_centre inclusion_centre
COPY students students
COPY routes routes
COPY documents documents
COPY audit audit
RUN pip install --no-cache-dir -e .

COPY . .
# Static files are collected at build time (WhiteNoise serves them, compressed and with hashed names).
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p var/private var/backups && chown -R app:app var

USER app
EXPOSE 8000
CMD ["make", "serve"]
