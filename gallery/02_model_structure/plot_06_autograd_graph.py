"""
# The autograd graph of one forward pass

**Catalog B6** · **Question:** structure, internals · **Family:** neural network · **Phase:** during training · **Data:** MNIST

PyTorch builds a graph while it computes: every tensor produced by an operation keeps a
`grad_fn`, the node that knows how to send gradients back to that operation's inputs,
and each node links to the nodes before it through `next_functions`. `loss.backward()`
walks this graph from the loss to the parameters. Drawing it shows what backpropagation
actually traverses: which operations the forward pass recorded (some of them invisible
in the model's code, such as the transposes inside a dense layer), and where the
gradients end up, in the `AccumulateGrad` nodes that fill each parameter's `.grad`.
"""

# %%
# ## One forward pass
#
# We take the gallery's shared CNN and a single MNIST image (from the gallery's split of
# MNIST's official 10,000-image test set) and compute the cross-entropy loss. Nothing is
# drawn by hand yet: the graph exists as soon as `loss` does.
import torch.nn.functional as F

from mlviz.models import load_mnist_cnn, mnist_tensors

model = load_mnist_cnn().model
X, y = mnist_tensors("test", n=1)
loss = F.cross_entropy(model(X), y)
print(loss.grad_fn, loss.grad_fn.next_functions)

# %%
# ## Walk the graph
#
# Starting from `loss.grad_fn`, a depth-first walk over `next_functions` (a stack of
# nodes still to visit, and the set of nodes already seen) collects every node and
# edge. `AccumulateGrad` nodes hold a `variable`: a leaf tensor, here a parameter,
# whose name we look up in `model.named_parameters()`.
import networkx as nx

param_names = {id(p): name for name, p in model.named_parameters()}
graph = nx.DiGraph()


def label(fn):
    if hasattr(fn, "variable"):
        v = fn.variable
        return f"{param_names.get(id(v), 'input')}\n{' × '.join(map(str, v.shape))}"
    return type(fn).__name__.removesuffix("Backward0").removesuffix("Backward1")


stack, seen = [loss.grad_fn], set()
while stack:
    fn = stack.pop()
    if id(fn) in seen:
        continue
    seen.add(id(fn))
    graph.add_node(id(fn), label=label(fn), leaf=hasattr(fn, "variable"))
    for nxt, _ in fn.next_functions:
        if nxt is not None:
            # Gradients flow from fn to nxt; we draw the forward direction nxt -> fn.
            graph.add_edge(id(nxt), id(fn))
            stack.append(nxt)

from mlviz.report import claim, say

labels = [d["label"] for _, d in graph.nodes(data=True)]
n_leaves = sum(1 for _, d in graph.nodes(data=True) if d["leaf"])
say(
    f"The forward pass recorded **{graph.number_of_nodes() - n_leaves} operations** "
    f"and reaches **{n_leaves} parameter tensors** ({len(param_names)} in the model)."
)
claim(
    not X.requires_grad and not any(label.startswith("input") for label in labels),
    "the input image does not appear in the graph",
    evidence=f"labels: {labels}",
)

# %%
# ## Draw it
#
# The input image does not appear: it does not require a gradient, so autograd keeps
# no node for it. Each node sits one row above the node that consumes its output (rows
# count the longest path down to the loss), so the forward direction points down and
# every parameter appears just above the operation that uses it. Blue boxes are
# operations (the name of their backward function without `Backward0`); orange boxes
# are the parameters where the gradients are accumulated.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

sink = id(loss.grad_fn)
rows_from_loss = {sink: 0}
for node in reversed(list(nx.topological_sort(graph))):
    for succ in graph.successors(node):
        rows_from_loss[node] = max(
            rows_from_loss.get(node, 0), rows_from_loss[succ] + 1
        )
n_rows = max(rows_from_loss.values())
pos = {}
for row in range(n_rows + 1):
    members = [n for n, r in rows_from_loss.items() if r == row]
    # the main chain (operations fed by another operation) in the middle, the rest
    # around it
    members.sort(
        key=lambda n: (
            graph.nodes[n]["leaf"]
            or graph.in_degree(n) == 1
            and all(graph.nodes[p]["leaf"] for p in graph.predecessors(n)),
            graph.nodes[n]["label"],
        )
    )
    offsets = [0, 1.6, -1.6, 3.2, -3.2]
    for node, dx in zip(members, offsets):
        pos[node] = (dx, -(n_rows - row))

