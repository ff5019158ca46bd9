# Stand-in for redis:7 from Debian's redis-server (7.0). Runs as `redis` with its data in /data,
# like the upstream image, which also turns protected mode off: the server is reachable only on the
# compose network, and with protected mode on (and no password) it would refuse every client there.
ARG BASE_IMAGE=tracehouse/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
COPY deploy/images/redis-entrypoint.sh /usr/local/bin/redis-entrypoint
WORKDIR /data
VOLUME /data
USER redis
EXPOSE 6379
ENTRYPOINT ["redis-entrypoint"]
CMD ["redis-server"]
