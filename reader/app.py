"""The Flask application factory: the web wing serves, the staff wing adds the API and admin."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from reader import config
from reader.admin import setup as admin_setup
from reader.web import listening, security, views


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the voice-reader web service."""
    app = Flask(
        "reader.web",
        instance_path=config.instance_path(),
        instance_relative_config=True,
        static_folder=None,
    )
    # Layers, each overriding the one before: defaults, the instance config file,
    # READER_* environment variables, then whatever a test passes in.
    app.config.from_mapping(config.defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config.from_environ())
    if test_config is not None:
        app.config.update(test_config)
    config.resolve(app.config)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = app.config["STATIC_MAX_AGE"] or None

    # The static folder is configurable, so its route is added once the config is known.
    app.static_folder = str(app.config["STATIC_DIR"])
    app.add_url_rule(
        "/static/<path:filename>",
        endpoint="static",
        view_func=app.send_static_file,
    )

    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
        )

    views.init_app(app)
    security.init_app(app)
    app.register_blueprint(views.bp)
    listening.init_app(app)  # after views: its route uses the slug converter
    admin_setup.init_app(app)
    return app
