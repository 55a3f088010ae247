"""voice-reader: pre-generated, accessible audio for health-information pages."""

__version__ = "0.1.0"
__all__ = ["__version__", "create_app"]


def __getattr__(name):
    # Imported when asked for: every command and worker process imports this package, and
    # only the service needs Flask (`flask --app reader run` asks for it here).
    if name == "create_app":
        from reader.app import create_app

        return create_app
    raise AttributeError(f"module 'reader' has no attribute {name!r}")
