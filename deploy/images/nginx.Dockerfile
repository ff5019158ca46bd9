# Stand-in for nginx:1.27-alpine: Debian's nginx, with envsubst (gettext-base) and wget for the
# frontend image's entrypoint and healthcheck. The frontend Dockerfile brings its own main config,
# so nothing of Debian's site layout is used.
ARG BASE_IMAGE=tracehouse/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light gettext-base wget \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
 && mkdir -p /usr/share/nginx/html
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
