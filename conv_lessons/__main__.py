"""``python -m conv_lessons``: the same command line as ``conv-lessons`` (see :mod:`conv_lessons.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
