# The deployment image: web (gunicorn), worker and beat all run from it with different `make` targets.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SYSTEM_PYTHON=1 \
    DJANGO_SETTINGS_MODULE=inclusion_centre.settings.production

# WeasyPrint needs Pango and HarfBuzz; gettext compiles catalogues; make runs the same targets as CI;
# postgresql-client (15, bookworm's) gives `make backup` / `make restore` the pg_dump of the compose server's version;
# libldap-2.5-0 and libsasl2-2 are what python-ldap (directory sign-in) loads at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make gettext postgresql-client libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core libldap-2.5-0 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app
WORKDIR /app

COPY pyproject.toml README.md ./
COPY inclusion_centre inclusion_centre
COPY students students
COPY routes routes
COPY documents documents
COPY audit audit
# python-ldap has no wheel: it is built here against the OpenLDAP and SASL headers, which leave the image again in
# the same layer (the run-time libraries above stay, installed by name).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && pip install --no-cache-dir -e . \
    && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*

COPY . .
# Static files are collected at build time (WhiteNoise serves them, compressed and with hashed names).
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p var/private var/backups && chown -R app:app var

USER app
EXPOSE 8000
CMD ["make", "serve"]
