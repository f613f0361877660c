"""The kinds of output a build makes, one module each, and their file names.

May import: the base modules, `document` and `layout`.
"""
