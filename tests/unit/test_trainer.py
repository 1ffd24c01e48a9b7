import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

import gdlab
from gdlab import callbacks, checkpoint
from gdlab.trainer import Trainer, TrainerConfig, make_train_step


def datasets():
    data = gdlab.linear_data()
    as_t = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    return (TensorDataset(as_t(data.x_train), as_t(data.y_train)),
            TensorDataset(as_t(data.x_val), as_t(data.y_val)), data)


def make_trainer(n_epochs=6, dropout=0.0, lr=0.1, **config):
    torch.manual_seed(42)
    model = torch.nn.Sequential(torch.nn.Dropout(dropout),
                                torch.nn.Linear(1, 1))
    opt = gdlab.optim.Adam(model.parameters(), lr=lr)
    sched = gdlab.schedules.StepLR(opt, step_size=2, gamma=0.5)
    cfg = TrainerConfig(n_epochs=n_epochs, batch_size=16, **config)
    return Trainer(model, torch.nn.MSELoss(), opt, cfg, scheduler=sched)


def test_fit_reaches_least_squares_and_records_history():
    train, val, data = datasets()
    torch.manual_seed(42)
    model = torch.nn.Linear(1, 1)
    opt = gdlab.optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, torch.nn.MSELoss(), opt,
                      TrainerConfig(n_epochs=200, batch_size=16))
    history = trainer.fit(train, val)
    b, w = gdlab.closed_form(data.x_train, data.y_train)
    assert model.bias.item() == pytest.approx(b, abs=0.02)
    assert model.weight.item() == pytest.approx(w, abs=0.03)
    assert len(history["train_loss"]) == len(history["val_loss"]) == 200
    assert history["train_loss"][-1] < history["train_loss"][0] / 10
    X = torch.tensor([[0.0], [1.0]])
    torch.testing.assert_close(trainer.predict(X), model(X).detach())


def test_resume_from_checkpoint_equals_uninterrupted_run(tmp_path):
    train, val, _ = datasets()
    full = make_trainer(n_epochs=6, dropout=0.2)
    full.fit(train, val)
    first = make_trainer(n_epochs=3, dropout=0.2)
    first.fit(train, val)
    first.save(tmp_path / "ckpt.pt")
    torch.manual_seed(0)                   # disturb the global generator
    resumed = make_trainer(n_epochs=6, dropout=0.2)
    resumed.load(tmp_path / "ckpt.pt")
    resumed.fit(train, val)
    for p, q in zip(full.model.parameters(), resumed.model.parameters()):
        assert torch.equal(p, q)           # bit for bit
    assert full.history == resumed.history
    assert resumed.optimizer.param_groups[0]["lr"] == \
        full.optimizer.param_groups[0]["lr"]


def test_resume_refuses_a_different_config(tmp_path):
    trainer = make_trainer(n_epochs=1)
    trainer.fit(datasets()[0])
    trainer.save(tmp_path / "c.pt")
    other = make_trainer(n_epochs=1, seed=7)
    with pytest.raises(ValueError, match="different config"):
        other.load(tmp_path / "c.pt")


