#!/bin/sh
# Configures the Konnect stand-in (audit-relay konnect) with the Konnect docs' own curl calls
# (the "Set up an audit log destination" page), only the host and TOKEN replaced, so that it
# delivers signed, gzip'd audit batches to the receiver. See docs/konnect-stand-in.md.
#
#   docker compose up --build -d && scripts/configure-stand-in.sh
#
# Settings (environment), with the docker-compose.yml defaults:
#   KONNECT_URL          the stand-in's API, as reached from here        http://127.0.0.1:8081
#   KONNECT_API_TOKEN    the stand-in's API token (--api-token)           local-konnect-token
#   SIEM_ENDPOINT        the receiver, as reached from the stand-in       https://siem:8443/audit-logs
#   SIEM_AUTHORIZATION   the receiver's --authorization value, verbatim   Bearer local-siem-token
#   LOG_FORMAT           cef, json or cps                                 cef
#
# skip_ssl_verification is true: the receiver's certificate is self-signed. That is the docs'
# "self-signed SSL certificates in a non-production environment" case, and only that.
set -eu

KONNECT_URL=${KONNECT_URL:-http://127.0.0.1:8081}
TOKEN=${KONNECT_API_TOKEN:-local-konnect-token}
SIEM_ENDPOINT=${SIEM_ENDPOINT:-https://siem:8443/audit-logs}
SIEM_AUTHORIZATION=${SIEM_AUTHORIZATION:-Bearer local-siem-token}
LOG_FORMAT=${LOG_FORMAT:-cef}

case "$SIEM_AUTHORIZATION$SIEM_ENDPOINT" in
  *'"'* | *'\'*) echo "configure-stand-in.sh: SIEM_ENDPOINT and SIEM_AUTHORIZATION must not contain \" or \\" >&2; exit 2 ;;
esac

# 0. Wait for the stand-in (it may have been started a moment ago, in the background).
attempt=0
until curl -sS -o /dev/null --fail "$KONNECT_URL/healthz" 2>/dev/null; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 30 ]; then
    echo "configure-stand-in.sh: the stand-in does not answer at $KONNECT_URL/healthz after 15 s: is audit-relay konnect running, and is KONNECT_URL right?" >&2
    exit 1
  fi
  sleep 0.5
done

# 1. Create (or update) the destination: the docs' PATCH, with skip_ssl_verification added.
curl -sS --fail-with-body -i -X PATCH "$KONNECT_URL/v2/audit-log-destinations" \
    --header "Content-Type: application/json" \
    --header "Authorization: Bearer $TOKEN" \
    --data "{\"endpoint\":\"$SIEM_ENDPOINT\",\"authorization\":\"$SIEM_AUTHORIZATION\",\"log_format\":\"$LOG_FORMAT\",\"skip_ssl_verification\":true}"
echo

# 2. Read it back: the docs' GET. It never shows the authorization value.
destination=$(curl -sS --fail-with-body "$KONNECT_URL/v2/audit-log-destinations" \
    --header "Authorization: Bearer $TOKEN")
echo "$destination"

# 3. Bind the org webhook to it and enable it (§1.5). The first PATCH above already did this for
#    a stand-in that was never configured; this makes it so after any earlier changes too.
id=$(printf '%s' "$destination" | sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p')
curl -sS --fail-with-body -X PATCH "$KONNECT_URL/v3/audit-log-webhook" \
    --header "Content-Type: application/json" \
    --header "Authorization: Bearer $TOKEN" \
    --data "{\"audit_log_destination_id\":\"$id\",\"enabled\":true}"
echo
echo "Delivering $LOG_FORMAT to $SIEM_ENDPOINT. Delivery status: curl -s $KONNECT_URL/v2/audit-log-webhook/status -H 'Authorization: Bearer <token>'"
