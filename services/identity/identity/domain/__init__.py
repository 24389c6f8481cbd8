"""Identity domain: rules and value logic, no I/O."""
