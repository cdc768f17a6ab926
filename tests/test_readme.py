"""README.md stays true: its Python example runs, and its commands are the Makefile's."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    assert blocks, "README has no Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 5 and printed[0].startswith("q-learning 0")
    # the model-exploitation example: the pessimistic ensemble's belief gap is smaller
    plain_gap, ensemble_gap = (float(line.split()[1]) for line in printed[2:4])
    assert printed[2].startswith("0 ") and printed[3].startswith("5 ")
    assert ensemble_gap < plain_gap
    # the neural example: four exact values of dqn's greedy policy, as shares of V*
    assert printed[4].startswith("dqn [")


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    first_block = re.search(r"```\n(.*?)```", README, flags=re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
