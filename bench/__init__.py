"""Benchmarks: nlstate against `ip -batch` and pyroute2, each in throw-away namespaces.

Run `python -m bench.run --help`; see bench/README.md.
"""
