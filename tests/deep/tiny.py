"""The tiny Dreamer every Dreamer test on the pixel Dyna maze trains, and its budget.

Compiling a Dreamer training run takes XLA 15-30 s on a 2-core CPU, running it at these
sizes under a second. A compiled program is one per (world, settings, budget), and JAX's
persistent cache (:mod:`dynalab.deep.compile_cache`) hands it to every later test that
asks for the same program, in this session and the next: so the tests ask for this one.
"""

from __future__ import annotations

TINY_DREAMER_KEYS = (
    "gamma=0.95,deter=8,groups=2,classes=4,units=16,batch=4,length=4,horizon=3,buffer=300,"
    "learning_starts=40,train_every=20"
)
TINY_DREAMER = f"dreamer:{TINY_DREAMER_KEYS}"
TINY_STEPS = 160
"""Real steps per run: training starts at step 40 and trains every 20 steps."""
TINY_EVAL_EVERY = 16
"""`dynalab compare`'s own choice for :data:`TINY_STEPS` (steps / 10)."""
TINY_DQN = "dqn:gamma=0.95,hidden=16,learning_starts=40,epsilon_steps=100"
