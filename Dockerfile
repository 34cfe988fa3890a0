# jet-match service image: `docker build -t jet-match .` then
#   docker run -p 8000:8000 -v jet-match-data:/data jet-match
# Set JET_MATCH_DATABASE_URL=postgresql+psycopg://user:pass@host/db for PostgreSQL.
# The container migrates the database, then serves the API with an embedded worker (which
# solves the runs) as a non-root user; compose.yaml runs the API, workers and PostgreSQL
# from this same image instead. docs/operations.md, "Deployment".

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
    JET_MATCH_LOG_JSON=true \
    JET_MATCH_PORT=8000
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
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health/live', timeout=4)"]
# `serve` migrates (failing fast on a bad URL), then runs uvicorn (port JET_MATCH_PORT;
# proxy headers trusted from FORWARDED_ALLOW_IPS, default 127.0.0.1) and one worker
# process beside it, restarted if it dies. SIGTERM stops both; a run in progress goes back
# to the queue. tests/e2e/test_deployment.py runs exactly this command.
STOPSIGNAL SIGTERM
CMD ["jet-match", "serve", "--host", "0.0.0.0"]
