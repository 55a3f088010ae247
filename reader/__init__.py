"""voice-reader: pre-generated, accessible audio for health-information pages."""

__version__ = "0.1.0"
__all__ = ["__version__", "create_app"]


def __getattr__(name):
    # The app factory is imported lazily so that synthesis worker processes,
    # which import reader.* modules, never pay for loading Flask.
    if name == "create_app":
        from reader.app import create_app

        return create_app
    raise AttributeError(f"module 'reader' has no attribute {name!r}")
