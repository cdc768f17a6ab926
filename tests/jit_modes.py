"""Run a script compiled and as plain Python (NUMBA_DISABLE_JIT=1): the reference mode."""

import os
import subprocess
import sys


def outputs_in_both_modes(script: str) -> tuple[str, str]:
    """stdout of ``script`` run with numba compiling, then with the JIT disabled."""
    outputs = []
    for disable in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={**os.environ, "NUMBA_DISABLE_JIT": disable},
            check=True,
        )
        outputs.append(done.stdout)
    return outputs[0], outputs[1]
