"""Model files: JSON round trips, atomic writes, and a clear ValueError for every bad file."""

from __future__ import annotations

import json
import os

import pytest

import nn
from nn import MLP, Layer, Neuron
from nn.serialize import FORMAT, VERSION


@pytest.mark.parametrize(
    "build",
    [
        lambda seed: MLP(2, [5, 4, 3], activation="tanh", seed=seed),
        lambda seed: Layer(3, 2, activation="sigmoid", seed=seed),
        lambda seed: Neuron(4, nonlin=False, seed=seed),
    ],
)
def test_save_then_load_gives_identical_outputs(tmp_path, build):
    model = build(0)
    for i, p in enumerate(model.parameters()):
        p.data += i / 7  # biases too, and digits that only an exact round trip keeps
    path = tmp_path / "model.json"
    model.save(path)
    into_existing = build(1)
    into_existing.load(path)
    rebuilt = nn.load(path)
    assert type(rebuilt) is type(model) and repr(rebuilt) == repr(model)
    nin = model.config()["nin"]
    x = [0.1 * (k + 1) for k in range(nin)]
    expected = _datas(model(x))
    assert _datas(into_existing(x)) == expected
    assert _datas(rebuilt(x)) == expected
    assert rebuilt.state_dict() == model.state_dict()


def _datas(out):
    return [o.data for o in out] if isinstance(out, list) else [out.data]


def test_a_model_file_is_json_with_format_version_architecture_and_weights(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    model.save(tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["format"] == FORMAT and document["version"] == VERSION
    assert document["architecture"] == {
        "type": "MLP",
        "config": {"nin": 2, "nouts": [3, 1], "activation": "relu"},
    }
    assert document["weights"] == model.state_dict()


def test_save_replaces_an_existing_file_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    newer = MLP(2, [3, 1], seed=1)
    newer.save(path)
    assert os.listdir(tmp_path) == ["m.json"]
    assert json.loads(path.read_text())["weights"] == newer.state_dict()


def test_a_crash_while_saving_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)
    before = path.read_bytes()

    def crash(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]


def _valid_document():
    model = MLP(2, [3, 1], seed=0)
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": model.architecture(),
        "weights": model.state_dict(),
    }


def _write(path, document):
    path.write_text(document if isinstance(document, str) else json.dumps(document))


def _with(**changes):
    document = _valid_document()
    document.update(changes)
    return document


def _without_weight(name):
    document = _valid_document()
    del document["weights"][name]
    return document


def _with_weight(name, value):
    document = _valid_document()
    document["weights"][name] = value
    return document


