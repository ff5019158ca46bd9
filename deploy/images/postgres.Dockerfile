# Stand-in for postgres:16 from Debian's PostgreSQL 15. Honours the upstream image's interface that
# compose.yaml uses: POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB on first start, data in
# /var/lib/postgresql/data, `pg_isready` for the healthcheck. Runs as `postgres` throughout.
ARG BASE_IMAGE=tracehouse/debian:bookworm
FROM ${BASE_IMAGE}
# No `main` cluster at install time: the entrypoint makes the one cluster, in the volume. LLVM
# (100 MB, a hard dependency) only serves JIT compilation, which the entrypoint turns off: the app's
# queries are short OLTP ones, where JIT costs more than it saves.
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/x86_64-linux-gnu/libLLVM-*.so* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 0700 /var/lib/postgresql/data
COPY deploy/images/postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
USER postgres
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["postgres-entrypoint"]
CMD ["postgres"]
