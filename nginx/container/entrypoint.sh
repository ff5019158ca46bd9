#!/bin/sh
# Render the site template with the container's environment, then run nginx in the foreground.
# Only the template's own ${NAME} placeholders are substituted (nginx's $variables stay), and a
# placeholder with no value set is an error here rather than a broken config, as in the native
# runner (app/runner/nginx.py).
set -eu
template=/etc/tracehouse/tracehouse.conf.template
mkdir -p /tmp/nginx
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
