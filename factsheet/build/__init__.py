"""Running builds: which editions are stale (`plan`, `state`), running them in
worker processes (`pool`) under time and memory limits (`limits`), writing what
they made atomically (`run`, the only code that writes outputs), and the warm
build server (`server`).

May import: the base modules, `pipeline` (which owns the stage order),
`outputs` (names and kinds) and `layout` (copyfit descriptions, the web fonts'
folder); the server also the CLI it runs.
"""
