"""Neural agents of the JAX backend, each a pure training-run function."""
