"""Evaluation and benchmarks: every figure of docs/evaluation.md comes from a function here, through the same path as `kepu flag`."""
