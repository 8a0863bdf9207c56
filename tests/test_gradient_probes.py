"""Gradient checks that a probe-detecting submission cannot exploit (issue 20, item 10).

The grader's centred differences evaluate the student's forward at x ± h·e_i. A forward that
recognises those probes can answer with the linearisation of its own *wrong* backward, so
that the differences agree with it. Every gradient check therefore also compares the
analytic gradient with the grader's reference gradient on the same inputs: such a
submission earns exactly what the same wrong backward earns without the trick."""
import shutil
from pathlib import Path

from grading import grade_only

REPO = Path(__file__).resolve().parents[1]

# BatchNorm.backward without the path through σ² (a typical mistake)
WRONG_BACKWARD = '''

def _backward_without_the_variance_path(self, dout):
    self.grads["gamma"] = (dout * self.x_hat).sum(axis=0)
    self.grads["beta"] = dout.sum(axis=0)
    dx_hat = dout * self.params["gamma"]
    if not self.training:
        return dx_hat * self.inv_std
    return self.inv_std * (dx_hat - dx_hat.mean(axis=0))


BatchNorm.backward = _backward_without_the_variance_path
'''

# ... and a forward that answers the probes with the linearisation of that backward
PROBE_DETECTING_FORWARD = '''

_honest_forward = BatchNorm.forward


def _forward_fooling_the_probes(self, x):
    base = getattr(self, "_base", None)
    if base is not None and base.shape == x.shape:
        moved = np.flatnonzero(x != base)
        if moved.size == 1 and abs((x - base).flat[moved[0]]) < 1e-4:  # x ± h·e_i: a probe
            out = _honest_forward(self, base)
            rows = [self.backward(unit.reshape(out.shape)).ravel() for unit in np.eye(out.size)]
            return out + (np.array(rows) @ (x - base).ravel()).reshape(out.shape)
    self._base = x.copy()
    return _honest_forward(self, x)


BatchNorm.forward = _forward_fooling_the_probes
'''


def submission(tmp_path, name, *additions):
    folder = tmp_path / name
    shutil.copytree(REPO / "solutions" / "backprop", folder, ignore=shutil.ignore_patterns("*.ipynb", "tests"))
    with open(folder / "layers.py", "a") as handle:
        handle.write("".join(additions))
    return folder


def test_probe_detecting_wrong_batchnorm_backward_gains_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "probes")
    plain = grade_only("backprop", submission(tmp_path, "plain", WRONG_BACKWARD), ["test_batchnorm"])
    tricky = grade_only("backprop", submission(tmp_path, "tricky", WRONG_BACKWARD, PROBE_DETECTING_FORWARD),
                        ["test_batchnorm"])
    plain_test, tricky_test = (next(t for t in r["tests"] if t["extra_data"]["test"] == "test_batchnorm")
                               for r in (plain, tricky))
    output = tricky_test["output"]
    # the trick works on centred differences alone, and the comparison with the reference catches it
    assert "- BatchNorm.backward vs centred differences" in output, output
    assert "agrees with the centred differences of your forward but not with the correct gradient" in output
    assert "disagrees with the centred-difference gradient" in plain_test["output"]
    assert 0 < tricky_test["score"] == plain_test["score"] < tricky_test["max_score"]
