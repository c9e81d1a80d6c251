"""``python -m actui`` runs the ``actui`` command."""

from actui.cli import main

main()
