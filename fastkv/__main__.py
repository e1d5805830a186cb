"""``python -m fastkv``: run the server; same command line as redis-server."""

import sys

from fastkv.cli import main

if __name__ == "__main__":
    sys.exit(main())
