"""The small problem the optimizer-interchange tests run on."""
import torch


def problem(dtype):
    """A small MLP regression; the same weights and data every call."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(),
                              torch.nn.Linear(8, 1)).to(dtype)
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(40, 3, generator=gen, dtype=dtype)
    y = torch.randn(40, 1, generator=gen, dtype=dtype)
    params = list(net.parameters())
    return params, lambda: torch.nn.functional.mse_loss(net(X), y)


def steps(opt, params, loss_fn, n):
    for _ in range(n):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
    return torch.cat([p.detach().flatten() for p in params])
