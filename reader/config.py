"""The service's settings: defaults with help text, READER_* environment variables, resolution."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from reader.errors import ReaderError

ENV_PREFIX = "READER_"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _static_dir() -> Path:
    """Find the widget and page CSS: inside an installed wheel, else beside a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "static"
    # The wheel maps the checkout's top-level static/ into the package (pyproject.toml).
    return installed if installed.is_dir() else package.parent / "static"


PACKAGE_STATIC_DIR = _static_dir()


class Setting(NamedTuple):
    """One configuration key: its default, its type and what it does."""

    name: str
    default: object
    help: str
    kind: type = str
    """How a READER_* environment value is read: str, int, list (comma-separated) or Path."""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CONTENT_DIR",
        "content",
        "Folder of content documents (`*.html`), relative to the "
        "working directory unless absolute.",
        Path,
    ),
    Setting(
        "BUILD_DIR",
        "build",
        "Folder the build publishes manifests and audio into, relative "
        "to the working directory unless absolute.",
        Path,
    ),
    Setting(
        "STATIC_DIR",
        str(PACKAGE_STATIC_DIR),
        "Folder served at `/static/` (the widget and `page.css`).",
        Path,
    ),
    Setting("SITE_NAME", "Voice reader", "Name shown in the page header and in every page title."),
    Setting(
        "FRAME_ANCESTORS",
        "'none'",
        "CSP `frame-ancestors` sources allowed to frame the player-only page "
        "`/embed/<slug>`, e.g. `'self' https://www.example.org`; every other page is "
        "always `'none'`.",
    ),
    Setting(
        "STATIC_MAX_AGE",
        0,
        "Seconds browsers may cache `/static/` files without asking; 0 "
        "means `no-cache` with an ETag, so a new widget reaches visitors at once.",
        int,
    ),
    Setting(
        "TRUSTED_HOSTS",
        list(LOOPBACK_HOSTS),
        "Host names the service answers to (comma-separated in the environment, e.g. "
        "`reader.example.org`; a leading dot allows every subdomain); any other `Host` header "
        "gets 400. The default allows only loopback names; `*` allows any host.",
        list,
    ),
    Setting(
        "PUBLIC_URL",
        "",
        "Public address of the service, e.g. `https://reader.example.org`, to make manifest "
        "audio URLs absolute; empty keeps them relative to the manifest, which the widget "
        "resolves. Never taken from the request.",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        "Number of reverse proxies in front of the service whose "
        "`X-Forwarded-*` headers are trusted (for the scheme and host of absolute URLs, and "
        "the client address that sign-in and token limits and the audit log use); 0 trusts "
        "none, so nobody can pick their own address with a forged `X-Forwarded-For`.",
        int,
    ),
    Setting("THREADS", 8, "Worker threads of `reader serve` (waitress).", int),
    Setting(
        "WORDS_PER_MINUTE",
        160,
        "Speaking rate used to estimate listening time on the "
        "index while a document's audio is being prepared.",
        int,
    ),
    Setting(
        "ADMIN_USER",
        "admin",
        "User name the single admin of older versions becomes (with `ADMIN_PASSWORD_HASH`).",
    ),
    Setting(
        "ADMIN_PASSWORD_HASH",
        "",
        "Hash of the admin password of older versions, as printed by `reader admin-password`: "
        "while nobody has an account, `ADMIN_USER` with this password becomes the first admin. "
        "The admin page is off (every `/admin` URL is 404) until someone has an account "
        "(`reader user add`).",
    ),
    Setting(
        "SESSION_IDLE_MINUTES",
        30,
        "Minutes an admin session may sit unused before it ends.",
        int,
    ),
    Setting(
        "SESSION_MAX_HOURS",
        12,
        "Hours after sign-in when an admin session ends, however much it is used.",
        int,
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Key that signs the admin session cookie and its CSRF tokens; empty makes one and "
        "keeps it in the instance folder (`secret_key`).",
    ),
    Setting(
        "QUEUE_URL",
        "",
        "Build queue (huey): empty is SQLite in the instance folder (`queue.db`); "
        "`redis://host:6379/0` shares one queue between build machines (needs `redis`).",
    ),
    Setting(
        "CALLBACK_HOSTS",
        [],
        "Hosts a content API `callback_url` may name (comma-separated in the environment, e.g. "
        "`cms.example.org`; a leading dot allows every subdomain); any other is refused with "
        "422. Empty, the default, turns callbacks off.",
        list,
    ),
    Setting(
        "LISTENING_FIGURES",
        "on",
        "`on` counts anonymous listening beacons (plays and quartiles per document, section and "
        "day; no cookie, address or user agent) and shows them in the admin; `off` makes the "
        "widget send nothing and the beacon endpoint answer 404.",
    ),
    Setting(
        "ENGINE",
        "pyttsx3",
        "Speech engine of `reader build`, `check` and `say` and of the worker's builds: "
        "`pyttsx3` (eSpeak NG), `piper` (the natural voice) or `fake` (tests).",
    ),
    Setting(
        "VOICE",
        "",
        "Voice for each document's own language, e.g. `en_US-joe-medium` (Piper) or `gmw/en` "
        "(eSpeak NG); empty chooses one from the language. A document's "
        '`<meta name="voice-reader-voice">` wins over it.',
    ),
)