fig, ax = plt.subplots(figsize=(9, 12))
nx.draw_networkx_edges(
    graph,
    pos,
    ax=ax,
    arrows=True,
    arrowstyle="-|>",
    arrowsize=12,
    node_size=2500,
    edge_color="#555",
)
for node, (x, y_) in pos.items():
    leaf = graph.nodes[node]["leaf"]
    ax.text(
        x,
        y_,
        graph.nodes[node]["label"],
        ha="center",
        va="center",
        fontsize=9,
        bbox=dict(
            boxstyle="round,pad=0.35", fc="#f4a261" if leaf else "#a8c5e6", ec="black"
        ),
    )
xs = [p[0] for p in pos.values()]
ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
ax.set_ylim(min(p[1] for p in pos.values()) - 0.6, 0.6)
ax.axis("off")
ax.set_title(
    "Autograd graph of cross_entropy(model(x), y); "
    "backward() follows the arrows in reverse"
)
plt.show()

named = {"Convolution", "Addmm", "T", "View", "MaxPool2DWithIndices"}
named |= {"LogSoftmax", "NllLoss"}
inputs = {}
for node, data in graph.nodes(data=True):
    inputs.setdefault(data["label"], []).append(graph.in_degree(node))
claim(
    named <= set(labels)
    and sorted(inputs.get("Convolution", [])) == [2, 3]
    and inputs.get("Addmm") == [3, 3],
    "the nodes named below appear; Addmm has three inputs, the first Convolution two",
    evidence=f"in-degrees: {inputs}",
)

# %%
# ## The gradients the graph produces
#
# `loss.backward()` runs the graph in reverse and leaves each parameter's gradient in
# `.grad`, with the parameter's shape. The table gives each gradient's shape and its
# norm, for this one image.
import pandas as pd

loss.backward()
grads = {name: p.grad for name, p in model.named_parameters()}
claim(
    all(g.shape == p.shape for g, p in zip(grads.values(), model.parameters())),
    "each parameter's gradient has the parameter's shape",
)
gradients = pd.DataFrame(
    {
        "gradient shape": [" × ".join(map(str, g.shape)) for g in grads.values()],
        "gradient norm": [g.norm().item() for g in grads.values()],
    },
    index=pd.Index(list(grads), name="parameter"),
)
say(
    "The largest gradient, by norm, is that of "
    f"**{gradients['gradient norm'].idxmax()}**."
)
model.zero_grad()
gradients.round(3)

# %%
# ## How to read this figure
#
# * Read top to bottom for the forward pass: parameters (orange) feed operations (blue);
#   the bottom node is the loss. Backpropagation visits the same nodes bottom to top.
# * `Convolution` is `conv1`/`conv2`; `Addmm` (`bias + input @ weight.T`) is a dense
#   layer, and the `T` node just below its weight is the transpose hidden in
#   `nn.Linear`. `View` is the flatten step. `MaxPool2DWithIndices` remembers where each
#   maximum was, so that the gradient goes back only to the winning pixel.
# * `NllLoss` after `LogSoftmax` is how `F.cross_entropy` is computed.
# * The incoming arrows of a node are its inputs that need a gradient: `Addmm` has
#   three (bias, flattened input, transposed weight), the first `Convolution` only two
#   (weight and bias), because the image needs none. A tensor used twice would have two
#   outgoing arrows, and its gradients would be summed.
#
# ## Pitfalls
#
# * **The graph is rebuilt on every forward pass** (define-by-run): an `if` in
#   `forward` can give a different graph for another input. This is one pass, not the
#   model.
# * **Node names are implementation details** (`ReluBackward0`, `AddmmBackward0`) and
#   change between PyTorch versions and devices.
# * **Under `torch.no_grad()` or for `.detach()`ed tensors, no graph is recorded**:
#   `loss.grad_fn` would be `None`.
