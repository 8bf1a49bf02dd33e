"""Benchmarks of the local Step Functions engine; they print numbers and never assert."""
