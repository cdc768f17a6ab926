"""Fig. 8.8's reproduction: its plumbing on tiny panels."""

from dynalab.claims import trajectory_sampling as ts

TINY_PANELS = (
    ts.Panel(30, 1, 200, 20),
    ts.Panel(30, 3, 200, 20),
    ts.Panel(30, 10, 200, 20),
    ts.Panel(60, 1, 1200, 120),
)


def test_the_reproduction_runs_end_to_end_on_tiny_panels(monkeypatch) -> None:
    """The reproduction's plumbing (claims, figures, summary, progress ticks), on panels
    small enough for a test; results do not depend on the number of threads."""
    from dynalab.claims.registry import REPRODUCTIONS

    monkeypatch.setattr(ts, "PANELS", TINY_PANELS)
    reproduction = REPRODUCTIONS["fig8.8"]
    assert reproduction.run is ts.figure_8_8
    ticks: list[int] = []
    outcome = reproduction.run(4, 0, 2, ticks.append)
    assert len(ticks) == 4 * reproduction.progress_units
    assert len(outcome.claims) == 4
    assert all(claim.measured for claim in outcome.claims)
    assert set(outcome.figures) == {"upper_1000_states.png", "lower_10000_states.png"}
    panels = outcome.extra_summary["panels"]
    assert [(p["n_states"], p["branching"]) for p in panels] == [
        (30, 1),
        (30, 3),
        (30, 10),
        (60, 1),
    ]
    again = ts.figure_8_8(4, 0, 1, lambda _: None)
    assert again.extra_summary == outcome.extra_summary
    assert [c.measured for c in again.claims] == [c.measured for c in outcome.claims]
