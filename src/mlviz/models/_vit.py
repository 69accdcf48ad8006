"""A small vision transformer for 28x28 digits, with attention weights that hooks can read.

Each block's attention computes its softmax in a module of its own (``blocks.<i>.attn.attend``)
so that a forward hook on it receives the attention weights of shape
``(N, heads, tokens, tokens)``; :class:`mlviz.attention.AttentionCapture` collects them.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Attention", "Block", "TinyViT"]


class Attention(nn.Module):
    """Multi-head self-attention written out, its softmax a separate ``attend`` module.

    Parameters
    ----------
    dim : int
        Token width; must be divisible by ``heads``.
    heads : int
        Number of attention heads.
    """

    def __init__(self, dim: int, heads: int):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim must be divisible by heads; got dim={dim!r}, heads={heads!r}")
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.attend = nn.Softmax(dim=-1)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Attend over the tokens of ``x`` of shape ``(N, tokens, dim)``; same shape out."""
        n, t, d = x.shape
        q, k, v = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        weights = self.attend((q @ k.transpose(-2, -1)) * self.scale)  # (N, heads, T, T), rows sum to 1
        return self.proj((weights @ v).transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm1(x))``, then ``x + mlp(norm2(x))``."""

    def __init__(self, dim: int, heads: int, mlp_ratio: int = 2):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the block's output, same shape as ``x``."""
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TinyViT(nn.Module):
    """A vision transformer (Dosovitskiy et al., 2021) small enough to train on a CPU.

    The image is cut into non-overlapping ``patch x patch`` squares, each flattened and
    projected to ``dim`` (``patch_embed``); a learned class token is prepended and
    learned position embeddings added; ``depth`` blocks follow; the class token's final
    state (after ``norm``) goes through ``head`` to the logits.

    Parameters
    ----------
    image_size : int
        Side of the square input images.
    patch : int
        Side of a patch; must divide ``image_size`` (7 gives a 4x4 grid of 16 patches).
    dim, depth, heads, mlp_ratio : int
        Token width, number of blocks, heads per block, hidden width of the MLP / dim.
    n_classes : int
        Number of logits.

    Examples
    --------
    >>> net = TinyViT(patch=7, dim=32, depth=2, heads=4)
    >>> net(torch.zeros(3, 1, 28, 28)).shape
    torch.Size([3, 10])
    >>> net.n_tokens  # class token + 16 patches
    17
    """

    def __init__(
        self,
        image_size: int = 28,
        patch: int = 7,
        dim: int = 64,
        depth: int = 3,
        heads: int = 4,
        mlp_ratio: int = 2,
        n_classes: int = 10,
    ):
        super().__init__()
        if image_size % patch:
            raise ValueError(f"patch must divide image_size; got patch={patch!r}, image_size={image_size!r}")
        self.patch = patch
        self.grid = image_size // patch
        self.n_tokens = 1 + self.grid**2
        self.patch_embed = nn.Linear(patch * patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, self.n_tokens, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def patches(self, x: torch.Tensor) -> torch.Tensor:
        """Cut ``(N, 1, H, W)`` images into ``(N, grid*grid, patch*patch)`` rows, row-major."""
        p = self.patch
        return x.unfold(2, p, p).unfold(3, p, p).reshape(x.shape[0], -1, p * p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the logits ``(N, n_classes)`` for images ``(N, 1, H, W)``."""
        tokens = self.patch_embed(self.patches(x))
        tokens = torch.cat([self.cls_token.expand(len(x), -1, -1), tokens], dim=1) + self.pos_embed
        for block in self.blocks:
            tokens = block(tokens)
        return self.head(self.norm(tokens)[:, 0])
