"""The web service of the Lingyan South Road block governance workstation."""

import os

# Piccolo finds its configuration through this variable; the project has exactly one.
os.environ.setdefault("PICCOLO_CONF", "block_service.piccolo_conf")