BAD_FILES = {
    "truncated": (json.dumps(_valid_document())[:150], "not valid JSON"),
    "empty": ("", "not valid JSON"),
    "not an object": ("[1, 2, 3]", "not a valuegraph model file"),
    "another format": (_with(format="keras"), "not a valuegraph model file"),
    "newer version": (_with(version=VERSION + 1), f"format version {VERSION + 1}"),
    "no version": ({k: v for k, v in _valid_document().items() if k != "version"}, "version None"),
    "no architecture": (_with(architecture=None), 'no valid "architecture"'),
    "no weights": (_with(weights=[0.1, 0.2]), 'no "weights"'),
    "wrong shape": (
        _with(
            architecture={
                "type": "MLP",
                "config": {"nin": 2, "nouts": [4, 1], "activation": "relu"},
            }
        ),
        r"different architecture.*nouts=\[4, 1\].*nouts=\[3, 1\]",
    ),
    "wrong activation": (
        _with(
            architecture={
                "type": "MLP",
                "config": {"nin": 2, "nouts": [3, 1], "activation": "tanh"},
            }
        ),
        "different architecture",
    ),
    "a missing weight": (
        _without_weight("layers.1.neurons.0.b"),
        r"missing layers\.1\.neurons\.0\.b",
    ),
    "an extra weight": (
        _with_weight("layers.2.neurons.0.b", 1.0),
        r"unexpected layers\.2\.neurons",
    ),
    "a weight that is text": (_with_weight("layers.0.neurons.0.b", "0.5"), "not numbers"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_loading_a_bad_file_is_a_value_error_naming_the_problem_and_changes_nothing(tmp_path, case):
    content, message = BAD_FILES[case]
    path = tmp_path / "bad.json"
    _write(path, content)
    model = MLP(2, [3, 1], seed=5)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        model.load(path)
    assert model.state_dict() == before


def test_loading_a_missing_file_is_a_value_error_naming_the_path(tmp_path):
    model = MLP(2, [3, 1], seed=5)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"no model file at .*nowhere\.json"):
        model.load(tmp_path / "nowhere.json")
    with pytest.raises(ValueError, match="no model file"):
        nn.load(tmp_path / "nowhere.json")
    assert model.state_dict() == before


@pytest.mark.parametrize(
    ("architecture", "message"),
    [
        ({"type": "Transformer", "config": {}}, "load\\(\\) cannot build"),
        ({"type": "MLP", "config": {"nin": 2, "nouts": [], "activation": "relu"}}, "unusable"),
        ({"type": "MLP", "config": {"nin": 2, "depth": 3}}, "unusable"),
    ],
)
def test_building_from_a_file_with_an_unknown_or_broken_architecture_is_a_value_error(
    tmp_path, architecture, message
):
    path = tmp_path / "m.json"
    _write(path, _with(architecture=architecture))
    with pytest.raises(ValueError, match=message):
        nn.load(path)


def test_building_from_a_file_leaves_the_global_random_state_alone(tmp_path):
    import random

    MLP(2, [3, 1], seed=0).save(tmp_path / "m.json")
    state = random.getstate()
    nn.load(tmp_path / "m.json")
    assert random.getstate() == state


def test_a_saved_model_file_gets_the_usual_permissions(tmp_path):
    import stat

    old = os.umask(0o022)
    try:
        path = tmp_path / "model.json"
        MLP(2, [2, 1], seed=0).save(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's 0o600


# a file is trusted with nothing: limits, exact types, and a model left unchanged when refused


def _document_text(weights_text: str, version: str = "1", nouts: str = "[3, 1]") -> str:
    return (
        f'{{"format": "{FORMAT}", "version": {version}, "architecture": {{"type": "MLP", '
        f'"config": {{"nin": 2, "nouts": {nouts}, "activation": "relu"}}}}, '
        f'"weights": {{{weights_text}}}}}'
    )


def _weights_text(last: str) -> str:
    names = list(MLP(2, [3, 1], seed=0).state_dict())
    items = [f'"{name}": 0.25' for name in names[:-1]] + [f'"{names[-1]}": {last}']
    return ", ".join(items)


@pytest.mark.parametrize(
    ("last_weight", "message"),
    [
        ("NaN", "NaN is not a number"),
        ("-Infinity", "-Infinity is not a number"),
        ("1e999", "nan or infinite"),
        ("1" * 401, "nan or infinite"),  # a float() of it overflows: after 12 of 13, once
        ("1" * 5000, "not a valid model file"),  # more digits than Python parses
        ("true", "not numbers"),
    ],
)
def test_a_weight_that_is_not_a_finite_number_is_refused_before_any_is_set(
    tmp_path, last_weight, message
):
    path = tmp_path / "m.json"
    path.write_text(_document_text(_weights_text(last_weight)))
    model = MLP(2, [3, 1], seed=5)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        model.load(path)
    assert model.state_dict() == before
    with pytest.raises(ValueError, match=message):
        nn.load(path)


def test_load_state_dict_converts_every_weight_before_setting_the_first(tmp_path):
    model = MLP(2, [3, 1], seed=5)
    before = model.state_dict()
    state = {name: 0.5 for name in before}
    state[list(state)[-1]] = 10**401
    with pytest.raises(ValueError, match="nan or infinite"):
        model.load_state_dict(state)
    assert model.state_dict() == before


@pytest.mark.parametrize("version", ["1.0", "true", '"1"', "1e0"])
def test_a_version_that_is_not_the_exact_integer_is_refused(tmp_path, version):
    path = tmp_path / "m.json"
    path.write_text(_document_text(_weights_text("0.5"), version=version))
    with pytest.raises(ValueError, match="format version"):
        nn.load(path)


@pytest.mark.parametrize(
    "text",
    [
        _document_text(_weights_text("0.5") + ', "layers.0.neurons.0.b": 7.0'),
        _document_text(_weights_text("0.5")).replace(
            '"version": 1,', '"version": 1, "version": 1,'
        ),
    ],
    ids=["a weight", "the version"],
)
def test_a_key_that_appears_twice_is_refused(tmp_path, text):
    path = tmp_path / "m.json"
    path.write_text(text)
    model = MLP(2, [3, 1], seed=5)
    before = model.state_dict()
    with pytest.raises(ValueError, match="appears twice"):
        model.load(path)
    assert model.state_dict() == before


def test_json_nested_too_deeply_is_a_value_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("[" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        nn.load(path)


def test_the_702_byte_file_that_declares_twenty_billion_parameters_is_refused_at_once(tmp_path):
    import time

    path = tmp_path / "huge.json"
    path.write_text(_document_text(_weights_text("0.5"), nouts="[100000, 100000]"))
    assert len(path.read_bytes()) < 1000
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"10,000,400,000 parameters, more than the 1,000,000"):
        nn.load(path)
    assert time.perf_counter() - start < 0.5  # nothing was built


def test_an_architecture_whose_parameter_count_differs_from_the_weights_is_refused(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(_document_text(_weights_text("0.5"), nouts="[4, 1]"))
    with pytest.raises(ValueError, match="17 parameters, but the file holds 13 weights"):
        nn.load(path)


def test_a_file_larger_than_any_model_is_refused_unread(tmp_path, monkeypatch):
    from nn import serialize

    MLP(2, [3, 1], seed=0).save(tmp_path / "m.json")
    monkeypatch.setattr(serialize, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="bytes, more than a model of"):
        nn.load(tmp_path / "m.json")


def test_loading_from_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match="not a regular file"):
        nn.load(tmp_path / "pipe")


def test_saving_keeps_a_private_file_private_and_refuses_a_fifo(tmp_path):
    import stat

    path = tmp_path / "private.json"
    path.write_text("{}")
    path.chmod(0o600)
    MLP(2, [3, 1], seed=0).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match="FIFO"):
        MLP(2, [3, 1], seed=0).save(tmp_path / "pipe")


def test_a_model_with_a_nan_weight_is_not_saved(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[0].b.data = float("nan")
    with pytest.raises(ValueError, match=r"nan or infinite: layers\.0\.neurons\.0\.b"):
        model.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []
