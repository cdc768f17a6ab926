"""How long a neural run lasts and when it is evaluated: env steps, not episodes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """``steps`` real env steps per run, evaluated at step 0 and every ``eval_every``
    steps (``steps`` must be a multiple of it) with ``eval_episodes`` greedy episodes."""

    steps: int
    eval_every: int
    eval_episodes: int = 10

    def __post_init__(self) -> None:
        for name in ("steps", "eval_every", "eval_episodes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if self.steps % self.eval_every:
            raise ValueError(
                f"steps ({self.steps}) must be a multiple of eval_every ({self.eval_every})"
            )

    @property
    def periods(self) -> int:
        """Training stretches between evaluations."""
        return self.steps // self.eval_every

    @property
    def eval_steps(self) -> tuple[int, ...]:
        """The env steps at which the run is evaluated: 0, E, 2E, ..., steps."""
        return tuple(range(0, self.steps + 1, self.eval_every))
