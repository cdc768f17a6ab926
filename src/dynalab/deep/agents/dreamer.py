"""Dreamer (Hafner et al. 2020-2023): a latent world model, and a policy learned in its dreams.

Every env step the agent acts from its belief about the present - the posterior latent
state of its world model (:mod:`dynalab.deep.rssm`), filtered through the observations so
far - by sampling its actor, and stores the transition in a sequence replay
(:mod:`dynalab.deep.sequences`). Once ``learning_starts`` steps are stored, every
``train_every`` steps it takes one training step: a batch of ``batch`` replayed
sequences of ``length`` transitions trains the world model (one Adam step), and from
every latent state the model reached on them (a ``fresh_share`` of them formed afresh
from the observation alone) the actor and critic learn on imagined rollouts of
``horizon`` steps (:mod:`dynalab.deep.agents.dreamer_training`; one Adam step each).
The real world never trains the actor directly.

Evaluation acts greedily: the posterior's most likely latent and the actor's most likely
action. On a table (a maze seen as pixels or one-hot cells) each state's picture is shown
to the model afresh (zero recurrent state) and the actor's distribution recorded, so that
the policy's exact value can be computed on the MDP (``policy_table``). The believed
value is the critic's value of the start.

All randomness comes from the run's key, as for DQN (:mod:`dynalab.deep.agents.dqn`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from dynalab.deep.agents.dreamer_training import DreamerConfig, Nets, adam, train_step
from dynalab.deep.agents.dyna_dqn import no_rollouts
from dynalab.deep.agents.records import Period, run_periods
from dynalab.deep.budget import Budget
from dynalab.deep.dreams import DREAM_STEPS, Dream, dream_episode, imagination_errors
from dynalab.deep.evaluation import GreedyPolicy, evaluate
from dynalab.deep.imagination import (
    actor_log_probs,
)
from dynalab.deep.networks import NormMLP, zero_head
from dynalab.deep.replay import Replay, replay_add
from dynalab.deep.rssm import (
    Latent,
    WorldModel,
    features,
    first_latent,
    next_latent,
)
from dynalab.deep.sequences import Steps, sequence_replay_init
from dynalab.deep.worlds import World, advance


class Learner(NamedTuple):
    """What one run carries from step to step: the networks, the replay, the world's
    state, the observation, the belief about it (``latent``) and whether it began an
    episode (``first``)."""

    nets: Nets
    replay: Replay
    world_state: Any
    obs: jax.Array
    latent: Latent
    first: jax.Array
    episode_return: jax.Array


def _obs_size(world: World) -> int:
    size = 1
    for dim in world.obs_shape:
        size *= dim
    return size


def init_learner(key: jax.Array, world: World, config: DreamerConfig) -> Learner:
    """Untrained networks (slow critic = critic), empty replay, the world's first state
    and the model's belief about it."""
    model_key, actor_key, critic_key, reset_key, latent_key = jax.random.split(key, 5)
    model = WorldModel(model_key, _obs_size(world), world.n_actions, config.rssm)
    feats, hidden = config.rssm.features, (config.units,)
    actor = NormMLP(actor_key, feats, world.n_actions, hidden)
    critic = zero_head(NormMLP(critic_key, feats, 1, hidden))
    nets = Nets(
        model=model,
        actor=actor,
        critic=critic,
        slow_critic=critic,
        model_opt=adam(config.model_lr).init(model),
        actor_opt=adam(config.actor_lr).init(actor),
        critic_opt=adam(config.critic_lr).init(critic),
        return_range=jnp.float32(1.0),
    )
    obs, world_state = world.reset(reset_key)
    return Learner(
        nets=nets,
        replay=sequence_replay_init(config.buffer, world.obs_shape),
        world_state=world_state,
        obs=obs,
        latent=first_latent(model, jnp.ravel(obs), config.rssm, latent_key),
        first=jnp.bool_(True),
        episode_return=jnp.float32(0.0),
    )


def act(nets: Nets, latent: Latent, key: jax.Array, config: DreamerConfig) -> jax.Array:
    """An action drawn from the actor at the belief ``latent``."""
    logp = actor_log_probs(nets.actor, features(latent), config.behavior.unimix)
    return jax.random.categorical(key, logp).astype(jnp.int32)


