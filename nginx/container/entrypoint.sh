#!/bin/sh
# Render the site template with the container's environment, then run nginx in the foreground.
# Only the template's own ${NAME} placeholders are substituted (nginx's $variables stay), and a
# placeholder with no value set is an error here rather than a broken config, as in the native
# runner (tooling/runner/nginx.py).
set -eu
template=/etc/tracehouse/tracehouse.conf.template
mkdir -p /tmp/nginx

# TRUSTED_PROXIES (comma-separated addresses or CIDRs of the proxies in front, e.g. the TLS
# terminator) becomes nginx realip directives; anything else in it is refused. The native runner
# renders the same (tooling/runner/nginx.py, real_ip_config).
REAL_IP_CONFIG=""
for proxy in $(printf '%s' "${TRUSTED_PROXIES:-}" | tr ',' ' '); do
  if ! printf '%s' "$proxy" | grep -Eqx '[0-9A-Fa-f:.]+(/[0-9]{1,3})?'; then
    echo "tracehouse-nginx: TRUSTED_PROXIES: '$proxy' is not an IP address or CIDR" >&2
    exit 1
  fi
  REAL_IP_CONFIG="$REAL_IP_CONFIG set_real_ip_from $proxy;"
done
if [ -n "$REAL_IP_CONFIG" ]; then
  REAL_IP_CONFIG="$REAL_IP_CONFIG real_ip_header X-Forwarded-For; real_ip_recursive on;"
fi
export REAL_IP_CONFIG
# METRICS_TOKEN goes inside a quoted string of the config: only a base64/URL-safe alphabet, and
# long enough to be a secret. Empty: /metrics/* is not exposed. Mirrors tooling/runner/nginx.py.
if [ -n "${METRICS_TOKEN:-}" ] && ! printf '%s' "$METRICS_TOKEN" | grep -Eqx '[A-Za-z0-9._~+/=-]{16,64}'; then
  echo "tracehouse-nginx: METRICS_TOKEN must be 16-64 characters of A-Z a-z 0-9 . _ ~ + / = -" >&2
  exit 1
fi
names="$(grep -o '\${[A-Z][A-Z0-9_]*}' "$template" | sort -u | tr -d '${}')"
shell_format=""
for name in $names; do
  if ! eval "[ -n \"\${$name+set}\" ]"; then
    echo "tracehouse-nginx: $name is not set (needed by $template)" >&2
    exit 1
  fi
  shell_format="$shell_format \${$name}"
done
envsubst "$shell_format" < "$template" > /tmp/nginx/tracehouse.conf
if [ "$#" -gt 0 ]; then
  exec "$@"
fi
exec nginx -c /etc/tracehouse/nginx.conf -g 'daemon off;'
