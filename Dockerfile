# jet-match service image: `docker build -t jet-match .` then
#   docker run -p 8000:8000 -v jet-match-data:/data jet-match
# Set JET_MATCH_DATABASE_URL=postgresql+psycopg://user:pass@host/db for PostgreSQL.
# The container migrates the database, then serves with uvicorn as a non-root user.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
RUN python -m venv /opt/jet-match
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN /opt/jet-match/bin/pip install -c constraints.txt . \
    && /opt/jet-match/bin/python -c "import jet_match.main, jet_match.migrations"

FROM python:3.11-slim AS runtime
ENV PATH=/opt/jet-match/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    JET_MATCH_ENVIRONMENT=production \
    JET_MATCH_DATABASE_URL=sqlite:////data/jet-match.db \
    JET_MATCH_LOG_JSON=true
RUN groupadd --system --gid 10001 jet \
    && useradd --system --uid 10001 --gid jet --home-dir /app --no-create-home jet \
    && mkdir -p /app /data \
    && chown jet:jet /data
COPY --from=build /opt/jet-match /opt/jet-match
WORKDIR /app
USER jet:jet
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]
# Migrations first (fails fast on a bad URL), then the server, which becomes PID 1.
CMD ["sh", "-c", "jet-match migrate && exec uvicorn --factory jet_match.main:create_app --host 0.0.0.0 --port 8000 --no-access-log --proxy-headers --forwarded-allow-ips=${FORWARDED_ALLOW_IPS:-127.0.0.1}"]
