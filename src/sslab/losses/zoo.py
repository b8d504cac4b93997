"""The loss zoo: every two-view SSL loss behind one calling convention, for composition (issue 11).

A ``ViewLoss`` wraps a pure loss function so that any data model × model × loss composes:

    fn(z1, z2, p1, p2, **hyper) -> scalar

- ``z1, z2``: encoder (or projector) outputs of the two views, shape (B, r). For ``target="ema"``
  the composition layer passes the *target network's* outputs here (already stop-gradiented).
- ``p1, p2``: predictor outputs h(z1), h(z2), shape (B, r), when ``needs_predictor``; else ``None``.
- ``hyper``: the loss's hyper-parameters (``tau``, ``lam``...), defaults in ``ViewLoss.hyper``; each
  may be a traced scalar (a lane field), never used in Python control flow.

``target`` says how the second branch is treated: ``"none"`` (both branches get gradients),
``"stopgrad"`` (the loss applies ``stop_gradient`` itself, e.g. SimSiam) or ``"ema"`` (the
composition layer keeps an exponential-moving-average copy of the encoder, e.g. BYOL).
``contrastive`` marks losses that use in-batch negatives (the C_α diagnostic applies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from ..registry import Registry
from . import alignment as _alignment
from . import clip as _clip
from . import infonce as _infonce
from . import simsiam as _simsiam


@dataclass(frozen=True)
class ViewLoss:
    """A two-view loss with its calling convention and metadata (module docstring)."""

    name: str
    fn: Callable[..., Any]
    hyper: dict[str, float] = field(default_factory=dict)
    needs_predictor: bool = False
    target: Literal["none", "stopgrad", "ema"] = "none"
    contrastive: bool = False
    doc: str = ""

    def __call__(self, z1, z2, p1=None, p2=None, **hyper):
        unknown = set(hyper) - set(self.hyper)
        if unknown:
            raise ValueError(f"loss {self.name!r}: unknown hyper-parameter(s) {sorted(unknown)}; "
                             f"valid choices: {', '.join(sorted(self.hyper)) or '(none)'}")
        return self.fn(z1, z2, p1, p2, **{**self.hyper, **hyper})


VIEW_LOSSES: Registry[ViewLoss] = Registry("two-view loss")


def register(loss: ViewLoss) -> ViewLoss:
    """Add ``loss`` to ``VIEW_LOSSES`` under its name."""
    VIEW_LOSSES.register(loss.name, loss)
    return loss


register(ViewLoss(
    "infonce", lambda z1, z2, p1, p2, tau: _infonce.infonce(z1, z2, tau=tau, similarity="dot"),
    hyper={"tau": 1.0}, contrastive=True,
    doc="InfoNCE, dot-product similarity, one-sided, in-batch negatives (Oord et al. 2018; spec bansal2024 §2)."))
register(ViewLoss(
    "simsiam", lambda z1, z2, p1, p2: _simsiam.simsiam(p1, p2, z1, z2),
    needs_predictor=True, target="stopgrad",
    doc="SimSiam symmetric negative cosine with predictor and stop-gradient (Chen & He 2021)."))
register(ViewLoss(
    "clip", lambda z1, z2, p1, p2, tau: _clip.clip(z1, z2, tau=tau),
    hyper={"tau": 1.0}, contrastive=True,
    doc="CLIP symmetric cross-entropy (Radford et al. 2021), read as a two-sided InfoNCE on two views."))
register(ViewLoss(
    "alignment", lambda z1, z2, p1, p2: _alignment.alignment(z1, z2),
    doc="Yang et al. 2024 negative-free alignment −mean⟨z1, z2⟩ (needs the model's own regulariser)."))
