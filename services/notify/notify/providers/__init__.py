"""Delivery adapters: SMTP, an HTTP SMS gateway, failover between SMS gateways, dev recorders."""
