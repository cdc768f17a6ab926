"""DQN (Mnih et al. 2015, Nature 518:529) and Double DQN (van Hasselt, Guez & Silver 2016).

One run is one pure function, :func:`train`: ``lax.scan`` over evaluation periods, each a
``lax.scan`` over env steps. Every env step the agent acts epsilon-greedily (epsilon falls
linearly from ``epsilon_start`` to ``epsilon_end`` over ``epsilon_steps`` steps), stores
the transition in a replay ring buffer, and - once ``learning_starts`` steps are stored -
every ``train_every`` steps takes one Adam step on the mean TD loss (``loss``: half the
squared error, or Huber's) of a uniformly sampled minibatch of ``batch`` TD errors,
against a target network copied from the online one every ``target_every`` env steps.
``double`` lets the online network pick the next action and the target network value it.

All randomness comes from the run's key: the network's initial weights, then step ``t``'s
action, world and minibatch draws from ``fold_in(loop key, t)``, and evaluation ``p``'s
episodes from ``fold_in(eval key, p)``. Nothing depends on other runs in a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from dynalab.agents.config import AgentConfig
from dynalab.agents.neural_keys import DYNA_KEYS
from dynalab.deep.agents.dyna_dqn import (
    DynaConfig,
    dyna_phase,
    no_rollouts,
    training_batch,
)
from dynalab.deep.agents.records import Period, model_record, run_periods
from dynalab.deep.budget import Budget
from dynalab.deep.evaluation import evaluate, q_policy, q_table
from dynalab.deep.networks import QNetwork, q_values
from dynalab.deep.numerics import batch_mean
from dynalab.deep.replay import Replay, Transitions, replay_add, replay_init, replay_sample
from dynalab.deep.value_learning import double_q_learning_target, q_learning_target, td_loss
from dynalab.deep.world_model import (
    ModelConfig,
    ModelState,
    model_init,
)
from dynalab.deep.worlds import Moved, World, advance


@dataclass(frozen=True)
class DQNConfig:
    """DQN's hyper-parameters as the compiled run takes them (hashable, static under
    ``jax.jit``). Build it with :func:`dqn_config`, which takes the registry's defaults
    and range checks (``dynalab agents`` lists them); the fields are the ``dqn`` keys,
    ``hidden`` as a tuple of widths."""

    gamma: float
    lr: float
    batch: int
    buffer: int
    target_every: int
    hidden: tuple[int, ...]
    epsilon_start: float
    epsilon_end: float
    epsilon_steps: int
    double: bool
    train_every: int
    learning_starts: int
    loss: str = "mse"
    dyna: DynaConfig | None = None


def dqn_config(agent: AgentConfig | None = None, /, **keys: Any) -> DQNConfig:
    """The :class:`DQNConfig` of a ``dqn`` or ``dyna-dqn`` agent configuration (for
    dyna-dqn, with its :class:`~dynalab.deep.agents.dyna_dqn.DynaConfig`), or of
    ``AgentConfig(name="dqn", **keys)`` (``dqn_config(lr=3e-4, hidden="32x32")``).
    Raises ``AgentConfigError`` for a value out of range."""
    if agent is None:
        agent = AgentConfig(name="dqn", **keys)
    elif keys:
        raise TypeError("dqn_config takes an AgentConfig or keys, not both")
    if agent.name not in ("dqn", "dyna-dqn"):
        raise ValueError(f"dqn_config needs a dqn or dyna-dqn configuration, got {agent.name!r}")
    settings = dict(agent.settings)
    own = {key.field: settings.pop(key.field) for key in DYNA_KEYS if key.field in settings}
    dyna = None
    if agent.name == "dyna-dqn":
        model = ModelConfig(
            members=own["members"],
            hidden=_widths(own["model_hidden"]),
            probabilistic=own["world_model"] == "probabilistic",
            train_every=own["model_every"],
            steps=own["model_steps"],
            batch=settings["batch"],
            lr=own["model_lr"],
        )
        dyna = DynaConfig(
            model=model,
            horizon=own["k"],
            rollouts=own["rollouts"],
            rollout_every=own["rollout_every"],
            real_ratio=own["real_ratio"],
            updates=own["updates"],
            uncertainty=own["guard"],
            penalty=own["penalty"],
            threshold=own["threshold"],
        )
    return DQNConfig(
        gamma=agent.gamma, hidden=_widths(settings.pop("hidden")), dyna=dyna, **settings
    )


def _widths(hidden: str) -> tuple[int, ...]:
    return () if hidden == "0" else tuple(int(width) for width in hidden.split("x"))


def epsilon_at(config: DQNConfig, step: jax.Array) -> jax.Array:
    """The linear schedule: ``epsilon_start`` at step 0 to ``epsilon_end`` at
    ``epsilon_steps``, then flat."""
    done = jnp.minimum(step / max(config.epsilon_steps, 1), 1.0)
    return config.epsilon_start + done * (config.epsilon_end - config.epsilon_start)


def epsilon_greedy(key: jax.Array, q: jax.Array, epsilon: jax.Array) -> jax.Array:
    """A uniformly random action with probability ``epsilon``, else ``argmax q``."""
    explore_key, action_key = jax.random.split(key)
    random_action = jax.random.randint(action_key, (), 0, q.shape[-1])
    explore = jax.random.uniform(explore_key) < epsilon
    return jnp.where(explore, random_action, jnp.argmax(q)).astype(jnp.int32)


def dqn_loss(
    online: QNetwork,
    target: QNetwork,
    batch: Transitions,
    gamma: float,
    double: bool,
    loss: str = "mse",
) -> jax.Array:
    """The mean TD loss (``loss``, :func:`dynalab.deep.value_learning.td_loss`) of the
    minibatch's TD errors against the target network."""
    q_tm1 = q_values(online, batch.obs)
    q_t_value = q_values(target, batch.next_obs)
    discount_t = gamma * (1.0 - batch.terminated.astype(jnp.float32))
    if double:
        q_t_selector = q_values(online, batch.next_obs)
        target_t = double_q_learning_target(q_t_value, q_t_selector, batch.reward, discount_t)
    else:
        target_t = q_learning_target(q_t_value, batch.reward, discount_t)
    return td_loss(q_tm1, batch.action, target_t, loss)


