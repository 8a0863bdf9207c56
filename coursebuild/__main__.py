"""``python -m coursebuild {student,solutions,release} [ASSIGNMENT ...] [--out DIR]``."""
import argparse
from pathlib import Path

from .release import release
from .sources import ASSIGNMENTS, REPO, SOURCE
from .versions import build_solution, build_student, write_suite_checks

DEFAULT_OUT = {"student": REPO / "assignments", "solutions": REPO / "solutions"}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursebuild", description=__doc__)
    parser.add_argument("command", choices=["student", "solutions", "release"])
    parser.add_argument("assignments", nargs="*", help=f"default: every assignment in {SOURCE}")
    parser.add_argument("--out", type=Path, help="folder to write <assignment>/ into (student/solutions)")
    args = parser.parse_args(argv)
    chosen = args.assignments or [a for a in ASSIGNMENTS if (SOURCE / a).is_dir()]
    if args.command == "student" and args.out is None:
        print(f"wrote {write_suite_checks().relative_to(REPO)}")
    for assignment in chosen:
        if args.command == "release":
            for bundle in release(assignment):
                print(f"wrote {bundle.relative_to(REPO)}")
            continue
        build = build_student if args.command == "student" else build_solution
        out = (args.out or DEFAULT_OUT[args.command]) / assignment
        build(assignment, out)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
