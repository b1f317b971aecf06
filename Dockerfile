# One image for migrate, web, the workers and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=caricc_portal.settings_production
# gettext: compiled catalogues; openssl: deploy/tls/ensure-cert.sh can also run here.
RUN apt-get update && apt-get install -y --no-install-recommends gettext openssl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# .dockerignore keeps secrets/, backups/, .env and local data out of the image.
COPY . .
# collectstatic needs a key to import production settings; it is not used at run time.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput --verbosity 0
RUN useradd --system --home /app portal && mkdir -p /app/var /data/private && chown -R portal /app/var /data/private
USER portal
EXPOSE 8000
CMD ["gunicorn", "caricc_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
