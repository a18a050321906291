"""Config validation: every bad value gets one line naming the field, the value and what is
allowed; the CLI exits with status 2 and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import functions
from bench import config
from bench.config import ConfigError

ROOT = Path(__file__).resolve().parents[1]
GOOD = """
[run]
name = "t"
starts = 16
steps = 20
[[suite]]
functions = ["rastrigin"]
dims = [2]
optimizers = ["sgd"]
schedules = ["constant", "cosine"]
lr = { min = 1e-3, max = 1e-1, num = 3 }
"""


def load_text(tmp_path, text, overrides=()):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return config.load(path, list(overrides))


PRESETS = sorted((ROOT / "bench" / "configs").glob("*.toml"))
LARGE_PRESETS = {"paper"}  # its auto lr grids need the curvature of 70 (function, dim) pairs: ~15 s


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.stem, marks=(pytest.mark.slow,) if p.stem in LARGE_PRESETS else ()) for p in PRESETS]
)
def test_presets_load(path):
    loaded = config.load(path)
    assert loaded.run.name == path.stem


def test_the_paper_preset_covers_the_whole_classic_catalogue():
    text = (ROOT / "bench" / "configs" / "paper.toml").read_text()
    classic = [name for name in functions.names() if not name.startswith("bbob_")]
    assert [name for name in classic if f'"{name}"' not in text] == []


def test_good_config_and_overrides(tmp_path):
    loaded = load_text(tmp_path, GOOD, ["run.starts=64", "suite.0.dims=[2, 3]", "run.dtype=float64"])
    assert loaded.run.starts == 64 and loaded.suites[0].dims == (2, 3) and loaded.run.dtype == "float64"
    assert loaded.run.target is None  # the dtype's default, raised to each function's floor


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("starts = 16", "starts = 0", r"run.starts: 0 is not allowed; must be an integer in \[2, 10,000,000\]"),
        ("starts = 16", 'starts = "many"', r"run.starts: 'many' is not allowed"),
        ("steps = 20", "steps = 2.5", r"run.steps: 2.5 is not allowed; must be an integer in \[1, 1,000,000\]"),
        (
            "steps = 20",
            'steps = 20\ndtype = "float16"',
            r"run.dtype: 'float16' is not allowed; allowed: float32, float64",
        ),
        (
            "steps = 20",
            "steps = 20\ntarget = 1e-8",
            r"run.target: 1e-08 is below what float32 resolves for rastrigin d=2",
        ),
        (
            "steps = 20",
            "steps = 20\ntargets = [-1.0]",
            r"run.targets: -1.0 is not allowed; must be a positive finite number",
        ),
        (
            "steps = 20",
            "steps = 20\nsteps_typo = 3",
            r"run: unknown key 'steps_typo' \(did you mean 'steps'\?\); allowed keys",
        ),
        (
            '["rastrigin"]',
            '["rastrign"]',
            r"suite\[0\].functions: 'rastrign' is not a known name \(did you mean 'rastrigin'\?\); allowed: sphere",
        ),
        ("dims = [2]", "dims = []", r"suite\[0\].dims: \[\] is not allowed; give a non-empty list"),
        ("dims = [2]", "dims = [0]", r"suite\[0\].dims: 0 is not allowed; must be an integer in \[1, 1,000\]"),
        (
            '["sgd"]',
            '["sgdd"]',
            r"suite\[0\].optimizers: 'sgdd' is not a known optimizer \(did you mean 'sgd'\?\); allowed: sgd",
        ),
        ('["constant", "cosine"]', '["constant", "constant"]', r"suite\[0\].schedules: 'constant' is listed twice"),
        ("min = 1e-3", "min = 1.0", r"suite\[0\].lr: min = 1 is above max = 0.1"),
        ("num = 3", "num = 0", r"suite\[0\].lr.num: 0 is not allowed; must be an integer in \[1, 1,000\]"),
        ("lr = { min = 1e-3, max = 1e-1, num = 3 }", "lr = 0.1", r"suite\[0\].lr: 0.1 is not allowed; use"),
        ("lr = { min = 1e-3, max = 1e-1, num = 3 }", "lr = { max = 1e-1, num = 3 }", r"suite\[0\].lr.min: missing"),
        (
            "dims = [2]",
            "dims = [2]\ninstances = [-1]",
            r"suite\[0\].instances: -1 is not allowed; must be an integer in \[0, ",
        ),
        (
            'functions = ["rastrigin"]',
            'functions = ["bbob_f3"]',
            r"suite\[0\].instances: bbob f3: instance 0 does not exist: COCO instances start at 1",
        ),
        (
            'functions = ["rastrigin"]\ndims = [2]',
            'functions = ["bbob_f15"]\ndims = [45]\ninstances = [1]',
            r"suite\[0\].dims: bbob_f15: dimension must be <= 44, got 45; put it in a \[\[suite\]\] of its own",
        ),
        (
            "starts = 16",
            "starts = 16\nseed = 99999999999999999999",
            r"run.seed: 99999999999999999999 is not allowed; must be an integer in \[0, 4,294,967,295\]",
        ),
        (
            "starts = 16",
            "starts = 1000000000000",
            r"run.starts: 1000000000000 is not allowed; must be an integer in \[2, 10,000,000\]",
        ),
        (
            "steps = 20",
            "steps = 9223372036854775807",
            r"run.steps: 9223372036854775807 is not allowed; must be an integer in \[1, 1,000,000\]",
        ),
        (
            "dims = [2]",
            "dims = [100000000]",
            r"suite\[0\].dims: 100000000 is not allowed; must be an integer in \[1, 1,000\]",
        ),
        ("dims = [2]", "dims = [2, 2]", r"suite\[0\].dims: 2 is listed twice; list each value once"),
        ("num = 3", "num = 1000000000", r"suite\[0\].lr.num: 1000000000 is not allowed"),
        (
            "max = 1e-1",
            "max = 1e300",
            r"suite\[0\].lr.max: 1e\+300 is not allowed; peak learning rates must be <= 1e\+30",
        ),
        (
            "steps = 20",
            "steps = 20\ntargets = [0.1, 0.12]",
            r"run.targets: 0.1 and 0.12 both give the column hit_1e-01",
        ),
        (
            "steps = 20",
            "steps = 20\ntargets = [" + "9" * 330 + "]",
            r"run.targets: 9{37}\.\.\. is not allowed; must be a positive finite number",
        ),
        ('name = "t"', 'name = "a\\u0000b"', r"run.name: 'a\\x00b' is not allowed; use up to 100 letters"),
        ('name = "t"', 'name = "' + "x" * 300 + '"', r"run.name: 'x+' is not allowed"),
        (
            "steps = 20",
            'steps = 20\ndtype = "float64"\ntarget = 1e-30',
            r"below what float64 resolves for rastrigin d=2 \(floor [0-9.e-]+\); use a target >= [0-9.e-]+$",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { gama = [0.5] }",
            r"suite\[0\].params: 'gama' is not a parameter of constant, cosine; allowed: end, warmup",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { end = [0.0, 2.0] }",
            r"suite\[0\].params: cosine: end must be in \[0, 1\], got end=2.0",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { end = [0.1, 0.1] }",
            r"suite\[0\].params.end: 0.1 is listed twice; list each value once",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { end = [] }",
            r"suite\[0\].params.end: \[\] is not allowed; give a non-empty list",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = { kind = "langevn", scale = 1.0 }',
            r"suite\[0\].noise.kind: 'langevn' is not allowed \(did you mean 'langevin'\?\); allowed: none, gradient, langevin",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = { kind = "langevin" }',
            r"suite\[0\].noise.scale: missing; langevin noise needs a positive scale",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = { kind = "gradient", scale = -1.0 }',
            r"suite\[0\].noise.scale: -1.0 is not allowed; must be a positive finite number",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = [{ kind = "none" }, { kind = "gradient", scale = 1.0, schedule = "cosin" }]',
            r"suite\[0\].noise\[1\].schedule: 'cosin' is not a known name \(did you mean 'cosine'\?\)",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = { kind = "none", scale = 1.0 }',
            r'suite\[0\].noise: kind = "none" takes no schedule or scale',
        ),
        (
            '["sgd"]',
            '["lbfgs+plateau"]',
            r"suite\[0\].optimizers: 'lbfgs\+plateau' is not a known optimizer.*NAME\+plateau for any but lbfgs",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { end = true }",
            r"suite\[0\].params.end: True is not allowed; must be a number",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { end = "0.1" }',
            r"suite\[0\].params.end: '0.1' is not allowed; must be a number",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { end = 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 }",
            r"suite\[0\].params.end: 1000000000000000000000000000000000000\.\.\. is not allowed; must be a finite number",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nparams = { end = [0.0, 0.0] }",
            r"suite\[0\].params.end: 0.0 is listed twice",
        ),
        (
            '["constant", "cosine"]',
            '["cosine_restarts"]\nparams = { cycles = 10000000000 }',
            r"suite\[0\].params.cycles: 10000000000 is not allowed; must be an integer in \[1, 10,000\]",
        ),
        (
            '["constant", "cosine"]',
            '["cosine_restarts"]\nparams = { cycles = true }',
            r"suite\[0\].params.cycles: True is not allowed; must be an integer",
        ),
        (
            '["constant", "cosine"]',
            '["cosine_restarts"]\nparams = { mult = inf }',
            r"suite\[0\].params.mult: inf is not allowed; must be a finite number",
        ),
        (
            '["constant", "cosine"]',
            '["triangular"]\nparams = { cycles = 1e5 }',
            r"suite\[0\].params: triangular with cycles=100000.0 gives lr 0 at every step of 20",
        ),
        (
            '["constant", "cosine"]',
            '["polynomial"]\nparams = { power = 1e400 }',
            r"suite\[0\].params.power: inf is not allowed; must be a finite number",
        ),
        (
            '["constant", "cosine"]',
            '["wsd"]\nparams = { shape = 1 }',
            r"suite\[0\].params.shape: 1 is not allowed; use a string such as 'linear'",
        ),
        (
            '["constant", "cosine"]',
            '["exponential"]\nparams = { staircase = 1 }',
            r"suite\[0\].params.staircase: 1 is not allowed; use true or false",
        ),
        (
            '["constant", "cosine"]',
            '["one_cycle_linear"]\nparams = { pct_start = 0.9, pct_final = 0.1 }',
            r"suite\[0\].params: one_cycle_linear: pct_final must be above pct_start, got pct_start=0.9, pct_final=0.1",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            "lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = { scale = 1.0 }",
            r'suite\[0\].noise.kind: missing; give kind = "none", "gradient" or "langevin"',
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = [{ kind = "langevin", scale = 1.0 }, { kind = "langevin", scale = 1.0000001 }]',
            r"suite\[0\].noise\[1\]: 'langevin-constant-1' is listed twice \(labels keep 6 significant digits",
        ),
        (
            "lr = { min = 1e-3, max = 1e-1, num = 3 }",
            'lr = { min = 1e-3, max = 1e-1, num = 3 }\nnoise = { kind = "gradient", scale = 1e-320 }',
            r"suite\[0\].noise.scale: 9.99989e-321 is not allowed; must be in \[1e-30, 1e\+30\]",
        ),
        ('["sgd"]', '["SGD"]', r"suite\[0\].optimizers: 'SGD' is not a known optimizer \(did you mean 'sgd'\?\)"),
    ],
)
def test_bad_values_name_field_value_and_what_is_allowed(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(ConfigError, match=message):
        load_text(tmp_path, GOOD.replace(old, new, 1))


def test_starts_times_dim_is_bounded(tmp_path):
    text = GOOD.replace("starts = 16", "starts = 10000000").replace("dims = [2]", "dims = [2, 10]")
    with pytest.raises(ConfigError, match=r"suite\[0\].dims: 10 with run.starts = 10,000,000 gives 100,000,000 start"):
        load_text(tmp_path, text)


def test_two_dimensional_function_in_a_10d_suite(tmp_path):
    text = GOOD.replace('["rastrigin"]', '["himmelblau"]').replace("dims = [2]", "dims = [2, 10]")
    with pytest.raises(ConfigError, match=r"suite\[0\].dims: himmelblau: dimension 10 not supported"):
        load_text(tmp_path, text)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a directory; give a path to a .toml file"):
        config.load(tmp_path)
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_text(tmp_path, "[run\nname=")
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)))
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        config.load(tmp_path / "binary.toml")


def test_run_name_comes_from_the_file_name_and_must_be_valid(tmp_path):
    without_name = GOOD.replace('name = "t"\n', "")
    (tmp_path / "my-study.toml").write_text(without_name)
    assert config.load(tmp_path / "my-study.toml").run.name == "my-study"
    (tmp_path / ".hidden.toml").write_text(without_name)
    with pytest.raises(ConfigError, match="run.name: not set, and the file name '.hidden' is not a valid run name"):
        config.load(tmp_path / ".hidden.toml")
    (tmp_path / "no-run-table.toml").write_text(GOOD[GOOD.index("[[suite]]") :])
    assert config.load(tmp_path / "no-run-table.toml").run.name == "no-run-table"


def test_bad_override(tmp_path):
    with pytest.raises(ConfigError, match=r"--set: 'run.starts' is not allowed; use KEY=VALUE"):
        load_text(tmp_path, GOOD, ["run.starts"])
    with pytest.raises(ConfigError, match=r"suite is a list of 1; index '5' does not exist \(use 0 to 0\)"):
        load_text(tmp_path, GOOD, ["suite.5.dims=[2]"])
    noisy = GOOD.replace("num = 3 }", 'num = 3 }\nnoise = [{ kind = "none" }]')
    with pytest.raises(ConfigError, match=r"suite.0.noise is a list of 1; index '5' does not exist"):
        load_text(tmp_path, noisy, ["suite.0.noise.5.scale=2.0"])
    with pytest.raises(ConfigError, match=r"suite.0.noise is a list; name an entry, e.g. suite.0.noise.0.kind=..."):
        load_text(tmp_path, noisy, ["suite.0.noise.kind=gradient"])
    with pytest.raises(ConfigError, match=r"--set: 'run.starts.x': 'starts' holds a value, not a table"):
        load_text(tmp_path, GOOD, ["run.starts.x=1"])


@pytest.mark.parametrize(
    "args,message",
    [
        (["run", "{bad}"], "error: suite[0].functions: 'rastrign' is not a known name"),
        (["run", "{missing}"], "does not exist"),
        (["run", "{good}", "--set", "run.starts=1"], "error: run.starts: 1 is not allowed"),
        (["report", "{tmp}"], "has no run.json"),
        (["run", "{good}", "--out", "{afile}/sub"], "error: --out:"),
        (["run", "{good}", "--out", "{afile}"], "error: --out: "),
        (["run", "{good}", "--out", ""], "error: --out: an empty path is not allowed"),
        (["list", "everything"], "error: python -m bench list: argument what: invalid choice"),
        ([], "error: python -m bench: the following arguments are required: verb"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args, message):
    (tmp_path / "bad.toml").write_text(GOOD.replace('["rastrigin"]', '["rastrign"]'))
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "afile").write_text("not a directory")
    paths = {
        "bad": tmp_path / "bad.toml",
        "good": tmp_path / "good.toml",
        "afile": tmp_path / "afile",
        "missing": tmp_path / "missing.toml",
        "tmp": tmp_path,
    }
    argv = [a.format(**paths) for a in args]
    done = subprocess.run([sys.executable, "-m", "bench", *argv], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_lr_table_size_is_bounded(tmp_path):
    from bench import plan

    loaded = load_text(tmp_path, GOOD.replace("steps = 20", "steps = 1000000").replace("num = 3", "num = 1000"))
    with pytest.raises(
        ConfigError,
        match=r"suite\[0\].lr.num: rastrigin d=2 sgd needs 2000 schedule x params x lr rows x "
        r"1,000,000 steps = 2,000,000,000 learning rates, above 50,000,000",
    ):
        plan.groups(loaded)


def test_params_noise_and_optimizer_variants_parse(tmp_path):
    text = GOOD.replace('["sgd"]', '["sgd", "adam+plateau", "lbfgs"]').replace(
        "num = 3 }",
        "num = 3 }\nparams = { end = [0.0, 0.01], warmup = 0.1 }\n"
        'noise = [{ kind = "none" }, { kind = "langevin", schedule = "linear", scale = 0.5 }]',
    )
    loaded = load_text(tmp_path, text)
    suite = loaded.suites[0]
    assert suite.params == (("end", (0.0, 0.01)), ("warmup", (0.1,)))
    assert [n.label for n in suite.noise] == ["none", "langevin-linear-0.5"]
    from bench import plan

    work = {g.key: g for g in plan.groups(loaded)}
    sgd = work["rastrigin-d2-i0-sgd-T20"]
    # constant has no end: 1 combination; cosine 2; times 3 lrs.
    assert len(sgd.rows()) == 3 + 6
    assert {json for _, _, json in [(s, lr, plan.schedule_params(s, c)) for s, lr, c in sgd.rows()]} == {
        '{"warmup": 0.1}',
        '{"end": 0.0, "warmup": 0.1}',
        '{"end": 0.01, "warmup": 0.1}',
    }
    assert work["rastrigin-d2-i0-lbfgs-T20"].rows() == [("none", 0.0, {})]
    assert "rastrigin-d2-i0-adam+plateau-T20-langevin-linear-0.5" in work


def test_fingerprint_leaves_out_unused_new_keys_so_old_runs_resume(tmp_path):
    plain = load_text(tmp_path, GOOD).fingerprint()
    assert '"noise"' not in plain and '"params"' not in plain
    noisy = load_text(tmp_path, GOOD.replace("num = 3 }", 'num = 3 }\nnoise = { kind = "gradient", scale = 1.0 }'))
    assert '"noise"' in noisy.fingerprint() and noisy.fingerprint() != plain


def test_list_valued_parameters_take_one_list_or_a_grid_of_lists(tmp_path):
    from bench import plan

    text = GOOD.replace('["constant", "cosine"]', '["constant", "step"]')
    one = load_text(tmp_path, text.replace("num = 3 }", "num = 3 }\nparams = { boundaries = [0.3, 0.6] }"))
    assert one.suites[0].params == (("boundaries", ((0.3, 0.6),)),)
    grid = load_text(
        tmp_path, text.replace("num = 3 }", "num = 3 }\nparams = { boundaries = [[0.5, 0.75], [0.3, 0.6]] }")
    )
    rows = plan.groups(grid)[0].rows()
    assert len(rows) == 3 + 2 * 3 and rows[-1][2] == {"boundaries": (0.3, 0.6)}
    table = plan.groups(grid)[0].lr_table()
    assert table[-1][6] == pytest.approx(0.1 * 0.1)  # 20 steps: drops at 6 and 12


def test_reference_methods_run_once_and_noise_free(tmp_path):
    from bench import plan

    text = GOOD.replace('["sgd"]', '["sgd", "lbfgs"]').replace(
        "num = 3 }", 'num = 3 }\nnoise = [{ kind = "none" }, { kind = "langevin", scale = 1.0 }]'
    )
    keys = [g.key for g in plan.groups(load_text(tmp_path, text))]
    assert keys == [
        "rastrigin-d2-i0-sgd-T20",
        "rastrigin-d2-i0-sgd-T20-langevin-constant-1",
        "rastrigin-d2-i0-lbfgs-T20",
    ]
