#!/bin/sh
# Write a .env for docker-compose.yml with fresh random secrets (needs openssl).
#
#   infra/compose/generate-env.sh [production|development] > .env
#
# production (default): real email and SMS gateways are required; fill in SMTP_* and
#   SMS_GATEWAY_* below before `docker compose up`.
# development: the dev email/SMS providers record messages instead of sending them, and
#   GET /api/notify/dev/messages shows them (how you read an OTP when trying the stack).
# The file holds every secret of the deployment: keep it out of git (it is in .gitignore's
# spirit and in .dockerignore), readable by the operator only.
set -eu
mode=${1:-production}
case "$mode" in production|development) ;; *) echo "usage: $0 [production|development]" >&2; exit 2;; esac

hex() { openssl rand -hex "${1:-24}"; }
b64url() { openssl rand 32 | openssl base64 -A | tr '+/' '-_' | tr -d '='; }
kid="k$(date +%Y%m)"
jwt_key=$(openssl genpkey -algorithm ed25519 | awk 'BEGIN { ORS = "\\n" } { print }')

if [ "$mode" = production ]; then
  email_provider=smtp sms_provider=http cookie_secure=true
else
  email_provider=dev sms_provider=dev cookie_secure=false
fi

cat <<ENV
# motcua docker compose settings, generated $(date -u +%Y-%m-%dT%H:%MZ) for $mode.
COMPOSE_PROJECT_NAME=motcua
MOTCUA_ENV=$mode
LOG_LEVEL=INFO
PUBLIC_URL=http://localhost:8080
GATEWAY_PORT=8080

MONGO_ROOT_USER=motcua
MONGO_ROOT_PASSWORD=$(hex)
RABBITMQ_USER=motcua
RABBITMQ_PASSWORD=$(hex)
REDIS_PASSWORD=$(hex)
MINIO_ROOT_USER=motcua-admin
MINIO_ROOT_PASSWORD=$(hex)
CATALOG_S3_ACCESS_KEY=catalog-$(hex 6)
CATALOG_S3_SECRET_KEY=$(hex)
SUBMISSION_S3_ACCESS_KEY=submission-$(hex 6)
SUBMISSION_S3_SECRET_KEY=$(hex)

IDENTITY_PII_KEYS=$kid:$(b64url)
IDENTITY_PII_ACTIVE_KEY=$kid
IDENTITY_LOOKUP_KEYS=$kid:$(b64url)
IDENTITY_LOOKUP_ACTIVE_KEY=$kid
IDENTITY_OTP_HASH_KEY=$(b64url)
IDENTITY_JWT_PRIVATE_KEY='$jwt_key'
TRACKING_CCCD_HASH_KEY=$(b64url)
TRACKING_PII_KEYS=$kid:$(b64url)
TRACKING_PII_ACTIVE_KEY=$kid
SUBMISSION_PII_KEYS=$kid:$(b64url)
SUBMISSION_PII_ACTIVE_KEY=$kid
SUBMISSION_LOOKUP_KEYS=$kid:$(b64url)
SUBMISSION_LOOKUP_ACTIVE_KEY=$kid
NOTIFY_SEAL_KEY=$(b64url)
NOTIFY_PII_KEYS=$kid:$(b64url)
NOTIFY_PII_ACTIVE_KEY=$kid
NOTIFY_LOOKUP_KEYS=$kid:$(b64url)
NOTIFY_LOOKUP_ACTIVE_KEY=$kid
PORTAL_SECRET_KEY=$(b64url)
METRICS_TOKEN=$(b64url)
# The portal cookie is Secure (HTTPS only) in production: put a TLS proxy in front of the
# gateway, name it in GATEWAY_TRUSTED_PROXIES and set HSTS_MAX_AGE=31536000 once HTTPS works.
PORTAL_COOKIE_SECURE=$cookie_secure
GATEWAY_TRUSTED_PROXIES=
HSTS_MAX_AGE=0

EMAIL_PROVIDER=$email_provider
SMTP_HOST=
SMTP_PORT=587
SMTP_USERNAME=
SMTP_PASSWORD=
SMTP_STARTTLS=true
MAIL_FROM=no-reply@example.gov.vn
SMS_PROVIDER=$sms_provider
SMS_GATEWAY_URL=
SMS_GATEWAY_API_KEY=
ENV
