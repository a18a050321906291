"""The polish: which basin does a point lie in?

A monotone, step-capped quasi-Newton descent. Each iteration tries one step along the L-BFGS
direction (two-loop recursion, Nocedal 1980; memory ``MEMORY``), scaled to at most ``cap`` (a
fraction of the objective's basin scale) times a trust factor. The step is taken only if f
decreases (f never increases, and no step is longer than ``cap``, so the polish cannot jump into
another valley); otherwise the trust factor halves. A curvature pair is stored only when
s.y > 0, so the direction stays a descent direction on non-convex landscapes; when it is not one,
the step falls back to steepest descent. Plain capped gradient steps crawl along curved valleys
(Rosenbrock); the quasi-Newton direction follows them.

Every start of a block is polished at once, in the engine's layout (``columns.py``): points
``x[d, n]``, curvature pairs ``S, Y[MEMORY, d, n]``; each start's arithmetic is its own.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .columns import dot, norm

MEMORY = 6


def _two_loop(g, S, Y, rho):
    """-H g for the L-BFGS inverse Hessian H of the pairs (S, Y), newest last; rho = 0 marks
    an empty slot (it then contributes nothing). g [d, n], S and Y [MEMORY, d, n], rho [MEMORY, n]."""
    q = g
    alphas = []
    for i in reversed(range(S.shape[0])):
        alpha = rho[i] * dot(S[i], q)
        q = q - alpha * Y[i]
        alphas.append(alpha)
    newest_yy = dot(Y[-1], Y[-1])
    gamma = jnp.where(rho[-1] > 0, 1.0 / (rho[-1] * jnp.where(newest_yy > 0, newest_yy, 1.0)), 1.0)
    r = gamma * q
    for i, alpha in zip(range(S.shape[0]), reversed(alphas)):
        beta = rho[i] * dot(Y[i], r)
        r = r + (alpha - beta) * S[i]
    return -r


def polish(value_and_grad, project, cap: float, iterations: int, x):
    """f at the end of the polish from each column of ``x[d, n]``; ``value_and_grad`` maps
    ``x[d, n]`` to ``(f[n], g[d, n])`` (``columns.value_and_grad``), ``project`` maps points
    into the box.

    At most ``iterations`` iterations; the block stops early once every start is *settled*: its
    candidate point rounded back to itself. From then on nothing about that start can change (x,
    its gradient and curvature pairs stay; the trust factor only shrinks the step further), so a
    start's result is the same as after all ``iterations``, whatever its neighbours do."""
    dtype = x.dtype
    d, n = x.shape
    f0, g0 = value_and_grad(x)

    def shifted_in(memory, newest, store):
        return jnp.where(store, jnp.concatenate([memory[1:], newest[None]]), memory)

    def body(carry):
        i, settled, x, f, g, S, Y, rho, trust = carry
        direction = _two_loop(g, S, Y, rho)
        descent = dot(direction, g) < 0
        direction = jnp.where(descent, direction, -g)
        length = norm(direction)
        scale = trust * jnp.minimum(1.0, cap / jnp.where(length > 0, length, 1.0))
        candidate = project(x + scale * direction)
        f_new, g_new = value_and_grad(candidate)
        accept = jnp.isfinite(f_new) & (f_new < f)
        s, y = candidate - x, g_new - g
        sy = dot(s, y)
        store = accept & (sy > 1e-12 * norm(s) * norm(y))
        S = shifted_in(S, s, store)
        Y = shifted_in(Y, y, store)
        rho = shifted_in(rho, 1.0 / jnp.where(store, sy, 1.0), store)
        x = jnp.where(accept, candidate, x)
        f = jnp.where(accept, f_new, f)
        g = jnp.where(accept, g_new, g)
        trust = jnp.where(accept, jnp.minimum(1.0, 2.0 * trust), 0.5 * trust)
        settled = jnp.max(jnp.abs(s), axis=0) == 0  # (a float reduction: see columns.all_finite)
        return i + 1, settled, x, f, g, S, Y, rho, trust

    def going(carry):
        i, settled = carry[:2]
        return (i < iterations) & ~jnp.all(settled)

    init = (
        jnp.asarray(0, jnp.int32),
        jnp.zeros((n,), bool),
        x,
        f0,
        g0,
        jnp.zeros((MEMORY, d, n), dtype),
        jnp.zeros((MEMORY, d, n), dtype),
        jnp.zeros((MEMORY, n), dtype),
        jnp.ones((n,), dtype),
    )
    return jax.lax.while_loop(going, body, init)[3]