class Learner(NamedTuple):
    """What one run carries from step to step."""

    online: QNetwork
    target: QNetwork
    opt_state: Any
    replay: Replay
    world_state: Any
    obs: jax.Array
    episode_return: jax.Array
    model: ModelState | None = None
    simulated: Replay | None = None


def _optimizer(config: DQNConfig) -> optax.GradientTransformation:
    return optax.adam(config.lr)


def init_learner(key: jax.Array, world: World, config: DQNConfig) -> Learner:
    """The untrained networks (target = online), Adam's state, an empty replay and the
    world's first state."""
    net_key, reset_key = jax.random.split(key)
    size = 1
    for dim in world.obs_shape:
        size *= dim
    online = QNetwork(net_key, size, world.n_actions, config.hidden)
    obs, world_state = world.reset(reset_key)
    model = simulated = None
    if config.dyna is not None:
        model = model_init(jax.random.fold_in(key, 2), size, world.n_actions, config.dyna.model)
        simulated = replay_init(config.buffer, world.obs_shape)
    return Learner(
        online=online,
        target=online,
        opt_state=_optimizer(config).init(online),
        replay=replay_init(config.buffer, world.obs_shape),
        world_state=world_state,
        obs=obs,
        episode_return=jnp.float32(0.0),
        model=model,
        simulated=simulated,
    )


def _update(
    online: QNetwork, target: QNetwork, opt_state: Any, batch: Transitions, config: DQNConfig
) -> tuple[QNetwork, Any, jax.Array]:
    """One Adam step on the minibatch's loss: the new online network, Adam's state, the
    loss."""
    loss, grads = jax.value_and_grad(dqn_loss)(
        online, target, batch, config.gamma, config.double, config.loss
    )
    updates, opt_state = _optimizer(config).update(grads, opt_state, online)
    return optax.apply_updates(online, updates), opt_state, loss


def _learn(learner: Learner, key: jax.Array, config: DQNConfig) -> tuple:
    """DQN's gradient steps after one real step (one; ``updates`` for dyna-dqn, each on
    a minibatch mixing real and simulated transitions): the new online network, Adam's
    state and the mean loss."""
    if config.dyna is None:
        batch = replay_sample(learner.replay, key, config.batch)
        return _update(learner.online, learner.target, learner.opt_state, batch, config)

    def one_update(carry: tuple, update_key: jax.Array) -> tuple:
        online, opt_state = carry
        batch = training_batch(
            learner.replay, learner.simulated, update_key, config.batch, config.dyna
        )
        online, opt_state, loss = _update(online, learner.target, opt_state, batch, config)
        return (online, opt_state), loss

    (online, opt_state), losses = jax.lax.scan(
        one_update,
        (learner.online, learner.opt_state),
        jax.random.split(key, config.dyna.updates),
    )
    return online, opt_state, batch_mean(losses)


def choose_action(
    learner: Learner, step: jax.Array, key: jax.Array, config: DQNConfig
) -> tuple[jax.Array, jax.Array]:
    """Env step ``step``'s epsilon-greedy action from ``learner.obs``, and epsilon.
    ``key`` is the step's key (:func:`env_step` splits it the same way)."""
    act_key, _, _ = jax.random.split(key, 3)
    epsilon = epsilon_at(config, step)
    return epsilon_greedy(act_key, learner.online(learner.obs), epsilon), epsilon


