"""The `reader build` and `reader check` commands, as staff run them."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from reader import manifest as mf
from reader.cli import main
from reader.pipeline.publish import document_lock
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
         "reader.pipeline.parse", "reader.pipeline.synthesise", "reader.pipeline.build",
         "flask")
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
def test_a_build_with_nothing_to_do_answers_without_the_parser_or_the_engine(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "tiny", TINY)
    folders = ("--content", str(content), "--out", str(out))
    first = reader_build(*folders)
    assert first.returncode == 0 and "1 sections built, 0 reused" in first.stdout, first.stderr
    again = reader_build(*folders)
    assert again.returncode == 0, again.stderr
    heavy = {"reader.pipeline.build", "reader.pipeline.parse", "bs4", "flask"}
    assert not heavy & imported(again)
    assert "0 sections built, 1 reused" in again.stdout
    # The same folders from READER_CONTENT_DIR and READER_BUILD_DIR, and the slug named.
    env = {**os.environ, "READER_CONTENT_DIR": str(content), "READER_BUILD_DIR": str(out)}
    named = reader_build("tiny", env=env)
    assert without_time(named.stdout) == without_time(again.stdout)
    # An edit is built, and reported the same way.
    write_document(content, "tiny", TINY.replace("One short", "A short"))
    edited = reader_build(*folders)
    assert edited.returncode == 0, edited.stderr
    assert "1 sections built, 0 reused" in edited.stdout
    forced = reader_build("--force", *folders)
    assert "1 sections built, 0 reused" in forced.stdout


def test_a_build_with_nothing_to_do_sweeps_what_a_killed_build_left(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    folders = ["--engine", "fake", "--jobs", "1", "--content", str(content), "--out", str(out)]
    assert run("build", *folders).exit_code == 0
    folder = out / "small"
    left = [folder / ".tmp-1a2b3c-abc.mp3", folder / "audio" / ".tmp-4d5e6f-def.mp3"]
    left += [folder / ".tmp-7a8b9c-manifest.json", out / ".tmp-0f1e2d-index.json"]
    for path in left:
        path.write_bytes(b"half")
    published = sorted(p for p in out.rglob("*") if p.is_file() and p not in left)
    again = run("build", *folders)
    assert again.exit_code == 0 and "0 sections built, 4 reused" in again.output, again.output
    assert not [path for path in left if path.exists()]
    assert sorted(p for p in out.rglob("*") if p.is_file()) == published
    # While a build holds the document's lock, its temp files are its own: they stay.
    left[0].write_bytes(b"half")
    with document_lock(folder, timeout=1):
        assert run("build", *folders).exit_code == 0
    assert left[0].exists()


def test_a_build_says_its_errors_in_one_line(tmp_path):
    missing = reader_build("--content", str(tmp_path / "nowhere"), "--out", str(tmp_path / "b"))
    assert missing.returncode == 1
    assert f"Error: no content folder at {tmp_path / 'nowhere'}" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = reader_build("--content", str(tmp_path / "empty"), "--out", str(tmp_path / "b"))
    assert empty.returncode == 1 and "Error: no documents (*.html) in" in empty.stderr
    write_document(tmp_path / "content", "tiny", TINY)
    (tmp_path / "file").write_text("not a folder")
    on_file = reader_build("--content", str(tmp_path / "content"), "--out", str(tmp_path / "file"))
    assert on_file.returncode == 2 and "is a file" in on_file.stderr
    assert "Traceback" not in missing.stderr + empty.stderr + on_file.stderr


@pytest.mark.parametrize("extra", [[], ["--force"]], ids=["plain", "forced"])
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
        # Interrupted once the first copy is published and the workers say the next ones.
        while not (out / "copy-0" / "manifest.json").exists() and build.poll() is None:
            time.sleep(0.01)
        workers = child_processes(build.pid)
        assert workers, "the build started no workers"
        build.send_signal(signal.SIGINT)
        stderr = build.communicate(timeout=10)[1]
    assert build.returncode == 1
    # Only the progress lines of a piped build (tests/test_build_progress.py), then click's word.
    said = [line for line in stderr.splitlines() if line and not line.startswith("… ")]
    assert said == ["Aborted!"] and "sections, done" not in stderr
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
    # Nothing half-built: the first copy is whole, and the others have no manifest, page or
    # audio.
    first = mf.load_manifest(out, "copy-0")
    assert first.has_audio and all(
        (out / "copy-0" / mf.AUDIO_DIR / n).is_file() for n in first.audio_names
    )
    left = [p for p in out.rglob("*") if p.suffix in (".json", ".html", ".mp3")]
    assert {p.name for p in left if "copy-0" not in p.parts} <= {"index.json"}


def test_a_terminal_sees_one_progress_bar_per_document(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    for slug in ("first", "second"):
        write_document(content, slug, SMALL)
    terminal, child_side = pty.openpty()
    try:
        command = [sys.executable, "-m", "reader", "build", "--engine", "fake", "--jobs", "1"]
        command += ["--content", str(content), "--out", str(out)]
        built = subprocess.run(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=child_side, text=True, timeout=60
        )
        shown = os.read(terminal, 65536).decode()
    finally:
        os.close(child_side)
        os.close(terminal)
    assert built.returncode == 0 and "2 documents built" in built.stdout
    # click draws each bar as "slug  [####...]  100%", the share of its sections said, and
    # after it the whole build's estimate once the first sections have been said.
    for slug in ("first", "second"):
        assert re.search(rf"{slug}\s+\[#+\]\s+100%", shown), shown
    assert re.search(r"\[#+\]\s+\d+%\s+about \d+ (s|min) left in all", shown), shown
    # Piped, as a CMS hook runs it, there is no bar: only the summary.
    piped = run(
        "build", "--engine", "fake", "--force", "--content", str(content), "--out", str(out)
    )
    assert "[#" not in piped.output
