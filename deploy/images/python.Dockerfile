# Stand-in for python:3.11-slim, built from Debian's own Python 3.11 on the debootstrapped base
# (`./tracehouse images build --offline`). Provides what the app Dockerfile relies on: python3,
# `python3 -m venv` with pip, and CA certificates.
ARG BASE_IMAGE=tracehouse/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