def observe(
    learner: Learner,
    step: jax.Array,
    key: jax.Array,
    action: jax.Array,
    epsilon: jax.Array,
    moved: Moved,
    n_actions: int,
    config: DQNConfig,
) -> tuple[Learner, Period]:
    """Everything after the world answered ``action`` with ``moved``: store, (dyna-dqn:
    train the model and roll it out, :func:`dynalab.deep.agents.dyna_dqn.dyna_phase`),
    maybe learn, maybe sync the target, count the episode. The world's new state
    (``moved.state``) and observation replace the learner's."""
    _, _, sample_key = jax.random.split(key, 3)
    stored = Transitions(learner.obs, action, moved.reward, moved.next_obs, moved.terminated)
    learner = learner._replace(
        replay=replay_add(learner.replay, stored), world_state=moved.state, obs=moved.obs
    )
    taken = step + 1
    started = taken >= config.learning_starts
    rollouts = no_rollouts()
    if config.dyna is not None:
        model, simulated, rollouts = dyna_phase(
            learner.model,
            learner.online,
            learner.replay,
            learner.simulated,
            taken,
            started,
            jax.random.fold_in(key, 3),
            epsilon,
            n_actions,
            config.dyna,
        )
        learner = learner._replace(model=model, simulated=simulated)
    learn = jnp.logical_and(started, taken % config.train_every == 0)
    online, opt_state, loss = jax.lax.cond(
        learn,
        lambda: _learn(learner, sample_key, config),
        lambda: (learner.online, learner.opt_state, jnp.float32(0.0)),
    )
    learner = learner._replace(online=online, opt_state=opt_state)
    target = jax.lax.cond(
        taken % config.target_every == 0, lambda: learner.online, lambda: learner.target
    )
    episode_return = learner.episode_return + moved.reward
    ended = jnp.logical_or(moved.terminated, moved.truncated)
    period = Period(
        loss=loss,
        updates=learn.astype(jnp.int32) * (1 if config.dyna is None else config.dyna.updates),
        episodes=ended.astype(jnp.int32),
        returns=jnp.where(ended, episode_return, 0.0),
        rollouts=rollouts,
    )
    learner = learner._replace(target=target, episode_return=jnp.where(ended, 0.0, episode_return))
    return learner, period


def env_step(
    learner: Learner, step: jax.Array, key: jax.Array, world: World, config: DQNConfig
) -> tuple[Learner, Period]:
    """Env step ``step`` (counted from 0) on a JAX world: :func:`choose_action`, the
    world's step (reset where the episode ended), :func:`observe`.

    ``step`` must not be batched over runs (it is the scan's counter), so the conditions
    on it stay real branches under ``vmap``.
    """
    action, epsilon = choose_action(learner, step, key, config)
    _, world_key, _ = jax.random.split(key, 3)
    moved = advance(world, world_key, learner.world_state, action)
    return observe(learner, step, key, action, epsilon, moved, world.n_actions, config)


def _record(
    world: World, learner: Learner, key: jax.Array, budget: Budget, config: DQNConfig
) -> dict:
    """An evaluation point's greedy episodes, Q table (on tables) and model measures."""
    evaluation = evaluate(world, q_policy(learner.online), key, budget.eval_episodes, config.gamma)
    record = evaluation._asdict()
    if world.observations is not None:
        record["q_table"] = q_table(world, learner.online)
    if config.dyna is not None:
        record |= model_record(learner.model, learner.replay, key, world.n_actions, config.dyna)
    return record


def finish_metrics(metrics: dict, budget: Budget, config: DQNConfig) -> dict:
    """The per-point records stacked into the run's metrics: training episodes made
    cumulative, ``env_step`` and ``epsilon`` added."""
    metrics["train_episodes"] = jnp.cumsum(metrics["train_episodes"])
    eval_steps = jnp.asarray(budget.eval_steps, jnp.int32)
    metrics["env_step"] = eval_steps
    metrics["epsilon"] = epsilon_at(config, eval_steps)
    return metrics


def train(
    key: jax.Array, world: World, config: DQNConfig, budget: Budget
) -> tuple[QNetwork, dict[str, jax.Array]]:
    """One DQN run on ``world``: the final online network and its metrics.

    Metrics have one entry per evaluation point (``budget.eval_steps``: 0, E, ..., steps):
    ``env_step``; ``eval_return``, ``eval_discounted_return`` and ``believed_value``
    (:class:`dynalab.deep.evaluation.Evaluation`); ``epsilon``; ``loss``, the mean TD loss
    of the updates since the previous point; ``train_return``, the mean return of the
    training episodes that ended since then (both nan where there were none);
    ``train_episodes``, the training episodes ended so far; on tabular worlds
    ``q_table``, Q of every state; for dyna-dqn the model's ``model_error``,
    ``disagreement_rank`` and ``rollout_error`` (one per horizon,
    :mod:`dynalab.deep.model_error`) and the rollouts' ``simulated``, ``cut_share`` and
    ``disagreement``. Pure: jit it with ``world``, ``config`` and ``budget``
    static (:func:`dynalab.deep.runs.train_runs` does, for a batch of runs).
    """
    init_key, loop_key, eval_key = jax.random.split(key, 3)
    learner, metrics = run_periods(
        init_learner(init_key, world, config),
        lambda learner, step, step_key: env_step(learner, step, step_key, world, config),
        lambda learner, point_key: _record(world, learner, point_key, budget, config),
        budget,
        loop_key,
        eval_key,
        has_model=config.dyna is not None,
    )
    return learner.online, finish_metrics(metrics, budget, config)
