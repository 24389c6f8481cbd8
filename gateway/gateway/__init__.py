"""motcua gateway: mounts each service under /api/<service>/ and reports their readiness."""
