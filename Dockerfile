FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e . 
COPY . .
ENV DJANGO_MODE=production PYTHONUNBUFFERED=1
RUN SECRET_KEY=build-only-secret-key-that-is-long-enough-to-pass-the-check-123 \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "-c", "mediation_center/gunicorn_conf.py", "mediation_center.wsgi:application"]
