"""Worlds: array MDPs (the ground truth), mazes, world schedules and the Gymnasium adapter.

Importing this package registers the builtin mazes as Gymnasium ids (``dynalab/...-v0``).
"""

from dynalab.envs.gym_adapter import register_envs

register_envs()
