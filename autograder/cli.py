"""Command line of the autograder (see README.md).

    python -m autograder grade ASSIGNMENT SUBMISSION_DIR [--out results.json]
    python -m autograder grade-all ASSIGNMENT SUBMITTED_ROOT [-j N] [--shard K/N] [--force] [--out-dir DIR] [--cold]
    python -m autograder serve ASSIGNMENT      (the warm grader grade-all starts; JSON jobs on stdin)
    python -m autograder gradebook ASSIGNMENT RESULTS_DIR
    python -m autograder gradescope ASSIGNMENT --out dist/ASSIGNMENT-gradescope.zip
    python -m autograder demo [--assignments a,b] [--cnn-budget S]

Mistakes in the command line or its inputs print one line ``autograder: error: ...`` and
exit with status 2; a graded submission exits 0 whatever its score.
"""
import argparse
import sys
from pathlib import Path

from . import config


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser():
    parser = Parser(prog="python -m autograder", description="Grade course submissions in a sandbox.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    grade = commands.add_parser("grade", help="grade one submission directory")
    grade.add_argument("assignment")
    grade.add_argument("submission")
    grade.add_argument("--out", default="results.json", help="results file (default: results.json)")
    grade.add_argument("--student", default=None, help=argparse.SUPPRESS)
    grade.add_argument("--skip", action="append", default=[], metavar="TEST",
                       help="leave this hidden test out (its points count as lost); for benchmarks")
    grade.add_argument("--holdout", default=None, metavar="DIR",
                       help="cnn: a private held-out set (CIFAR-10 binary layout) for the test accuracy")

    batch = commands.add_parser("grade-all", help="grade submitted/<student>/<assignment>/ for a class")
    batch.add_argument("assignment")
    batch.add_argument("submitted_root")
    batch.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at once")
    batch.add_argument("--shard", default="1/1", help="K/N: grade only the K-th of N slices")
    batch.add_argument("--force", action="store_true", help="regrade students that already have results")
    batch.add_argument("--out-dir", default=None,
                       help="where results/, feedback/ and gradebook.csv go "
                            "(default: SUBMITTED_ROOT/../autograded/ASSIGNMENT)")

    batch.add_argument("--cold", action="store_true",
                       help="one fresh `grade` process per submission instead of warm graders")
    batch.add_argument("--holdout", default=None, metavar="DIR",
                       help="cnn: a private held-out set (CIFAR-10 binary layout) for the test accuracy")
    batch.add_argument("--after-due-date", action="store_true",
                       help="feedback pages show every test (default: the visible ones only)")
    batch.add_argument("--nbgrader-db", default=None, metavar="URL",
                       help="nbgrader's gradebook (sqlite:///gradebook.db): apply the late policy to "
                            "timestamp.txt and write the scores there (autograder/nbgrader_gradebook.py)")
    batch.add_argument("--no-gradebook", action="store_true",
                       help="write only results/; leave gradebook.csv, feedback and report.html to a "
                            "later `gradebook` (the merge step of a job array)")

    serve = commands.add_parser("serve", help="a warm grader for grade-all: JSON jobs on stdin "
                                              "(autograder/batch/serve.py)")
    serve.add_argument("assignment")

    book = commands.add_parser("gradebook", help="build gradebook.csv and feedback pages from results")
    book.add_argument("assignment")
    book.add_argument("out_dir", help="the folder holding results/ (as written by grade-all)")
    book.add_argument("--after-due-date", action="store_true",
                      help="feedback pages show every test (default: the visible ones only)")

    bundle = commands.add_parser("gradescope", help="build a Gradescope autograder zip")
    bundle.add_argument("assignment")
    bundle.add_argument("--out", required=True)

    demo = commands.add_parser("demo", help="grade example submissions and print a score table")
    demo.add_argument("--assignments", default=None, help="comma-separated (default: every assignment)")
    demo.add_argument("--build-dir", default="build/demo")
    demo.add_argument("--cnn-budget", type=float, default=60.0,
                      help="training budget in seconds for the CNN task in the demo (default 60)")
    return parser


def check_assignment(name):
    if name not in config.names():
        raise UsageError(f"unknown assignment {name!r} (known: {', '.join(config.names())})")


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        if hasattr(args, "assignment"):
            check_assignment(args.assignment)
        return run(args)
    except UsageError as error:
        print(f"autograder: error: {error}", file=sys.stderr)
        return 2
    except (SandboxErrorTypes()) as error:
        print(f"autograder: error: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130


def SandboxErrorTypes():
    from .config import ConfigError
    from .sandbox import SandboxError

    return (SandboxError, ConfigError)


def use_holdout(folder):
    """``--holdout DIR``: the graders (this process and the ones it starts) read it from
    ``AUTOGRADER_HOLDOUT_DIR``."""
    if folder is None:
        return
    if not Path(folder).is_dir() or not any(Path(folder).glob("*.bin")):
        raise UsageError(f"--holdout {folder!r} is not a folder of CIFAR-10 binary batches (*.bin)")
    import os

    os.environ["AUTOGRADER_HOLDOUT_DIR"] = str(Path(folder).resolve())


def run(args):
    from .submission import SubmissionError

    use_holdout(getattr(args, "holdout", None))

    if args.command == "grade":
        from .grading.runner import grade_to_file

        try:
            results = grade_to_file(args.assignment, args.submission, args.out, args.student, skip=args.skip)
        except SubmissionError as error:
            raise UsageError(str(error)) from None
        except OSError as error:  # e.g. the results file's folder is not writable
            raise UsageError(f"cannot write {args.out}: {error.strerror or error}"
                             + (f" ({error.filename})" if error.filename else "")) from None
        print(f"{args.assignment}: {results['score']:g}/{results['max_score']:g} "
              f"({results['execution_time']:.1f} s) -> {args.out}")
        return 0
    if args.command == "grade-all":
        from .batch.grade_all import grade_all, parse_shard

        root = Path(args.submitted_root)
        if not root.is_dir():
            raise UsageError(f"submitted root {str(root)!r} is not a directory")
        if args.jobs < 1:
            raise UsageError("-j must be at least 1")
        shard = parse_shard(args.shard)
        if shard is None:
            raise UsageError(f"--shard must look like K/N with 1 <= K <= N, not {args.shard!r}")
        out_dir = Path(args.out_dir) if args.out_dir else root.resolve().parent / "autograded" / args.assignment
        from .sandbox import choose_mode

        # a sandbox that cannot grade stops here, not per student; in the fallback as root the
        # sandbox user must not read the class's other submissions or results either
        choose_mode(private=[*config.private_paths(config.load(args.assignment)), root.resolve(), out_dir.resolve()])
        status = grade_all(args.assignment, root, out_dir, args.jobs, shard, args.force, cold=args.cold,
                         gradebook=not args.no_gradebook, after_due_date=args.after_due_date)
        from .outputs.nbgrader_gradebook import after_grade_all

        return status or after_grade_all(args.assignment, root, out_dir, args.nbgrader_db)
    if args.command == "serve":
        from .batch.serve import serve

        return serve(args.assignment)
    if args.command == "gradebook":
        from .outputs.gradebook import build

        out_dir = Path(args.out_dir)
        if not (out_dir / "results").is_dir():
            raise UsageError(f"{str(out_dir / 'results')!r} is not a directory of results files")
        build(args.assignment, out_dir, after_due_date=args.after_due_date)
        return 0
    if args.command == "gradescope":
        from .outputs.gradescope import build_bundle

        path, secret_from = build_bundle(args.assignment, Path(args.out))
        print(f"wrote {path}")
        print(f"the course secret (from {secret_from}) is in the bundle as 'secret'")
        return 0
    if args.command == "demo":
        from .dev.demo import run_demo

        wanted = [a for a in args.assignments.split(",") if a] if args.assignments else config.names()
        for name in wanted:
            check_assignment(name)
        return run_demo(wanted, Path(args.build_dir), args.cnn_budget)
    raise UsageError(f"unknown command {args.command!r}")