def test_interrupted_save_keeps_the_previous_checkpoint(tmp_path,
                                                        monkeypatch):
    path = tmp_path / "ckpt.pt"
    checkpoint.save_checkpoint(path, {"epoch": 1})

    def crash(obj, f):
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt("power cut")
    monkeypatch.setattr(checkpoint.torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save_checkpoint(path, {"epoch": 2})
    monkeypatch.undo()
    assert checkpoint.load_checkpoint(path) == {"epoch": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]


class Sneaky:
    def __reduce__(self):
        return (print, ("this ran while loading",))


def test_arbitrary_pickles_are_refused(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    torch.save({"model": Sneaky()}, path)
    with pytest.raises(ValueError, match="refusing to load"):
        checkpoint.load_checkpoint(path)
    assert "this ran" not in capsys.readouterr().out


def test_checkpoint_errors(tmp_path):
    with pytest.raises(TypeError, match="must be a dict"):
        checkpoint.save_checkpoint(tmp_path / "x.pt", [1, 2])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        checkpoint.save_checkpoint(tmp_path / "no" / "x.pt", {})
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        checkpoint.load_checkpoint(tmp_path / "missing.pt")
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="checkpoint dict"):
        checkpoint.load_checkpoint(tmp_path / "list.pt")


def test_gradient_clipping_callback_runs_before_the_step():
    train, _, _ = datasets()
    trainer = make_trainer(n_epochs=1)
    norms = []
    trainer.add_callback(callbacks.GradientClipping(max_norm=0.01))
    trainer.add_callback(lambda t: norms.append(torch.linalg.vector_norm(
        torch.cat([p.grad.flatten() for p in t.model.parameters()]))),
        event="after_backward")
    trainer.fit(train)
    assert len(norms) == 5 and max(norms) <= 0.01 + 1e-6


def test_tensorboard_logger_writes_scalars(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    train, val, _ = datasets()
    trainer = make_trainer(n_epochs=3)
    logger = callbacks.TensorBoardLogger(tmp_path)
    trainer.add_callback(logger)
    trainer.fit(train, val)
    logger.close()
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    logged = [e.value for e in events.Scalars("train_loss")]
    np.testing.assert_allclose(logged, trainer.history["train_loss"],
                               rtol=1e-6)
    assert [e.step for e in events.Scalars("val_loss")] == [1, 2, 3]


def test_divergence_is_reported():
    train, _, _ = datasets()
    trainer = make_trainer(n_epochs=50, lr=1e30)
    trainer.optimizer = torch.optim.SGD(trainer.model.parameters(), lr=1e30)
    trainer._train_step = make_train_step(trainer.model, trainer.loss_fn,
                                          trainer.optimizer)
    with pytest.raises(gdlab.DivergenceError, match="lower the learning"):
        trainer.fit(train)


def test_progress_line_only_when_asked(capsys):
    train, _, _ = datasets()
    make_trainer(n_epochs=2, progress=True).fit(train)
    assert "epoch 2/2" in capsys.readouterr().err
    make_trainer(n_epochs=2).fit(train)         # not a terminal: silent
    assert capsys.readouterr().err == ""


def test_per_batch_schedule():
    train, _, _ = datasets()
    trainer = make_trainer(n_epochs=1, schedule_per="batch")
    trainer.fit(train)
    assert trainer.scheduler.last_epoch == 5    # 80 samples / 16


def _valid_parts():
    model = torch.nn.Linear(1, 1)
    return model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(),
                                                      lr=0.1)


@pytest.mark.parametrize("make, error, words", [
    (lambda: TrainerConfig(n_epochs=0), ValueError, "n_epochs"),
    (lambda: TrainerConfig(schedule_per="step"), ValueError, "schedule_per"),
    (lambda: Trainer("model", None, None), TypeError, "nn.Module"),
    (lambda: Trainer(*_valid_parts(), config={}), TypeError,
     "TrainerConfig"),
    (lambda: make_trainer().add_callback(print, "on_step"), ValueError,
     "event must be"),
    (lambda: make_trainer().fit([1, 2, 3]), TypeError, "torch Dataset"),
    (lambda: make_trainer().predict([[1.0]]), TypeError, "torch.Tensor"),
    (lambda: callbacks.GradientClipping(), ValueError, "exactly one"),
])
def test_bad_input(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_fit_matches_a_plain_pytorch_loop():
    """Trainer's losses and parameters equal a loop written out by hand,
    step by step, in float64, with a per-batch torch.optim schedule."""
    train, val, _ = datasets()
    train = TensorDataset(*(t.double() for t in train.tensors))
    val = TensorDataset(*(t.double() for t in val.tensors))

    def start():
        torch.manual_seed(42)
        model = torch.nn.Linear(1, 1).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5)
        return model, opt, sched

    model, opt, sched = start()
    loss_fn = torch.nn.MSELoss()
    loader = torch.utils.data.DataLoader(
        train, batch_size=16, shuffle=True,
        generator=torch.Generator().manual_seed(3))
    expected = {"train_loss": [], "val_loss": []}
    for _ in range(8):
        total = 0.0
        for X, y in loader:
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
            sched.step()
            total += loss.item() * len(X)
        expected["train_loss"].append(total / len(train))
        with torch.no_grad():
            expected["val_loss"].append(
                loss_fn(model(val.tensors[0]), val.tensors[1]).item())

    ours, opt2, sched2 = start()
    trainer = Trainer(ours, loss_fn, opt2,
                      TrainerConfig(n_epochs=8, batch_size=16, seed=3,
                                    schedule_per="batch"),
                      scheduler=sched2)
    history = trainer.fit(train, val)
    assert history["train_loss"] == expected["train_loss"]
    np.testing.assert_allclose(history["val_loss"], expected["val_loss"],
                               rtol=1e-12)
    for p, q in zip(model.parameters(), ours.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("shuffle", [True, False])
def test_loader_gives_a_plain_dataloaders_batches(shuffle):
    """A TensorDataset is indexed a batch at a time; a Subset goes through
    the plain DataLoader: both give its batches, in its order."""
    X = torch.randn(83, 3, generator=torch.Generator().manual_seed(0))
    data = TensorDataset(X, X[:, 0])
    subset = torch.utils.data.Subset(data, list(range(0, 83, 2)))
    for part in (data, subset):
        trainer = make_trainer(shuffle=shuffle, seed=7)
        ours = [b for _ in range(3) for b in trainer.loader(part, True)]
        plain = torch.utils.data.DataLoader(
            part, batch_size=16, shuffle=shuffle,
            generator=torch.Generator().manual_seed(7))
        theirs = [b for _ in range(3) for b in plain]
        assert len(ours) == len(theirs) == 3 * -(-len(part) // 16)
        for (x1, y1), (x2, y2) in zip(ours, theirs):
            assert torch.equal(x1, x2) and torch.equal(y1, y2)
