"""The `reader build` and `reader check` commands, as staff run them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.entry import _plain_build
from reader.pipeline.espeak import REMEMBERED_NAME
from reader.pipeline.spoken_cache import CACHE_NAME
from tests.support.content import REPO, SMALL, write_document

TINY = """<!doctype html><html lang="en-GB"><title>Tiny</title><main>
<h1>Tiny page</h1><p>One short sentence.</p></main></html>"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def build_with_fake_engine(root):
    content, out = str(root / "content"), str(root / "build")
    return run("build", "--engine", "fake", "--jobs", "1", "--content", content, "--out", out)


def test_build_prints_a_summary_and_where_the_audio_went(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    result = build_with_fake_engine(tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 document built, 0 failed: 4 sections built, 0 reused" in result.output
    assert "minutes of audio" in result.output
    assert f"Published to {tmp_path / 'build'}" in result.output


def test_build_fails_when_any_document_fails_but_builds_the_rest(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    write_document(tmp_path / "content", "broken", "<p>no title</p>")
    result = build_with_fake_engine(tmp_path)
    assert result.exit_code == 1
    assert "error: broken:" in result.output
    assert "1 document built, 1 failed" in result.output
    assert (tmp_path / "build" / "small" / "manifest.json").is_file()


def test_build_names_a_missing_document(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    result = run(
        "build",
        "nope",
        "--engine",
        "fake",
        "--content",
        str(tmp_path / "content"),
        "--out",
        str(tmp_path / "build"),
    )
    assert result.exit_code == 1
    assert "no document" in result.output and "nope.html" in result.output


def test_build_without_content_says_so(tmp_path):
    result = run("build", "--content", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert "no content folder" in result.output
    (tmp_path / "empty").mkdir()
    result = run("build", "--content", str(tmp_path / "empty"))
    assert "no documents (*.html)" in result.output


def test_check_reports_problems_and_fails(tmp_path):
    write_document(tmp_path / "content", "small", SMALL.replace("<p>The detail.</p>", ""))
    result = run("check", "--engine", "fake", "--content", str(tmp_path / "content"))
    assert result.exit_code == 1
    assert "small:" in result.output and "Detail" in result.output


def test_check_reports_a_missing_voice(tmp_path):
    write_document(tmp_path / "content", "welsh", SMALL.replace('lang="en-GB"', 'lang="xx"'))
    result = run("check", "--engine", "fake", "--content", str(tmp_path / "content"))
    assert result.exit_code == 1
    assert "no installed voice speaks 'xx'" in result.output


def test_check_passes_the_shipped_content():
    result = run("check", "--engine", "fake")
    assert result.exit_code == 0, result.output
    assert "neuroendocrine-tumours: ok" in result.output


def test_build_reads_its_folders_from_the_environment_as_serve_does(tmp_path):
    write_document(tmp_path / "from-env", "small", SMALL)
    env = {
        "READER_CONTENT_DIR": str(tmp_path / "from-env"),
        "READER_BUILD_DIR": str(tmp_path / "out"),
    }
    result = CliRunner().invoke(main, ["build", "--engine", "fake", "--jobs", "1"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "small" / "manifest.json").is_file()
    assert f"Published to {tmp_path / 'out'}" in result.output
    # An option still wins over the environment.
    result = CliRunner().invoke(
        main, ["build", "--engine", "fake", "--jobs", "1", "--out", str(tmp_path / "opt")], env=env
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "opt" / "small" / "manifest.json").is_file()


def test_an_error_names_the_document_once(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "bad-utf8.html").write_bytes(b"<h1>Caf\xe9</h1><p>Text.</p>")
    result = build_with_fake_engine(tmp_path)
    (line,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert line.startswith("error: bad-utf8: not valid UTF-8 at byte offset 7")
    assert line.count("bad-utf8") == 1


def test_an_empty_heading_is_a_warning_not_a_failure(tmp_path):
    write_document(tmp_path / "content", "small", SMALL.replace("<h3>Detail</h3>", "<h3> </h3>"))
    result = build_with_fake_engine(tmp_path)
    assert result.exit_code == 0, result.output
    assert "warning: small: an <h3> with no text (heading 4" in result.output


NO_CHANGE_BUILD = """
import sys
from reader.cli import main
try:
    main(["build", "--engine", sys.argv[1], "--content", sys.argv[2], "--out", sys.argv[3]])
except SystemExit as done:
    assert done.code == 0, done.code
heavy = ("bs4", "nh3", "pyttsx3", "lameenc", "multiprocessing", "importlib.metadata",
         "mutagen",
         "reader.pipeline.parse", "reader.pipeline.synthesise", "reader.pipeline.publish")
loaded = [name for name in heavy if name in sys.modules]
assert not loaded, loaded
"""


@pytest.mark.engine
@pytest.mark.parametrize("engine", ["fake", "pyttsx3"])
def test_a_build_with_nothing_to_do_loads_neither_the_pipeline_nor_the_engine(tmp_path, engine):
    write_document(tmp_path / "content", "tiny", TINY)
    folders = [str(tmp_path / "content"), str(tmp_path / "build")]
    first = run(
        "build", "--engine", engine, "--jobs", "1", "--content", folders[0], "--out", folders[1]
    )
    assert "1 document built, 0 failed: 1 sections built" in first.output, first.output
    again = subprocess.run(
        [sys.executable, "-c", NO_CHANGE_BUILD, engine, *folders],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert "0 sections built, 1 reused" in again.stdout


def reader_build(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m reader build` as a user does, noting every module it imports."""
    command = [sys.executable, "-X", "importtime", "-m", "reader", "build", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)


def imported(result: subprocess.CompletedProcess) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}


def without_time(output: str) -> str:
    return re.sub(r"in \d+\.\d\d s", "in _ s", output)


@pytest.mark.engine
def test_a_build_with_nothing_to_do_answers_before_the_command_line_is_imported(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "tiny", TINY)
    folders = ("--content", str(content), "--out", str(out))
    first = reader_build(*folders)
    assert first.returncode == 0 and "1 sections built, 0 reused" in first.stdout, first.stderr
    again = reader_build(*folders)
    assert again.returncode == 0, again.stderr
    # Nor ctypes: the engine's version is noted beside the build, by its library file.
    heavy = {"click", "reader.cli", "reader.manifest", "dataclasses", "bs4", "ctypes"}
    assert not heavy & imported(again)
    # The full command, asked the same, says the same.
    full = run("build", *folders)
    assert without_time(again.stdout) == without_time(full.output)
    assert "0 sections built, 1 reused" in again.stdout
    # The same folders from READER_CONTENT_DIR and READER_BUILD_DIR, and the slug named.
    env = {**os.environ, "READER_CONTENT_DIR": str(content), "READER_BUILD_DIR": str(out)}
    named = reader_build("tiny", env=env)
    assert without_time(named.stdout) == without_time(full.output)
    # An edit is built without click too, and reported as the full command reports it.
    write_document(content, "tiny", TINY.replace("One short", "A short"))
    edited = reader_build(*folders)
    assert edited.returncode == 0, edited.stderr
    assert "1 sections built, 0 reused" in edited.stdout
    assert not {"click", "reader.cli"} & imported(edited)
    write_document(content, "tiny", TINY)
    assert without_time(run("build", *folders).output) == without_time(edited.stdout)
    # Anything but the folders and slugs is for the full command.
    forced = reader_build("--force", *folders)
    assert "1 sections built, 0 reused" in forced.stdout and "click" in imported(forced)


def test_a_plain_build_leaves_its_errors_to_the_full_command(tmp_path):
    missing = reader_build("--content", str(tmp_path / "nowhere"), "--out", str(tmp_path / "b"))
    assert missing.returncode == 1 and "click" in imported(missing)
    assert f"Error: no content folder at {tmp_path / 'nowhere'}" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = reader_build("--content", str(tmp_path / "empty"), "--out", str(tmp_path / "b"))
    assert empty.returncode == 1 and "Error: no documents (*.html) in" in empty.stderr
    write_document(tmp_path / "content", "tiny", TINY)
    (tmp_path / "file").write_text("not a folder")
    on_file = reader_build("--content", str(tmp_path / "content"), "--out", str(tmp_path / "file"))
    assert on_file.returncode == 2 and "is a file" in on_file.stderr
    assert "Traceback" not in missing.stderr + empty.stderr + on_file.stderr


@pytest.mark.parametrize("extra", [[], ["--force"]], ids=["plain", "click"])
def test_a_build_folder_that_cannot_be_made_is_one_clear_error(tmp_path, extra):
    write_document(tmp_path / "content", "tiny", TINY)
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "file" / "build"
    ran = reader_build("--content", str(tmp_path / "content"), "--out", str(out), *extra)
    assert ran.returncode == 1
    said = [line for line in ran.stderr.splitlines() if "|" not in line]  # not -X importtime's
    reason = "part of that path is a file, not a folder"
    assert said == [f"Error: cannot make the build folder {out}: {reason}"]
    assert "Published" not in ran.stdout


@pytest.mark.parametrize("args", [["build", "--help"], ["build", "--content", "/nowhere"]])
def test_the_command_leaves_its_objects_to_the_os_at_exit(args):
    # The last garbage collection of a build walked its parse trees and manifests: 50 ms of
    # a one-section edit. Objects frozen first are skipped by it; output is still flushed.
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['reader', *{args!r}]\n"
        "from reader.entry import main\n"
        "main()\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert "frozen: True" in ran.stdout
    assert ("Usage:" in ran.stdout) if "--help" in args else ("Error:" in ran.stderr)


@pytest.mark.parametrize(
    ("args", "plain"),
    [
        ([], ([], {})),
        (["a", "--content", "c", "b"], (["a", "b"], {"--content": "c"})),
        (["--out=o", "--content=c"], ([], {"--out": "o", "--content": "c"})),
        (["--force"], None),
        (["--help"], None),
        (["--rate", "200"], None),
        (["--content", "c", "--content", "d"], None),
        (["--content"], None),
        (["--out="], None),
    ],
)
def test_only_a_plain_build_is_checked_before_the_command_line(args, plain):
    assert _plain_build(args) == plain


def child_processes(pid: int) -> list[int]:
    """List the processes `pid` started that are still alive."""
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listing:
            children += [int(child) for child in listing.read().split()]
    return children


@pytest.mark.engine
def test_ctrl_c_stops_a_plain_build_at_once_and_publishes_nothing_half_built(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    source = (REPO / "content" / "neuroendocrine-tumours.html").read_text()
    for number in range(3):
        write_document(content, f"copy-{number}", source)
    command = [sys.executable, "-m", "reader", "build", "--content", str(content)]
    with subprocess.Popen(
        [*command, "--out", str(out)], cwd=REPO, stderr=subprocess.PIPE, text=True
    ) as build:
        # Interrupted once its workers are saying the first page.
        while not (out / "copy-0" / "pages").is_dir() and build.poll() is None:
            time.sleep(0.01)
        workers = child_processes(build.pid)
        assert workers, "the build started no workers"
        build.send_signal(signal.SIGINT)
        stderr = build.communicate(timeout=10)[1]
    assert build.returncode == 1
    assert stderr.strip() == "Aborted!" and "Traceback" not in stderr
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
    # Nothing half-built: no manifest, no page and no audio for any copy (the spoken-text
    # cache and the engine's version may stay: each is named by what it was made from).
    left = [p.name for p in out.rglob("*") if p.suffix in (".json", ".html", ".mp3")]
    assert set(left) <= {CACHE_NAME, REMEMBERED_NAME}
