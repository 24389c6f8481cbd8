"""The tracking read model's rules: pure functions, no I/O."""