def env_step(
    learner: Learner, step: jax.Array, key: jax.Array, world: World, config: DreamerConfig
) -> tuple[Learner, Period]:
    """Env step ``step`` (from 0): act, step the world (reset where the episode ended),
    store, update the belief, maybe train."""
    act_key, world_key, first_key, post_key, train_key = jax.random.split(key, 5)
    nets = learner.nets
    action = act(nets, learner.latent, act_key, config)
    moved = advance(world, world_key, learner.world_state, action)
    stored = Steps(
        learner.obs, action, moved.reward, moved.next_obs, moved.terminated, learner.first
    )
    replay = replay_add(learner.replay, stored)
    ended = jnp.logical_or(moved.terminated, moved.truncated)
    rssm = config.rssm
    after = next_latent(
        nets.model,
        learner.latent,
        action,
        jnp.ravel(moved.next_obs),
        world.n_actions,
        rssm,
        post_key,
    )
    fresh = first_latent(nets.model, jnp.ravel(moved.obs), rssm, first_key)
    latent = jax.tree.map(lambda a, b: jnp.where(ended, a, b), fresh, after)
    taken = step + 1
    learn = jnp.logical_and(
        taken >= max(config.learning_starts, config.length), taken % config.train_every == 0
    )
    nets, loss = jax.lax.cond(
        learn,
        lambda: train_step(nets, replay, train_key, world.n_actions, config),
        lambda: (nets, jnp.float32(0.0)),
    )
    episode_return = learner.episode_return + moved.reward
    period = Period(
        loss=loss,
        updates=learn.astype(jnp.int32),
        episodes=ended.astype(jnp.int32),
        returns=jnp.where(ended, episode_return, 0.0),
        rollouts=no_rollouts(),
    )
    learner = Learner(
        nets=nets,
        replay=replay,
        world_state=moved.state,
        obs=moved.obs,
        latent=latent,
        first=ended,
        episode_return=jnp.where(ended, 0.0, episode_return),
    )
    return learner, period


def greedy_policy(nets: Nets, n_actions: int, config: DreamerConfig) -> GreedyPolicy:
    """Acting greedily on the most likely beliefs; the critic's value of the start is
    what the agent believes it will obtain."""
    rssm, unimix = config.rssm, config.behavior.unimix

    def start(obs: jax.Array) -> tuple[Latent, jax.Array]:
        latent = first_latent(nets.model, jnp.ravel(obs), rssm)
        return latent, nets.critic(features(latent))[0]

    def choose(latent: Latent) -> jax.Array:
        logp = actor_log_probs(nets.actor, features(latent), unimix)
        return jnp.argmax(logp).astype(jnp.int32)

    def remember(latent: Latent, action: jax.Array, obs: jax.Array) -> Latent:
        return next_latent(nets.model, latent, action, jnp.ravel(obs), n_actions, rssm)

    return GreedyPolicy(start, choose, remember)


def policy_table(world: World, nets: Nets, config: DreamerConfig) -> jax.Array:
    """The actor's action probabilities in every state of a tabular world, each state's
    observation seen afresh: shape ``(n_states, n_actions)``."""
    if world.observations is None:
        raise ValueError(f"world {world.name!r} is not a table: it has no state observations")

    def one(obs: jax.Array) -> jax.Array:
        latent = first_latent(nets.model, jnp.ravel(obs), config.rssm)
        return jnp.exp(actor_log_probs(nets.actor, features(latent), config.behavior.unimix))

    return jax.vmap(one)(jnp.asarray(world.observations))


def dream(
    world: World, nets: Nets, key: jax.Array, config: DreamerConfig, steps: int = DREAM_STEPS
) -> Dream:
    """A greedy episode in ``world`` and the world model's open-loop dream of it
    (:func:`dynalab.deep.dreams.dream_episode`)."""
    policy = greedy_policy(nets, world.n_actions, config)
    return dream_episode(world, policy, nets.model, config.rssm, key, steps)


def _record(
    world: World, learner: Learner, key: jax.Array, budget: Budget, config: DreamerConfig
) -> dict:
    """An evaluation point's greedy episodes, the imagination's open-loop error on the
    replay (``rollout_error``) and, on tables, the policy of every state."""
    nets = learner.nets
    eval_key, error_key = jax.random.split(key)
    policy = greedy_policy(nets, world.n_actions, config)
    record = evaluate(world, policy, eval_key, budget.eval_episodes, config.gamma)._asdict()
    record["rollout_error"] = imagination_errors(
        nets.model, learner.replay, error_key, world.n_actions, config.rssm
    )
    if world.observations is not None:
        record["policy_table"] = policy_table(world, nets, config)
    return record


def train(
    key: jax.Array, world: World, config: DreamerConfig, budget: Budget
) -> tuple[Nets, dict[str, jax.Array]]:
    """One Dreamer run on ``world``: the final networks and the metrics of each
    evaluation point: ``env_step``; ``eval_return``, ``eval_discounted_return`` and
    ``believed_value`` (:class:`dynalab.deep.evaluation.Evaluation`); ``rollout_error``,
    the imagination's open-loop error after 1..10 steps (:mod:`dynalab.deep.dreams`);
    ``loss``, the world model's mean loss since the previous point; ``train_return`` and
    ``train_episodes`` as DQN records them; on tabular worlds ``policy_table``. Pure: jit
    it with ``world``, ``config`` and ``budget`` static
    (:func:`dynalab.deep.runs.train_runs` does)."""
    init_key, loop_key, eval_key = jax.random.split(key, 3)
    learner, metrics = run_periods(
        init_learner(init_key, world, config),
        lambda learner, step, step_key: env_step(learner, step, step_key, world, config),
        lambda learner, point_key: _record(world, learner, point_key, budget, config),
        budget,
        loop_key,
        eval_key,
    )
    metrics["train_episodes"] = jnp.cumsum(metrics["train_episodes"])
    metrics["env_step"] = jnp.asarray(budget.eval_steps, jnp.int32)
    return learner.nets, metrics
