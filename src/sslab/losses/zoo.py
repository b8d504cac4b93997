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
``contrastive`` marks losses that use in-batch negatives (the C_α diagnostic applies);
``symmetric`` marks losses with L(z1, z2, p1, p2) = L(z2, z1, p2, p1) (two-sided).

Entries (hyper-parameter defaults in brackets): ``infonce`` [τ=1], ``infonce_cos`` [τ=0.5], ``infonce_2s``
[τ=1], ``infonce_cos_2s`` [τ=0.5], ``nt_xent`` [τ=0.5], ``alpha_cl`` [τ=1], ``clip`` [τ=1], ``spectral``,
``simsiam``, ``byol`` (EMA helper: ``losses.byol.ema_update``), ``barlow_twins`` [λ=5e-3], ``vicreg``
[λ=25, μ=25, ν=1], ``alignment``. BCE is a supervised loss on logits and targets, not a
two-view loss, so it is not in the table (``sslab.losses.bce``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from . import alignment as _alignment
from . import alpha_cl as _alpha_cl
from . import barlow_twins as _barlow
from . import byol as _byol
from . import clip as _clip
from . import infonce as _infonce
from . import nt_xent as _nt_xent
from . import simsiam as _simsiam
from . import spectral as _spectral
from . import vicreg as _vicreg


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
    symmetric: bool = False

    def __call__(self, z1, z2, p1=None, p2=None, **hyper):
        unknown = set(hyper) - set(self.hyper)
        if unknown:
            raise ValueError(f"loss {self.name!r}: unknown hyper-parameter(s) {sorted(unknown)}; "
                             f"valid choices: {', '.join(sorted(self.hyper)) or '(none)'}")
        return self.fn(z1, z2, p1, p2, **{**self.hyper, **hyper})


class LossTable(dict):
    """The loss table: name -> :class:`ViewLoss`; an unknown name is a KeyError listing the valid names."""

    def __missing__(self, name: str) -> ViewLoss:
        raise KeyError(f"unknown two-view loss {name!r}; valid choices: {', '.join(self.names())}")

    def names(self) -> list[str]:
        return sorted(self)

    def items(self):  # type: ignore[override]
        return sorted(super().items())


VIEW_LOSSES = LossTable()


def register(loss: ViewLoss) -> ViewLoss:
    """Add ``loss`` to ``VIEW_LOSSES`` under its name (a different loss under a taken name is an error)."""
    if loss.name in VIEW_LOSSES and VIEW_LOSSES[loss.name] is not loss:
        raise ValueError(f"two-view loss {loss.name!r} is already registered")
    VIEW_LOSSES[loss.name] = loss
    return loss


register(ViewLoss(
    "infonce", lambda z1, z2, p1, p2, tau: _infonce.infonce(z1, z2, tau=tau, similarity="dot"),
    hyper={"tau": 1.0}, contrastive=True,
    doc="InfoNCE, dot-product similarity, one-sided, in-batch negatives (Oord et al. 2018; spec bansal2024 §2)."))
register(ViewLoss(
    "simsiam", lambda z1, z2, p1, p2: _simsiam.simsiam(p1, p2, z1, z2),
    needs_predictor=True, target="stopgrad", symmetric=True,
    doc="SimSiam symmetric negative cosine with predictor and stop-gradient (Chen & He 2021)."))
register(ViewLoss(
    "clip", lambda z1, z2, p1, p2, tau: _clip.clip(z1, z2, tau=tau),
    hyper={"tau": 1.0}, contrastive=True, symmetric=True,
    doc="CLIP symmetric cross-entropy (Radford et al. 2021), read as a two-sided InfoNCE on two views."))
register(ViewLoss(
    "alignment", lambda z1, z2, p1, p2: _alignment.alignment(z1, z2), symmetric=True,
    doc="Yang et al. 2024 negative-free alignment −mean⟨z1, z2⟩ (needs the model's own regulariser)."))
register(ViewLoss(
    "infonce_cos", lambda z1, z2, p1, p2, tau: _infonce.infonce(z1, z2, tau=tau, similarity="cosine"),
    hyper={"tau": 0.5}, contrastive=True,
    doc="InfoNCE, cosine similarity, one-sided: anchors z1_i, candidates the batch z2_j (Oord et al. 2018)."))
register(ViewLoss(
    "infonce_2s", lambda z1, z2, p1, p2, tau: _nt_xent.infonce_two_sided(z1, z2, tau=tau, similarity="dot"),
    hyper={"tau": 1.0}, contrastive=True, symmetric=True,
    doc="InfoNCE, dot similarity, two-sided ½[L(z1→z2) + L(z2→z1)] (equals CLIP on two views)."))
register(ViewLoss(
    "infonce_cos_2s", lambda z1, z2, p1, p2, tau: _nt_xent.infonce_two_sided(z1, z2, tau=tau, similarity="cosine"),
    hyper={"tau": 0.5}, contrastive=True, symmetric=True,
    doc="InfoNCE, cosine similarity, two-sided ½[L(z1→z2) + L(z2→z1)]."))
register(ViewLoss(
    "nt_xent", lambda z1, z2, p1, p2, tau: _nt_xent.nt_xent(z1, z2, tau=tau),
    hyper={"tau": 0.5}, contrastive=True, symmetric=True,
    doc="SimCLR NT-Xent: cosine, 2B anchors, 2B − 2 negatives from both views, mean over anchors (Chen et al. 2020)."))
register(ViewLoss(
    "alpha_cl", lambda z1, z2, p1, p2, tau: -_alpha_cl.energy_sg(z1, z2, tau) / (tau * z1.shape[0]),
    hyper={"tau": 1.0}, contrastive=True,
    doc="α-CL surrogate −E_{sg α}/(τB) with InfoNCE's α (view-1 negatives): its gradient is that of the "
        "mean InfoNCE Σ_i log(1 + ξ_i)/B, its value is not (Tian 2022/2023; spec tian2022 §1)."))
register(ViewLoss(
    "spectral", lambda z1, z2, p1, p2: _spectral.spectral_contrastive(z1, z2),
    contrastive=True, symmetric=True,
    doc="Spectral contrastive loss −2E[z1ᵀz2⁺] + E[(z1ᵀz2⁻)²] (HaoChen, Wei, Gaidon, Ma 2021)."))
register(ViewLoss(
    "byol", lambda z1, z2, p1, p2: _byol.byol(p1, p2, z1, z2),
    needs_predictor=True, target="ema", symmetric=True,
    doc="BYOL symmetric normalised MSE Σ (2 − 2cos(p, sg z_target)) with an EMA target (Grill et al. 2020)."))
register(ViewLoss(
    "barlow_twins", lambda z1, z2, p1, p2, lam: _barlow.barlow_twins(z1, z2, lam=lam),
    hyper={"lam": 5e-3}, symmetric=True,
    doc="Barlow Twins Σ(1 − C_ii)² + λΣ_{i≠j} C_ij², C the batch-standardised cross-correlation (Zbontar et al. 2021)."))
register(ViewLoss(
    "vicreg", lambda z1, z2, p1, p2, lam, mu, nu: _vicreg.vicreg(z1, z2, lam=lam, mu=mu, nu=nu),
    hyper={"lam": 25.0, "mu": 25.0, "nu": 1.0}, symmetric=True,
    doc="VICReg λ·MSE + μ·variance hinge + ν·off-diagonal covariance (Bardes, Ponce, LeCun 2022)."))
