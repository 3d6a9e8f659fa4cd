#!/usr/bin/env bash
# PostgreSQL init script (docker-entrypoint-initdb.d): one login and one database per
# service, each database owned by its service's login, nothing granted to PUBLIC.
# TALENT_SERVICES lists the services; <SERVICE>_DB_PASSWORD holds each password.
# Runs once, when the data volume is empty.
set -euo pipefail

for service in ${TALENT_SERVICES:?list the services, e.g. "people learning"}; do
  var="$(echo "${service}" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="${!var:?${var} is not set}"
  echo "creating login ${service} and database talent_${service}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres \
       -v login="${service}" -v password="${password}" -v db="talent_${service}" <<'SQL'
CREATE ROLE :"login" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"login";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
done
