"""lorad: the Python client for lorad, the daemon that serves LoRA adapters over a Unix socket.

The public names are re-exported here once the modules that define them land.
"""

__version__ = "0.1.0"
