#!/bin/sh
# Healthcheck of the compose RabbitMQ: the node runs, has no resource alarm, and the motcua
# topology (definitions.json: exchange, consumer queues with their .retry and .dead queues,
# bindings, policies) is imported. The import runs once per container start and is idempotent;
# it is not done at boot with load_definitions because that skips creating the default user,
# which would put a password into the repository.
set -eu
rabbitmq-diagnostics -q check_running >/dev/null
rabbitmq-diagnostics -q check_local_alarms >/dev/null
marker=/tmp/motcua-definitions-imported
if [ ! -f "$marker" ]; then
  rabbitmqctl -q import_definitions /etc/motcua/rabbitmq/definitions.json
  touch "$marker"
fi
