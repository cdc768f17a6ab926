"""`dynalab animate`: a GIF (or a page) of learning on a maze, checked as a viewer sees it."""

import base64
import io
import re
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from dynalab.cli import app

RUNNER = CliRunner(env={"COLUMNS": "200"})


def _frames(gif: bytes) -> list[np.ndarray]:
    image = Image.open(io.BytesIO(gif))
    frames = []
    for index in range(image.n_frames):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB"), dtype=int))
    return frames


def test_animate_writes_a_gif_whose_heatmap_changes(tmp_path: Path) -> None:
    out = tmp_path / "learn.gif"
    result = RUNNER.invoke(
        app,
        [
            "animate",
            "--agents",
            "q-learning",
            "dyna-q:n=20,alpha=1",
            "--every",
            "25",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    written = re.search(r"wrote .*: (\d+) frames, one every 25 real steps", result.stdout)
    assert written is not None, result.stdout
    steps = {
        label: (int(real.replace(",", "")), int(planned.replace(",", "")))
        for label, real, planned in re.findall(
            r"(\S+): ([\d,]+) real steps, ([\d,]+) planning updates", result.stdout
        )
    }
    assert steps["dyna-q:n=20,alpha=1"][1] == 20 * steps["dyna-q:n=20,alpha=1"][0]
    assert steps["q-learning"][1] == 0
    frames = _frames(out.read_bytes())
    # one clock for both panels: a frame before every 25th real step of the longer run,
    # one at each run's end
    assert len(frames) == int(written.group(1))
    longest = max(real for real, _ in steps.values())
    assert len(frames) >= -(-longest // 25)
    assert out.stat().st_size < 5_000_000
    first, last = frames[0], frames[-1]
    assert first.shape == last.shape and first.shape[0] > 200
    # the value heatmap fills in: many pixels of the Dyna-Q panel (right half) change
    # colour, far more than the captions' counters alone could account for
    right = (slice(None), slice(first.shape[1] // 2, None))
    changed = np.any(first[right] != last[right], axis=2).mean()
    assert changed > 0.1


def test_animate_html_is_one_self_contained_page(tmp_path: Path) -> None:
    out = tmp_path / "learn.html"
    result = RUNNER.invoke(
        app,
        ["animate", "--agents", "dyna-q:n=5", "--steps", "60", "--every", "20", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert not re.search(r"(src|href)=\"https?:", page)
    gif = re.search(r"data:image/gif;base64,([A-Za-z0-9+/=]+)", page)
    assert gif is not None
    assert len(_frames(base64.b64decode(gif.group(1)))) == 4


def test_animate_refuses_bad_input_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    existing = tmp_path / "kept.gif"
    existing.write_bytes(b"mine")
    cases = [
        (["--env", "gym:FrozenLake-v1"], "is not a maze"),
        (["--out", str(tmp_path / "a.svg")], "a .gif, .html or .png file"),
        (["--out", str(existing)], "already exists; use --force"),
        (["--agents", "dyna-q:n=-1"], "--agents"),
        (["--episodes", "2", "--steps", "10"], "either --episodes or --steps"),
        (["--every", "0"], "--every must be a positive integer"),
        (["--steps", "100000", "--every", "1"], "raise --every"),
    ]
    for args, message in cases:
        result = RUNNER.invoke(app, ["animate", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
    assert existing.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.gif"]


def test_animate_png_is_a_strip_of_four_frames(tmp_path: Path) -> None:
    out = tmp_path / "strip.png"
    result = RUNNER.invoke(
        app,
        ["animate", "--agents", "dyna-q:n=5", "--steps", "60", "--every", "20", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    strip = np.asarray(Image.open(out).convert("RGB"))
    quarter = strip.shape[0] // 4
    assert strip.shape[0] == 4 * quarter  # four frames of one size, one above the other
    assert not np.array_equal(strip[:quarter], strip[-quarter:])  # first frame vs last
