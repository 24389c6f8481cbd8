"""Benchmarks: ``make bench`` → bench/results.md and bench/results.json.

Figures are ratios measured side by side in one run on the same machine (never absolute
limits asserted in tests): the machine is shared and noisy.
"""