ENV_ONLY_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "VOICES_DIR",
        "",
        "Folder of Piper voices (`<name>.onnx` with `<name>.onnx.json`) for the natural voice, "
        "besides those of installed voice packages. Environment only: build workers read it.",
    ),
    Setting(
        "INSTANCE_PATH",
        "",
        "Instance folder holding an optional `config.py` (read from "
        "the environment only, because it is needed before any config file is read); "
        "default: Flask's `instance/` folder.",
    ),
)


def defaults() -> dict:
    """Return every setting's default value."""
    return {
        s.name: (list(s.default) if isinstance(s.default, list) else s.default) for s in SETTINGS
    }


def _convert(setting: Setting, raw: str) -> object:
    if setting.kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ReaderError(
                f"{ENV_PREFIX}{setting.name} must be a whole number, not {raw!r}"
            ) from None
    if setting.kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def from_environ(environ: Mapping[str, str] | None = None) -> dict:
    """Read the READER_* environment variables that name a setting."""
    environ = os.environ if environ is None else environ
    return {
        s.name: _convert(s, environ[ENV_PREFIX + s.name])
        for s in SETTINGS
        if ENV_PREFIX + s.name in environ
    }


def setting(name: str, environ: Mapping[str, str] | None = None) -> object:
    """Return one setting from its READER_* variable, else its default: for commands with no app."""
    environ = os.environ if environ is None else environ
    (found,) = [s for s in SETTINGS if s.name == name]
    raw = environ.get(ENV_PREFIX + name)
    return found.default if raw is None else _convert(found, raw)


def instance_path(environ: Mapping[str, str] | None = None) -> str | None:
    """Return the instance folder named by READER_INSTANCE_PATH, if any."""
    environ = os.environ if environ is None else environ
    value = environ.get(ENV_PREFIX + "INSTANCE_PATH", "")
    return str(Path(value).resolve()) if value else None


def resolve(config: dict) -> None:
    """Turn path settings into absolute Paths; check the public URL, figures and session limits."""
    for setting in SETTINGS:
        if setting.kind is Path:
            config[setting.name] = folder = Path(config[setting.name]).resolve()
            # Every Path setting names a folder: a file there would make every page a 404.
            if folder.exists() and not folder.is_dir():
                raise ReaderError(f"{ENV_PREFIX}{setting.name} is {folder}, a file: name a folder")
    public_url = config["PUBLIC_URL"].strip()
    parts = urlsplit(public_url)
    if public_url and (
        parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment
    ):
        raise ReaderError(
            f"{ENV_PREFIX}PUBLIC_URL must be like https://reader.example.org, not {public_url!r}"
        )
    config["PUBLIC_URL"] = public_url.rstrip("/")
    figures = str(config["LISTENING_FIGURES"]).strip().lower()
    if figures not in {"on", "off"}:
        raise ReaderError(
            f"{ENV_PREFIX}LISTENING_FIGURES must be on or off, not {config['LISTENING_FIGURES']!r}"
        )
    config["LISTENING_FIGURES"] = figures
    for name, unit in (("SESSION_IDLE_MINUTES", "minutes"), ("SESSION_MAX_HOURS", "hours")):
        value = config[name]
        # A session that ends at once (0) or never starts (negative) would lock every
        # member of staff out with no word of why; a config file may hold any type.
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ReaderError(
                f"{ENV_PREFIX}{name} must be a whole number of {unit}, 1 or more, not {value!r}"
            )


def trusted_hosts(hosts: list[str]) -> list[str] | None:
    """Return the host list Flask checks, None for any host (`*`), loopback when empty."""
    if "*" in hosts:
        return None
    return list(hosts) or list(LOOPBACK_HOSTS)
