#!/bin/sh
# One-shot MinIO set-up for compose (the minio-init service): the buckets, and one access key
# per service limited to its own bucket by a policy, so that catalog cannot read dossiers'
# attachments. Idempotent: safe to run on every `docker compose up`.
set -eu

mc alias set motcua http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"

setup() {  # service bucket access_key secret_key
  service=$1 bucket=$2 access_key=$3 secret_key=$4
  mc mb --ignore-existing "motcua/$bucket"
  mc anonymous set none "motcua/$bucket"
  sed "s/@BUCKET@/$bucket/g" /etc/motcua/minio/bucket-policy.json > "/tmp/$service-policy.json"
  mc admin policy create motcua "motcua-$service" "/tmp/$service-policy.json"
  mc admin user add motcua "$access_key" "$secret_key"
  mc admin policy attach motcua "motcua-$service" --user "$access_key" 2>/dev/null \
    || echo "policy motcua-$service already attached to its user"
}

setup catalog "$CATALOG_S3_BUCKET" "$CATALOG_S3_ACCESS_KEY" "$CATALOG_S3_SECRET_KEY"
setup submission "$SUBMISSION_S3_BUCKET" "$SUBMISSION_S3_ACCESS_KEY" "$SUBMISSION_S3_SECRET_KEY"
# Citizens' attachments: keep overwritten or deleted versions (recoverable by an operator).
mc version enable "motcua/$SUBMISSION_S3_BUCKET"
echo "minio ready: buckets $CATALOG_S3_BUCKET, $SUBMISSION_S3_BUCKET"
