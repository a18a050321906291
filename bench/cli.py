"""Command line: ``python -m bench run|report|list``.

Bad input (config, run directory, report input) prints one line on stderr and exits with status 2;
nothing already written is removed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLES = """examples:
  python -m bench run bench/configs/smoke.toml
  python -m bench run bench/configs/default.toml --out runs/mine --set run.starts=1024
  python -m bench report runs/default
  python -m bench compare runs/default runs/mine
  python -m bench export runs/default --format coco --out runs/default-coco   # then: python -m cocopp
  python -m bench export runs/default --format ioh --out runs/default-ioh     # for IOHanalyzer
  python -m bench show rastrigin
  python -m bench show rastrigin --instance 1   # the shifted instance
  python -m bench list schedules
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit status 2 (as every other bad input)."""

    def error(self, message: str):
        print(f"error: {self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gmbench" if Path(sys.argv[0]).name == "gmbench" else "python -m bench",
        description="Does learning-rate decay make gradient descent find the global minimum?",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    run = verbs.add_parser(
        "run",
        help="run a config into a run directory and build its report",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("config", help="TOML config, e.g. bench/configs/default.toml")
    run.add_argument("--out", help="run directory (default: runs/<run.name>)")
    run.add_argument("--fresh", action="store_true", help="discard what the run directory holds")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set run.starts=1024 --set suite.0.dims=[2]",
    )
    cluster = run.add_argument_group(
        "several processes (machines) on one run, through jax.distributed; every process runs the same "
        "command, --out on a file system all of them see"
    )
    cluster.add_argument(
        "--coordinator",
        metavar="HOST:PORT",
        help="process 0's address, e.g. node0:1234; 'auto' lets JAX read it from the cluster (SLURM, Open MPI)",
    )
    cluster.add_argument("--processes", type=int, metavar="N", help="how many processes take part")
    cluster.add_argument("--process-id", type=int, metavar="I", help="this process's index, 0 to N-1")
    report = verbs.add_parser("report", help="rebuild tables, figures and report from results.parquet")
    report.add_argument("dir", help="a run directory written by 'run'")
    compare = verbs.add_parser("compare", help="what changed between two run directories, cell by cell")
    compare.add_argument("dir_a", help="the first run directory (A)")
    compare.add_argument("dir_b", help="the second run directory (B)")
    compare.add_argument("--out", help="also write the comparison to this Markdown file")
    export = verbs.add_parser(
        "export", help="write a run for COCO's cocopp (bbob functions) or IOHanalyzer, at each schedule's tuned lr"
    )
    export.add_argument("dir", help="a run directory written by 'run'")
    export.add_argument("--format", required=True, choices=["coco", "ioh"], help="coco (cocopp) or ioh (IOHanalyzer)")
    export.add_argument("--out", required=True, help="a new or empty directory for the exported data")
    show = verbs.add_parser("show", help="draw a function with its minima (contour in 2-D, slices otherwise)")
    show.add_argument("function", help="a function key, e.g. rastrigin (see: list functions)")
    show.add_argument("--dim", type=int, default=2, help="dimension (default 2)")
    show.add_argument(
        "--instance", type=int, default=None, help="instance (default 0, the textbook one; bbob functions: 1)"
    )
    show.add_argument("--out", default="runs/show", help="directory for the figure (default runs/show)")
    listing = verbs.add_parser("list", help="list registered functions, schedules and optimizers")
    listing.add_argument("what", nargs="?", choices=["functions", "schedules", "optimizers", "noise"])
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    # Imported here so that --help answers at once; reports/ (matplotlib) only when a verb needs it.
    from .rundir import InputError, RunDirError

    try:
        if args.verb == "run" and args.out is not None and not args.out.strip():
            raise RunDirError("--out: an empty path is not allowed; give a directory")
        if args.verb == "run":
            _run(args)
        elif args.verb == "report":
            _report(Path(args.dir))
        elif args.verb == "compare":
            _compare(args)
        elif args.verb == "export":
            _export(args)
        elif args.verb == "show":
            _show(args)
        else:
            _list(args.what)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print("interrupted: finished groups are kept; run the same command again to resume", file=sys.stderr)
        raise SystemExit(130) from None
    except BrokenPipeError:  # output piped into a command that stopped reading (| head)
        sys.stderr.close()
        raise SystemExit(0) from None
    except OSError as error:  # the file system refused: say which file, once
        print(f"error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        raise SystemExit(2) from None


def _run(args) -> None:
    from . import config as config_module
    from . import distributed
    from .runner import run

    # Before the config: loading it computes with JAX, which must come after joining the processes.
    processes = distributed.initialize(args.coordinator, args.processes, args.process_id)
    config = config_module.load(args.config, args.overrides)
    out = Path(args.out) if args.out else Path("runs") / config.run.name
    prefix = f"[process {processes.index}/{processes.count}] " if processes.count > 1 else ""
    log = lambda line: print(prefix + line, flush=True)  # noqa: E731
    run(config, out, fresh=args.fresh, log=log, progress=sys.stderr.isatty(), processes=processes)
    if processes.leads:
        _report(out)
    else:
        log(f"this process's parts are written; process 0 wrote {out / 'results.parquet'} and writes the report")


def _show(args) -> None:
    import functions
    from reports import show

    from .config import ConfigError

    if args.function not in functions.names():
        raise ConfigError(f"show: {args.function!r} is not a known function; see: python -m bench list functions")
    try:
        functions.get(args.function).check_dim(args.dim)
    except ValueError as error:
        raise ConfigError(f"show: --dim {args.dim}: {error}") from None
    instance = args.instance if args.instance is not None else (1 if args.function.startswith("bbob_") else 0)
    try:
        functions.problem(args.function, args.dim, instance)
    except ValueError as error:
        raise ConfigError(f"show: --instance {instance}: {error}") from None
    lines, paths = show.show(args.function, args.dim, args.out, instance)
    print("\n".join(lines))
    print(f"figure: {paths[1]}")
    print(f"        {paths[0]}")


def _compare(args) -> None:
    from reports import compare

    text = compare.render(*compare.compare(args.dir_a, args.dir_b))
    print(text, end="")
    if args.out:
        Path(args.out).write_text(text)


def _export(args) -> None:
    from reports import export

    print("\n".join(export.export(args.dir, args.format, args.out)))


def _report(run_dir: Path) -> None:
    import reports

    built = reports.build(run_dir, figure_workers=None)  # one drawing process per core (main is guarded)
    print()
    print(built.headline)
    print()
    print(f"report: {built.report_md}")
    print(f"        {built.report_html}")


def _list(what: str | None) -> None:
    import functions
    import schedules

    from . import docs, optimizers

    if what in (None, "functions"):
        print("functions:")
        for name in functions.names():
            obj = functions.get(name)
            dims = "any d" if obj.dims is None else "d = " + ", ".join(map(str, obj.dims))
            print(f"  {name:18s} {dims:10s} {obj.group}; {obj.reference}")
    if what in (None, "schedules"):
        print("schedules:")
        for name in schedules.names():
            family = schedules.get(name)
            print(f"  {name:20s} {family.summary} [{docs.parameters_text(family)}]")
            print(f"  {'':20s} reference: {family.reference}")
    if what in (None, "optimizers"):
        print("optimizers:")
        for name in optimizers.names():
            opt = optimizers.get(name)
            kind = " [reference: schedule 'none', lr 0.0]" if opt.kind == optimizers.REFERENCE else ""
            centre = "" if opt.auto_centre is None else f"; auto lr grid centred on {opt.auto_centre.describe()}"
            print(f"  {name:20s} {opt.summary} ({opt.reference}){centre}{kind}")
        plateau = optimizers.get("sgd+plateau")
        print(f"  {'NAME+plateau':20s} any descent optimizer, e.g. sgd+plateau: {plateau.summary.split(', ', 1)[1]}")
    if what in (None, "noise"):
        print('noise (per [[suite]]: noise = { kind = "...", schedule = "<family>", scale = ... }, or a list):')
        for kind, text in (
            ("none", "no noise (the default)"),
            ("gradient", "the optimiser sees g + sigma_t * xi, sigma_t = scale * schedule(peak=1)(t)"),
            ("langevin", "sqrt(2 * lr_t * T_t) * xi added to the update, T_t = scale * schedule(peak=1)(t)"),
        ):
            print(f"  {kind:20s} {text}")
