"""Command modules: each defines `register(app, groups)` and is discovered by kepu.cli.

`groups` holds the shared sub-commands `bench` and `eval`, so several areas can add to them.
"""
