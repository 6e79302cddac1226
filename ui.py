"""Start the chat UI on the configured corpus: ``python ui.py [--host H] [--port P] [--config FILE]``.

The same as ``rag ui``; the UI itself lives in ``rag/ui/``.
"""

import sys

from rag.cli import main

if __name__ == "__main__":
    sys.exit(main(["ui", *sys.argv[1:]]))
