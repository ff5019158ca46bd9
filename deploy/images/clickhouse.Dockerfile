# Stand-in for clickhouse/clickhouse-server: the same modern engine the native runner serves, from
# the chdb-core wheel (tooling/runner/chserver.py), on the ports and paths of the upstream image
# (9000 native, 8123 HTTP, /var/lib/clickhouse), with the user from CLICKHOUSE_USER and
# CLICKHOUSE_PASSWORD. chdb-core is installed without its pandas/pyarrow extras: serving does not
# use them, and they would double the image.
ARG PYTHON_IMAGE=tracehouse/python:3.11-debian
FROM ${PYTHON_IMAGE}
ARG CHDB_VERSION=26.9.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends wget \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=secret,id=ca_cert --mount=type=cache,target=/root/.cache/pip \
    if [ -s /run/secrets/ca_cert ]; then export PIP_CERT=/run/secrets/ca_cert; fi; \
    python3 -m venv /opt/chdb \
 && /opt/chdb/bin/pip install --disable-pip-version-check --no-deps "chdb-core==${CHDB_VERSION}"
RUN groupadd --system clickhouse \
 && useradd --system --gid clickhouse --home-dir /var/lib/clickhouse --no-create-home clickhouse \
 && mkdir -p /var/lib/clickhouse /var/log/clickhouse-server /etc/clickhouse-server/config.d \
 && chown clickhouse:clickhouse /var/lib/clickhouse /var/log/clickhouse-server
WORKDIR /srv/tracehouse
COPY app/__init__.py app/__init__.py
COPY tooling/runner/__init__.py tooling/runner/chserver.py tooling/runner/chconfig.py tooling/runner/queries.py tooling/runner/
COPY deploy/clickhouse deploy/clickhouse
ENV PYTHONPATH=/srv/tracehouse PYTHONDONTWRITEBYTECODE=1
VOLUME /var/lib/clickhouse
USER clickhouse
EXPOSE 8123 9000
CMD ["/opt/chdb/bin/python", "-m", "tooling.runner.chserver", "--container"]
