"""The lock between processes on a file: filelock's, under the names the staff side imports.

The pipeline imports filelock itself (reader/pipeline/publish.py).
"""

from filelock import FileLock
from filelock import Timeout as LockTimeout

__all__ = ["FileLock", "LockTimeout"]
