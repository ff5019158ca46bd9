# syntax=docker/dockerfile:1
#
# One image for every Python service of the appliance: backend, platform, playground, queue
# and migrate. compose.yaml picks the process with `command:`; the CMD below is only a default.

# ---- build: resolve and install the package and its dependencies into a venv ---------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# A venv is a self-contained directory we can copy into the runtime stage, leaving pip's
# build requirements and caches behind. (If a dependency ever lacks a wheel for this
# platform, install build-essential here: this stage is thrown away.)
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# README* is optional (pyproject's `readme` may point at it); the glob lets the COPY succeed
# either way.
COPY pyproject.toml requirements.lock README* ./
COPY app ./app
COPY worker ./worker
COPY playground ./playground
# requirements.lock pins every dependency (the one `./tracehouse` and CI test with); as
# constraints it applies to the runtime set only, so dev tools stay out of the image.
RUN pip install --no-cache-dir -c requirements.lock .

# ---- runtime ---------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

# PYTHONPATH: import app/worker/playground from /srv/tracehouse rather than the venv's copy,
# whatever the working directory, so paths derived from __file__ (migrations/, deploy/) resolve
# inside the source tree.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/srv/tracehouse \
    PATH=/opt/venv/bin:$PATH

RUN groupadd --system tracehouse \
 && useradd --system --gid tracehouse --home-dir /srv/tracehouse --no-create-home \
        --shell /usr/sbin/nologin tracehouse

COPY --from=build /opt/venv /opt/venv

# The source tree is also laid out under /srv/tracehouse: the migrate runner reads
# migrations/postgres and migrations/clickhouse relative to the repo root, and deploy/ holds
# the ClickHouse config the runner shares with compose. Files stay root-owned: the services
# only read them.
WORKDIR /srv/tracehouse
COPY app ./app
COPY worker ./worker
COPY playground ./playground
COPY migrations ./migrations
COPY deploy ./deploy

USER tracehouse

CMD ["python", "-m", "app.backend"]
