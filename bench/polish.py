"""The polish: which basin does a point lie in?

A monotone, step-capped quasi-Newton descent. Each iteration tries one step along the L-BFGS
direction (two-loop recursion, Nocedal 1980; memory ``MEMORY``), scaled to at most ``cap`` (a
fraction of the objective's basin scale) times a trust factor. The step is taken only if f
decreases (f never increases, and no step is longer than ``cap``, so the polish cannot jump into
another valley); otherwise the trust factor halves. A curvature pair is stored only when
s.y > 0, so the direction stays a descent direction on non-convex landscapes; when it is not one,
the step falls back to steepest descent. Plain capped gradient steps crawl along curved valleys
(Rosenbrock); the quasi-Newton direction follows them.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

MEMORY = 6


def _two_loop(g, S, Y, rho):
    """-H g for the L-BFGS inverse Hessian H of the pairs (S, Y), newest last; rho = 0 marks
    an empty slot (it then contributes nothing)."""
    q = g
    alphas = []
    for i in reversed(range(S.shape[0])):
        alpha = rho[i] * jnp.dot(S[i], q)
        q = q - alpha * Y[i]
        alphas.append(alpha)
    newest_yy = jnp.dot(Y[-1], Y[-1])
    gamma = jnp.where(rho[-1] > 0, 1.0 / (rho[-1] * jnp.where(newest_yy > 0, newest_yy, 1.0)), 1.0)
    r = gamma * q
    for i, alpha in zip(range(S.shape[0]), reversed(alphas)):
        beta = rho[i] * jnp.dot(Y[i], r)
        r = r + (alpha - beta) * S[i]
    return -r


def polish(value_fn, project, cap: float, iterations: int, x):
    """f at the end of the polish from x (shape [d]); ``project`` maps a point into the box."""
    value_and_grad = jax.value_and_grad(value_fn)
    dtype = x.dtype
    d = x.shape[-1]
    f0, g0 = value_and_grad(x)

    def body(carry, _):
        x, f, g, S, Y, rho, trust = carry
        direction = _two_loop(g, S, Y, rho)
        descent = jnp.dot(direction, g) < 0
        direction = jnp.where(descent, direction, -g)
        length = jnp.linalg.norm(direction)
        scale = trust * jnp.minimum(1.0, cap / jnp.where(length > 0, length, 1.0))
        candidate = project(x + scale * direction)
        f_new, g_new = value_and_grad(candidate)
        accept = jnp.isfinite(f_new) & (f_new < f)
        s, y = candidate - x, g_new - g
        sy = jnp.dot(s, y)
        store = accept & (sy > 1e-12 * jnp.linalg.norm(s) * jnp.linalg.norm(y))
        S = jnp.where(store, jnp.concatenate([S[1:], s[None]]), S)
        Y = jnp.where(store, jnp.concatenate([Y[1:], y[None]]), Y)
        rho = jnp.where(store, jnp.concatenate([rho[1:], (1.0 / jnp.where(store, sy, 1.0))[None]]), rho)
        x = jnp.where(accept, candidate, x)
        f = jnp.where(accept, f_new, f)
        g = jnp.where(accept, g_new, g)
        trust = jnp.where(accept, jnp.minimum(1.0, 2.0 * trust), 0.5 * trust)
        return (x, f, g, S, Y, rho, trust), None

    init = (
        x,
        f0,
        g0,
        jnp.zeros((MEMORY, d), dtype),
        jnp.zeros((MEMORY, d), dtype),
        jnp.zeros((MEMORY,), dtype),
        jnp.asarray(1.0, dtype),
    )
    (_, f, *_), _ = jax.lax.scan(body, init, None, length=iterations)
    return f
