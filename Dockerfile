# One image for every Python service of the appliance: backend, platform, playground, queue
# and migrate. compose.yaml picks the process with `command:`; the CMD below is only a default.
#
# No `# syntax=` line: it makes BuildKit pull a frontend image, which a site without a registry
# cannot. The base is a build arg (PYTHON_IMAGE in .env) so a mirror or the offline stand-in
# (`./tracehouse images build --offline`) can replace it; it must provide python3 with venv.
ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: resolve and install the package and its dependencies into a venv ---------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# A venv is a self-contained directory we can copy into the runtime stage, leaving pip's
# build requirements and caches behind. (If a dependency ever lacks a wheel for this
# platform, install build-essential here: this stage is thrown away.)
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Only the dependencies go into the venv: the services run the source tree copied below (on
# PYTHONPATH), so a code change rebuilds two COPY layers and leaves this one cached. The list
# is pyproject's runtime dependencies; requirements.lock pins them (as constraints it applies
# to that set only, so dev tools stay out of the image).
COPY pyproject.toml requirements.lock ./
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt
# The pip cache is a build cache mount, so a rebuild downloads nothing it has seen. A CA bundle
# for TLS-intercepting networks comes in as the optional `ca_cert` build secret: it is never
# written to a layer.
RUN --mount=type=secret,id=ca_cert --mount=type=cache,target=/root/.cache/pip \
    if [ -s /run/secrets/ca_cert ]; then export PIP_CERT=/run/secrets/ca_cert; fi; \
    pip install --disable-pip-version-check -c requirements.lock -r requirements.txt

# ---- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# PYTHONPATH: import app/worker/playground from /srv/tracehouse whatever the working directory,
# so paths derived from __file__ (migrations/, deploy/) resolve inside the source tree.
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
COPY pyproject.toml ./
COPY app ./app
COPY worker ./worker
COPY playground ./playground
# Operator commands (`python -m tooling.cli user create`, `api-key create`) run in the app containers.
COPY tooling ./tooling
COPY migrations ./migrations
COPY deploy ./deploy

USER tracehouse

CMD ["python", "-m", "app.backend"]
